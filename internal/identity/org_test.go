package identity_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// orgWorld is an identity service over one engine, with a settable clock,
// for the organisation tests.
type orgWorld struct {
	svc  *identity.Service
	st   *sqlstore.Store
	sink *notify.DevSink
	mu   sync.Mutex
	now  time.Time
}

func (w *orgWorld) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }

func (w *orgWorld) advance(d time.Duration) { w.mu.Lock(); w.now = w.now.Add(d); w.mu.Unlock() }

func newOrgWorld(t *testing.T, open storetest.Opener) *orgWorld {
	t.Helper()
	w := &orgWorld{st: open(t), now: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	h, err := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w.sink = notify.NewDevSink(log, w.clock)
	w.svc = identity.NewService(identity.Deps{Store: w.st, Hasher: h, Sender: w.sink, Now: w.clock, Log: log}, identity.Config{})
	return w
}

// eachOrgWorld runs fn on every engine under test.
func eachOrgWorld(t *testing.T, fn func(t *testing.T, w *orgWorld)) {
	t.Parallel()
	for name, open := range storetest.Engines(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newOrgWorld(t, open))
		})
	}
}

var orgClient = identity.Client{IP: "198.51.100.4", UserAgent: "Mozilla/5.0 Firefox/140.0"}

// person stores a resident at level with the email name@example.mo.
func (w *orgWorld) person(t *testing.T, name string, level identity.Level) identity.Account {
	t.Helper()
	now := w.clock()
	a := identity.Account{ID: identity.NewID(), Kind: identity.Resident, NameLatin: name,
		Email: contact.Email(name + "@example.mo"), PasswordHash: "x", Assurance: level, Lang: lang.En,
		CreatedAt: now, UpdatedAt: now}
	a, err := w.st.CreateAccount(context.Background(), a, audit.Event{})
	if err != nil {
		t.Fatalf("CreateAccount(%s): %v", name, err)
	}
	return a
}

// signIn opens a session for a, returning it and its token.
func (w *orgWorld) signIn(t *testing.T, a identity.Account) (identity.Session, string) {
	t.Helper()
	now := w.clock()
	token := identity.NewToken()
	s := identity.Session{IDHash: identity.HashToken(token), AccountID: a.ID, State: identity.StateActive,
		AMR: []string{"pwd"}, CreatedAt: now, AuthAt: now, LastSeenAt: now, ExpiresAt: now.Add(12 * time.Hour)}
	if err := w.st.CreateSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s, token
}

// org registers an organisation with admin as its first administrator.
func (w *orgWorld) org(t *testing.T, admin identity.Account, reg string) identity.Org {
	t.Helper()
	o, err := w.svc.CreateOrg(context.Background(), admin, identity.OrgRequest{RegNumber: reg,
		Name: lang.Text{ZhHant: "澳門茶餐廳", Pt: "Casa de Chá Macau", En: "Macau Tea House"}}, orgClient)
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	return o
}

var invitationRE = regexp.MustCompile(`/orgs/invitations/([A-Za-z0-9_-]{43})`)

// invite has admin invite email with role and returns the emailed token.
func (w *orgWorld) invite(t *testing.T, admin identity.Account, orgID, email string, role identity.OrgRole) string {
	t.Helper()
	if _, err := w.svc.InviteToOrg(context.Background(), admin, orgID, email, role, orgClient); err != nil {
		t.Fatalf("InviteToOrg(%s, %s): %v", email, role, err)
	}
	m, ok := w.sink.Last(email)
	if !ok {
		t.Fatalf("no invitation sent to %s", email)
	}
	tok := invitationRE.FindStringSubmatch(m.Text)
	if tok == nil {
		t.Fatalf("no invitation link in %q", m.Text)
	}
	return tok[1]
}

// join invites a with role and has them accept.
func (w *orgWorld) join(t *testing.T, admin identity.Account, orgID string, a identity.Account, role identity.OrgRole) {
	t.Helper()
	tok := w.invite(t, admin, orgID, string(a.Email), role)
	if _, err := w.svc.AcceptOrgInvitation(context.Background(), a, tok, orgClient); err != nil {
		t.Fatalf("AcceptOrgInvitation(%s): %v", a.NameLatin, err)
	}
}

func wantCode(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code || (key != "" && e.Key != key) {
		t.Errorf("%s: err = %v, want %s %s", what, err, code, key)
	}
}

