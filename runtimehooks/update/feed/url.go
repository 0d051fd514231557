package feed

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckURL allows https, and http only to this machine (a test server, a
// local mirror): anything else could be changed on the way, and the
// signature would then be the only defence.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("url %q: %w", raw, err)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("url %q is %w (plain http is allowed to this machine only: 127.0.0.0/8, ::1, localhost)", raw, ErrInsecure)
}

// ErrInsecure is CheckURL's error for a URL that is not https.
var ErrInsecure = errors.New("not https")

func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
