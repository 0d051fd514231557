package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/worker"
)

// closedAfter is how long the page may stay silent before the window
// counts as closed; the page sends a heartbeat every 2 s.
const closedAfter = 10 * time.Second

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>webui</title>
<style>body{font:16px system-ui,sans-serif;max-width:40em;margin:3em auto}code{background:#eee;padding:0 .3em}</style>
</head><body>
<h1>webui</h1>
<p>This page is served by a worker process (pid <code>{{.Pid}}</code>, parent <code>{{.PPid}}</code>)
started by the app's own executable, which ran the worker instead of <code>main()</code> again.</p>
<p><button id="spawn">Try to start another UI server from here</button> <span id="out"></span></p>
<script>
setInterval(() => fetch("/api/heartbeat", {method: "POST"}), 2000);
document.getElementById("spawn").onclick = async () => {
  const r = await fetch("/api/spawn", {method: "POST"});
  document.getElementById("out").textContent = (await r.json()).result;
};
</script>
</body></html>`))

// startAnother starts the ui worker again. It is set in init because serveUI
// is ui's own function: referring to ui here directly would be an
// initialization cycle.
var startAnother func(args ...string) (*worker.Handle, error)

func init() { startAnother = ui.Start }

// serveUI is the worker: an HTTP server on a free port of 127.0.0.1 that
// runs until the parent stops it or the browser window goes away.
func serveUI(ctx context.Context, _ []string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	heartbeat := make(chan struct{}, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		page.Execute(w, map[string]int{"Pid": os.Getpid(), "PPid": os.Getppid()})
	})
	mux.HandleFunc("POST /api/heartbeat", func(w http.ResponseWriter, r *http.Request) {
		select {
		case heartbeat <- struct{}{}:
		default:
		}
	})
	// A worker cannot start workers: the second rule of single-child dispatch.
	mux.HandleFunc("POST /api/spawn", func(w http.ResponseWriter, r *http.Request) {
		result := "started"
		if _, err := startAnother(); err != nil {
			result = "refused: " + err.Error()
			w.WriteHeader(http.StatusConflict)
		}
		json.NewEncoder(w).Encode(map[string]string{"result": result})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("listening on http://%s/\n", ln.Addr())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var silence <-chan time.Time // armed after the first heartbeat
	for {
		select {
		case <-ctx.Done():
			return shutdown(srv)
		case <-heartbeat:
			silence = time.After(closedAfter)
		case <-silence:
			return shutdown(srv)
		case err := <-served:
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return err
		}
	}
}

func shutdown(srv *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}
