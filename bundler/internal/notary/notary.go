// Package notary submits macOS software to Apple's notary service through
// its documented REST API (App Store Connect "Notary API" v2) and fetches
// the tickets to staple: a JWT signed with the team's API key, a new
// submission, the upload to the storage the service names, polling until
// a verdict, the developer log on rejection, and the ticket by CDHash from
// Apple's ticket-delivery database.
package notary

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Apple's endpoints.
const (
	AppleAPI     = "https://appstoreconnect.apple.com/notary/v2"
	AppleTickets = "https://api.apple-cloudkit.com/database/1/com.apple.gk.ticket-delivery/production/public/records/lookup"
	uploadRegion = "us-west-2"
)

// Credentials are an App Store Connect API key.
type Credentials struct {
	IssuerID string
	KeyID    string
	Key      *ecdsa.PrivateKey
}

// ParseKey reads an App Store Connect API key (AuthKey_<id>.p8): a PEM
// PKCS #8 P-256 key.
func ParseKey(data []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("not a PEM key (AuthKey_<key id>.p8)")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a PKCS #8 key: %w", err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("not a P-256 key, as App Store Connect API keys are")
	}
	return ec, nil
}

// Service is the notary service and the ticket database.
type Service struct {
	API     string                             // base URL of the Notary API
	Tickets string                             // ticket lookup URL
	Upload  func(bucket, object string) string // where a submission is uploaded
	HTTP    *http.Client
	Poll    time.Duration // time between status checks
}

// Apple returns the service at Apple's addresses.
func Apple() *Service {
	return &Service{
		API: AppleAPI, Tickets: AppleTickets,
		Upload: func(bucket, object string) string {
			return "https://" + bucket + ".s3." + uploadRegion + ".amazonaws.com/" + object
		},
		HTTP: &http.Client{Timeout: 10 * time.Minute},
		Poll: 15 * time.Second,
	}
}

// Statuses of a submission.
const (
	Accepted   = "Accepted"
	InProgress = "In Progress"
	Invalid    = "Invalid"
	Rejected   = "Rejected"
)

// Rejection is a verdict other than Accepted, with the developer log.
type Rejection struct {
	ID, Status string
	Log        Log
}

func (r *Rejection) Error() string {
	msg := fmt.Sprintf("Apple's notary service answered %s for submission %s", r.Status, r.ID)
	if r.Log.StatusSummary != "" {
		msg += ": " + r.Log.StatusSummary
	}
	if n := len(r.Log.Issues); n > 0 {
		msg += fmt.Sprintf(" (%d issues; first: %s)", n, r.Log.Issues[0])
	}
	return msg
}

// Log is the part of the developer log bundle prints.
type Log struct {
	Status        string  `json:"status"`
	StatusSummary string  `json:"statusSummary"`
	Issues        []Issue `json:"issues"`
}

// Issue is one finding of the notary service.
type Issue struct {
	Severity     string `json:"severity"`
	Path         string `json:"path"`
	Message      string `json:"message"`
	Architecture string `json:"architecture"`
}

func (i Issue) String() string {
	s := i.Path
	if i.Architecture != "" {
		s += " (" + i.Architecture + ")"
	}
	return s + ": " + i.Message
}

// Progress reports a status check while a submission waits for its
// verdict.
type Progress func(status string, elapsed time.Duration)

// Notarize submits the file at path (a zip, dmg or pkg) under name, its
// file name as Apple records and checks it (the base of path when ""),
// and waits up to timeout for the verdict. It returns the submission id; a verdict other
// than Accepted is a *Rejection carrying the developer log.
func (s *Service) Notarize(ctx context.Context, c Credentials, path, name string, timeout time.Duration, progress Progress) (string, error) {
	if name == "" {
		name = filepath.Base(path)
	}
	sum, size, err := fileSHA256(path)
	if err != nil {
		return "", err
	}
	var created struct {
		Data struct {
			ID         string `json:"id"`
			Attributes struct {
				AccessKeyID     string `json:"awsAccessKeyId"`
				SecretAccessKey string `json:"awsSecretAccessKey"`
				SessionToken    string `json:"awsSessionToken"`
				Bucket          string `json:"bucket"`
				Object          string `json:"object"`
			} `json:"attributes"`
		} `json:"data"`
	}
	body := map[string]string{"submissionName": name, "sha256": sum}
	if err := s.call(ctx, c, http.MethodPost, s.API+"/submissions", body, &created); err != nil {
		return "", fmt.Errorf("new submission: %w", err)
	}
	a := created.Data.Attributes
	if created.Data.ID == "" || a.Bucket == "" || a.Object == "" {
		return "", errors.New("new submission: the answer names no submission id or upload location")
	}
	if err := s.upload(ctx, path, size, sum, s.Upload(a.Bucket, a.Object),
		awsCredentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey, SessionToken: a.SessionToken}); err != nil {
		return created.Data.ID, fmt.Errorf("upload: %w", err)
	}
	return created.Data.ID, s.wait(ctx, c, created.Data.ID, timeout, progress)
}

