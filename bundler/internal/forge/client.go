package forge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Options tune a Client; the zero value is what bundle publish uses.
type Options struct {
	HTTP     *http.Client  // default: 30 s to connect, no overall limit (uploads are large)
	Attempts int           // tries of one request, default 5
	Backoff  time.Duration // the first wait between tries, doubling each time; default 1 s
	MaxWait  time.Duration // the longest Retry-After waited out; default 2 min
}

// Client sends a forge's API requests with a token. It tries a request
// again after a dropped connection or a 5xx only when the request is
// repeatable, after a 429 or a rate limit always (the server did nothing),
// and never after any other 4xx. The token goes only into the
// Authorization header of requests to the API's own host; no error it
// returns holds it.
type Client struct {
	http     *http.Client
	token    string
	scheme   string      // "Bearer" (GitHub) or "token" (Gitea)
	header   http.Header // sent with every request (Accept, API version)
	attempts int
	backoff  time.Duration
	maxWait  time.Duration
	sleep    func(context.Context, time.Duration) error
}

// NewClient returns a client that authenticates with "Authorization:
// <scheme> <token>".
func NewClient(token, scheme string, header http.Header, o Options) *Client {
	c := &Client{http: o.HTTP, token: token, scheme: scheme, header: header,
		attempts: o.Attempts, backoff: o.Backoff, maxWait: o.MaxWait, sleep: Sleep}
	if c.http == nil {
		c.http = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: 10 * time.Minute, // a large upload is answered once stored
		}}
	}
	if c.http.CheckRedirect == nil {
		copied := *c.http
		copied.CheckRedirect = checkRedirect
		c.http = &copied
	}
	if c.attempts <= 0 {
		c.attempts = 5
	}
	if c.backoff <= 0 {
		c.backoff = time.Second
	}
	if c.maxWait <= 0 {
		c.maxWait = 2 * time.Minute
	}
	return c
}

// checkRedirect follows a redirect only where a token could go: net/http
// drops Authorization for another host, but keeps it for the same host
// on another scheme or port, so a redirect from https to plain http (or
// to http anywhere but this machine) is refused.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	from := via[len(via)-1].URL
	switch {
	case from.Scheme == "https" && req.URL.Scheme != "https":
		return fmt.Errorf("refused a redirect from https to %s", req.URL.Redacted())
	case req.URL.Scheme != "https" && !isLoopback(req.URL.Hostname()):
		return fmt.Errorf("refused a redirect to %s: use https", req.URL.Redacted())
	}
	return nil
}

// CheckURL accepts an API address: https, or http to this machine only,
// so that a token never crosses a network in clear text.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("%q: use https (http only for 127.0.0.1 or localhost)", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: no user, query or fragment in an API address", raw)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Request is one API call.
type Request struct {
	Method string
	URL    string
	// Body opens the request's body, again for each try; nil for none.
	Body   func() (io.ReadCloser, error)
	Size   int64 // the body's length
	Type   string
	Accept string // overrides the client's Accept
	// Repeatable says the request may be sent again when its answer was
	// lost: it changes nothing (GET), or nothing more the second time
	// (DELETE). Creating a release or an asset is not: the caller reads
	// the state again and decides.
	Repeatable bool
}

// JSON is a request whose body is v as JSON.
func JSON(method, url string, v any) (Request, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Request{}, err
	}
	return Request{Method: method, URL: url, Type: "application/json", Size: int64(len(data)),
		Body: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(data))), nil }}, nil
}

// Do sends r and decodes a JSON answer into out (when not nil).
func (c *Client) Do(ctx context.Context, r Request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the JSON expected: %w", r.Method, r.URL, err)
	}
	return nil
}

// Fetch sends r and copies the answer's body to w.
func (c *Client) Fetch(ctx context.Context, r Request, w io.Writer) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &NetError{Method: r.Method, URL: r.URL, Err: err}
	}
	return nil
}

// Pages gets a list that the API pages (Link: <…>; rel="next"), following
// the next pages on the same host only.
func Pages[T any](ctx context.Context, c *Client, first string) ([]T, error) {
	var all []T
	next := first
	for page := 0; next != ""; page++ {
		if page == 100 {
			return nil, fmt.Errorf("GET %s: more than 100 pages", first)
		}
		r := Request{Method: http.MethodGet, URL: next, Repeatable: true}
		resp, err := c.send(ctx, r)
		if err != nil {
			return nil, err
		}
		var items []T
		err = json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&items)
		link := resp.Header.Get("Link")
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("GET %s: the answer is not the list expected: %w", next, err)
		}
		all = append(all, items...)
		if next, err = nextPage(first, link); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// nextPage is the rel="next" address of a Link header, which must be on
// the first page's scheme and host: the token goes there.
func nextPage(first, link string) (string, error) {
	for _, part := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok || !strings.Contains(params, `rel="next"`) {
			continue
		}
		next := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(target), "<"), ">")
		a, errA := url.Parse(first)
		b, errB := url.Parse(next)
		if errA != nil || errB != nil || a.Scheme != b.Scheme || a.Host != b.Host {
			return "", fmt.Errorf("GET %s: the next page is on another host (%q)", first, next)
		}
		return next, nil
	}
	return "", nil
}