func TestCreateOrgNeedsLevel2(t *testing.T) {
	eachOrgWorld(t, func(t *testing.T, w *orgWorld) {
		ctx := context.Background()
		low := w.person(t, "low", identity.Level1)
		_, err := w.svc.CreateOrg(ctx, low, identity.OrgRequest{RegNumber: "123", Name: lang.Text{En: "X"}}, orgClient)
		wantCode(t, "level 1 creates", err, apperr.Forbidden, "org.level_required")
		reverify := w.person(t, "again", identity.Level2)
		reverify, _ = w.st.UpdateAccount(ctx, reverify.ID, func(a *identity.Account) error {
			a.Assurance, a.NeedsReverify = identity.LevelNone, true
			return nil
		}, audit.Event{})
		_, err = w.svc.CreateOrg(ctx, reverify, identity.OrgRequest{RegNumber: "123", Name: lang.Text{En: "X"}}, orgClient)
		wantCode(t, "level 0 creates", err, apperr.Forbidden, "org.level_required")

		ana := w.person(t, "ana", identity.Level2)
		o, err := w.svc.CreateOrg(ctx, ana, identity.OrgRequest{RegNumber: " so-12345 ",
			Name: lang.Text{ZhHant: "澳門茶餐廳", Pt: " Casa de Chá "}}, orgClient)
		if err != nil {
			t.Fatalf("level 2 creates: %v", err)
		}
		if o.RegNumber != "SO-12345" || o.Name.Pt != "Casa de Chá" {
			t.Errorf("created %+v", o)
		}
		mine, err := w.svc.MyOrgs(ctx, ana)
		if err != nil || len(mine) != 1 || mine[0].Org.ID != o.ID || mine[0].Role != identity.OrgRoleAdmin {
			t.Errorf("MyOrgs = %+v, %v; want admin of %s", mine, err, o.ID)
		}
		_, err = w.svc.CreateOrg(ctx, ana, identity.OrgRequest{RegNumber: "SO-12345", Name: lang.Text{En: "Y"}}, orgClient)
		wantCode(t, "taken registration number", err, apperr.Conflict, "reg_number.taken")
		for _, bad := range []string{"", "---", "ABC_1", "這是", "123456789012345678901"} {
			_, err := w.svc.CreateOrg(ctx, ana, identity.OrgRequest{RegNumber: bad, Name: lang.Text{En: "Y"}}, orgClient)
			wantCode(t, "registration number "+bad, err, apperr.Invalid, "org.reg_number_invalid")
		}
		_, err = w.svc.CreateOrg(ctx, ana, identity.OrgRequest{RegNumber: "9"}, orgClient)
		wantCode(t, "no name", err, apperr.Invalid, "org.name_required")
	})
}

