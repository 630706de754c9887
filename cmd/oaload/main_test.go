package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/config"
)

func TestLoopbackURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:8080":      true,
		"http://127.8.9.10":          true,
		"https://localhost:8443/x?y": true,
		"http://LOCALHOST":           true,
		"http://[::1]:8080":          true,
		"http://[::ffff:127.0.0.1]":  true,
		"http://10.0.0.1:8080":       false,
		"http://example.com":         false,
		"http://localhost.evil.com":  false,
		"http://[::2]":               false,
		"http://0.0.0.0:8080":        false,
		"ftp://127.0.0.1":            false,
		"127.0.0.1:8080":             false,
		"":                           false,
	} {
		u, err := loopbackURL(raw)
		if (err == nil) != ok {
			t.Errorf("loopbackURL(%q) = %v, %v; want ok=%v", raw, u, err, ok)
		}
		if err == nil && (u.Path != "" || u.RawQuery != "") {
			t.Errorf("loopbackURL(%q) kept path or query: %s", raw, u)
		}
	}
}

func TestCheckLocalDB(t *testing.T) {
	for db, ok := range map[string]bool{
		"sqlite:/tmp/x.db": true,
		"postgres://postgres@127.0.0.1:5432/oa?sslmode=disable": true,
		"postgres://postgres@localhost/oa":                      true,
		"postgres:///oa?host=/var/run/postgresql":               true,
		"postgres://db.example.com/oa":                          false,
		"postgres://127.0.0.1/oa?host=db.example.com":           false,
		"mysql://127.0.0.1/oa":                                  false,
	} {
		if err := checkLocalDB(db); (err == nil) != ok {
			t.Errorf("checkLocalDB(%q) = %v; want ok=%v", db, err, ok)
		}
	}
}

func TestRefusesNonLoopbackTarget(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-url", "http://192.0.2.1:8080", "-requests", "1"}, &out, io.Discard)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "non-loopback") {
		t.Fatalf("run = %v, want a usage error refusing the host", err)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-duration", "0s"}, {"-duration", "11m"}, {"-concurrency", "0"}, {"-users", "0"},
		{"-requests", "-1"}, {"-password", ""}, {"extra"},
	} {
		var ue usageError
		if err := run(context.Background(), args, io.Discard, io.Discard); !errors.As(err, &ue) {
			t.Errorf("run %v = %v, want a usage error", args, err)
		}
	}
}

// serve starts the platform on db behind a loopback test server.
func serve(t *testing.T, db string) string {
	t.Helper()
	cfg, _, err := config.Load("serve", []string{"--db", db}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestSeedThenSignIn(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "oa.db")
	seedArgs := []string{"-seed-db", db, "-users", "3", "-prefix", "t"}
	var out bytes.Buffer
	if err := run(ctx, seedArgs, &out, io.Discard); err != nil {
		t.Fatalf("seed: %v", err)
	}
	if !strings.Contains(out.String(), "seeded: 3 created, 0 already there") {
		t.Fatalf("seed printed %q", out.String())
	}
	out.Reset()
	if err := run(ctx, seedArgs, &out, io.Discard); err != nil || !strings.Contains(out.String(), "0 created, 3 already there") {
		t.Fatalf("second seed = %v, %q; want nothing new", err, out.String())
	}

	base := serve(t, db)
	out.Reset()
	err := run(ctx, []string{"-url", base, "-users", "3", "-prefix", "t", "-concurrency", "2", "-requests", "4",
		"-progress", "0"}, &out, io.Discard)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, out.String())
	}
	for _, want := range []string{"requests: 4 answered 4 transport-errors 0", "status-303: 4 (with session cookie 4)",
		"status-503: 0", "status-other: 0", "latency-ms-303: p50 "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	err = run(ctx, []string{"-url", base, "-users", "3", "-prefix", "t", "-password", "not the password",
		"-concurrency", "1", "-requests", "2", "-progress", "0"}, &out, io.Discard)
	if !errors.Is(err, errUnexpected) || !strings.Contains(out.String(), "status-other: 2 401×2") {
		t.Errorf("wrong password run = %v, want unexpected answers (401):\n%s", err, out.String())
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{50: 50, 95: 95, 99: 99, 100: 100, 0: 1} {
		if got := percentile(d, p); got != want {
			t.Errorf("percentile %v = %d, want %d", p, got, want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile of nothing = %d", got)
	}
}
