package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// testSessionCache checks that SessionAccount, answered from the node's
// session cache, reflects every change the store itself makes to a
// session, its account, roles and passkeys, at once. The cache is turned
// on (PostgreSQL starts with it off until its listener runs); a change
// made behind the store's back shows that the cache was in use.
func testSessionCache(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, *sqlstore.Store){
		"IsUsed":              testCacheIsUsed,
		"DeleteSession":       testCacheDeleteSession,
		"DeleteSessionsOf":    testCacheDeleteSessionsOf,
		"ReplaceSession":      testCacheReplaceSession,
		"UpdateAccount":       testCacheUpdateAccount,
		"SetRoles":            testCacheSetRoles,
		"Passkeys":            testCachePasskeys,
		"RemoveSecondFactors": testCacheRemoveSecondFactors,
		"Touch":               testCacheTouch,
		"Sweep":               testCacheSweep,
		"OrgRemoval":          testCacheOrgRemoval,
		"Off":                 testCacheOff,
	}
	runEach(t, open, tests)
}

var cacheT0 = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// cachedSession stores an account (staff when roles are given) and a
// session of it, reads the session once so that it is cached, and
// returns the session's hash and the account.
func cachedSession(t *testing.T, s *sqlstore.Store, hash string, roles ...identity.Role) identity.Account {
	t.Helper()
	s.SessionCacheOn(true)
	ctx := context.Background()
	a := pkAccount(t, s, "acct-"+hash)
	if len(roles) > 0 {
		if err := s.SetRoles(ctx, a.ID, roles, audit.Event{Action: audit.RoleGranted, Subject: a.ID}); err != nil {
			t.Fatal(err)
		}
	}
	newSession(t, s, hash, a.ID)
	if _, _, err := s.SessionAccount(ctx, hash); err != nil {
		t.Fatalf("SessionAccount: %v", err)
	}
	return a
}

func newSession(t *testing.T, s *sqlstore.Store, hash, account string) {
	t.Helper()
	err := s.CreateSession(context.Background(), identity.Session{IDHash: hash, AccountID: account,
		State: identity.StateActive, AMR: []string{"pwd"}, CreatedAt: cacheT0, AuthAt: cacheT0, LastSeenAt: cacheT0,
		ExpiresAt: cacheT0.Add(time.Hour)})
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
}

// sessionGone checks that hash's session is no longer answered.
func sessionGone(t *testing.T, s *sqlstore.Store, hash, after string) {
	t.Helper()
	if _, _, err := s.SessionAccount(context.Background(), hash); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("after %s, SessionAccount(%s) err = %v, want not found", after, hash, err)
	}
}

// accountOf returns what SessionAccount answers for hash's account.
func accountOf(t *testing.T, s *sqlstore.Store, hash string) identity.Account {
	t.Helper()
	_, a, err := s.SessionAccount(context.Background(), hash)
	if err != nil {
		t.Fatalf("SessionAccount(%s): %v", hash, err)
	}
	return a
}

func testCacheIsUsed(t *testing.T, s *sqlstore.Store) {
	a := cachedSession(t, s, "h1")
	if _, err := s.DB().Exec("UPDATE accounts SET name_latin = 'Behind' WHERE id = "+placeholder(s), a.ID); err != nil {
		t.Fatal(err)
	}
	if got := accountOf(t, s, "h1"); got.NameLatin != a.NameLatin {
		t.Errorf("a change behind the store's back showed at once (%q): the cache was not used", got.NameLatin)
	}
	got := accountOf(t, s, "h1")
	got.Roles = append(got.Roles, identity.PlatformAdmin) // a caller's change is its own
	if again := accountOf(t, s, "h1"); len(again.Roles) != 0 {
		t.Errorf("a caller's change to the roles it got reached the cache: %v", again.Roles)
	}
}

func testCacheDeleteSession(t *testing.T, s *sqlstore.Store) {
	cachedSession(t, s, "h1")
	if err := s.DeleteSession(context.Background(), "h1"); err != nil {
		t.Fatal(err)
	}
	sessionGone(t, s, "h1", "DeleteSession")
}

func testCacheDeleteSessionsOf(t *testing.T, s *sqlstore.Store) {
	a := cachedSession(t, s, "h1")
	newSession(t, s, "h2", a.ID)
	if _, _, err := s.SessionAccount(context.Background(), "h2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteSessionsOf(context.Background(), a.ID, "h2"); err != nil {
		t.Fatal(err)
	}
	sessionGone(t, s, "h1", "DeleteSessionsOf")
	if _, _, err := s.SessionAccount(context.Background(), "h2"); err != nil {
		t.Errorf("the kept session: %v", err)
	}
}