func TestOrgAdminBounds(t *testing.T) {
	eachOrgWorld(t, func(t *testing.T, w *orgWorld) {
		ctx := context.Background()
		ana := w.person(t, "ana", identity.Level2)
		o := w.org(t, ana, "B-1")
		// The only administrator can neither step down, be removed nor leave.
		wantCode(t, "last admin demotes self", w.svc.SetOrgRole(ctx, ana, o.ID, ana.ID, identity.OrgRoleMember, orgClient),
			apperr.Conflict, "org.last_admin")
		wantCode(t, "last admin removes self", w.svc.RemoveOrgMember(ctx, ana, o.ID, ana.ID, orgClient),
			apperr.Conflict, "org.last_admin")
		wantCode(t, "last admin leaves", w.svc.LeaveOrg(ctx, ana, o.ID, orgClient), apperr.Conflict, "org.last_admin")

		bo, cai, dan := w.person(t, "bo", identity.Level1), w.person(t, "cai", identity.Level1), w.person(t, "dan", identity.Level1)
		w.join(t, ana, o.ID, bo, identity.OrgRoleMember)
		w.join(t, ana, o.ID, cai, identity.OrgRoleAdmin)
		w.join(t, ana, o.ID, dan, identity.OrgRoleViewer)
		if err := w.svc.SetOrgRole(ctx, ana, o.ID, bo.ID, identity.OrgRoleAdmin, orgClient); err != nil {
			t.Fatalf("third admin: %v", err)
		}
		wantCode(t, "fourth admin by promotion", w.svc.SetOrgRole(ctx, ana, o.ID, dan.ID, identity.OrgRoleAdmin, orgClient),
			apperr.Conflict, "org.too_many_admins")
		_, err := w.svc.InviteToOrg(ctx, ana, o.ID, "eve@example.mo", identity.OrgRoleAdmin, orgClient)
		wantCode(t, "fourth admin by invitation", err, apperr.Conflict, "org.too_many_admins")

		// An invitation sent with room to spare cannot be accepted once
		// the cap is reached.
		if err := w.svc.SetOrgRole(ctx, ana, o.ID, bo.ID, identity.OrgRoleMember, orgClient); err != nil {
			t.Fatal(err)
		}
		eve := w.person(t, "eve", identity.Level1)
		tok := w.invite(t, ana, o.ID, string(eve.Email), identity.OrgRoleAdmin)
		if err := w.svc.SetOrgRole(ctx, ana, o.ID, bo.ID, identity.OrgRoleAdmin, orgClient); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.AcceptOrgInvitation(ctx, eve, tok, orgClient)
		wantCode(t, "accepting as fourth admin", err, apperr.Conflict, "org.too_many_admins")

		// With other administrators, one may leave.
		if err := w.svc.LeaveOrg(ctx, ana, o.ID, orgClient); err != nil {
			t.Errorf("admin leaves with two others: %v", err)
		}
		if err := w.svc.RemoveOrgMember(ctx, cai, o.ID, bo.ID, orgClient); err != nil {
			t.Errorf("admin removes admin: %v", err)
		}
		wantCode(t, "last remaining admin steps down", w.svc.SetOrgRole(ctx, cai, o.ID, cai.ID, identity.OrgRoleViewer, orgClient),
			apperr.Conflict, "org.last_admin")
		v, err := w.svc.OrgPage(ctx, cai, o.ID)
		if err != nil || v.AdminCount() != 1 || len(v.Members) != 2 {
			t.Errorf("OrgPage = %+v, %v; want cai (admin) and dan", v, err)
		}
	})
}

func TestOrgInvitationAcceptance(t *testing.T) {
	eachOrgWorld(t, func(t *testing.T, w *orgWorld) {
		ctx := context.Background()
		ana, bo, cai := w.person(t, "ana", identity.Level2), w.person(t, "bo", identity.Level1), w.person(t, "cai", identity.Level1)
		o := w.org(t, ana, "C-1")

		// The email's case does not matter; only bo's account may accept.
		tok := w.invite(t, ana, o.ID, "Bo@Example.MO", identity.OrgRoleApplicant)
		if m, _ := w.sink.Last("Bo@example.mo"); m.Kind != notify.Email || m.Subject == "" {
			t.Errorf("invitation message = %+v", m)
		}
		_, err := w.svc.OrgInvitation(ctx, cai, tok)
		wantCode(t, "wrong account views", err, apperr.Forbidden, "org.invitation_wrong_account")
		_, err = w.svc.AcceptOrgInvitation(ctx, cai, tok, orgClient)
		wantCode(t, "wrong account accepts", err, apperr.Forbidden, "org.invitation_wrong_account")
		if _, err := w.svc.OrgPage(ctx, cai, o.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("the wrong account joined: %v", err)
		}
		view, err := w.svc.OrgInvitation(ctx, bo, tok)
		if err != nil || view.Org.ID != o.ID || view.Role != identity.OrgRoleApplicant {
			t.Fatalf("OrgInvitation = %+v, %v", view, err)
		}
		m, err := w.svc.AcceptOrgInvitation(ctx, bo, tok, orgClient)
		if err != nil || m.Org.ID != o.ID || m.Role != identity.OrgRoleApplicant {
			t.Fatalf("AcceptOrgInvitation = %+v, %v", m, err)
		}
		_, err = w.svc.AcceptOrgInvitation(ctx, bo, tok, orgClient)
		wantCode(t, "accept twice", err, apperr.Conflict, "org.invitation_used")
		_, err = w.svc.AcceptOrgInvitation(ctx, bo, "not-a-token", orgClient)
		wantCode(t, "unknown token", err, apperr.NotFound, "org.invitation_unknown")
		_, err = w.svc.InviteToOrg(ctx, ana, o.ID, "BO@example.mo", identity.OrgRoleMember, orgClient)
		wantCode(t, "invite a member", err, apperr.Conflict, "org.already_member")
		_, err = w.svc.InviteToOrg(ctx, ana, o.ID, "not an email", identity.OrgRoleMember, orgClient)
		wantCode(t, "invalid email", err, apperr.Invalid, "")
		_, err = w.svc.InviteToOrg(ctx, ana, o.ID, "x@example.mo", identity.OrgRole("owner"), orgClient)
		wantCode(t, "unknown role", err, apperr.Invalid, "org.role_invalid")

		// Expired after 7 days.
		late := w.invite(t, ana, o.ID, string(cai.Email), identity.OrgRoleMember)
		w.advance(identity.InvitationTTL)
		_, err = w.svc.AcceptOrgInvitation(ctx, cai, late, orgClient)
		wantCode(t, "expired invitation", err, apperr.Invalid, "org.invitation_expired")
		if v, _ := w.svc.OrgPage(ctx, ana, o.ID); len(v.Invitations) != 0 || len(v.Members) != 2 {
			t.Errorf("after expiry: %d pending invitations, %d members", len(v.Invitations), len(v.Members))
		}

		// Only administrators invite; strangers learn nothing.
		_, err = w.svc.InviteToOrg(ctx, bo, o.ID, "x@example.mo", identity.OrgRoleMember, orgClient)
		wantCode(t, "applicant invites", err, apperr.Forbidden, "org.admins_only")
		_, err = w.svc.InviteToOrg(ctx, cai, o.ID, "x@example.mo", identity.OrgRoleMember, orgClient)
		wantCode(t, "stranger invites", err, apperr.NotFound, "")
	})
}

