package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// The resident of TestPasskeyEnrolAndSignIn, made through the identity
// service rather than the registration pages (account_test.go covers
// those).
const (
	pkEmail    = "lei.siu@example.mo"
	pkPhone    = "6688 1234"
	pkPhoneE   = "+85366881234"
	pkPassword = "Lotus-bridge-in-morning-fog-77"
	pkKeyName  = "Work laptop"
	pkStep     = 45 * time.Second
)

var pkCodeRE = regexp.MustCompile(`\b(\d{6})\b`)

// startPasskeySite serves the platform with --demo at http://localhost:PORT.
// WebAuthn needs a secure context and a relying party ID that is a domain,
// not an IP address: localhost is both, so the base URL (and with it the
// RP ID and origin) is localhost on the listener's port.
func startPasskeySite(t *testing.T) (*app.App, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	base := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	a := buildApp(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "passkey.db"), "--demo", "--base-url", base)
	if !a.Identity().PasskeysEnabled() {
		t.Fatalf("passkeys are off with base URL %s", base)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: a.Handler()}}
	srv.Start()
	t.Cleanup(srv.Close)
	return a, base
}

// pkResident registers a resident through the identity service, with the
// codes from the development outbox, and raises it to level 2 as an
// in-person check would.
func pkResident(t *testing.T, a *app.App) identity.Account {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc := a.Identity()
	token, err := svc.StartRegistration(ctx, pkEmail, pkPhone, lang.En)
	if err != nil {
		t.Fatalf("start registration: %v", err)
	}
	code := func(to string) string {
		m, ok := a.Outbox().Last(to)
		if !ok {
			t.Fatalf("no message to %s in the development outbox", to)
		}
		c := pkCodeRE.FindStringSubmatch(m.Text)
		if c == nil {
			t.Fatalf("no code in the message to %s: %q", to, m.Text)
		}
		return c[1]
	}
	if _, err := svc.VerifyRegistration(ctx, token, code(pkEmail), code(pkPhoneE)); err != nil {
		t.Fatalf("verify registration: %v", err)
	}
	acct, err := svc.CompleteRegistration(ctx, token, identity.Details{NameZh: "李小", NameLatin: "LEI Siu",
		DocType: "bir", DocNumber: "7654321(2)", BirthDate: "1985-07-01", Password: pkPassword},
		identity.Client{IP: "127.0.0.1", UserAgent: "e2e"})
	if err != nil {
		t.Fatalf("complete registration: %v", err)
	}
	acct, err = svc.Store().UpdateAccount(ctx, acct.ID, func(x *identity.Account) error {
		x.Assurance = identity.Level2
		return nil
	}, audit.Event{})
	if err != nil {
		t.Fatalf("raise to level 2: %v", err)
	}
	return acct
}

// pkFlow drives one tab that has a virtual authenticator.
type pkFlow struct {
	t    *testing.T
	tab  context.Context
	base string
	app  *app.App
	auth webauthn.AuthenticatorID
}

func (f *pkFlow) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, pkStep)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

func pkEval[T any](f *pkFlow, what, script string, opts ...chromedp.EvaluateOption) T {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, pkStep)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, opts...))
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// addAuthenticator turns on the DevTools WebAuthn domain for the tab and
// adds a platform authenticator that keeps resident keys and verifies the
// user (as a phone's screen lock or a laptop's fingerprint reader would).
func (f *pkFlow) addAuthenticator() {
	f.t.Helper()
	f.run("add a virtual authenticator", chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tgt, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return fmt.Errorf("WebAuthn.enable: %w", err)
		}
		res, err := cdp.Call(ctx, tgt, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol:                    webauthn.AuthenticatorProtocolCtap2,
				Ctap2version:                webauthn.Ctap2versionCtap21,
				Transport:                   webauthn.AuthenticatorTransportInternal,
				HasResidentKey:              true,
				HasUserVerification:         true,
				IsUserVerified:              true,
				AutomaticPresenceSimulation: true,
			}})
		if err != nil {
			return fmt.Errorf("WebAuthn.addVirtualAuthenticator: %w", err)
		}
		f.auth = res.AuthenticatorID
		return nil
	}))
}

