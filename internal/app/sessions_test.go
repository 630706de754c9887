package app

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// TestSignOut_TwoNodes signs in on node A, uses the session on node B
// (which then holds it in its session cache), signs out on node A: node B
// refuses the session at once, as the sign-out reaches it through
// PostgreSQL (migration 00012's triggers, postgres.WatchSessions).
func TestSignOut_TwoNodes(t *testing.T) {
	nodes := startNodes(t, storetest.FreshSchema(t), 2)
	ctx, a := t.Context(), nodes[0].app
	token := signedIn(t, a)
	me := func(n node) int { return getMe(t, n, token) }
	for range 3 { // node B reads the session once, then from its cache
		if s := me(nodes[1]); s != http.StatusOK {
			t.Fatalf("node B answers %d to a live session", s)
		}
	}
	if err := a.Identity().SignOut(ctx, token, identity.Client{}); err != nil {
		t.Fatal(err)
	}
	if s := me(nodes[0]); s != http.StatusUnauthorized {
		t.Errorf("node A answers %d after its sign-out", s)
	}
	for end := time.Now().Add(5 * time.Second); me(nodes[1]) != http.StatusUnauthorized; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("node B still accepts the session signed out on node A")
		}
	}
}

// signedIn stores a resident and a session of them on a's database and
// returns the session's token.
func signedIn(t *testing.T, a *App) string {
	t.Helper()
	ctx := t.Context()
	now := a.now() // the nodes' clock, set to a working day
	acct, err := a.Store().CreateAccount(ctx, identity.Account{ID: identity.NewID(), Kind: identity.Resident,
		NameLatin: "Ana", Email: contact.Email("ana@example.mo"), PasswordHash: "x", Assurance: identity.Level2,
		Lang: lang.En, CreatedAt: now, UpdatedAt: now}, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	token := identity.NewToken()
	err = a.Store().CreateSession(ctx, identity.Session{IDHash: identity.HashToken(token), AccountID: acct.ID,
		State: identity.StateActive, AMR: []string{"pwd", "otp"}, CreatedAt: now, AuthAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// getMe asks n for /api/v1/me with the session token and returns the
// status.
func getMe(t *testing.T, n node, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.srv.URL+"/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: token})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSessionCacheMetrics checks that /metrics shows the session cache
// on (SQLite) and its one read and two answers from memory.
func TestSessionCacheMetrics(t *testing.T) {
	n := startNodes(t, "sqlite:"+filepath.Join(t.TempDir(), "metrics.db"), 1)[0]
	token := signedIn(t, n.app)
	for range 3 {
		if s := getMe(t, n, token); s != http.StatusOK {
			t.Fatalf("/api/v1/me = %d", s)
		}
	}
	resp, err := http.Get(n.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"oneaccount_session_cache_on 1", "oneaccount_session_cache_entries 1",
		"oneaccount_session_cache_hits_total 2", "oneaccount_session_cache_misses_total 1"} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
