package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

func testOrg(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, *sqlstore.Store){
		"RoundTrip":            testOrgRoundTrip,
		"RegNumberUnique":      testOrgRegNumberUnique,
		"UpdateMembers":        testOrgUpdateMembers,
		"DecideErrorWritesNot": testOrgDecideError,
		"RemovalEndsActing":    testOrgRemovalEndsActing,
		"Invitations":          testOrgInvitations,
		"ConcurrentPromotions": testOrgConcurrentPromotions,
		"ConcurrentLastAdmin":  testOrgConcurrentLastAdmin,
		"ConcurrentAccept":     testOrgConcurrentAccept,
	}
	runEach(t, open, tests)
}

var orgT0 = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

// orgAccount stores a resident named name.
func orgAccount(t *testing.T, s *sqlstore.Store, name string) identity.Account {
	t.Helper()
	a := identity.Account{ID: identity.NewID(), Kind: identity.Resident, NameLatin: name,
		Email: contact.Email(name + "@Example.mo"), PasswordHash: "x", Assurance: identity.Level2, Lang: lang.En,
		CreatedAt: orgT0, UpdatedAt: orgT0}
	a, err := s.CreateAccount(context.Background(), a, audit.Event{})
	if err != nil {
		t.Fatalf("CreateAccount %s: %v", name, err)
	}
	return a
}

// newOrg stores an organisation with admin as its administrator and
// members with their roles.
func newOrg(t *testing.T, s *sqlstore.Store, reg string, admin identity.Account, members map[string]identity.OrgRole) identity.Org {
	t.Helper()
	ctx := context.Background()
	o := identity.Org{ID: identity.NewID(), RegNumber: reg, CreatedAt: orgT0,
		Name: lang.Text{ZhHant: "澳門茶餐廳有限公司", Pt: "Restaurante Macau, Limitada", En: "Macau Café Ltd"}}
	ev := audit.Event{Action: identity.OrgCreated, Actor: admin.ID, Org: o.ID}
	err := s.CreateOrg(ctx, o, identity.OrgMember{OrgID: o.ID, AccountID: admin.ID, Role: identity.OrgRoleAdmin,
		AddedBy: admin.ID, AddedAt: orgT0}, ev)
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	if len(members) > 0 {
		var put []identity.OrgMember
		for id, role := range members {
			put = append(put, identity.OrgMember{AccountID: id, Role: role, AddedBy: admin.ID, AddedAt: orgT0})
		}
		err := s.UpdateOrgMembers(ctx, o.ID, func([]identity.OrgMember) (identity.OrgChange, error) {
			return identity.OrgChange{Put: put}, nil
		})
		if err != nil {
			t.Fatalf("add members: %v", err)
		}
	}
	return o
}

func roles(t *testing.T, s *sqlstore.Store, orgID string) map[string]identity.OrgRole {
	t.Helper()
	ms, err := s.OrgMembers(context.Background(), orgID)
	if err != nil {
		t.Fatalf("OrgMembers: %v", err)
	}
	out := map[string]identity.OrgRole{}
	for _, m := range ms {
		out[m.AccountID] = m.Role
	}
	return out
}

func countRole(m map[string]identity.OrgRole, r identity.OrgRole) int {
	n := 0
	for _, x := range m {
		if x == r {
			n++
		}
	}
	return n
}