func TestOrgRolesOnlyByAdmins(t *testing.T) {
	eachOrgWorld(t, func(t *testing.T, w *orgWorld) {
		ctx := context.Background()
		ana, bo, cai := w.person(t, "ana", identity.Level2), w.person(t, "bo", identity.Level1), w.person(t, "cai", identity.Level1)
		stranger := w.person(t, "zed", identity.Level2)
		o := w.org(t, ana, "D-1")
		w.join(t, ana, o.ID, bo, identity.OrgRoleMember)
		w.join(t, ana, o.ID, cai, identity.OrgRoleViewer)
		wantCode(t, "member promotes self", w.svc.SetOrgRole(ctx, bo, o.ID, bo.ID, identity.OrgRoleAdmin, orgClient),
			apperr.Forbidden, "org.admins_only")
		wantCode(t, "member changes another", w.svc.SetOrgRole(ctx, bo, o.ID, cai.ID, identity.OrgRoleMember, orgClient),
			apperr.Forbidden, "org.admins_only")
		wantCode(t, "member removes admin", w.svc.RemoveOrgMember(ctx, bo, o.ID, ana.ID, orgClient),
			apperr.Forbidden, "org.admins_only")
		wantCode(t, "stranger changes a role", w.svc.SetOrgRole(ctx, stranger, o.ID, bo.ID, identity.OrgRoleViewer, orgClient),
			apperr.NotFound, "")
		wantCode(t, "stranger removes", w.svc.RemoveOrgMember(ctx, stranger, o.ID, bo.ID, orgClient), apperr.NotFound, "")
		wantCode(t, "stranger leaves", w.svc.LeaveOrg(ctx, stranger, o.ID, orgClient), apperr.NotFound, "")
		wantCode(t, "admin changes a non-member", w.svc.SetOrgRole(ctx, ana, o.ID, stranger.ID, identity.OrgRoleViewer, orgClient),
			apperr.NotFound, "")
		wantCode(t, "unknown role", w.svc.SetOrgRole(ctx, ana, o.ID, bo.ID, identity.OrgRole("boss"), orgClient),
			apperr.Invalid, "org.role_invalid")

		if err := w.svc.SetOrgRole(ctx, ana, o.ID, cai.ID, identity.OrgRoleApplicant, orgClient); err != nil {
			t.Fatalf("admin changes a role: %v", err)
		}
		if err := w.svc.LeaveOrg(ctx, bo, o.ID, orgClient); err != nil {
			t.Fatalf("member leaves: %v", err)
		}
		v, err := w.svc.OrgPage(ctx, ana, o.ID)
		if err != nil || len(v.Members) != 2 || v.Members[1].AccountID != cai.ID || v.Members[1].Role != identity.OrgRoleApplicant {
			t.Errorf("members = %+v, %v", v.Members, err)
		}
		if mv, _ := w.svc.OrgPage(ctx, cai, o.ID); mv.CanManage() || mv.Invitations != nil {
			t.Errorf("a non-admin sees management: %+v", mv)
		}
	})
}

