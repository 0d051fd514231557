// Package notarytest is a stand-in for Apple's notary service and ticket
// database on 127.0.0.1 for tests. It follows the documented Notary API
// v2: it checks the JWT (ES256, key id, issuer, audience, lifetime), the
// submission's SHA-256 against the uploaded bytes and the upload's
// session token, answers "In Progress" a few times, then its verdict, and
// serves the developer log and tickets.
package notarytest

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bundlekit/bundle/bundler/notary"
)

// Submission is what the server received.
type Submission struct {
	ID, Name, SHA256 string
	Uploaded         []byte
	polls            int
}

// Server is the stand-in. Set Verdict and Polls before use.
type Server struct {
	*httptest.Server
	IssuerID, KeyID string
	Key             *ecdsa.PublicKey
	Verdict         string // the final status; default notary.Accepted
	Polls           int    // "In Progress" answers before the verdict

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
		s.mu.Lock()
		sub.Uploaded = body
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
	writeJSON(w, map[string]any{"jobId": r.PathValue("id"), "status": s.Verdict,
		"statusSummary": "Archive contains critical validation errors", "statusCode": 4000,
		"issues": []map[string]string{{"severity": "error", "code": "", "path": "Hello.app/Contents/MacOS/hello",
			"message": "The signature does not include a secure timestamp.", "architecture": "x86_64"}}})
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

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"status": fmt.Sprint(status), "code": code, "title": code, "detail": detail}}})
}