func testOrgRoundTrip(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	ana, bo := orgAccount(t, s, "ana"), orgAccount(t, s, "bo")
	o := newOrg(t, s, "SO-12345", ana, map[string]identity.OrgRole{bo.ID: identity.OrgRoleViewer})
	got, err := s.Org(ctx, o.ID)
	if err != nil || got.ID != o.ID || got.RegNumber != "SO-12345" || got.Name != o.Name || !got.CreatedAt.Equal(orgT0) {
		t.Fatalf("Org = %+v, %v; want %+v", got, err, o)
	}
	if _, err := s.Org(ctx, "nope"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Org(nope) err = %v, want not found", err)
	}
	m, err := s.OrgMembership(ctx, o.ID, bo.ID)
	if err != nil || m.Role != identity.OrgRoleViewer || m.Org.Name != o.Name {
		t.Errorf("OrgMembership(bo) = %+v, %v", m, err)
	}
	stranger := orgAccount(t, s, "cai")
	if _, err := s.OrgMembership(ctx, o.ID, stranger.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("OrgMembership(stranger) err = %v, want not found", err)
	}
	mine, err := s.OrgsOf(ctx, ana.ID)
	if err != nil || len(mine) != 1 || mine[0].Org.ID != o.ID || mine[0].Role != identity.OrgRoleAdmin {
		t.Errorf("OrgsOf(ana) = %+v, %v", mine, err)
	}
	if none, err := s.OrgsOf(ctx, stranger.ID); err != nil || len(none) != 0 {
		t.Errorf("OrgsOf(stranger) = %+v, %v", none, err)
	}
	members, err := s.OrgMembers(ctx, o.ID)
	if err != nil || len(members) != 2 {
		t.Fatalf("OrgMembers = %+v, %v", members, err)
	}
	if first := members[0]; first.AccountID != ana.ID || first.Role != identity.OrgRoleAdmin ||
		first.NameLatin != "ana" || first.Email != ana.Email || first.AddedBy != ana.ID || !first.AddedAt.Equal(orgT0) {
		t.Errorf("first member (the admin) = %+v", first)
	}
	events, err := s.AuditEvents(ctx, 0, 10)
	if err != nil || len(events) != 1 || events[0].Action != identity.OrgCreated || events[0].Org != o.ID {
		t.Errorf("CreateOrg audit = %+v, %v", events, err)
	}
}

func testOrgRegNumberUnique(t *testing.T, s *sqlstore.Store) {
	ana := orgAccount(t, s, "ana")
	newOrg(t, s, "12345", ana, nil)
	o := identity.Org{ID: identity.NewID(), RegNumber: "12345", CreatedAt: orgT0, Name: lang.Text{En: "Other"}}
	err := s.CreateOrg(context.Background(), o, identity.OrgMember{OrgID: o.ID, AccountID: ana.ID, Role: identity.OrgRoleAdmin,
		AddedAt: orgT0}, audit.Event{Action: identity.OrgCreated, Actor: ana.ID, Org: o.ID})
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Conflict || e.Field != "reg_number" {
		t.Fatalf("duplicate registration number: err = %v, want conflict on reg_number", err)
	}
	if _, err := s.Org(context.Background(), o.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("refused organisation was stored: %v", err)
	}
	if n, _ := s.AuditEvents(context.Background(), 0, 10); len(n) != 1 {
		t.Errorf("refused organisation left an audit event: %d events", len(n))
	}
}

