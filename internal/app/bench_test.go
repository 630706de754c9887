package app

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// BenchmarkPages measures whole requests through the real handler stack
// (middleware, template rendering, store queries) on each engine:
//
//	go test ./internal/app -run XXX -bench Pages -benchmem
//	ONEACCOUNT_TEST_POSTGRES=postgres://... go test ./internal/app -run XXX -bench Pages -benchmem
func BenchmarkPages(b *testing.B) {
	engines := map[string]func(b *testing.B) string{
		"sqlite":   func(b *testing.B) string { return "sqlite:" + filepath.Join(b.TempDir(), "oa.db") },
		"postgres": func(b *testing.B) string { return storetest.FreshSchema(b) },
	}
	paths := []string{"/", "/?q=licence", "/entities/DSI", "/branches/GSC-MORAIS", "/api/v1/branches"}
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			a := startBench(b, engines[engine](b))
			h := a.Handler()
			for _, p := range paths {
				b.Run(p, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
						if rec.Code != http.StatusOK {
							b.Fatalf("GET %s = %d", p, rec.Code)
						}
					}
				})
			}
		})
	}
}
