package notary

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// awsCredentials are the short-lived upload credentials a submission gets.
type awsCredentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// signV4 signs req for Amazon S3 with AWS Signature Version 4, over every
// header already set on it plus Host. payloadHash is the hex SHA-256 of
// the body, which S3 checks.
//
// Written here rather than taken from the AWS SDK: it is one request to
// one service, and the SDK would add dozens of modules to bundle.
func signV4(req *http.Request, payloadHash string, c awsCredentials, region string, now time.Time) {
	now = now.UTC()
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if c.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}

	headers := map[string]string{"host": req.URL.Host}
	for k, v := range req.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, k := range names {
		fmt.Fprintf(&canonHeaders, "%s:%s\n", k, strings.TrimSpace(headers[k]))
	}
	signed := strings.Join(names, ";")
	canonical := strings.Join([]string{
		req.Method, canonicalPath(req.URL), req.URL.Query().Encode(),
		canonHeaders.String(), signed, payloadHash,
	}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hexSum([]byte(canonical))
	key := hmacSum([]byte("AWS4"+c.SecretAccessKey), day)
	for _, part := range []string{region, "s3", "aws4_request"} {
		key = hmacSum(key, part)
	}
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		c.AccessKeyID, scope, signed, hex.EncodeToString(hmacSum(key, toSign))))
}

// canonicalPath URI-encodes each segment of the path as S3 expects:
// everything but unreserved characters, and '/' kept as the separator.
func canonicalPath(u *url.URL) string {
	segments := strings.Split(u.Path, "/")
	for i, s := range segments {
		segments[i] = strings.ReplaceAll(url.PathEscape(s), "+", "%2B")
		// PathEscape leaves these sub-delimiters; SigV4 encodes them.
		for _, c := range "$&,:;=@!'()*" {
			segments[i] = strings.ReplaceAll(segments[i], string(c), fmt.Sprintf("%%%02X", c))
		}
	}
	return strings.Join(segments, "/")
}

func hmacSum(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
