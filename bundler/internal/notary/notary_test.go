package notary_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/notary"
	"github.com/bundlekit/bundle/bundler/internal/notarytest"
)

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func submission(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "Hello.app.zip")
	if err := os.WriteFile(p, []byte("PK\x05\x06"+strings.Repeat("\x00", 18)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNotarizeAccepted(t *testing.T) {
	key := newKey(t)
	srv := notarytest.New(t, "issuer-1", "KEY1234567", &key.PublicKey)
	srv.Polls = 3
	var seen []string
	path := submission(t)
	id, err := srv.Service().Notarize(context.Background(), notary.Credentials{IssuerID: "issuer-1", KeyID: "KEY1234567", Key: key},
		path, "", time.Minute, func(status string, _ time.Duration) { seen = append(seen, status) })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen, ",") != "In Progress,In Progress,In Progress,Accepted" {
		t.Errorf("progress: %v", seen)
	}
	subs := srv.Submissions()
	data, _ := os.ReadFile(path)
	sum := sha256.Sum256(data)
	if len(subs) != 1 || subs[0].ID != id || subs[0].Name != "Hello.app.zip" || string(subs[0].Uploaded) != string(data) || subs[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("submissions: %+v", subs)
	}
	cdhash := sum[:]
	ticket, err := srv.Service().Ticket(context.Background(), cdhash)
	if err != nil {
		t.Fatal(err)
	}
	record := "2/2/" + hex.EncodeToString(cdhash[:20])
	if string(ticket) != string(notarytest.TicketFor(record)) || srv.Records[0] != record {
		t.Errorf("ticket %q for records %v", ticket, srv.Records)
	}
}

func TestNotarizeRejectedCarriesTheLog(t *testing.T) {
	key := newKey(t)
	srv := notarytest.New(t, "issuer-1", "KEY1234567", &key.PublicKey)
	srv.Verdict = notary.Invalid
	_, err := srv.Service().Notarize(context.Background(), notary.Credentials{IssuerID: "issuer-1", KeyID: "KEY1234567", Key: key},
		submission(t), "", time.Minute, nil)
	var rej *notary.Rejection
	if !errors.As(err, &rej) || rej.Status != notary.Invalid || len(rej.Log.Issues) != 1 {
		t.Fatalf("err = %v", err)
	}
	want := "Apple's notary service answered Invalid for submission 00000000-0000-0000-0000-000000000001: Archive contains critical validation errors (1 issues; first: Hello.app/Contents/MacOS/hello (x86_64): The signature does not include a secure timestamp.)"
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
}

func TestNotarizeRefusals(t *testing.T) {
	key, other := newKey(t), newKey(t)
	srv := notarytest.New(t, "issuer-1", "KEY1234567", &key.PublicKey)
	for _, tc := range []struct {
		name    string
		creds   notary.Credentials
		polls   int
		timeout time.Duration
		want    string
	}{
		{"another key", notary.Credentials{IssuerID: "issuer-1", KeyID: "KEY1234567", Key: other}, 0, time.Minute, "401 Unauthorized (NOT_AUTHORIZED"},
		{"another issuer", notary.Credentials{IssuerID: "issuer-2", KeyID: "KEY1234567", Key: key}, 0, time.Minute, "401 Unauthorized"},
		{"another key id", notary.Credentials{IssuerID: "issuer-1", KeyID: "KEY7654321", Key: key}, 0, time.Minute, "401 Unauthorized"},
		{"no verdict in time", notary.Credentials{IssuerID: "issuer-1", KeyID: "KEY1234567", Key: key}, 1000, 50 * time.Millisecond, "still in progress after 50ms; raise notarize.macos.timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.Polls = tc.polls
			_, err := srv.Service().Notarize(context.Background(), tc.creds, submission(t), "", tc.timeout, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	k := newKey(t)
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	good := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if got, err := notary.ParseKey(good); err != nil || !got.Equal(k) {
		t.Errorf("ParseKey: %v", err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der384, _ := x509.MarshalPKCS8PrivateKey(p384)
	for in, want := range map[string]string{
		"not pem": "not a PEM key",
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")})): "not a PKCS #8 key",
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der384})):         "not a P-256 key",
	} {
		if _, err := notary.ParseKey([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKey(%.20q) = %v, want %q", in, err, want)
		}
	}
}
