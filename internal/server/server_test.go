package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_, _ = w.Write([]byte("done"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, New(h, quietLog()), ln, 5*time.Second) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-started
	cancel() // SIGTERM arrives while the request is in flight
	if body := <-got; body != "done" {
		t.Errorf("in-flight request got %q, want done", body)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v, want a clean shutdown", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}

func TestWrap(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&logs, nil)))
	m := NewMetrics()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "inside")
		_, _ = w.Write([]byte("ok"))
	})
	mux.HandleFunc("POST /things", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "too big", http.StatusRequestEntityTooLarge)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	m.Mount(mux)
	h := Wrap(mux, Options{Log: log, Metrics: m, Secure: true})

	do := func(method, path string, body io.Reader, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, body)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := do("GET", "/things/42", nil, "X-Request-ID", "abcdefgh-1234")
	for _, k := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Strict-Transport-Security"} {
		if rec.Header().Get(k) == "" {
			t.Errorf("response lacks %s", k)
		}
	}
	if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("CSP allows framing")
	}
	if rec.Header().Get("X-Request-ID") != "abcdefgh-1234" || !strings.Contains(logs.String(), `"request_id":"abcdefgh-1234"`) {
		t.Errorf("request ID not echoed and logged: %s", logs.String())
	}
	if rec := do("GET", "/things/1", nil, "X-Request-ID", "bad id\n"); rec.Header().Get("X-Request-ID") == "bad id\n" {
		t.Error("an unsafe request ID was echoed")
	}
	if rec := do("POST", "/things", strings.NewReader("x"), "Sec-Fetch-Site", "cross-site"); rec.Code != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", rec.Code)
	}
	if rec := do("POST", "/things", strings.NewReader("x"), "Sec-Fetch-Site", "same-origin"); rec.Code != http.StatusCreated {
		t.Errorf("same-origin POST = %d, want 201", rec.Code)
	}
	if rec := do("POST", "/things", bytes.NewReader(make([]byte, MaxBodyBytes+1))); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body = %d, want 413", rec.Code)
	}
	if rec := do("GET", "/panic", nil); rec.Code != http.StatusInternalServerError {
		t.Errorf("panic = %d, want 500", rec.Code)
	}
	metrics := do("GET", "/metrics", nil).Body.String()
	for _, want := range []string{
		`oneaccount_http_requests_total{code="200",method="GET",route="GET /things/{id}"} 2`,
		`oneaccount_http_request_duration_seconds_count{method="GET",route="GET /things/{id}"} 2`,
		`route="GET /panic"`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

type downDB struct{}

func (downDB) Ping(context.Context) error { return errors.New("connection refused") }

type upDB struct{}

func (upDB) Ping(context.Context) error { return nil }

func TestHealth(t *testing.T) {
	for _, tt := range []struct {
		db   Pinger
		want int
	}{{upDB{}, 200}, {downDB{}, 503}} {
		mux := http.NewServeMux()
		Health(mux, tt.db, quietLog())
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		if rec.Code != tt.want {
			t.Errorf("readyz with %T = %d, want %d", tt.db, rec.Code, tt.want)
		}
		rec = httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		if rec.Code != 200 {
			t.Errorf("healthz with %T = %d, want 200", tt.db, rec.Code)
		}
	}
}
