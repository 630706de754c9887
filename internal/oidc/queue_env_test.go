package oidc_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// queueEnv is a platform whose clock runs from 10:00 on the next working
// day of DSI-HQ, so that its queue issues remote tickets whatever the
// time the tests run.
type queueEnv struct {
	*env
	now func() time.Time
}

func newQueueEnv(t testing.TB, db string) *queueEnv {
	t.Helper()
	var shift atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
	e := newEnvClock(t, db, now)
	// Live events and notices go out in the background: let them finish
	// before the platform closes and the schema is dropped.
	t.Cleanup(func() { e.app.Queue().Flush() })
	dir := e.app.Directory()
	today := directory.DateOf(time.Now().In(dir.Location()))
	cal, err := dir.Calendar(context.Background(), "DSI-HQ", today, today.AddDays(30))
	if err != nil {
		t.Fatal(err)
	}
	day := today.AddDays(1)
	for !cal.IsWorkingDay(day) {
		day = day.AddDays(1)
	}
	shift.Store(int64(time.Until(day.In(dir.Location()).Add(10 * time.Hour))))
	return &queueEnv{env: e, now: now}
}

// person stores an account of kind (a resident at level 2, or staff of
// entity with roles) without a password, quickly, and returns it with a
// browser holding a fresh session of it.
func (e *queueEnv) person(t testing.TB, kind identity.Kind, entity string, roles ...identity.Role) (identity.Account, *browser) {
	t.Helper()
	acct, cookie := e.account(t, kind, entity, roles...)
	b := newBrowser(t, e.issuer)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(b.base, []*http.Cookie{cookie})
	b.c.Jar = jar
	return acct, b
}

// session is person's session cookie alone.
func (e *queueEnv) session(t testing.TB, kind identity.Kind, entity string, roles ...identity.Role) *http.Cookie {
	t.Helper()
	_, c := e.account(t, kind, entity, roles...)
	return c
}

// account stores the account and a session of it.
func (e *queueEnv) account(t testing.TB, kind identity.Kind, entity string, roles ...identity.Role) (identity.Account, *http.Cookie) {
	t.Helper()
	ctx := context.Background()
	now := e.now()
	acct, err := e.app.Store().CreateAccount(ctx, identity.Account{ID: identity.NewID(), Kind: kind, NameLatin: "Bench Person",
		Email: contact.Email("q" + randomString(10) + "@example.mo"), PasswordHash: "x", Entity: entity, Roles: roles,
		Assurance: identity.Level2, Lang: lang.En, CreatedAt: now, UpdatedAt: now}, audit.Event{})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
	token := identity.NewToken()
	err = e.app.Store().CreateSession(ctx, identity.Session{IDHash: identity.HashToken(token), AccountID: acct.ID,
		State: identity.StateActive, AMR: []string{"pwd", "otp"}, CreatedAt: now, AuthAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(8 * time.Hour)})
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	return acct, &http.Cookie{Name: "session", Value: token, Path: "/"}
}