func testOrgUpdateMembers(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	ana, bo, cai := orgAccount(t, s, "ana"), orgAccount(t, s, "bo"), orgAccount(t, s, "cai")
	o := newOrg(t, s, "A-1", ana, map[string]identity.OrgRole{bo.ID: identity.OrgRoleMember, cai.ID: identity.OrgRoleApplicant})
	var seen []identity.OrgMember
	err := s.UpdateOrgMembers(ctx, o.ID, func(ms []identity.OrgMember) (identity.OrgChange, error) {
		seen = ms
		return identity.OrgChange{Put: []identity.OrgMember{{AccountID: bo.ID, Role: identity.OrgRoleAdmin, AddedAt: orgT0.Add(time.Hour)}},
			Remove: []string{cai.ID}, Event: audit.Event{Action: identity.OrgRoleChanged, Actor: ana.ID, Org: o.ID, Subject: bo.ID}}, nil
	})
	if err != nil {
		t.Fatalf("UpdateOrgMembers: %v", err)
	}
	if len(seen) != 3 {
		t.Errorf("decide saw %d members, want 3", len(seen))
	}
	got := roles(t, s, o.ID)
	if len(got) != 2 || got[ana.ID] != identity.OrgRoleAdmin || got[bo.ID] != identity.OrgRoleAdmin {
		t.Errorf("members after = %v", got)
	}
	if m, _ := s.OrgMembership(ctx, o.ID, bo.ID); !m.Org.CreatedAt.Equal(orgT0) {
		t.Errorf("membership org = %+v", m.Org)
	}
	members, _ := s.OrgMembers(ctx, o.ID)
	for _, m := range members {
		if m.AccountID == bo.ID && !m.AddedAt.Equal(orgT0) {
			t.Errorf("a role change moved added_at to %v", m.AddedAt)
		}
	}
	events, _ := s.AuditEvents(ctx, 0, 10)
	if last := events[len(events)-1]; last.Action != identity.OrgRoleChanged || last.Org != o.ID || last.Subject != bo.ID {
		t.Errorf("last audit event = %+v", last)
	}
	err = s.UpdateOrgMembers(ctx, "nope", func([]identity.OrgMember) (identity.OrgChange, error) {
		t.Error("decide called for a missing organisation")
		return identity.OrgChange{}, nil
	})
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("UpdateOrgMembers(nope) err = %v, want not found", err)
	}
}

func testOrgDecideError(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	ana, bo := orgAccount(t, s, "ana"), orgAccount(t, s, "bo")
	o := newOrg(t, s, "A-2", ana, map[string]identity.OrgRole{bo.ID: identity.OrgRoleMember})
	before, _ := s.AuditEvents(ctx, 0, 100)
	refusal := apperr.New(apperr.Conflict, "no")
	err := s.UpdateOrgMembers(ctx, o.ID, func([]identity.OrgMember) (identity.OrgChange, error) {
		return identity.OrgChange{Remove: []string{ana.ID}}, refusal
	})
	if err != refusal && apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("err = %v, want the decide error", err)
	}
	if got := roles(t, s, o.ID); len(got) != 2 {
		t.Errorf("a refused change wrote: %v", got)
	}
	if after, _ := s.AuditEvents(ctx, 0, 100); len(after) != len(before) {
		t.Errorf("a refused change was audited")
	}
}

