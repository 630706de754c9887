package web

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/oidc"
	"github.com/oneaccount/oneaccount/internal/refdata"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// testKeyRing signs with one in-memory P-256 key.
type testKeyRing struct{ k *ecdsa.PrivateKey }

func (t testKeyRing) PublicKeys(context.Context) (jose.JSONWebKeySet, error) {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: t.k.Public(), KeyID: "test", Algorithm: "ES256", Use: "sig"}}}, nil
}

func (t testKeyRing) Signer(context.Context, string) (string, crypto.Signer, error) {
	return "test", t.k, nil
}

// oidcSite is the web layer with accounts, the client registry and the
// OpenID provider, over SQLite with the Macao directory.
type oidcSite struct {
	*orgSite
	web     *Web
	clients *clients.Service
	op      *oidc.Provider
}

func newOIDCSite(t *testing.T, withProvider bool) *oidcSite {
	t.Helper()
	st := storetest.SQLite(t)
	ctx := context.Background()
	ds, _ := refdata.Macao()
	if _, err := st.Import(ctx, ds); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	if err != nil {
		t.Fatal(err)
	}
	sink := notify.NewDevSink(log, time.Now)
	bl, err := password.LoadBlocklist()
	if err != nil {
		t.Fatal(err)
	}
	svc := identity.NewService(identity.Deps{Store: st, Hasher: h, Policy: password.NewPolicy(bl),
		Sender: notify.NewSender(sink.Channels()...), Now: time.Now, Log: log}, identity.Config{})
	cs := clients.New(st, time.Now, []byte("pairwise key for tests, 32 bytes"))
	loc, err := directory.LoadLocation(directory.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	s := &oidcSite{clients: cs}
	var op *oidc.Provider
	if withProvider {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		op, err = oidc.New(oidc.Deps{Store: st, Clients: cs, Identity: svc, Keys: testKeyRing{key}, Log: log, Now: time.Now,
			Sessions: func(r *http.Request) (identity.Account, identity.Session, error) {
				return s.web.SessionReader()(r)
			},
			EndBrowserSession: func(rw http.ResponseWriter, r *http.Request) { s.web.EndBrowserSession(rw, r) },
		}, oidc.Config{Issuer: "http://127.0.0.1:8080"})
		if err != nil {
			t.Fatal(err)
		}
	}
	w, err := New(Options{Directory: directory.New(st, loc, time.Now), Log: log, Identity: svc, OIDC: op, Clients: cs})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Mount(mux)
	if op != nil {
		op.Mount(mux) // the provider's routes and the pages share one mux
	}
	s.orgSite = &orgSite{h: mux, svc: svc, st: st, sink: sink}
	s.web, s.op = w, op
	return s
}

// account stores a and opens a session for it with the methods amr.
func (s *oidcSite) account(t *testing.T, a identity.Account, amr ...string) *orgUser {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	a.ID, a.CreatedAt, a.UpdatedAt = identity.NewID(), now, now
	if a.PasswordHash == "" {
		a.PasswordHash = "x"
	}
	if a.Lang == "" {
		a.Lang = lang.En
	}
	a, err := s.st.CreateAccount(ctx, a, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	if len(amr) == 0 {
		amr = []string{"pwd"}
	}
	token := identity.NewToken()
	err = s.st.CreateSession(ctx, identity.Session{IDHash: identity.HashToken(token), AccountID: a.ID,
		State: identity.StateActive, AMR: amr, CreatedAt: now, AuthAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return &orgUser{Account: a, cookie: token}
}

// staff stores a signed-in staff member of entity with roles.
func (s *oidcSite) staff(t *testing.T, name, entity string, roles ...identity.Role) *orgUser {
	return s.account(t, identity.Account{Kind: identity.Staff, NameLatin: name, Email: contact.Email(name + "@gov.example.mo"),
		Entity: entity, Roles: roles, TOTPSecret: "JBSWY3DPEHPK3PXP"})
}

// seedClient registers a sign-in client of entity as the platform.
func (s *oidcSite) seedClient(t *testing.T, entity string, scopes ...string) clients.Client {
	t.Helper()
	c := clients.Client{Entity: entity, Name: "Vehicle tax online", Grants: []clients.GrantType{clients.AuthorizationCode},
		RedirectURIs: []string{"https://rp.example.mo/cb"}}
	for _, sc := range append([]string{clients.ScopeOpenID}, scopes...) {
		c.Scopes = append(c.Scopes, clients.ScopePurpose{Scope: sc, Purpose: lang.Text{ZhHant: "核對車主", Pt: "Confirmar o proprietário",
			En: "To check you own the vehicle"}})
	}
	created, err := s.clients.Create(context.Background(), identity.Actor{Platform: true}, c)
	if err != nil {
		t.Fatal(err)
	}
	return created.Client
}

// pending stores an authorization request waiting for u's consent, as the
// provider's policy leaves it, and returns its callback ID.
func (s *oidcSite) pending(t *testing.T, u *orgUser, cl clients.Client, scopes string) string {
	t.Helper()
	cb := "cb" + identity.NewID()
	now := time.Now()
	data, _ := json.Marshal(map[string]any{"id": "as" + cb, "client_id": cl.ID, "callback_id": cb, "scope": scopes,
		"redirect_uri": cl.RedirectURIs[0], "response_type": "code", "store": map[string]any{"account_id": u.ID},
		"created_at": now.Unix(), "expires_at": now.Add(10 * time.Minute).Unix()})
	err := s.st.SaveAuthnSession(context.Background(), oidc.AuthnRow{ID: "as" + cb, CallbackID: cb, Data: data,
		ExpiresAt: now.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

func TestConsentPageNeedsARequestOfYours(t *testing.T) {
	s := newOIDCSite(t, true)
	ana := s.person(t, "ana", identity.Level1)
	bo := s.person(t, "bo", identity.Level1)
	location(t, s.do(t, nil, "GET", "/oidc/consent/nope", nil), "/login?next=/oidc/consent/nope")
	expect(t, "unknown callback", s.do(t, ana, "GET", "/oidc/consent/nope", nil), http.StatusNotFound, "Page not found")
	expect(t, "unknown callback, answered", s.do(t, ana, "POST", "/oidc/consent/nope", url.Values{"decision": {"approve"}}),
		http.StatusNotFound)
	expect(t, "unknown callback, cancelled", s.do(t, ana, "POST", "/oidc/consent/nope/cancel", url.Values{}), http.StatusNotFound)

	cl := s.seedClient(t, "DSF", clients.ScopeEmail)
	cb := s.pending(t, ana, cl, "openid email")
	expect(t, "another person's request", s.do(t, bo, "GET", "/oidc/consent/"+cb, nil), http.StatusNotFound)
	expect(t, "another person's answer", s.do(t, bo, "POST", "/oidc/consent/"+cb, url.Values{"decision": {"approve"}}),
		http.StatusNotFound)
	if c, _ := s.clients.Consent(context.Background(), bo.ID, cl.ID); len(c.Scopes) != 0 {
		t.Errorf("bo's answer to ana's request stored a consent: %v", c.Scopes)
	}
}

func TestConsentPageShowsWhatIsReleasedAndWhy(t *testing.T) {
	s := newOIDCSite(t, true)
	ctx := context.Background()
	low := s.person(t, "low", identity.Level1)
	cl := s.seedClient(t, "DSF", clients.ScopeProfile, clients.ScopeIdentity)
	cb := s.pending(t, low, cl, "openid profile identity")
	body := expect(t, "consent", s.do(t, low, "GET", "/oidc/consent/"+cb, nil), http.StatusOK,
		"Financial Services Bureau", "Allow Vehicle tax online to use your One Account?",
		"Your name and language", "Name in Chinese", "Preferred language",
		"Your identity document and date of birth", "Identity document number", "Date of birth",
		"To check you own the vehicle", "Not shared for now", `action="/oidc/consent/`+cb+`"`,
		`name="decision" value="approve"`, `name="decision" value="deny"`, "Do not allow")
	if strings.Contains(body, `name="org"`) {
		t.Error("organisation choice offered without the organisation scope")
	}
	expect(t, "consent in Chinese", s.do(t, low, "GET", "/oidc/consent/"+cb, nil, "Cookie", "lang=zh-Hant"), http.StatusOK,
		"財政局", "核對車主", "身份證明文件號碼", "不允許")
	expect(t, "consent in Portuguese", s.do(t, low, "GET", "/oidc/consent/"+cb, nil, "Cookie", "lang=pt"), http.StatusOK,
		"Confirmar o proprietário", "Não permitir")

	expect(t, "no decision", s.do(t, low, "POST", "/oidc/consent/"+cb, url.Values{"decision": {"maybe"}}), http.StatusBadRequest)
	loc := location(t, s.do(t, low, "POST", "/oidc/consent/"+cb, url.Values{"decision": {"deny"}}), "/oidc/authorize/")
	if loc != "/oidc/authorize/"+cb {
		t.Errorf("deny resumes at %q", loc)
	}
	if c, _ := s.clients.Consent(ctx, low.ID, cl.ID); len(c.Scopes) != 0 {
		t.Errorf("deny stored a consent: %v", c.Scopes)
	}
	location(t, s.do(t, low, "POST", "/oidc/consent/"+cb, url.Values{"decision": {"approve"}}), "/oidc/authorize/"+cb)
	if c, _ := s.clients.Consent(ctx, low.ID, cl.ID); !c.Covers([]string{"profile", "identity"}) {
		t.Errorf("approve stored %v", c.Scopes)
	}
	location(t, s.do(t, low, "POST", "/oidc/consent/"+cb+"/cancel", url.Values{}), "/oidc/authorize/"+cb)
}

func TestConsentActingForAnOrganisation(t *testing.T) {
	s := newOIDCSite(t, true)
	ana := s.person(t, "ana", identity.Level2)
	other := s.person(t, "other", identity.Level2)
	mine := s.createOrg(t, ana, "so-100")
	theirs := s.createOrg(t, other, "so-200")
	cl := s.seedClient(t, "IAM", clients.ScopeOrganisation)
	cb := s.pending(t, ana, cl, "openid organisation")
	expect(t, "consent", s.do(t, ana, "GET", "/oidc/consent/"+cb, nil), http.StatusOK,
		"Who are you acting for?", `id="org" name="org" type="radio" value="" checked`, "Act for myself",
		`value="`+mine+`"`, "Macau Tea House", "Your role: Administrator", "The organisation you act for")
	body := expect(t, "someone else's organisation", s.do(t, ana, "POST", "/oidc/consent/"+cb,
		url.Values{"decision": {"approve"}, "org": {theirs}}), http.StatusUnprocessableEntity,
		"govuk-error-summary", `href="#org"`, "Choose one of your organisations")
	if !strings.HasPrefix(body[strings.Index(body, "<title>"):], "<title>Error:") {
		t.Error("the title does not say there is an error")
	}
	location(t, s.do(t, ana, "POST", "/oidc/consent/"+cb, url.Values{"decision": {"approve"}, "org": {mine}}), "/oidc/authorize/"+cb)
}

func TestStepUpOffersToCancelTheSignIn(t *testing.T) {
	s := newOIDCSite(t, true)
	two := s.person(t, "two", identity.Level2)
	q := "/step-up?level=3&next=%2Foidc%2Fauthorize%2Fcb1&cancel=%2Foidc%2Fconsent%2Fcb1%2Fcancel"
	body := expect(t, "step-up for a service", s.do(t, two, "GET", q, nil), http.StatusOK,
		"needs level 3", "signed in at level 2", "add a passkey to your account and sign in with it",
		`href="/account#passkeys"`, `href="/login?force=1&amp;next=%2Foidc%2Fauthorize%2Fcb1"`,
		`action="/oidc/consent/cb1/cancel"`, "Cancel and return to the service")
	if strings.Contains(body, "You did not use it") {
		t.Error("a person without a passkey is told they have one")
	}
	for _, bad := range []string{"https%3A%2F%2Fevil.example%2Foidc%2Fconsent%2Fx%2Fcancel", "%2Flogout", "%2F%2Fevil.example%2Fx",
		"%2Foidc%2Fconsent%2Fx%2Fcancel%3Fa%3Db", "%2Forgs%2Fx%2Fmembers%2Fcancel"} {
		body := expect(t, "cancel="+bad, s.do(t, two, "GET", "/step-up?level=3&next=%2F&cancel="+bad, nil), http.StatusOK)
		if strings.Contains(body, "Cancel and return") {
			t.Errorf("cancel=%s offered a cancel button", bad)
		}
	}

	// A level-3 account that signed in with its password is at level 2
	// for this sign-in: it is asked to sign in again with the passkey.
	three := s.person(t, "three", identity.Level2)
	err := s.st.AddPasskey(context.Background(), identity.Passkey{ID: "pk-three", AccountID: three.ID, Name: "Phone",
		Credential: []byte(`{}`), CreatedAt: time.Now()}, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "step-up with a passkey", s.do(t, three, "GET", q, nil), http.StatusOK, "signed in at level 2",
		"did not use it to sign in", "Sign in again with a passkey", `href="/login?force=1&amp;next=%2Foidc%2Fauthorize%2Fcb1"`,
		"Cancel and return to the service")

	// Without the provider there is nothing to cancel.
	plain := newOIDCSite(t, false)
	two = plain.person(t, "two", identity.Level2)
	if body := expect(t, "no provider", plain.do(t, two, "GET", q, nil), http.StatusOK); strings.Contains(body, "Cancel and return") {
		t.Error("cancel offered without the provider")
	}
}

func TestSessionLevelCountsThePasskey(t *testing.T) {
	a := identity.Account{Kind: identity.Resident, Assurance: identity.Level2, Passkeys: 1}
	if l := sessionLevel(a, identity.Session{AMR: []string{"pwd"}}); l != identity.Level2 {
		t.Errorf("password sign-in of a level-3 account = level %d, want 2", l)
	}
	if l := sessionLevel(a, identity.Session{AMR: []string{"hwk", "user"}}); l != identity.Level3 {
		t.Errorf("passkey sign-in = level %d, want 3", l)
	}
}

// resident registers a resident with a password through the service.
func (s *oidcSite) resident(t *testing.T, email, phone string) identity.Account {
	t.Helper()
	a, err := s.svc.CreateResident(context.Background(), identity.Actor{Platform: true}, identity.ResidentRequest{
		Email: email, Phone: phone, Password: testPassword, Name: "Resident"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (s *oidcSite) signIn(t *testing.T, email string, extra url.Values, cookies ...string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	form := url.Values{"username": {email}, "password": {testPassword}}
	for k, v := range extra {
		form[k] = v
	}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: "session", Value: c})
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	c := cookieNamed(rec, "session")
	if c == nil {
		return rec, ""
	}
	return rec, c.Value
}

func TestLoginForceSignsInAgain(t *testing.T) {
	s := newOIDCSite(t, true)
	s.resident(t, "ana@example.mo", "66123456")
	_, first := s.signIn(t, "ana@example.mo", nil)
	if first == "" {
		t.Fatal("no session")
	}
	ana := &orgUser{cookie: first}
	location(t, s.do(t, ana, "GET", "/login", nil), "/account")
	body := expect(t, "forced sign-in page", s.do(t, ana, "GET", "/login?force=1&next=%2Foidc%2Fauthorize%2Fcb1", nil), http.StatusOK,
		"Sign in again to continue", `name="next" value="/oidc/authorize/cb1"`, `name="force" value="1"`, `for="username"`)
	if !strings.Contains(body, `action="/login"`) {
		t.Error("no sign-in form")
	}
	expect(t, "forced page, wrong password", s.do(t, ana, "POST", "/login", url.Values{"username": {"ana@example.mo"},
		"password": {"not the password at all"}, "next": {"/oidc/authorize/cb1"}, "force": {"1"}}), http.StatusUnauthorized,
		"Sign in again to continue", `name="next" value="/oidc/authorize/cb1"`)
	rec, second := s.signIn(t, "ana@example.mo", url.Values{"next": {"/oidc/authorize/cb1"}, "force": {"1"}}, first)
	location(t, rec, "/oidc/authorize/cb1")
	if second == "" || second == first {
		t.Fatal("the forced sign-in opened no new session")
	}
	if _, _, err := s.svc.Authenticate(context.Background(), first); err == nil {
		t.Error("the replaced session still works")
	}
	if _, _, err := s.svc.Authenticate(context.Background(), second); err != nil {
		t.Errorf("the new session does not work: %v", err)
	}
}

func TestLoginKeepsNextThroughSecondFactor(t *testing.T) {
	s := newOIDCSite(t, true)
	a := s.resident(t, "mfa@example.mo", "66123457")
	_, err := s.st.UpdateAccount(context.Background(), a.ID, func(x *identity.Account) error {
		x.TOTPSecret = "JBSWY3DPEHPK3PXP"
		return nil
	}, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := s.signIn(t, "mfa@example.mo", url.Values{"next": {"/oidc/authorize/cb1?x=1&y=2"}})
	loc := location(t, rec, "/login/mfa?")
	u, _ := url.Parse(loc)
	if got := u.Query().Get("next"); got != "/oidc/authorize/cb1?x=1&y=2" {
		t.Fatalf("second-factor page gets next %q from %q", got, loc)
	}
	pending := cookieNamed(rec, "pending")
	if pending == nil {
		t.Fatal("no pending cookie")
	}
	req := httptest.NewRequest(http.MethodGet, loc, nil)
	req.AddCookie(pending)
	page := httptest.NewRecorder()
	s.h.ServeHTTP(page, req)
	expect(t, "second-factor page", page, http.StatusOK, `name="next" value="/oidc/authorize/cb1?x=1&amp;y=2"`)
}

func TestSignOutEndsTheRelyingPartiesSessions(t *testing.T) {
	s := newOIDCSite(t, true)
	ctx := context.Background()
	var mu sync.Mutex
	var tokens []string
	rp := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		tokens = append(tokens, r.PostForm.Get("logout_token"))
		mu.Unlock()
		rw.WriteHeader(http.StatusOK)
	}))
	defer rp.Close()
	c := clients.Client{Entity: "DSF", Name: "Tax", Grants: []clients.GrantType{clients.AuthorizationCode},
		RedirectURIs: []string{"https://rp.example.mo/cb"}, BackchannelLogoutURI: rp.URL + "/logout",
		Scopes: []clients.ScopePurpose{{Scope: clients.ScopeOpenID}}}
	created, err := s.clients.Create(ctx, identity.Actor{Platform: true}, c)
	if err != nil {
		t.Fatal(err)
	}
	s.resident(t, "ana@example.mo", "66123456")

	// The sign-out button.
	_, token := s.signIn(t, "ana@example.mo", nil)
	_, sess, err := s.svc.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.RecordLogin(ctx, oidc.Login{SID: oidc.SID(sess), ClientID: created.Client.ID, AccountID: sess.AccountID,
		Subject: "sub-1", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	location(t, s.do(t, &orgUser{cookie: token}, "POST", "/logout", url.Values{}), "/?signed_out=1")
	mu.Lock()
	n := len(tokens)
	mu.Unlock()
	if n != 1 || tokens[0] == "" {
		t.Fatalf("relying party got %d logout tokens, want 1", n)
	}
	if _, _, err := s.svc.Authenticate(ctx, token); err == nil {
		t.Error("session still works after sign-out")
	}

	// The provider's logout endpoint calls EndBrowserSession.
	_, token = s.signIn(t, "ana@example.mo", nil)
	_, sess, _ = s.svc.Authenticate(ctx, token)
	_ = s.st.RecordLogin(ctx, oidc.Login{SID: oidc.SID(sess), ClientID: created.Client.ID, AccountID: sess.AccountID,
		Subject: "sub-1", CreatedAt: time.Now()})
	if a, got, err := s.web.SessionReader()(withCookie(httptest.NewRequest("GET", "/", nil), token)); err != nil ||
		got.IDHash != sess.IDHash || a.ID != sess.AccountID {
		t.Fatalf("SessionReader = %v, %v", got.IDHash, err)
	}
	if _, _, err := s.web.SessionReader()(httptest.NewRequest("GET", "/", nil)); err == nil {
		t.Error("SessionReader without a cookie found a session")
	}
	rec := httptest.NewRecorder()
	s.web.EndBrowserSession(rec, withCookie(httptest.NewRequest("GET", "/oidc/logout", nil), token))
	if c := cookieNamed(rec, "session"); c == nil || c.MaxAge >= 0 {
		t.Errorf("EndBrowserSession left the cookie: %+v", c)
	}
	if _, _, err := s.svc.Authenticate(ctx, token); err == nil {
		t.Error("session still works after EndBrowserSession")
	}
	mu.Lock()
	n = len(tokens)
	mu.Unlock()
	if n != 2 {
		t.Errorf("relying party got %d logout tokens in all, want 2", n)
	}
}

func withCookie(r *http.Request, token string) *http.Request {
	r.AddCookie(&http.Cookie{Name: "session", Value: token})
	return r
}

// TestScopeAndClaimLabels fails when a scope or claim has no label in a
// language: their keys are built in Go, so the template test misses them.
func TestScopeAndClaimLabels(t *testing.T) {
	var keys []string
	for _, s := range append(clients.ResidentScopes(), clients.MachineScopes()...) {
		keys = append(keys, labelKey("scope", s))
		for _, c := range clients.ClaimsOf(s) {
			keys = append(keys, labelKey("claim", c))
		}
	}
	keys = append(keys, labelKey("claim", "org_registration"))
	for _, tag := range lang.All {
		cat := loadKeys(t, tag)
		for _, k := range keys {
			if _, ok := cat[k]; !ok {
				t.Errorf("catalogue %s lacks %q", tag, k)
			}
		}
		for _, g := range []string{"authorization_code", "client_credentials"} {
			if _, ok := cat["clients.grant."+g]; !ok {
				t.Errorf("catalogue %s lacks the grant %s", tag, g)
			}
		}
	}
}