func TestOrgIsolation(t *testing.T) {
	eachOrgWorld(t, func(t *testing.T, w *orgWorld) {
		ctx := context.Background()
		ana, bo := w.person(t, "ana", identity.Level2), w.person(t, "bo", identity.Level2)
		a, b := w.org(t, ana, "ISO-A"), w.org(t, bo, "ISO-B")
		sess, _ := w.signIn(t, ana)
		if _, err := w.svc.OrgPage(ctx, ana, b.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("admin of A sees B: %v", err)
		}
		if _, err := w.svc.ActFor(ctx, ana, sess, b.ID, orgClient); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("admin of A acts for B: %v", err)
		}
		if _, err := w.svc.ActFor(ctx, ana, sess, "no-such-org", orgClient); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("acting for a missing org: %v", err)
		}
		if _, err := w.svc.InviteToOrg(ctx, ana, b.ID, "x@example.mo", identity.OrgRoleMember, orgClient); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("admin of A invites to B: %v", err)
		}
		mine, _ := w.svc.MyOrgs(ctx, ana)
		if len(mine) != 1 || mine[0].Org.ID != a.ID {
			t.Errorf("MyOrgs(ana) = %+v", mine)
		}
		if s, err := w.st.Session(ctx, sess.IDHash); err != nil || s.ActingOrg != "" {
			t.Errorf("refused switches changed the session: %+v, %v", s, err)
		}
	})
}

func TestActForRotatesSession(t *testing.T) {
	eachOrgWorld(t, func(t *testing.T, w *orgWorld) {
		ctx := context.Background()
		ana, bo := w.person(t, "ana", identity.Level2), w.person(t, "bo", identity.Level1)
		o := w.org(t, ana, "ACT-1")
		w.join(t, ana, o.ID, bo, identity.OrgRoleApplicant)
		sess, oldToken := w.signIn(t, bo)

		token, err := w.svc.ActFor(ctx, bo, sess, o.ID, orgClient)
		if err != nil {
			t.Fatalf("ActFor: %v", err)
		}
		if token == "" || token == oldToken {
			t.Fatalf("ActFor did not rotate the token")
		}
		if _, _, err := w.svc.Authenticate(ctx, oldToken); !errors.Is(err, identity.ErrNoSession) {
			t.Errorf("the old token still works: %v", err)
		}
		_, acting, err := w.svc.Authenticate(ctx, token)
		if err != nil || acting.ActingOrg != o.ID || identity.ActingFor(acting) != o.ID {
			t.Fatalf("new session = %+v, %v; want acting for %s", acting, err, o.ID)
		}
		if !acting.CreatedAt.Equal(sess.CreatedAt) || !acting.ExpiresAt.Equal(sess.ExpiresAt) {
			t.Errorf("rotation extended the session: %+v", acting)
		}
		m, ok, err := w.svc.ActingMembership(ctx, acting)
		if err != nil || !ok || m.Org.ID != o.ID || m.Role != identity.OrgRoleApplicant || !m.Role.CanApply() {
			t.Errorf("ActingMembership = %+v, %v, %v", m, ok, err)
		}

		// Events recorded while acting carry the organisation.
		ev := identity.AuditEvent(bo, acting, "licence.submitted", orgClient)
		if ev.Actor != bo.ID || ev.Org != o.ID || ev.IP != orgClient.IP {
			t.Errorf("AuditEvent = %+v", ev)
		}
		if _, err := w.st.AppendAudit(ctx, ev); err != nil {
			t.Fatal(err)
		}
		history, _ := w.st.AuditByActor(ctx, bo.ID, 10)
		if len(history) < 2 || history[0].Org != o.ID || history[1].Action != identity.OrgActingChanged || history[1].Org != o.ID {
			t.Errorf("bo's history = %+v", history)
		}

		// Back to acting for themselves: another rotation.
		self, err := w.svc.ActFor(ctx, bo, acting, "", orgClient)
		if err != nil || self == token {
			t.Fatalf("ActFor(self) = %q, %v", self, err)
		}
		_, back, _ := w.svc.Authenticate(ctx, self)
		if back.ActingOrg != "" || identity.AuditEvent(bo, back, "x.y", orgClient).Org != "" {
			t.Errorf("still acting for %q", back.ActingOrg)
		}
		if _, ok, _ := w.svc.ActingMembership(ctx, back); ok {
			t.Error("ActingMembership while acting for oneself")
		}

		// Removal sends the member's acting sessions back to themselves.
		again, err := w.svc.ActFor(ctx, bo, back, o.ID, orgClient)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.RemoveOrgMember(ctx, ana, o.ID, bo.ID, orgClient); err != nil {
			t.Fatal(err)
		}
		_, after, err := w.svc.Authenticate(ctx, again)
		if err != nil || after.ActingOrg != "" {
			t.Errorf("after removal the session acts for %q (%v)", after.ActingOrg, err)
		}
		if _, err := w.svc.ActFor(ctx, bo, after, o.ID, orgClient); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("a removed member acts: %v", err)
		}
	})
}