func testCacheReplaceSession(t *testing.T, s *sqlstore.Store) {
	a := cachedSession(t, s, "h1")
	err := s.ReplaceSession(context.Background(), "h1", identity.Session{IDHash: "h2", AccountID: a.ID,
		State: identity.StateActive, CreatedAt: cacheT0, AuthAt: cacheT0, LastSeenAt: cacheT0, ExpiresAt: cacheT0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	sessionGone(t, s, "h1", "ReplaceSession")
}

func testCacheUpdateAccount(t *testing.T, s *sqlstore.Store) {
	a := cachedSession(t, s, "h1")
	_, err := s.UpdateAccount(context.Background(), a.ID, func(a *identity.Account) error {
		a.NameLatin = "Renamed"
		return nil
	}, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	if got := accountOf(t, s, "h1"); got.NameLatin != "Renamed" {
		t.Errorf("after UpdateAccount the name is %q", got.NameLatin)
	}
}

func testCacheSetRoles(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	a := cachedSession(t, s, "h1", identity.CounterAgent)
	e := sampleDataset().Entities[0]
	if _, err := s.PutEntity(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateAccount(ctx, a.ID, func(a *identity.Account) error {
		a.Kind, a.Entity = identity.Staff, e.Code
		return nil
	}, audit.Event{}); err != nil {
		t.Fatal(err)
	}
	accountOf(t, s, "h1")
	if err := s.SetRoles(ctx, a.ID, []identity.Role{identity.Supervisor}, audit.Event{Action: audit.RoleGranted, Subject: a.ID}); err != nil {
		t.Fatal(err)
	}
	if got := accountOf(t, s, "h1"); !slices.Equal(got.Roles, []identity.Role{identity.Supervisor}) {
		t.Errorf("after SetRoles the roles are %v", got.Roles)
	}
}

func testCachePasskeys(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	a := cachedSession(t, s, "h1")
	p := addPasskey(t, s, a.ID)
	if got := accountOf(t, s, "h1"); got.Passkeys != 1 {
		t.Errorf("after AddPasskey the account has %d passkeys", got.Passkeys)
	}
	if err := s.DeletePasskey(ctx, a.ID, p.ID, audit.Event{}); err != nil {
		t.Fatal(err)
	}
	if got := accountOf(t, s, "h1"); got.Passkeys != 0 {
		t.Errorf("after DeletePasskey the account has %d passkeys", got.Passkeys)
	}
}

func testCacheRemoveSecondFactors(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	a := cachedSession(t, s, "h1")
	addPasskey(t, s, a.ID)
	accountOf(t, s, "h1")
	if err := s.RemoveSecondFactors(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := accountOf(t, s, "h1"); got.Passkeys != 0 {
		t.Errorf("after RemoveSecondFactors the account has %d passkeys", got.Passkeys)
	}
}

func testCacheTouch(t *testing.T, s *sqlstore.Store) {
	cachedSession(t, s, "h1")
	at := cacheT0.Add(10 * time.Minute)
	if err := s.TouchSession(context.Background(), "h1", at); err != nil {
		t.Fatal(err)
	}
	sess, _, err := s.SessionAccount(context.Background(), "h1")
	if err != nil || !sess.LastSeenAt.Equal(at) {
		t.Errorf("after TouchSession last seen = %v (%v), want %v", sess.LastSeenAt, err, at)
	}
}

func testCacheSweep(t *testing.T, s *sqlstore.Store) {
	cachedSession(t, s, "h1")
	end := cacheT0.Add(2 * time.Hour)
	_, err := s.SweepExpired(context.Background(), identity.SweepBefore{SessionEnd: end, SessionIdle: end, Codes: end, Throttles: end})
	if err != nil {
		t.Fatal(err)
	}
	sessionGone(t, s, "h1", "SweepExpired")
}

func testCacheOrgRemoval(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	s.SessionCacheOn(true)
	ana, bo := orgAccount(t, s, "ana"), orgAccount(t, s, "bo")
	o := newOrg(t, s, "C-1", ana, map[string]identity.OrgRole{bo.ID: identity.OrgRoleMember})
	err := s.CreateSession(ctx, identity.Session{IDHash: "h1", AccountID: bo.ID, State: identity.StateActive,
		ActingOrg: o.ID, CreatedAt: cacheT0, AuthAt: cacheT0, LastSeenAt: cacheT0, ExpiresAt: cacheT0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if sess, _, err := s.SessionAccount(ctx, "h1"); err != nil || sess.ActingOrg != o.ID {
		t.Fatalf("session acts for %q (%v)", sess.ActingOrg, err)
	}
	err = s.UpdateOrgMembers(ctx, o.ID, func([]identity.OrgMember) (identity.OrgChange, error) {
		return identity.OrgChange{Remove: []string{bo.ID}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sess, _, err := s.SessionAccount(ctx, "h1"); err != nil || sess.ActingOrg != "" {
		t.Errorf("after the removal the session acts for %q (%v), want none", sess.ActingOrg, err)
	}
}

func testCacheOff(t *testing.T, s *sqlstore.Store) {
	a := cachedSession(t, s, "h1")
	s.SessionCacheOn(false)
	if _, err := s.DB().Exec("UPDATE accounts SET name_latin = 'Behind' WHERE id = "+placeholder(s), a.ID); err != nil {
		t.Fatal(err)
	}
	if got := accountOf(t, s, "h1"); got.NameLatin != "Behind" {
		t.Errorf("with the cache off the name is %q, want the database's", got.NameLatin)
	}
}

// addPasskey stores a passkey of account.
func addPasskey(t *testing.T, s *sqlstore.Store, account string) identity.Passkey {
	t.Helper()
	p := identity.Passkey{ID: "pk-1", AccountID: account, Name: "phone", Credential: []byte("{}"), CreatedAt: cacheT0}
	if err := s.AddPasskey(context.Background(), p, audit.Event{}); err != nil {
		t.Fatal(err)
	}
	return p
}

// placeholder is the engine's first query parameter.
func placeholder(s *sqlstore.Store) string {
	if s.Engine() == "postgres" {
		return "$1"
	}
	return "?"
}
