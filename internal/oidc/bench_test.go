package oidc_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// benchEngines runs a benchmark on SQLite and, when configured, PostgreSQL.
func benchEngines(b *testing.B, fn func(b *testing.B, e *env)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, newEnv(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))) })
	b.Run("postgres", func(b *testing.B) { fn(b, newEnv(b, storetest.FreshSchema(b))) })
}

// benchClient is an HTTP client with enough idle connections for the
// benchmark's workers.
func benchClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
}

// BenchmarkClientCredentials measures client-credentials grants through
// the whole HTTP stack: secret check, ES256-signed JWT access token, grant
// stored. 64 concurrent callers.
//
//	go test ./internal/oidc -run XXX -bench ClientCredentials -benchtime 20000x
func BenchmarkClientCredentials(b *testing.B) {
	benchEngines(b, func(b *testing.B, e *env) {
		c := e.client("DSAL", func(c *clients.Client) {
			c.Grants = []clients.GrantType{clients.ClientCredentials}
			c.RedirectURIs, c.PostLogoutRedirectURIs, c.BackchannelLogoutURI = nil, nil, ""
			c.Scopes = []clients.ScopePurpose{{Scope: clients.ScopeMessagesSend, Purpose: lang.Text{En: "notify"}}}
		})
		hc := benchClient()
		body := url.Values{"grant_type": {"client_credentials"}, "scope": {clients.ScopeMessagesSend}}.Encode()
		var failed atomic.Int64
		grant := func() {
			req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oidc/token", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(c.Client.ID, c.Secret)
			resp, err := hc.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			var out struct {
				AccessToken string `json:"access_token"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || out.AccessToken == "" {
				failed.Add(1)
			}
		}
		workers(b, 64, grant)
		if n := failed.Load(); n > 0 {
			b.Fatalf("%d grants failed", n)
		}
	})
}

// workers runs b.N calls of fn on n goroutines and reports calls per
// second as grants/s (or messages/s for the messages benchmark).
func workers(b *testing.B, n int, fn func()) {
	workersAs(b, n, fn, "grants/s")
}

func workersAs(b *testing.B, n int, fn func(), unit string) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				fn()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), unit)
}

// BenchmarkRefresh measures refresh-token grants with rotation: 32
// residents, each refreshing their own chain as fast as it can. Every
// refresh must succeed and every chain must still work at the end.
//
//	go test ./internal/oidc -run XXX -bench Refresh -benchtime 20000x
func BenchmarkRefresh(b *testing.B) {
	benchEngines(b, func(b *testing.B, e *env) {
		const residents = 32
		c := e.client("DSAT", nil)
		r := e.rpFor(b, c, "openid", "profile")
		chains := make([]string, residents)
		for i := range chains {
			_, br := e.resident(identity.Level1)
			tok, _ := r.signIn(b, br)
			chains[i] = tok.RefreshToken
		}
		hc := benchClient()
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, hc)
		var failed atomic.Int64
		var next atomic.Int64
		var wg sync.WaitGroup
		b.ResetTimer()
		start := time.Now()
		for i := range residents {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(b.N) {
					tok, err := r.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: chains[i]}).Token()
					if err != nil || tok.RefreshToken == "" {
						failed.Add(1)
						return
					}
					chains[i] = tok.RefreshToken
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "grants/s")
		lost := 0
		for _, rt := range chains {
			if _, err := r.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token(); err != nil {
				lost++
			}
		}
		b.ReportMetric(float64(failed.Load()), "errors")
		b.ReportMetric(float64(lost), "chains-lost")
		if failed.Load() > 0 || lost > 0 {
			b.Fatalf("%d refreshes failed, %d chains lost", failed.Load(), lost)
		}
	})
}

// BenchmarkMessagesAPI measures messages accepted by POST
// /api/v1/messages: token check, subject lookup, the message and its
// delivery jobs written in one transaction. 64 concurrent callers, one
// client (its rate limit lifted), one resident.
//
//	go test ./internal/oidc -run XXX -bench MessagesAPI -benchtime 5000x
func BenchmarkMessagesAPI(b *testing.B) {
	run := func(b *testing.B, e *env) {
		rp := e.client("DSAT", nil)
		_, br := e.resident(identity.Level1)
		_, idt := e.rpFor(b, rp, "openid").signIn(b, br)
		tok := e.backOffice(b, "DSAT", clients.ScopeMessagesSend)
		hc := benchClient()
		var failed atomic.Int64
		send := func() {
			body := `{"subject":"` + idt.Subject + `","category":"general","title":{"en":"Licence ready","zh-Hant":"駕駛執照已備妥"},` +
				`"body":{"en":"Collect it at the Areia Preta centre.","pt":"Levante-a no centro da Areia Preta."},"link":"/inbox"}`
			req, _ := http.NewRequest(http.MethodPost, e.issuer+"/api/v1/messages", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := hc.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				failed.Add(1)
			}
		}
		workersAs(b, 64, send, "messages/s")
		if n := failed.Load(); n > 0 {
			b.Fatalf("%d messages refused", n)
		}
	}
	b.Run("sqlite", func(b *testing.B) {
		run(b, newEnv(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"), "--messages-rate", "100000"))
	})
	b.Run("postgres", func(b *testing.B) { run(b, newEnv(b, storetest.FreshSchema(b), "--messages-rate", "100000")) })
}