func testOrgRemovalEndsActing(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	ana, bo := orgAccount(t, s, "ana"), orgAccount(t, s, "bo")
	o := newOrg(t, s, "A-3", ana, map[string]identity.OrgRole{bo.ID: identity.OrgRoleMember})
	other := newOrg(t, s, "A-4", bo, nil)
	mk := func(hash, org string) {
		err := s.CreateSession(ctx, identity.Session{IDHash: hash, AccountID: bo.ID, State: identity.StateActive,
			ActingOrg: org, CreatedAt: orgT0, AuthAt: orgT0, LastSeenAt: orgT0, ExpiresAt: orgT0.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
	mk("s-acting", o.ID)
	mk("s-other", other.ID)
	mk("s-self", "")
	err := s.UpdateOrgMembers(ctx, o.ID, func([]identity.OrgMember) (identity.OrgChange, error) {
		return identity.OrgChange{Remove: []string{bo.ID}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for hash, want := range map[string]string{"s-acting": "", "s-other": other.ID, "s-self": ""} {
		sess, err := s.Session(ctx, hash)
		if err != nil || sess.ActingOrg != want {
			t.Errorf("session %s acts for %q (%v), want %q", hash, sess.ActingOrg, err, want)
		}
	}
}

func testOrgInvitations(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	ana, bo := orgAccount(t, s, "ana"), orgAccount(t, s, "bo")
	o := newOrg(t, s, "A-5", ana, nil)
	inv := func(hash string, created time.Time) identity.OrgInvitation {
		x := identity.OrgInvitation{IDHash: hash, OrgID: o.ID, EmailKey: bo.Email.Key(), Role: identity.OrgRoleApplicant,
			InvitedBy: ana.ID, CreatedAt: created, ExpiresAt: created.Add(identity.InvitationTTL)}
		err := s.CreateOrgInvitation(ctx, x, audit.Event{Action: identity.OrgMemberInvited, Actor: ana.ID, Org: o.ID})
		if err != nil {
			t.Fatalf("CreateOrgInvitation: %v", err)
		}
		return x
	}
	old := inv("h-old", orgT0.Add(-8*24*time.Hour))
	live := inv("h-live", orgT0)
	newer := inv("h-newer", orgT0.Add(time.Minute))
	got, err := s.OrgInvitation(ctx, "h-live")
	if err != nil || got.OrgID != o.ID || got.EmailKey != "bo@example.mo" || got.Role != identity.OrgRoleApplicant ||
		!got.ExpiresAt.Equal(live.ExpiresAt) || !got.AcceptedAt.IsZero() || got.InvitedBy != ana.ID {
		t.Fatalf("OrgInvitation = %+v, %v", got, err)
	}
	if _, err := s.OrgInvitation(ctx, "nope"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("OrgInvitation(nope) err = %v", err)
	}
	pending, err := s.PendingOrgInvitations(ctx, o.ID, orgT0.Add(2*time.Minute))
	if err != nil || len(pending) != 2 || pending[0].IDHash != newer.IDHash || pending[1].IDHash != live.IDHash {
		t.Errorf("PendingOrgInvitations = %+v, %v; want newer, live", pending, err)
	}
	accept := func(x identity.OrgInvitation, at time.Time) error {
		return s.UpdateOrgMembers(ctx, o.ID, func([]identity.OrgMember) (identity.OrgChange, error) {
			return identity.OrgChange{Put: []identity.OrgMember{{AccountID: bo.ID, Role: x.Role, AddedBy: ana.ID, AddedAt: at}},
				AcceptInvitation: x.IDHash, At: at}, nil
		})
	}
	if err := accept(old, orgT0); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("accepting an expired invitation: err = %v, want conflict", err)
	}
	if len(roles(t, s, o.ID)) != 1 {
		t.Error("a refused acceptance added the member")
	}
	if err := accept(live, orgT0.Add(time.Hour)); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if err := accept(live, orgT0.Add(2*time.Hour)); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("accepting twice: err = %v, want conflict", err)
	}
	if got, _ := s.OrgInvitation(ctx, "h-live"); !got.AcceptedAt.Equal(orgT0.Add(time.Hour)) {
		t.Errorf("accepted_at = %v", got.AcceptedAt)
	}
	if pending, _ := s.PendingOrgInvitations(ctx, o.ID, orgT0.Add(2*time.Minute)); len(pending) != 1 {
		t.Errorf("pending after acceptance = %+v", pending)
	}
	if r := roles(t, s, o.ID); r[bo.ID] != identity.OrgRoleApplicant {
		t.Errorf("members = %v", r)
	}
}

// promote is the domain's rule for a promotion, as identity.SetOrgRole
// decides it: apply, then check one to three administrators.
func promote(id string, role identity.OrgRole) func([]identity.OrgMember) (identity.OrgChange, error) {
	return func(ms []identity.OrgMember) (identity.OrgChange, error) {
		ch := identity.OrgChange{Put: []identity.OrgMember{{AccountID: id, Role: role}}}
		_, err := identity.ApplyOrgChange(ms, ch)
		return ch, err
	}
}

// race runs fn(i) for i in [0, n) at once and returns how many succeeded,
// failing the test on errors other than want.
func race(t *testing.T, n int, want apperr.Code, fn func(i int) error) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			err := fn(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case apperr.CodeOf(err) != want:
				t.Errorf("racer %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return ok
}

// testOrgConcurrentPromotions races members promoted to administrator on
// many connections: the three-administrator cap must hold.
func testOrgConcurrentPromotions(t *testing.T, s *sqlstore.Store) {
	const n = 10
	admin := orgAccount(t, s, "admin")
	members := map[string]identity.OrgRole{}
	var ids []string
	for i := range n {
		a := orgAccount(t, s, fmt.Sprintf("m%d", i))
		members[a.ID], ids = identity.OrgRoleMember, append(ids, a.ID)
	}
	o := newOrg(t, s, "CAP-1", admin, members)
	ok := race(t, n, apperr.Conflict, func(i int) error {
		return s.UpdateOrgMembers(context.Background(), o.ID, promote(ids[i], identity.OrgRoleAdmin))
	})
	if got := countRole(roles(t, s, o.ID), identity.OrgRoleAdmin); ok != identity.MaxOrgAdmins-1 || got != identity.MaxOrgAdmins {
		t.Fatalf("%d promotions succeeded, %d administrators; want %d and %d", ok, got, identity.MaxOrgAdmins-1, identity.MaxOrgAdmins)
	}
}

// testOrgConcurrentLastAdmin races administrators demoting and removing
// themselves: one must remain.
func testOrgConcurrentLastAdmin(t *testing.T, s *sqlstore.Store) {
	a, b, c := orgAccount(t, s, "a"), orgAccount(t, s, "b"), orgAccount(t, s, "c")
	o := newOrg(t, s, "LAST-1", a, map[string]identity.OrgRole{b.ID: identity.OrgRoleAdmin, c.ID: identity.OrgRoleAdmin})
	ids := []string{a.ID, b.ID, c.ID}
	ok := race(t, 6, apperr.Conflict, func(i int) error {
		id := ids[i%3]
		if i < 3 {
			return s.UpdateOrgMembers(context.Background(), o.ID, promote(id, identity.OrgRoleViewer))
		}
		return s.UpdateOrgMembers(context.Background(), o.ID, func(ms []identity.OrgMember) (identity.OrgChange, error) {
			ch := identity.OrgChange{Remove: []string{id}}
			_, err := identity.ApplyOrgChange(ms, ch)
			return ch, err
		})
	})
	if got := countRole(roles(t, s, o.ID), identity.OrgRoleAdmin); got != 1 || ok < 2 {
		t.Fatalf("%d changes succeeded, %d administrators remain; want 1 administrator", ok, got)
	}
}

// testOrgConcurrentAccept races two acceptances of one invitation: only
// one may succeed.
func testOrgConcurrentAccept(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	ana, bo := orgAccount(t, s, "ana"), orgAccount(t, s, "bo")
	o := newOrg(t, s, "ACC-1", ana, nil)
	err := s.CreateOrgInvitation(ctx, identity.OrgInvitation{IDHash: "h", OrgID: o.ID, EmailKey: bo.Email.Key(),
		Role: identity.OrgRoleMember, InvitedBy: ana.ID, CreatedAt: orgT0, ExpiresAt: orgT0.Add(identity.InvitationTTL)}, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	ok := race(t, 8, apperr.Conflict, func(int) error {
		return s.UpdateOrgMembers(ctx, o.ID, func([]identity.OrgMember) (identity.OrgChange, error) {
			return identity.OrgChange{Put: []identity.OrgMember{{AccountID: bo.ID, Role: identity.OrgRoleMember}},
				AcceptInvitation: "h", At: orgT0.Add(time.Hour),
				Event: audit.Event{Action: identity.OrgMemberJoined, Actor: bo.ID, Org: o.ID}}, nil
		})
	})
	if ok != 1 {
		t.Fatalf("%d acceptances succeeded, want 1", ok)
	}
	events, _ := s.AuditEvents(ctx, 0, 100)
	joined := 0
	for _, e := range events {
		if e.Action == identity.OrgMemberJoined {
			joined++
		}
	}
	if joined != 1 {
		t.Errorf("%d join events, want 1", joined)
	}
}
