package forge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://api.github.com", true},
		{"https://ghe.example.com/api/v3", true},
		{"http://127.0.0.1:3000/api/v1", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://api.github.com", false},
		{"http://127.0.0.1.example.com", false},
		{"ftp://api.github.com", false},
		{"https://user:pw@api.github.com", false},
		{"https://api.github.com?x=1", false},
		{"api.github.com", false},
		{"", false},
	}
	for _, tt := range tests {
		if _, err := CheckURL(tt.url); (err == nil) != tt.ok {
			t.Errorf("CheckURL(%q): %v, want ok %v", tt.url, err, tt.ok)
		}
	}
}

func TestSplitRepo(t *testing.T) {
	for repo, ok := range map[string]bool{
		"octo-org/hello": true, "a.b/c_d-e": true,
		"hello": false, "a/b/c": false, "../x": false, "x/..": false, "a/b?c": false, "a/b#c": false,
		"a/b c": false, "/b": false, "a/": false, "a/b\n": false,
	} {
		if _, _, err := SplitRepo(repo); (err == nil) != ok {
			t.Errorf("SplitRepo(%q): %v, want ok %v", repo, err, ok)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{"date", http.Header{"Retry-After": {now.Add(90 * time.Second).UTC().Format(http.TimeFormat)}}, 90 * time.Second},
		{"rate limit reset", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1700000030"}}, 30 * time.Second},
		{"requests left", http.Header{"X-Ratelimit-Remaining": {"10"}, "X-Ratelimit-Reset": {"1700000030"}}, 0},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0},
		{"none", http.Header{}, 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.header, now); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNextPage(t *testing.T) {
	first := "https://api.github.com/repos/o/r/releases?per_page=100"
	next, err := nextPage(first, `<https://api.github.com/repos/o/r/releases?per_page=100&page=2>; rel="next", <https://api.github.com/repos/o/r/releases?per_page=100&page=5>; rel="last"`)
	if err != nil || !strings.HasSuffix(next, "page=2") {
		t.Errorf("next page: %q, %v", next, err)
	}
	if next, err := nextPage(first, `<https://api.github.com/x?page=1>; rel="prev"`); next != "" || err != nil {
		t.Errorf("no next page: %q, %v", next, err)
	}
	if _, err := nextPage(first, `<https://evil.example/steal>; rel="next"`); err == nil {
		t.Errorf("a next page on another host was followed")
	}
}

// TestRetries checks which answers the client tries again, and that a
// request that is not repeatable is sent once after a 5xx but again after
// a 429.
func TestRetries(t *testing.T) {
	tests := []struct {
		name       string
		status     []int // answers, in order; 200 after them
		repeatable bool
		wantTries  int
		wantErr    bool
	}{
		{"GET after 500 and 502", []int{500, 502}, true, 3, false},
		{"POST after 500", []int{500}, false, 1, true},
		{"POST after 429", []int{429}, false, 2, false},
		{"GET after 404", []int{404}, true, 1, true},
		{"GET after 422", []int{422}, true, 1, true},
		{"GET after 401", []int{401}, true, 1, true},
		{"GET after 403 rate limit", []int{-403}, true, 2, false},
		{"GET that fails every try", []int{500, 500, 500, 500, 500}, true, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tries atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(tries.Add(1))
				if r.Header.Get("Authorization") != "Bearer secret-token" {
					t.Errorf("Authorization %q", r.Header.Get("Authorization"))
				}
				if n <= len(tt.status) {
					status := tt.status[n-1]
					if status == -403 {
						status = 403
						w.Header().Set("X-RateLimit-Remaining", "0")
					}
					w.WriteHeader(status)
					w.Write([]byte(`{"message":"no: secret-token"}`))
					return
				}
				w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			c := NewClient("secret-token", "Bearer", nil, Options{Attempts: 3, Backoff: time.Millisecond})
			method := http.MethodPost
			if tt.repeatable {
				method = http.MethodGet
			}
			err := c.Do(context.Background(), Request{Method: method, URL: srv.URL, Repeatable: tt.repeatable}, nil)
			if (err != nil) != tt.wantErr || int(tries.Load()) != tt.wantTries {
				t.Errorf("%d tries, error %v; want %d tries, error %v", tries.Load(), err, tt.wantTries, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret-token") {
				t.Errorf("the error holds the token: %v", err)
			}
		})
	}
}

// TestRedirectKeepsTheToken: a redirect from https to plain http is
// refused, so the token never crosses in clear text, even to the same
// host.
func TestRedirectKeepsTheToken(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		w.Write([]byte(`{}`))
	}))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/stolen", http.StatusFound)
	}))
	defer secure.Close()
	c := NewClient("secret-token", "Bearer", nil, Options{HTTP: secure.Client(), Attempts: 1})
	err := c.Do(context.Background(), Request{Method: http.MethodGet, URL: secure.URL, Repeatable: true}, nil)
	if err == nil || !strings.Contains(err.Error(), "refused a redirect from https") || plainHits.Load() != 0 {
		t.Errorf("https to http: %v, %d requests reached the plain server", err, plainHits.Load())
	}
}
