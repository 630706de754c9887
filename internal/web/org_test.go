package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// orgSite is the web layer with accounts over SQLite, for the
// organisation pages.
type orgSite struct {
	h    http.Handler
	svc  *identity.Service
	st   *sqlstore.Store
	sink *notify.DevSink
}

func newOrgSite(t *testing.T) *orgSite {
	t.Helper()
	st := storetest.SQLite(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	if err != nil {
		t.Fatal(err)
	}
	sink := notify.NewDevSink(log, time.Now)
	svc := identity.NewService(identity.Deps{Store: st, Hasher: h, Sender: sink, Now: time.Now, Log: log}, identity.Config{})
	loc, err := directory.LoadLocation(directory.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(Options{Directory: directory.New(st, loc, time.Now), Log: log, Identity: svc})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Mount(mux)
	return &orgSite{h: mux, svc: svc, st: st, sink: sink}
}

// orgUser is a signed-in person: their account and session cookie.
type orgUser struct {
	identity.Account
	cookie string
}

// person stores a resident at level and signs them in.
func (s *orgSite) person(t *testing.T, name string, level identity.Level) *orgUser {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	a, err := s.st.CreateAccount(ctx, identity.Account{ID: identity.NewID(), Kind: identity.Resident, NameLatin: name,
		Email: contact.Email(name + "@example.mo"), PasswordHash: "x", Assurance: level, Lang: lang.En,
		CreatedAt: now, UpdatedAt: now}, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	token := identity.NewToken()
	err = s.st.CreateSession(ctx, identity.Session{IDHash: identity.HashToken(token), AccountID: a.ID,
		State: identity.StateActive, AMR: []string{"pwd"}, CreatedAt: now, AuthAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return &orgUser{Account: a, cookie: token}
}

// do sends a request as u (nil: anonymous) with form values for POST.
func (s *orgSite) do(t *testing.T, u *orgUser, method, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if u != nil {
		req.AddCookie(&http.Cookie{Name: "session", Value: u.cookie})
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

func expect(t *testing.T, what string, rec *httptest.ResponseRecorder, status int, contains ...string) string {
	t.Helper()
	body := rec.Body.String()
	if rec.Code != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, rec.Code, status, body)
	}
	for _, c := range contains {
		if !strings.Contains(body, c) {
			t.Errorf("%s: page lacks %q", what, c)
		}
	}
	return body
}

func location(t *testing.T, rec *httptest.ResponseRecorder, prefix string) string {
	t.Helper()
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("got %d to %q, want 303 to %s...\n%s", rec.Code, loc, prefix, rec.Body.String())
	}
	return loc
}

var orgPathRE = regexp.MustCompile(`^/orgs/([a-z0-9]+)\?done=created$`)

// createOrg registers an organisation through the page, as admin.
func (s *orgSite) createOrg(t *testing.T, admin *orgUser, reg string) string {
	t.Helper()
	rec := s.do(t, admin, "POST", "/orgs", url.Values{"reg_number": {reg}, "name_zh": {"澳門茶餐廳"},
		"name_pt": {"Casa de Chá Macau"}, "name_en": {"Macau Tea House"}})
	m := orgPathRE.FindStringSubmatch(location(t, rec, "/orgs/"))
	if m == nil {
		t.Fatalf("created at %q", rec.Header().Get("Location"))
	}
	return m[1]
}

var tokenRE = regexp.MustCompile(`/orgs/invitations/([A-Za-z0-9_-]{43})`)

// invite invites u through the page and returns the emailed token.
func (s *orgSite) invite(t *testing.T, admin *orgUser, orgID string, u *orgUser, role string) string {
	t.Helper()
	rec := s.do(t, admin, "POST", "/orgs/"+orgID+"/members/invite", url.Values{"email": {string(u.Email)}, "role": {role}})
	location(t, rec, "/orgs/"+orgID+"?done=invited")
	m, ok := s.sink.Last(string(u.Email))
	if !ok {
		t.Fatalf("no invitation to %s", u.Email)
	}
	tok := tokenRE.FindStringSubmatch(m.Text)
	if tok == nil {
		t.Fatalf("no link in %q", m.Text)
	}
	return tok[1]
}

func TestOrgPagesNeedSignIn(t *testing.T) {
	s := newOrgSite(t)
	for _, path := range []string{"/orgs", "/orgs/abc", "/orgs/invitations/xyz"} {
		location(t, s.do(t, nil, "GET", path, nil), "/login?next="+path)
	}
	location(t, s.do(t, nil, "POST", "/orgs", url.Values{"reg_number": {"1"}}), "/login")
	location(t, s.do(t, nil, "POST", "/orgs/act", url.Values{"org": {"x"}}), "/login")
}

func TestOrgCreatePage(t *testing.T) {
	s := newOrgSite(t)
	low := s.person(t, "low", identity.Level1)
	expect(t, "level 1 /orgs", s.do(t, low, "GET", "/orgs", nil), 200, "Register an organisation",
		"your identity must be verified in person")
	body := expect(t, "level 1 creates", s.do(t, low, "POST", "/orgs", url.Values{"reg_number": {"123"}, "name_en": {"X"}}),
		http.StatusForbidden, "govuk-error-summary", "verified in person first (level 2)")
	if strings.Contains(body, `action="/orgs" `) {
		t.Error("level 1 is offered the create form")
	}

	ana := s.person(t, "ana", identity.Level2)
	expect(t, "level 2 /orgs", s.do(t, ana, "GET", "/orgs", nil), 200, `for="reg_number"`, `for="name_zh"`, `for="name_pt"`,
		`for="name_en"`, "You do not belong to any organisation yet")
	expect(t, "bad registration number", s.do(t, ana, "POST", "/orgs", url.Values{"reg_number": {"12/34"}, "name_en": {"X"}}),
		422, `href="#reg_number"`, "govuk-input--error", `value="12/34"`)
	expect(t, "no name", s.do(t, ana, "POST", "/orgs", url.Values{"reg_number": {"1234"}}), 422, `href="#name_zh"`)
	id := s.createOrg(t, ana, "so-777")
	expect(t, "taken registration number", s.do(t, ana, "POST", "/orgs", url.Values{"reg_number": {"SO-777"}, "name_en": {"Y"}}),
		409, "already registered")
	expect(t, "created", s.do(t, ana, "GET", "/orgs/"+id+"?done=created", nil), 200, "Macau Tea House", "SO-777",
		"The organisation is registered", `action="/orgs/`+id+`/members/invite"`, `for="email"`, `for="role"`,
		"Act for this organisation", "You are the only administrator")
	expect(t, "list", s.do(t, ana, "GET", "/orgs", nil), 200, `href="/orgs/`+id+`"`, `<option value="`+id+`"`,
		`<option value="" selected>Myself</option>`)
	expect(t, "zh", s.do(t, ana, "GET", "/orgs/"+id, nil, "Cookie", "lang=zh-Hant"), 200, "澳門茶餐廳", "成員", "管理員")
	expect(t, "pt", s.do(t, ana, "GET", "/orgs/"+id, nil, "Cookie", "lang=pt"), 200, "Casa de Chá Macau", "Membros", "Administrador")

	// Names are escaped everywhere, the acting banner's message included.
	rec := s.do(t, ana, "POST", "/orgs", url.Values{"reg_number": {"X-1"}, "name_en": {"<i>Evil</i>"}})
	evil := strings.TrimSuffix(strings.TrimPrefix(location(t, rec, "/orgs/"), "/orgs/"), "?done=created")
	rec = s.do(t, ana, "POST", "/orgs/act", url.Values{"org": {evil}})
	location(t, rec, "/orgs")
	acting := &orgUser{Account: ana.Account, cookie: rec.Result().Cookies()[0].Value}
	for _, path := range []string{"/orgs", "/orgs/" + evil} {
		body := expect(t, "escaped "+path, s.do(t, acting, "GET", path, nil), 200, "&lt;i&gt;Evil&lt;/i&gt;")
		if strings.Contains(body, "<i>Evil") {
			t.Errorf("%s shows the name unescaped", path)
		}
	}
}

func TestOrgInvitationPages(t *testing.T) {
	s := newOrgSite(t)
	ana, bo, cai := s.person(t, "ana", identity.Level2), s.person(t, "bo", identity.Level1), s.person(t, "cai", identity.Level1)
	id := s.createOrg(t, ana, "INV-1")
	expect(t, "bad email", s.do(t, ana, "POST", "/orgs/"+id+"/members/invite", url.Values{"email": {"nope"}, "role": {"member"}}),
		422, `href="#email"`, `value="nope"`)
	expect(t, "bad role", s.do(t, ana, "POST", "/orgs/"+id+"/members/invite", url.Values{"email": {"x@example.mo"}, "role": {"owner"}}),
		422, `href="#role"`)
	tok := s.invite(t, ana, id, bo, "applicant")
	expect(t, "pending", s.do(t, ana, "GET", "/orgs/"+id, nil), 200, "Invitations waiting", "bo@example.mo")

	expect(t, "wrong account views", s.do(t, cai, "GET", "/orgs/invitations/"+tok, nil), 403, "sent to a different email address")
	body := expect(t, "wrong account accepts", s.do(t, cai, "POST", "/orgs/invitations/"+tok, nil), 403)
	if strings.Contains(body, "Macau Tea House") {
		t.Error("the wrong account sees the organisation's name")
	}
	expect(t, "wrong account did not join", s.do(t, cai, "GET", "/orgs/"+id, nil), 404)
	expect(t, "unknown token", s.do(t, bo, "GET", "/orgs/invitations/nope", nil), 404, "not valid")

	expect(t, "invitee views", s.do(t, bo, "GET", "/orgs/invitations/"+tok, nil), 200,
		"You are invited to act for Macau Tea House as Applicant.", `action="/orgs/invitations/`+tok+`"`)
	location(t, s.do(t, bo, "POST", "/orgs/invitations/"+tok, nil), "/orgs/"+id+"?done=joined")
	expect(t, "accept twice", s.do(t, bo, "POST", "/orgs/invitations/"+tok, nil), 409, "already been accepted")

	// A member sees the members but no management controls.
	body = expect(t, "member view", s.do(t, bo, "GET", "/orgs/"+id, nil), 200, "ana@example.mo", "Applicant", "Leave this organisation")
	for _, ctl := range []string{"/members/invite", "/remove", "/role", "Invitations waiting"} {
		if strings.Contains(body, ctl) {
			t.Errorf("a member sees the admin control %q", ctl)
		}
	}
}

func TestOrgMemberManagementPages(t *testing.T) {
	s := newOrgSite(t)
	ana, bo, zed := s.person(t, "ana", identity.Level2), s.person(t, "bo", identity.Level1), s.person(t, "zed", identity.Level2)
	id := s.createOrg(t, ana, "MGT-1")
	tok := s.invite(t, ana, id, bo, "member")
	location(t, s.do(t, bo, "POST", "/orgs/invitations/"+tok, nil), "/orgs/"+id)
	other := s.createOrg(t, zed, "MGT-2")

	// A member who is not an administrator is refused; strangers get 404.
	expect(t, "member changes a role", s.do(t, bo, "POST", "/orgs/"+id+"/members/"+bo.ID+"/role", url.Values{"role": {"admin"}}), 403)
	expect(t, "member removes", s.do(t, bo, "POST", "/orgs/"+id+"/members/"+ana.ID+"/remove", nil), 403)
	expect(t, "member invites", s.do(t, bo, "POST", "/orgs/"+id+"/members/invite", url.Values{"email": {"x@example.mo"}, "role": {"member"}}), 403)
	expect(t, "stranger views", s.do(t, zed, "GET", "/orgs/"+id, nil), 404)
	expect(t, "stranger changes a role", s.do(t, zed, "POST", "/orgs/"+id+"/members/"+bo.ID+"/role", url.Values{"role": {"viewer"}}), 404)
	expect(t, "stranger invites", s.do(t, zed, "POST", "/orgs/"+id+"/members/invite", url.Values{"email": {"x@example.mo"}, "role": {"member"}}), 404)
	expect(t, "stranger leaves", s.do(t, zed, "POST", "/orgs/"+id+"/members/leave", nil), 404)
	expect(t, "admin of A opens B", s.do(t, ana, "GET", "/orgs/"+other, nil), 404)
	expect(t, "unknown organisation", s.do(t, ana, "GET", "/orgs/nope", nil), 404)

	// The last administrator cannot step down or leave.
	expect(t, "last admin steps down", s.do(t, ana, "POST", "/orgs/"+id+"/members/"+ana.ID+"/role", url.Values{"role": {"member"}}),
		409, "must keep at least one administrator")
	expect(t, "last admin leaves", s.do(t, ana, "POST", "/orgs/"+id+"/members/leave", nil), 409, "must keep at least one administrator")

	location(t, s.do(t, ana, "POST", "/orgs/"+id+"/members/"+bo.ID+"/role", url.Values{"role": {"viewer"}}), "/orgs/"+id+"?done=role")
	expect(t, "role changed", s.do(t, bo, "GET", "/orgs/"+id, nil), 200, "Viewer")
	location(t, s.do(t, ana, "POST", "/orgs/"+id+"/members/"+bo.ID+"/remove", nil), "/orgs/"+id+"?done=removed")
	expect(t, "removed member", s.do(t, bo, "GET", "/orgs/"+id, nil), 404)

	// A member leaves.
	tok = s.invite(t, ana, id, bo, "viewer")
	location(t, s.do(t, bo, "POST", "/orgs/invitations/"+tok, nil), "/orgs/"+id)
	left := location(t, s.do(t, bo, "POST", "/orgs/"+id+"/members/leave", nil), "/orgs?done=left")
	expect(t, "after leaving", s.do(t, bo, "GET", left, nil), 200, "You left the organisation", "You do not belong")
}

func TestOrgActingSwitch(t *testing.T) {
	s := newOrgSite(t)
	ana, zed := s.person(t, "ana", identity.Level2), s.person(t, "zed", identity.Level2)
	id := s.createOrg(t, ana, "ACT-1")
	other := s.createOrg(t, zed, "ACT-2")

	expect(t, "acting for another's organisation", s.do(t, ana, "POST", "/orgs/act", url.Values{"org": {other}}), 404)
	rec := s.do(t, ana, "POST", "/orgs/act", url.Values{"org": {id}})
	location(t, rec, "/orgs?done=acting")
	var fresh string
	for _, c := range rec.Result().Cookies() {
		if c.Name == "session" {
			fresh = c.Value
		}
	}
	if fresh == "" || fresh == ana.cookie {
		t.Fatalf("the session cookie was not rotated: %q", fresh)
	}
	location(t, s.do(t, ana, "GET", "/account", nil), "/login")
	acting := &orgUser{Account: ana.Account, cookie: fresh}
	expect(t, "acting banner", s.do(t, acting, "GET", "/", nil), 200, "You are acting for Macau Tea House.", `href="/orgs#act"`)
	expect(t, "acting list", s.do(t, acting, "GET", "/orgs", nil), 200, `<option value="`+id+`" selected>`)
	expect(t, "account section", s.do(t, acting, "GET", "/account", nil), 200, `id="organisations"`, `href="/orgs"`,
		"You are acting for Macau Tea House.", "Act for myself again")
	expect(t, "acting zh", s.do(t, acting, "GET", "/orgs/"+id, nil, "Cookie", "lang=zh-Hant"), 200, "你正代表澳門茶餐廳。")
	events, _ := s.st.AuditByActor(context.Background(), ana.ID, 1)
	if len(events) != 1 || events[0].Action != identity.OrgActingChanged || events[0].Org != id {
		t.Errorf("acting event = %+v", events)
	}

	// Back to acting for oneself, to the page named by next.
	rec = s.do(t, acting, "POST", "/orgs/act", url.Values{"org": {""}, "next": {"/account#organisations"}})
	location(t, rec, "/account#organisations")
	self := &orgUser{Account: ana.Account, cookie: rec.Result().Cookies()[0].Value}
	body := expect(t, "acting for oneself", s.do(t, self, "GET", "/orgs", nil), 200, `<option value="" selected>`)
	if strings.Contains(body, "You are acting for") {
		t.Error("the banner stays after switching back")
	}
	location(t, s.do(t, self, "POST", "/orgs/act", url.Values{"org": {id}, "next": {"https://evil.example/"}}), "/")
}