// credentials returns what the virtual authenticator holds.
func (f *pkFlow) credentials() []*webauthn.Credential {
	f.t.Helper()
	var creds []*webauthn.Credential
	f.run("read the authenticator's credentials", chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		res, err := cdp.Call(ctx, tgt, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: f.auth})
		creds = res.Credentials
		return err
	}))
	return creds
}

// open loads path in tag's language and waits for the page's scripts.
func (f *pkFlow) open(tag, path string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, pkStep)
	defer cancel()
	resp, err := openIn(ctx, f.base, tag, path)
	if err != nil {
		f.t.Fatalf("load %s: %v", path, err)
	}
	if resp == nil || resp.Status != http.StatusOK {
		f.t.Fatalf("load %s: response %+v, want 200", path, resp)
	}
	pkEval[bool](f, "wait for the page to load",
		`new Promise(r => document.readyState === 'complete' ? r(true) : addEventListener('load', () => r(true)))`,
		chromedp.EvalAwaitPromise)
}

func (f *pkFlow) fill(sel, value string) {
	f.t.Helper()
	q, _ := json.Marshal(sel)
	if !pkEval[bool](f, "empty "+sel, `(() => { const e = document.querySelector(`+string(q)+`); if (!e) return false; e.value = ''; return true })()`) {
		f.t.Fatalf("no %s on the page", sel)
	}
	f.run("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// visible reports whether the passkey control of kind is shown.
func (f *pkFlow) visible(kind string) bool {
	f.t.Helper()
	return pkEval[bool](f, "look for the passkey control",
		`(() => { const e = document.querySelector('[data-passkey="`+kind+`"]'); return !!e && !e.hidden && e.offsetParent !== null })()`)
}

// await waits, up to pkStep, until the page is a fully loaded path with
// the query part wantQuery (a substring), and fails early with the passkey
// error shown, if any.
func (f *pkFlow) await(what, path, wantQuery string) {
	f.t.Helper()
	deadline := time.Now().Add(pkStep)
	for {
		state := pkEval[struct {
			Path, Search, Ready, Error string
		}](f, what, `(() => {
			const box = document.querySelector('[data-passkey-error]');
			return {Path: location.pathname, Search: location.search, Ready: document.readyState,
				Error: box && !box.hidden ? box.innerText.trim() : ''};
		})()`)
		switch {
		case state.Path == path && strings.Contains(state.Search, wantQuery) && state.Ready == "complete":
			return
		case state.Error != "":
			f.t.Fatalf("%s: the page shows %q (at %s%s)", what, state.Error, state.Path, state.Search)
		case time.Now().After(deadline):
			f.t.Fatalf("%s: still at %s%s (%s) after %s, want %s?…%s…", what, state.Path, state.Search, state.Ready,
				pkStep, path, wantQuery)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (f *pkFlow) click(what, sel string) {
	f.t.Helper()
	f.run(what, chromedp.Click(chromedp.CSS(sel)))
}

// axe runs axe-core's WCAG 2.2 A/AA rules on the page.
func (f *pkFlow) axe(name string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, pkStep)
	defer cancel()
	res, err := runAxe(ctx, f.t)
	if err != nil {
		f.t.Fatalf("axe %s: %v", name, err)
	}
	if res.Passes == 0 {
		f.t.Fatalf("axe-core passed no rule on %s; did it run?", name)
	}
	f.t.Logf("axe-core %s on %s: %d rules passed, %d violated", res.Version, name, res.Passes, len(res.Violations))
	for _, v := range res.Violations {
		f.t.Errorf("axe violation on %s: %s [%s] %s\n\t%d node(s): %s\n\t%s\n\tsee %s", name, v.ID, v.Impact, v.Help,
			v.Count, strings.Join(v.Targets, " | "), strings.ReplaceAll(v.Summary, "\n", "\n\t"), v.HelpURL)
	}
	dups := pkEval[[]string](f, "look for duplicate ids", `(() => {
		const seen = new Map();
		for (const e of document.querySelectorAll('[id]')) seen.set(e.id, (seen.get(e.id) || 0) + 1);
		return [...seen].filter(([, n]) => n > 1).map(([id, n]) => id + ' ×' + n);
	})()`)
	for _, d := range dups {
		if strings.Contains(d, "passkey") {
			f.t.Errorf("duplicate id on %s: %s", name, d)
		}
	}
}

// screenshot saves the page when ONEACCOUNT_SCREENSHOTS names a folder.
func (f *pkFlow) screenshot(name string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, pkStep)
	defer cancel()
	saveScreenshot(ctx, f.t, name)
}

// me fetches /api/v1/me with the browser's cookies.
func (f *pkFlow) me() (int, string, int) {
	f.t.Helper()
	r := pkEval[struct {
		Status int `json:"status"`
		Body   struct {
			ID        string `json:"id"`
			Assurance int    `json:"assurance"`
		} `json:"body"`
	}](f, "fetch /api/v1/me", `fetch('/api/v1/me').then(async r => ({status: r.status, body: await r.json()}))`,
		chromedp.EvalAwaitPromise)
	return r.Status, r.Body.ID, r.Body.Assurance
}

func (f *pkFlow) signOut() {
	f.t.Helper()
	f.click("sign out", `form[action="/logout"] button[type=submit]`)
	f.await("sign out", "/", "signed_out=1")
	if status, _, _ := f.me(); status != http.StatusUnauthorized {
		f.t.Fatalf("after signing out /api/v1/me answers %d, want 401", status)
	}
}

// lastSession returns the account's newest session as stored.
func (f *pkFlow) lastSession(accountID string) identity.Session {
	f.t.Helper()
	ss, err := f.app.Identity().Sessions(context.Background(), accountID)
	if err != nil || len(ss) == 0 {
		f.t.Fatalf("sessions of %s: %v, %d", accountID, err, len(ss))
	}
	slices.SortFunc(ss, func(a, b identity.Session) int { return b.AuthAt.Compare(a.AuthAt) })
	return ss[0]
}

// TestPasskeyEnrolAndSignIn is the end-to-end proof of passkeys in a real
// Chromium with a DevTools virtual authenticator (CTAP2, internal
// transport, resident keys, user verification). A resident at level 2
// signs in with the password, enrols a passkey on /account (re-entering the
// password) and reaches level 3; signs out and signs in with the passkey
// alone, no username or password, landing on /account; signs out, signs in
// with the password and gives the passkey as the second factor; and
// finally removes the passkey, falling back to level 2. /login, /login/mfa
// and /account are checked with axe-core along the way.
func TestPasskeyEnrolAndSignIn(t *testing.T) {
	browser := newBrowser(t)
	a, base := startPasskeySite(t)
	acct := pkResident(t, a)
	f := &pkFlow{t: t, tab: newTab(t, browser), base: base, app: a}
	f.addAuthenticator()

	// The sign-in page offers a passkey; every language passes axe.
	for _, tag := range languages {
		f.open(tag, "/login")
		if !f.visible("signin") {
			t.Fatalf("/login (%s) shows no passkey sign-in", tag)
		}
		f.axe("/login (" + tag + ")")
		f.screenshot("passkey-login-" + tag)
	}

	// Password sign-in: no second factor yet.
	f.open("en", "/login")
	f.fill("#username", pkEmail)
	f.fill("#password", pkPassword)
	f.click("sign in", `form[action="/login"] button[type=submit]`)
	f.await("password sign-in", "/dashboard", "")
	f.open("en", "/account")
	if !f.visible("register") {
		t.Fatal("/account shows no form to add a passkey")
	}
	f.axe("/account before enrolment")

	// A wrong current password is refused, in the page, before any
	// authenticator prompt.
	f.fill("#passkey_name", pkKeyName)
	f.fill("#current_password_pk", "not my password at all")
	f.click("add a passkey with a wrong password", `[data-passkey-form] button[type=submit]`)
	msg := ""
	for end := time.Now().Add(pkStep); msg == "" && time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		msg = pkEval[string](f, "read the passkey error",
			`(() => { const b = document.querySelector('[data-passkey="register"] [data-passkey-error]'); return b && !b.hidden ? b.innerText : '' })()`)
	}
	if !strings.Contains(msg, "The current password is not right") {
		t.Errorf("wrong password: passkey error = %q, want the re-authentication message", msg)
	}
	if n := len(f.credentials()); n != 0 {
		t.Fatalf("the authenticator holds %d credentials after a refused enrolment, want 0", n)
	}

	// Enrol.
	f.fill("#current_password_pk", pkPassword)
	f.click("add a passkey", `[data-passkey-form] button[type=submit]`)
	f.await("passkey enrolment", "/account", "done=passkey")
	creds := f.credentials()
	if len(creds) != 1 || !creds[0].IsResidentCredential || creds[0].RpID != "localhost" {
		t.Fatalf("authenticator credentials = %+v, want one resident credential for localhost", creds)
	}
	stored, err := a.Identity().Passkeys(context.Background(), acct.ID)
	if err != nil || len(stored) != 1 || stored[0].Name != pkKeyName {
		t.Fatalf("stored passkeys = %+v, %v; want one named %q", stored, err, pkKeyName)
	}
	if text := pkEval[string](f, "read the passkey table", `document.querySelector('#passkeys ~ table').innerText`); !strings.Contains(text, pkKeyName) {
		t.Errorf("passkey table = %q, want it to list %q", text, pkKeyName)
	}
	if status, id, level := f.me(); status != http.StatusOK || id != acct.ID || level != 3 {
		t.Errorf("/api/v1/me after enrolment = %d, %s, level %d; want 200, %s, level 3", status, id, level, acct.ID)
	}
	if m, ok := a.Outbox().Last(pkEmail); !ok || !strings.Contains(m.Text, "a passkey was added") {
		t.Errorf("newest email to %s = %q, want the passkey notice", pkEmail, m.Text)
	}
	f.axe("/account with a passkey")
	f.screenshot("passkey-account")

	// Passwordless: the passkey alone signs in, and lands on the dashboard.
	f.signOut()
	f.open("en", "/login")
	f.click("sign in with a passkey", `[data-passkey="signin"] [data-passkey-start]`)
	f.await("passwordless sign-in", "/dashboard", "")
	if status, id, level := f.me(); status != http.StatusOK || id != acct.ID || level != 3 {
		t.Fatalf("/api/v1/me after the passkey sign-in = %d, %s, level %d; want 200, %s, level 3", status, id, level, acct.ID)
	}
	if s := f.lastSession(acct.ID); !slices.Equal(s.AMR, []string{"hwk", "user"}) {
		t.Errorf("passwordless session AMR = %v, want [hwk user]", s.AMR)
	}

	// Password, then the passkey as the second factor.
	f.signOut()
	f.open("en", "/login")
	f.fill("#username", pkEmail)
	f.fill("#password", pkPassword)
	f.click("sign in", `form[action="/login"] button[type=submit]`)
	f.await("password with a passkey enrolled", "/login/mfa", "")
	if !f.visible("mfa") {
		t.Fatal("/login/mfa shows no passkey button")
	}
	f.axe("/login/mfa")
	f.click("use a passkey", `[data-passkey="mfa"] [data-passkey-start]`)
	f.await("passkey as second factor", "/dashboard", "")
	if s := f.lastSession(acct.ID); !slices.Equal(s.AMR, []string{"pwd", "hwk"}) {
		t.Errorf("second-factor session AMR = %v, want [pwd hwk]", s.AMR)
	}

	// Remove it (an ordinary form): back to level 2.
	f.open("en", "/account")
	f.run("open the removal form", chromedp.Click(chromedp.CSS(`#passkeys ~ details summary`)))
	f.fill("#current_password_pkrm", pkPassword)
	f.click("remove the passkey", `form[action="/account/passkeys/remove"] button[type=submit]`)
	f.await("passkey removal", "/account", "done=passkey-off")
	if status, _, level := f.me(); status != http.StatusOK || level != 2 {
		t.Errorf("/api/v1/me after removal = %d, level %d; want 200, level 2", status, level)
	}
	if stored, _ := a.Identity().Passkeys(context.Background(), acct.ID); len(stored) != 0 {
		t.Errorf("passkeys left after removal: %+v", stored)
	}
}