// send makes r, trying again as the Client's doc says, and returns a 2xx
// answer whose body the caller closes.
func (c *Client) send(ctx context.Context, r Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := c.once(ctx, r)
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var local *localError
			if errors.As(err, &local) {
				return nil, local.err
			}
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // it repeats the method and address
			}
			err = &NetError{Method: r.Method, URL: r.URL, Err: err}
			if !r.Repeatable {
				return nil, err
			}
		case resp.StatusCode < 300:
			return resp, nil
		default:
			serr := c.statusError(r, resp)
			if !serr.Transient() || (!serr.RateLimited() && !r.Repeatable) {
				return nil, serr
			}
			err, wait = serr, serr.RetryAfter
		}
		if attempt == c.attempts {
			return nil, fmt.Errorf("%w (gave up after %d tries)", err, attempt)
		}
		if wait > c.maxWait {
			return nil, fmt.Errorf("%w: the server asks to wait %s; try again later", err, wait.Round(time.Second))
		}
		if wait == 0 {
			wait = c.backoff << (attempt - 1)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// localError is a failure on this side (a file that cannot be read), which
// no retry mends.
type localError struct{ err error }

func (l *localError) Error() string { return l.err.Error() }

func (c *Client) once(ctx context.Context, r Request) (*http.Response, error) {
	var body io.ReadCloser
	if r.Body != nil {
		b, err := r.Body()
		if err != nil {
			return nil, &localError{err}
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		if body != nil {
			body.Close()
		}
		return nil, &localError{fmt.Errorf("%s %s: %w", r.Method, r.URL, err)}
	}
	if body != nil {
		req.ContentLength = r.Size
		req.Header.Set("Content-Type", r.Type)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if r.Accept != "" {
		req.Header.Set("Accept", r.Accept)
	}
	req.Header.Set("User-Agent", "bundle")
	// net/http drops Authorization on a redirect to another host (GitHub
	// sends downloads to its storage), so the token stays with the API.
	req.Header.Set("Authorization", c.scheme+" "+strings.TrimSpace(c.token))
	return c.http.Do(req)
}

// statusError reads a non-2xx answer into an error, with the token
// blanked out of anything the server said.
func (c *Client) statusError(r Request, resp *http.Response) *StatusError {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &StatusError{Method: r.Method, URL: r.URL, Status: resp.StatusCode}
	var body struct {
		Message string            `json:"message"`
		Errors  []json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Message = body.Message
		for _, raw := range body.Errors {
			var item struct {
				Code string `json:"code"`
			}
			if json.Unmarshal(raw, &item) == nil && item.Code != "" {
				e.Code = item.Code
			}
		}
	} else {
		e.Message = string(data)
	}
	if t := strings.TrimSpace(c.token); t != "" {
		e.Message = strings.ReplaceAll(e.Message, t, "[token]")
	}
	e.Message = oneLine(e.Message, 300)
	e.RetryAfter = retryAfter(resp.Header, time.Now())
	e.rateLimited = resp.StatusCode == http.StatusTooManyRequests ||
		(resp.StatusCode == http.StatusForbidden && (resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-RateLimit-Remaining") == "0"))
	return e
}

// retryAfter is how long an answer asks to wait: Retry-After in seconds
// or as a date, or GitHub's X-RateLimit-Reset when no request is left.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil && t.After(now) {
			return t.Sub(now)
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if s, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && s > now.Unix() {
			return time.Unix(s, 0).Sub(now)
		}
	}
	return 0
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// Sleep waits d, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// StatusError is an answer outside 2xx.
type StatusError struct {
	Method, URL string
	Status      int
	Code        string // GitHub's errors[].code, such as already_exists
	Message     string
	RetryAfter  time.Duration
	rateLimited bool
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	return s
}

// RateLimited reports a 429, or a 403 that GitHub marks as a rate limit.
func (e *StatusError) RateLimited() bool { return e.rateLimited }

// Transient reports an answer that may differ if asked again: a 5xx or a
// rate limit.
func (e *StatusError) Transient() bool { return e.Status >= 500 || e.rateLimited }

// NetError is a request whose answer was lost: the connection failed or
// dropped. Whether the server acted on it is unknown.
type NetError struct {
	Method, URL string
	Err         error
}

func (e *NetError) Error() string { return fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err) }
func (e *NetError) Unwrap() error { return e.Err }

// Transient reports whether err may pass if the work is read again and
// retried: a lost answer, a 5xx or a rate limit.
func Transient(err error) bool {
	var n *NetError
	var s *StatusError
	return errors.As(err, &n) || (errors.As(err, &s) && s.Transient())
}

// Status returns the HTTP status of a *StatusError in err's chain, or 0.
func Status(err error) int {
	var s *StatusError
	if errors.As(err, &s) {
		return s.Status
	}
	return 0
}

// WaitHint is how long err asks to wait before the next try: a rate
// limit's Retry-After, or 0.
func WaitHint(err error) time.Duration {
	var s *StatusError
	if errors.As(err, &s) {
		return s.RetryAfter
	}
	return 0
}
