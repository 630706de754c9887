package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/config"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

func start(t *testing.T, db string, extra ...string) (*App, *httptest.Server) {
	t.Helper()
	a := startBench(t, db, extra...)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return a, srv
}

// startBench builds and starts an app on db for a test or benchmark.
func startBench(t testing.TB, db string, extra ...string) *App {
	t.Helper()
	cfg, _, err := config.Load("serve", append([]string{"--db", db}, extra...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return a
}

func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// entityCodes lists the entity codes the API serves.
func entityCodes(t *testing.T, base string) []string {
	t.Helper()
	_, body := getBody(t, base+"/api/v1/entities")
	var out struct {
		Entities []struct{ Code string } `json:"entities"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("entities: %v in %s", err, body)
	}
	var codes []string
	for _, e := range out.Entities {
		codes = append(codes, e.Code)
	}
	return codes
}

func TestFreshSQLiteServesCatalogue(t *testing.T) {
	_, srv := start(t, "sqlite:"+filepath.Join(t.TempDir(), "sub", "oa.db"), "--demo")
	code, body := getBody(t, srv.URL+"/")
	if code != 200 || !strings.Contains(body, "Identification Services Bureau") || !strings.Contains(body, "demonstration data") {
		t.Fatalf("home = %d", code)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/branches/GSC-MORAIS"} {
		if code, _ := getBody(t, srv.URL+path); code != 200 {
			t.Errorf("GET %s = %d", path, code)
		}
	}
	if codes := entityCodes(t, srv.URL); len(codes) < 14 {
		t.Errorf("entities = %v, want the 14 reference entities", codes)
	}
}

func TestPostgresServesTheSameCatalogue(t *testing.T) {
	_, lite := start(t, "sqlite:"+filepath.Join(t.TempDir(), "oa.db"))
	_, pg := start(t, storetest.FreshSchema(t))
	want, got := entityCodes(t, lite.URL), entityCodes(t, pg.URL)
	if strings.Join(want, ",") != strings.Join(got, ",") {
		t.Errorf("postgres entities %v, sqlite %v", got, want)
	}
	_, a := getBody(t, lite.URL+"/api/v1/branches")
	_, b := getBody(t, pg.URL+"/api/v1/branches")
	if a != b {
		t.Error("postgres and sqlite serve different branches")
	}
}

func TestRestartKeepsEdits(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "oa.db")
	a, _ := start(t, db)
	ctx := context.Background()
	e, err := a.Directory().Store().Entity(ctx, "DSI")
	if err != nil {
		t.Fatal(err)
	}
	e.Name.En = "Identification Bureau (renamed)"
	if _, err := a.Directory().Store().PutEntity(ctx, e); err != nil {
		t.Fatal(err)
	}
	_ = a.Close()
	b, _ := start(t, db)
	got, err := b.Directory().Store().Entity(ctx, "DSI")
	if err != nil || got.Name.En != "Identification Bureau (renamed)" {
		t.Errorf("after restart DSI = %+v, %v; the seed overwrote an edit", got.Name, err)
	}
}

func TestReadyzWhenDatabaseIsDown(t *testing.T) {
	a, srv := start(t, "sqlite:"+filepath.Join(t.TempDir(), "oa.db"))
	_ = a.Close()
	if code, _ := getBody(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed = %d, want 503", code)
	}
	if code, _ := getBody(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz = %d, want 200", code)
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	_, srv := start(t, "sqlite:"+filepath.Join(t.TempDir(), "oa.db"))
	for path, ctype := range map[string]string{"/api/v1/entities": "application/problem+json", "/": "text/html; charset=utf-8"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader("x=1"))
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Accept-Language", "pt-PT")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != ctype {
			t.Errorf("cross-site POST %s = %d %s, want 403 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), ctype)
		}
		if path == "/" && !strings.Contains(string(b), "Não pode fazer isso") {
			t.Errorf("cross-site POST / page is not in the user's language")
		}
	}
}
