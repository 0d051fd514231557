package macsign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/digitorus/timestamp"
)

// AppleTimestampURL is Apple's RFC 3161 time-stamping server, which
// codesign uses for Developer ID signatures and notarization requires.
const AppleTimestampURL = "http://timestamp.apple.com/ts01"

// oidTimeStampToken is the unsigned attribute that carries an RFC 3161
// token over the signature (RFC 3161, appendix A).
var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// Timestamper gets secure timestamps for signatures.
type Timestamper struct {
	URL  string
	HTTP *http.Client
}

// token asks the server to time-stamp signature and checks that the
// answer covers it.
func (ts *Timestamper) token(ctx context.Context, signature []byte) ([]byte, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	req, err := timestamp.CreateRequest(bytes.NewReader(signature), &timestamp.RequestOptions{Hash: crypto.SHA256, Certificates: true, Nonce: nonce})
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL, bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	client := ts.HTTP
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("timestamp: %s answered %s", ts.URL, resp.Status)
	}
	t, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("timestamp: %s: %w", ts.URL, err)
	}
	sum := sha256.Sum256(signature)
	if t.HashAlgorithm != crypto.SHA256 || !bytes.Equal(t.HashedMessage, sum[:]) || t.Nonce == nil || t.Nonce.Cmp(nonce) != 0 {
		return nil, errors.New("timestamp: the answer is not for this signature")
	}
	return t.RawToken, nil
}
