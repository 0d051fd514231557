// Package notarytest is a stand-in for Apple's notary service, ticket
// database and time-stamping server on 127.0.0.1 for tests. It follows the documented Notary API
// v2: it checks the JWT (ES256, key id, issuer, audience, lifetime), the
// submission's SHA-256 against the uploaded bytes and the upload's
// session token, answers "In Progress" a few times, then its verdict, and
// serves the developer log and tickets. /timestamp is an RFC 3161
// time-stamping server whose certificate is TSACert.
package notarytest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/golang-jwt/jwt/v5"

	"github.com/bundlekit/bundle/bundler/internal/notary"
)

// Submission is what the server received.
type Submission struct {
	ID, Name, SHA256 string
	Uploaded         []byte
	Issues           []string // what Inspect found
	polls            int
}

// Server is the stand-in. Set Verdict and Polls before use.
type Server struct {
	*httptest.Server
	IssuerID, KeyID string
	Key             *ecdsa.PublicKey
	Verdict         string // the final status; default notary.Accepted
	Polls           int    // "In Progress" answers before the verdict
	// Inspect, when set, looks at each upload as Apple's service would;
	// issues it returns make the verdict Invalid, with them in the log.
	Inspect func(name string, data []byte) []string

	TSACert *x509.Certificate // signs the time-stamp tokens
	tsaKey  *ecdsa.PrivateKey

	mu          sync.Mutex
	submissions []*Submission
	Records     []string // ticket record names asked for, in order
}

// New starts a server that accepts tokens from the key.
func New(t testing.TB, issuer, keyID string, key *ecdsa.PublicKey) *Server {
	s := &Server{IssuerID: issuer, KeyID: keyID, Key: key, Verdict: notary.Accepted}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /notary/v2/submissions", s.authed(s.create))
	mux.HandleFunc("GET /notary/v2/submissions/{id}", s.authed(s.status))
	mux.HandleFunc("GET /notary/v2/submissions/{id}/logs", s.authed(s.logs))
	mux.HandleFunc("PUT /storage/{bucket}/{object...}", s.upload)
	mux.HandleFunc("GET /developer-log/{id}", s.developerLog)
	mux.HandleFunc("POST /tickets", s.tickets)
	mux.HandleFunc("POST /timestamp", s.timestamp)
	s.newTSA(t)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Service points a notary client at the server, polling fast.
func (s *Server) Service() *notary.Service {
	return &notary.Service{
		API: s.URL + "/notary/v2", Tickets: s.URL + "/tickets",
		Upload: func(bucket, object string) string { return s.URL + "/storage/" + bucket + "/" + object },
		HTTP:   s.Client(), Poll: 10 * time.Millisecond,
	}
}

// Submissions returns what was submitted so far.
func (s *Server) Submissions() []Submission {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Submission, len(s.submissions))
	for i, sub := range s.submissions {
		out[i] = *sub
	}
	return out
}

// TicketFor is the ticket the server hands out for a record name.
func TicketFor(record string) []byte { return []byte("s8ch test ticket for " + record) }

const (
	accessKey    = "ASIATESTACCESSKEY"
	sessionToken = "test-session-token"
)

