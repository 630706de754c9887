package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

func testPasskey(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, *sqlstore.Store){
		"UserHandle":          testPasskeyUserHandle,
		"AddListUseDelete":    testPasskeyLifecycle,
		"DuplicateCredential": testPasskeyDuplicate,
		"CeremonyRoundTrip":   testCeremonyRoundTrip,
		"CeremonyUsedOnce":    testCeremonyUsedOnce,
		"CeremonyExpirySweep": testCeremonySweep,
	}
	runEach(t, open, tests)
}

// pkNow is a fixed instant, whole microseconds, so it survives both engines.
var pkNow = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

// pkAccount stores a resident account for the passkey tests.
func pkAccount(t *testing.T, s *sqlstore.Store, id string) identity.Account {
	t.Helper()
	a := identity.Account{ID: id, Kind: identity.Resident, NameLatin: "Test " + id,
		Email: contact.Email(id + "@example.com"), PasswordHash: "x", Assurance: identity.Level2, Lang: "en",
		CreatedAt: pkNow, UpdatedAt: pkNow}
	got, err := s.CreateAccount(context.Background(), a, audit.Event{})
	if err != nil {
		t.Fatalf("create account %s: %v", id, err)
	}
	return got
}

func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Errorf("%s: err = %v (code %v), want code %v", what, err, apperr.CodeOf(err), code)
	}
}

func testPasskeyUserHandle(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	pkAccount(t, s, "acct1")
	pkAccount(t, s, "acct2")
	_, err := s.UserHandle(ctx, "acct1", "")
	wantCode(t, "handle of an account without one, none given", err, apperr.NotFound)
	h, err := s.UserHandle(ctx, "acct1", "handle-1")
	if err != nil || h != "handle-1" {
		t.Fatalf("first UserHandle = %q, %v; want handle-1", h, err)
	}
	if h, err = s.UserHandle(ctx, "acct1", "handle-other"); err != nil || h != "handle-1" {
		t.Errorf("second UserHandle = %q, %v; want the first handle kept", h, err)
	}
	if h, err = s.UserHandle(ctx, "acct1", ""); err != nil || h != "handle-1" {
		t.Errorf("UserHandle without a fresh one = %q, %v; want handle-1", h, err)
	}
	if _, err := s.UserHandle(ctx, "acct2", "handle-2"); err != nil {
		t.Fatal(err)
	}
	if id, err := s.AccountByUserHandle(ctx, "handle-2"); err != nil || id != "acct2" {
		t.Errorf("AccountByUserHandle(handle-2) = %q, %v; want acct2", id, err)
	}
	_, err = s.AccountByUserHandle(ctx, "nobody")
	wantCode(t, "unknown handle", err, apperr.NotFound)
}

func testPasskeyLifecycle(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	pkAccount(t, s, "acct1")
	pkAccount(t, s, "acct2")
	ev := audit.Event{Action: audit.FactorAdded, Actor: "acct1", Subject: "acct1", At: pkNow,
		Detail: map[string]string{"factor": "passkey"}}
	for i, id := range []string{"cred-b", "cred-a"} {
		p := identity.Passkey{ID: id, AccountID: "acct1", Name: "Key " + id, Credential: []byte(`{"id":"` + id + `"}`),
			CreatedAt: pkNow.Add(time.Duration(i) * time.Minute)}
		if err := s.AddPasskey(ctx, p, ev); err != nil {
			t.Fatalf("add passkey %s: %v", id, err)
		}
	}
	a, err := s.Account(ctx, "acct1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Passkeys != 2 || a.EffectiveLevel() != identity.Level3 {
		t.Errorf("account with 2 passkeys: Passkeys = %d, level %d; want 2 and level 3", a.Passkeys, a.EffectiveLevel())
	}
	ps, err := s.Passkeys(ctx, "acct1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].ID != "cred-b" || ps[1].ID != "cred-a" {
		t.Fatalf("Passkeys = %+v, want cred-b then cred-a (oldest first)", ps)
	}
	if p := ps[0]; p.AccountID != "acct1" || p.Name != "Key cred-b" || string(p.Credential) != `{"id":"cred-b"}` ||
		!p.CreatedAt.Equal(pkNow) || !p.LastUsedAt.IsZero() {
		t.Errorf("passkey read back = %+v", p)
	}
	if other, err := s.Passkeys(ctx, "acct2"); err != nil || len(other) != 0 {
		t.Errorf("Passkeys of another account = %v, %v; want none", other, err)
	}
	events, err := s.AuditByActor(ctx, "acct1", 10)
	if err != nil || len(events) != 2 {
		t.Errorf("audit events of acct1 = %d, %v; want 2 (one per passkey)", len(events), err)
	}

	used := pkNow.Add(time.Hour)
	if err := s.UsePasskey(ctx, "cred-a", []byte(`{"id":"cred-a","n":2}`), used); err != nil {
		t.Fatalf("use passkey: %v", err)
	}
	ps, _ = s.Passkeys(ctx, "acct1")
	if string(ps[1].Credential) != `{"id":"cred-a","n":2}` || !ps[1].LastUsedAt.Equal(used) {
		t.Errorf("after use: credential %s, last used %v; want the new credential and %v", ps[1].Credential, ps[1].LastUsedAt, used)
	}
	wantCode(t, "use unknown passkey", s.UsePasskey(ctx, "nope", []byte(`{}`), used), apperr.NotFound)

	rm := audit.Event{Action: audit.FactorRemoved, Actor: "acct1", Subject: "acct1", At: used}
	wantCode(t, "delete another account's passkey", s.DeletePasskey(ctx, "acct2", "cred-a", rm), apperr.NotFound)
	wantCode(t, "delete unknown passkey", s.DeletePasskey(ctx, "acct1", "nope", rm), apperr.NotFound)
	for i, id := range []string{"cred-a", "cred-b"} {
		if err := s.DeletePasskey(ctx, "acct1", id, rm); err != nil {
			t.Fatalf("delete %s: %v", id, err)
		}
		a, _ = s.Account(ctx, "acct1")
		if a.Passkeys != 1-i {
			t.Errorf("after deleting %s: Passkeys = %d, want %d", id, a.Passkeys, 1-i)
		}
	}
	if a.EffectiveLevel() != identity.Level2 {
		t.Errorf("level after removing the last passkey = %d, want 2", a.EffectiveLevel())
	}
	wantCode(t, "delete twice", s.DeletePasskey(ctx, "acct1", "cred-a", rm), apperr.NotFound)
	if events, _ := s.AuditByActor(ctx, "acct1", 10); len(events) != 4 {
		t.Errorf("audit events after two removals = %d, want 4", len(events))
	}
}