func TestOrgEventsCarryOrg(t *testing.T) {
	eachOrgWorld(t, func(t *testing.T, w *orgWorld) {
		ctx := context.Background()
		ana, bo := w.person(t, "ana", identity.Level2), w.person(t, "bo", identity.Level1)
		o := w.org(t, ana, "EV-1")
		w.join(t, ana, o.ID, bo, identity.OrgRoleMember)
		if err := w.svc.SetOrgRole(ctx, ana, o.ID, bo.ID, identity.OrgRoleAdmin, orgClient); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.LeaveOrg(ctx, bo, o.ID, orgClient); err != nil {
			t.Fatal(err)
		}
		events, err := w.st.AuditEvents(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{identity.OrgCreated, identity.OrgMemberInvited, identity.OrgMemberJoined, identity.OrgRoleChanged,
			identity.OrgMemberLeft}
		var got []string
		for _, e := range events {
			got = append(got, e.Action)
			if e.Org != o.ID || e.Actor == "" || e.IP != orgClient.IP {
				t.Errorf("event %s: actor %q org %q ip %q", e.Action, e.Actor, e.Org, e.IP)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("actions = %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("actions = %v, want %v", got, want)
				break
			}
		}
		if events[3].Subject != bo.ID || events[3].Detail["role"] != "admin" || events[3].Detail["before"] != "member" {
			t.Errorf("role change event = %+v", events[3])
		}
		if n, err := audit.VerifyAll(ctx, w.st); err != nil || n != int64(len(events)) {
			t.Errorf("VerifyAll = %d, %v", n, err)
		}
	})
}

// TestConcurrentPromotionsThroughService races administrators promoting
// different members through the domain: three administrators at most.
func TestConcurrentPromotionsThroughService(t *testing.T) {
	eachOrgWorld(t, func(t *testing.T, w *orgWorld) {
		ctx := context.Background()
		ana := w.person(t, "ana", identity.Level2)
		o := w.org(t, ana, "RACE-1")
		var ms []identity.Account
		for _, n := range []string{"m1", "m2", "m3", "m4", "m5", "m6"} {
			m := w.person(t, n, identity.Level1)
			w.join(t, ana, o.ID, m, identity.OrgRoleMember)
			ms = append(ms, m)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(ms))
		for i, m := range ms {
			wg.Go(func() { errs[i] = w.svc.SetOrgRole(ctx, ana, o.ID, m.ID, identity.OrgRoleAdmin, orgClient) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case apperr.CodeOf(err) != apperr.Conflict:
				t.Errorf("promotion: %v", err)
			}
		}
		v, _ := w.svc.OrgPage(ctx, ana, o.ID)
		if ok != 2 || v.AdminCount() != identity.MaxOrgAdmins {
			t.Errorf("%d promotions succeeded, %d admins; want 2 and %d", ok, v.AdminCount(), identity.MaxOrgAdmins)
		}
	})
}

func TestParseRegNumber(t *testing.T) {
	for in, want := range map[string]string{"12345": "12345", " so-1 ": "SO-1", "A": "A", "abc-DEF-123": "ABC-DEF-123",
		"12345678901234567890": "12345678901234567890"} {
		if got, err := identity.ParseRegNumber(in); err != nil || got != want {
			t.Errorf("ParseRegNumber(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", "-", "1 2", "1/2", "ＡＢＣ", "123456789012345678901", "a\x00"} {
		if _, err := identity.ParseRegNumber(in); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("ParseRegNumber(%q) err = %v, want invalid", in, err)
		}
	}
}