func (s *Service) wait(ctx context.Context, c Credentials, id string, timeout time.Duration, progress Progress) error {
	start := time.Now()
	for {
		var st struct {
			Data struct {
				Attributes struct {
					Status string `json:"status"`
				} `json:"attributes"`
			} `json:"data"`
		}
		if err := s.call(ctx, c, http.MethodGet, s.API+"/submissions/"+id, nil, &st); err != nil {
			return fmt.Errorf("submission %s: %w", id, err)
		}
		status := st.Data.Attributes.Status
		if progress != nil {
			progress(status, time.Since(start))
		}
		switch status {
		case Accepted:
			return nil
		case InProgress:
		default:
			return &Rejection{ID: id, Status: status, Log: s.log(ctx, c, id)}
		}
		if time.Since(start)+s.Poll > timeout {
			return fmt.Errorf("submission %s still in progress after %s; raise notarize.macos.timeout, or check it later with xcrun notarytool info %s", id, timeout, id)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.Poll):
		}
	}
}

// log fetches the developer log; a rejection without one still reports
// its status.
func (s *Service) log(ctx context.Context, c Credentials, id string) Log {
	var l struct {
		Data struct {
			Attributes struct {
				URL string `json:"developerLogUrl"`
			} `json:"attributes"`
		} `json:"data"`
	}
	var out Log
	if err := s.call(ctx, c, http.MethodGet, s.API+"/submissions/"+id+"/logs", nil, &l); err != nil || l.Data.Attributes.URL == "" {
		return out
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.Data.Attributes.URL, nil)
	if err != nil {
		return out
	}
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&out) // a log that does not parse is no log
	return out
}

// Ticket fetches the notarization ticket of the code whose CodeDirectory
// hash is cdhash.
func (s *Service) Ticket(ctx context.Context, cdhash []byte) ([]byte, error) {
	name := "2/2/" + hex.EncodeToString(cdhash[:min(len(cdhash), 20)])
	body, _ := json.Marshal(map[string]any{"records": []map[string]string{{"recordName": name}}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Tickets, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	var out struct {
		Records []struct {
			RecordName string `json:"recordName"`
			Fields     struct {
				SignedTicket struct {
					Type  string `json:"type"`
					Value string `json:"value"`
				} `json:"signedTicket"`
			} `json:"fields"`
			ServerErrorCode string `json:"serverErrorCode"`
			Reason          string `json:"reason"`
		} `json:"records"`
	}
	if err := s.do(req, &out); err != nil {
		return nil, fmt.Errorf("ticket %s: %w", name, err)
	}
	for _, r := range out.Records {
		if r.RecordName != name {
			continue
		}
		if r.ServerErrorCode != "" {
			return nil, fmt.Errorf("ticket %s: %s: %s", name, r.ServerErrorCode, r.Reason)
		}
		if r.Fields.SignedTicket.Type != "BYTES" {
			return nil, fmt.Errorf("ticket %s: no signed ticket in the record", name)
		}
		return base64.StdEncoding.DecodeString(r.Fields.SignedTicket.Value)
	}
	return nil, fmt.Errorf("ticket %s: not in the answer", name)
}

// call makes an authenticated JSON request to the Notary API.
func (s *Service) call(ctx context.Context, c Credentials, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	token, err := c.token(time.Now())
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return s.do(req, out)
}

func (s *Service) do(req *http.Request, out any) error {
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s%s", req.Method, req.URL.Redacted(), resp.Status, apiError(data))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the JSON the API documents: %w", req.Method, req.URL.Redacted(), err)
	}
	return nil
}

// apiError picks the first error detail out of an App Store Connect error
// answer, such as a refused key.
func apiError(data []byte) string {
	var e struct {
		Errors []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &e) != nil || len(e.Errors) == 0 {
		return ""
	}
	return " (" + strings.TrimSpace(e.Errors[0].Title+": "+e.Errors[0].Detail) + ")"
}

// token is the JSON Web Token App Store Connect asks for: ES256, the key
// id in the header, the issuer and audience in the claims, valid for less
// than the 20 minutes Apple allows.
func (c Credentials) token(now time.Time) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": c.IssuerID, "iat": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(), "aud": "appstoreconnect-v1",
	})
	t.Header["kid"] = c.KeyID
	return t.SignedString(c.Key)
}

// upload PUTs the file to the storage the submission named, streaming it.
func (s *Service) upload(ctx context.Context, path string, size int64, sum, url string, c awsCredentials) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, f)
	if err != nil {
		return err
	}
	req.ContentLength = size
	signV4(req, sum, c, uploadRegion, time.Now())
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