func testPasskeyDuplicate(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	pkAccount(t, s, "acct1")
	pkAccount(t, s, "acct2")
	p := identity.Passkey{ID: "cred-1", AccountID: "acct1", Credential: []byte(`{}`), CreatedAt: pkNow}
	if err := s.AddPasskey(ctx, p, audit.Event{}); err != nil {
		t.Fatal(err)
	}
	ev := audit.Event{Action: audit.FactorAdded, Actor: "acct2", Subject: "acct2", At: pkNow}
	p.AccountID = "acct2"
	wantCode(t, "same credential ID on another account", s.AddPasskey(ctx, p, ev), apperr.Conflict)
	if events, _ := s.AuditByActor(ctx, "acct2", 10); len(events) != 0 {
		t.Errorf("a refused passkey left %d audit events, want none (same transaction)", len(events))
	}
}

func testCeremonyRoundTrip(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	pkAccount(t, s, "acct1")
	in := []identity.Ceremony{
		{IDHash: "h-reg", Kind: identity.CeremonyRegister, AccountID: "acct1", SessionHash: "sess-1",
			Data: []byte(`{"challenge":"abc"}`), ExpiresAt: pkNow.Add(5 * time.Minute), CreatedAt: pkNow},
		{IDHash: "h-login", Kind: identity.CeremonyLogin, Data: []byte(`{"challenge":"def"}`),
			ExpiresAt: pkNow.Add(5 * time.Minute), CreatedAt: pkNow},
	}
	for _, c := range in {
		if err := s.CreateCeremony(ctx, c); err != nil {
			t.Fatalf("create ceremony %s: %v", c.IDHash, err)
		}
	}
	for _, want := range in {
		got, err := s.TakeCeremony(ctx, want.IDHash)
		if err != nil {
			t.Fatalf("take %s: %v", want.IDHash, err)
		}
		if got.IDHash != want.IDHash || got.Kind != want.Kind || got.AccountID != want.AccountID ||
			got.SessionHash != want.SessionHash || string(got.Data) != string(want.Data) ||
			!got.ExpiresAt.Equal(want.ExpiresAt) || !got.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("ceremony read back = %+v, want %+v", got, want)
		}
	}
	_, err := s.TakeCeremony(ctx, "h-unknown")
	wantCode(t, "take unknown ceremony", err, apperr.NotFound)
	bad := identity.Ceremony{IDHash: "h-bad", Kind: identity.CeremonyLogin, AccountID: "acct1", Data: []byte(`{}`),
		ExpiresAt: pkNow, CreatedAt: pkNow}
	if err := s.CreateCeremony(ctx, bad); err == nil {
		t.Error("a login ceremony bound to an account was stored; the schema should refuse it")
	}
}

// testCeremonyUsedOnce races several takers of one ceremony: exactly one
// gets it.
func testCeremonyUsedOnce(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	c := identity.Ceremony{IDHash: "h-race", Kind: identity.CeremonyLogin, Data: []byte(`{}`),
		ExpiresAt: pkNow.Add(time.Minute), CreatedAt: pkNow}
	if err := s.CreateCeremony(ctx, c); err != nil {
		t.Fatal(err)
	}
	var wins, notFound atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := s.TakeCeremony(ctx, "h-race")
			switch {
			case err == nil:
				wins.Add(1)
			case apperr.CodeOf(err) == apperr.NotFound:
				notFound.Add(1)
			default:
				t.Errorf("take: %v", err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || notFound.Load() != 7 {
		t.Errorf("8 racing takers: %d got the ceremony, %d were told not found; want 1 and 7", wins.Load(), notFound.Load())
	}
}

func testCeremonySweep(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	for i, ttl := range []time.Duration{-time.Minute, -time.Second, time.Minute} {
		c := identity.Ceremony{IDHash: string(rune('a' + i)), Kind: identity.CeremonyLogin, Data: []byte(`{}`),
			ExpiresAt: pkNow.Add(ttl), CreatedAt: pkNow.Add(-time.Hour)}
		if err := s.CreateCeremony(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpiredCeremonies(ctx, pkNow)
	if err != nil || n != 2 {
		t.Errorf("DeleteExpiredCeremonies = %d, %v; want the 2 expired ones", n, err)
	}
	if _, err := s.TakeCeremony(ctx, "c"); err != nil {
		t.Errorf("the live ceremony was swept: %v", err)
	}
	for _, id := range []string{"a", "b"} {
		if _, err := s.TakeCeremony(ctx, id); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("expired ceremony %s still there: %v", id, err)
		}
	}
}