func (s *Server) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		tok, err := jwt.Parse(raw, func(t *jwt.Token) (any, error) {
			if t.Header["kid"] != s.KeyID {
				return nil, fmt.Errorf("kid %v", t.Header["kid"])
			}
			return s.Key, nil
		}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(s.IssuerID), jwt.WithAudience("appstoreconnect-v1"),
			jwt.WithExpirationRequired(), jwt.WithIssuedAt())
		if !ok || err != nil {
			apiError(w, http.StatusUnauthorized, "NOT_AUTHORIZED", fmt.Sprint(err))
			return
		}
		iat, _ := tok.Claims.GetIssuedAt()
		exp, _ := tok.Claims.GetExpirationTime()
		if exp.Sub(iat.Time) > 20*time.Minute {
			apiError(w, http.StatusUnauthorized, "NOT_AUTHORIZED", "token lives over 20 minutes")
			return
		}
		next(w, r)
	}
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name   string `json:"submissionName"`
		SHA256 string `json:"sha256"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" || len(req.SHA256) != 64 {
		apiError(w, http.StatusBadRequest, "PARAMETER_ERROR", "submissionName and sha256 are required")
		return
	}
	s.mu.Lock()
	sub := &Submission{ID: fmt.Sprintf("00000000-0000-0000-0000-%012d", len(s.submissions)+1), Name: req.Name, SHA256: req.SHA256}
	s.submissions = append(s.submissions, sub)
	s.mu.Unlock()
	writeJSON(w, map[string]any{"data": map[string]any{"id": sub.ID, "type": "newSubmissions", "attributes": map[string]string{
		"awsAccessKeyId": accessKey, "awsSecretAccessKey": "test-secret", "awsSessionToken": sessionToken,
		"bucket": "notary-submissions-test", "object": "prod/" + sub.ID,
	}}, "meta": map[string]any{}})
}

func (s *Server) find(id string) *Submission {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.submissions {
		if sub.ID == id || "prod/"+sub.ID == id {
			return sub
		}
	}
	return nil
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	sub := s.find(r.PathValue("object"))
	body, _ := io.ReadAll(r.Body)
	sum := sha256.Sum256(body)
	switch {
	case sub == nil:
		http.Error(w, "NoSuchUpload", http.StatusNotFound)
	case !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential="+accessKey+"/"),
		r.Header.Get("X-Amz-Security-Token") != sessionToken:
		http.Error(w, "AccessDenied", http.StatusForbidden)
	case r.Header.Get("X-Amz-Content-Sha256") != hex.EncodeToString(sum[:]) || sub.SHA256 != hex.EncodeToString(sum[:]):
		http.Error(w, "BadDigest", http.StatusBadRequest)
	default:
		var issues []string
		if s.Inspect != nil {
			issues = s.Inspect(sub.Name, body)
		}
		s.mu.Lock()
		sub.Uploaded, sub.Issues = body, issues
		s.mu.Unlock()
	}
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	sub := s.find(r.PathValue("id"))
	if sub == nil {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "no such submission")
		return
	}
	s.mu.Lock()
	status := notary.InProgress
	if sub.Uploaded != nil && sub.polls >= s.Polls {
		status = s.Verdict
		if len(sub.Issues) > 0 {
			status = notary.Invalid
		}
	}
	sub.polls++
	s.mu.Unlock()
	writeJSON(w, map[string]any{"data": map[string]any{"id": sub.ID, "type": "submissions",
		"attributes": map[string]string{"status": status, "name": sub.Name, "createdDate": "2026-11-27T00:00:00.000Z"}}, "meta": map[string]any{}})
}

func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	writeJSON(w, map[string]any{"data": map[string]any{"id": id, "type": "submissionsLog",
		"attributes": map[string]string{"developerLogUrl": s.URL + "/developer-log/" + id}}, "meta": map[string]any{}})
}

func (s *Server) developerLog(w http.ResponseWriter, r *http.Request) {
	issues := []map[string]string{{"severity": "error", "code": "", "path": "Hello.app/Contents/MacOS/hello",
		"message": "The signature does not include a secure timestamp.", "architecture": "x86_64"}}
	if sub := s.find(r.PathValue("id")); sub != nil && len(sub.Issues) > 0 {
		issues = nil
		for _, i := range sub.Issues {
			issues = append(issues, map[string]string{"severity": "error", "path": sub.Name, "message": i})
		}
	}
	writeJSON(w, map[string]any{"jobId": r.PathValue("id"), "status": notary.Invalid,
		"statusSummary": "Archive contains critical validation errors", "statusCode": 4000, "issues": issues})
}

func (s *Server) tickets(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Records []struct {
			RecordName string `json:"recordName"`
		} `json:"records"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	var out []map[string]any
	for _, rec := range req.Records {
		s.mu.Lock()
		s.Records = append(s.Records, rec.RecordName)
		s.mu.Unlock()
		out = append(out, map[string]any{"recordName": rec.RecordName, "recordType": "DeveloperIDTicket",
			"fields": map[string]any{"signedTicket": map[string]string{"type": "BYTES", "value": base64.StdEncoding.EncodeToString(TicketFor(rec.RecordName))}}})
	}
	writeJSON(w, map[string]any{"records": out})
}

// newTSA makes the time-stamping server's self-signed certificate.
func (s *Server) newTSA(t testing.TB) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 3161 asks for the time-stamping key usage alone, marked
	// critical; x509 would write it non-critical.
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Time Stamping Authority"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if s.TSACert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	s.tsaKey = key
}

// timestamp answers an RFC 3161 request.
func (s *Server) timestamp(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, err := timestamp.ParseRequest(body)
	if err != nil || r.Header.Get("Content-Type") != "application/timestamp-query" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ts := timestamp.Timestamp{HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Time: time.Now(),
		Nonce: req.Nonce, Policy: asn1.ObjectIdentifier{1, 2, 3, 4, 1}, AddTSACertificate: req.Certificates}
	resp, err := ts.CreateResponseWithOpts(s.TSACert, s.tsaKey, crypto.SHA256)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(resp)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"status": fmt.Sprint(status), "code": code, "title": code, "detail": detail}}})
}
