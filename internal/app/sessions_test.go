package app

import (
	"net/http"
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
	me := func(n node) int {
		req, _ := http.NewRequest(http.MethodGet, n.srv.URL+"/api/v1/me", nil)
		req.AddCookie(&http.Cookie{Name: "session", Value: token})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
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
