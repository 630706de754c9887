package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/otp"
)

// accountStepTimeout bounds one browser interaction of the account journey
// (a page load, a form submission, a script), on top of the browser's own
// overallTimeout, so a stuck page fails the step instead of hanging.
const accountStepTimeout = 45 * time.Second

// The resident who registers in TestRegisterEnrolTOTPAndSignIn.
const (
	accountEmail     = "chan.taiman@example.mo"
	accountPhone     = "6612 3456"
	accountPhoneE164 = "+85366123456"
	accountNameZh    = "陳大文"
	accountNameLatin = "CHAN Tai Man"
	accountDocNumber = "1234567(8)"
	accountBirthDate = "1960-05-04"
	accountPassword  = "Harbour-lantern-at-dusk-1960"
)

var (
	// accountCodeRE finds the code in a message of the development outbox.
	accountCodeRE = regexp.MustCompile(`\b(\d{6})\b`)
	// accountRecoveryRE is otp.NewRecoveryCodes' output: three groups of
	// four symbols from its alphabet (no 0, 1, i, l or o).
	accountRecoveryRE = regexp.MustCompile(`^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$`)
)

// startAccountSite builds the platform with --demo on a fresh SQLite
// database, so the development outbox keeps the codes sent, and serves it.
func startAccountSite(t *testing.T) (*app.App, string) {
	t.Helper()
	a := buildApp(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "account.db"), "--demo")
	if a.Outbox() == nil {
		t.Fatal("no development outbox although --demo is set")
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return a, srv.URL
}

// accountFlow drives one browser tab through the account pages.
type accountFlow struct {
	t    *testing.T
	tab  context.Context
	base string
	app  *app.App
}

// do runs actions in the tab, bounded by accountStepTimeout; what names the
// step in a failure.
func (f *accountFlow) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, accountStepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

// accountEval evaluates a script in the tab and returns its value.
func accountEval[T any](f *accountFlow, what, script string, opts ...chromedp.EvaluateOption) T {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, accountStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, opts...))
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// accountRead runs a value-returning action in the tab.
func accountRead[T any](f *accountFlow, what string, action chromedp.Action[T]) T {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, accountStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// open loads path in English (through /lang/en, which sets the language
// cookie) and checks it arrives at wantPath with status 200.
func (f *accountFlow) open(path, wantPath string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, accountStepTimeout)
	defer cancel()
	resp, err := openIn(ctx, f.base, "en", path)
	if err != nil {
		f.t.Fatalf("load %s: %v", path, err)
	}
	if resp == nil || resp.Status != http.StatusOK {
		f.t.Errorf("load %s: response %s, want status 200", path, accountResponse(resp))
	}
	f.expectPath(wantPath)
}

// submit clicks a button that submits a form and waits for the page the
// browser lands on (after any redirects). It returns that page's response.
func (f *accountFlow) submit(what, button string) *network.Response {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, accountStepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		f.t.Fatalf("%s: submit %s: %v", what, button, err)
	}
	return resp
}

// fill types value into the input matching sel, as a person would, and
// checks the input holds it.
func (f *accountFlow) fill(sel, value string) {
	f.t.Helper()
	// Empty the field first (chromedp.SetValue cannot set ""): a page
	// shown again after an error may keep what was typed.
	quoted, err := json.Marshal(sel)
	if err != nil {
		f.t.Fatalf("quote %s: %v", sel, err)
	}
	if !accountEval[bool](f, "empty "+sel, `(() => { const e = document.querySelector(`+string(quoted)+`); if (!e) return false; e.value = ''; return true })()`) {
		f.t.Fatalf("no element %s on %s", sel, f.location().RequestURI())
	}
	f.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
	if got := accountRead(f, "read "+sel, chromedp.Value(chromedp.CSS(sel))); got != value {
		f.t.Fatalf("%s holds %q after typing, want %q", sel, got, value)
	}
}

// location returns the URL of the current page.
func (f *accountFlow) location() *url.URL {
	f.t.Helper()
	loc := accountRead(f, "read location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		f.t.Fatalf("parse location %q: %v", loc, err)
	}
	return u
}

// expectPath fails the test unless the browser is on path.
func (f *accountFlow) expectPath(path string) *url.URL {
	f.t.Helper()
	u := f.location()
	if u.Path != path {
		summary := accountEval[string](f, "read error summary",
			`(document.querySelector('.govuk-error-summary') || {innerText: ''}).innerText.trim()`)
		f.t.Fatalf("browser is on %s, want %s (page title %q; error summary %q)", u.RequestURI(), path,
			accountRead(f, "read title", chromedp.Title()), summary)
	}
	return u
}

// axe checks the current page: in English, and no WCAG 2.2 A/AA violation
// found by axe-core. Violations are test errors listing id, impact, help and
// targets.
func (f *accountFlow) axe(name string) {
	f.t.Helper()
	if lang := accountEval[string](f, "read html lang", `document.documentElement.lang`); lang != "en" {
		f.t.Errorf("axe %s: <html lang> = %q, want en", name, lang)
	}
	ctx, cancel := context.WithTimeout(f.tab, accountStepTimeout)
	defer cancel()
	res, err := runAxe(ctx, f.t)
	if err != nil {
		f.t.Fatalf("axe %s: %v", name, err)
	}
	if res.Passes == 0 {
		f.t.Fatalf("axe-core %s passed no rule at all on %s; did it run?", res.Version, name)
	}
	review := "none"
	if len(res.Incomplete) > 0 {
		review = strings.Join(res.Incomplete, ", ")
	}
	f.t.Logf("axe-core %s on %s: %d rules passed, %d violated; needs manual review (not failures): %s", res.Version, name,
		res.Passes, len(res.Violations), review)
	for _, p := range accountEval[[]string](f, "check ids and labels", accountLabelProblems) {
		f.t.Errorf("form markup on %s (en): %s", name, p)
	}
	for _, v := range res.Violations {
		f.t.Errorf("axe violation on %s (en): %s [%s] %s\n\t%d node(s): %s\n\t%s\n\tsee %s",
			name, v.ID, v.Impact, v.Help, v.Count, strings.Join(v.Targets, " | "),
			strings.ReplaceAll(v.Summary, "\n", "\n\t"), v.HelpURL)
	}
}

// accountLabelProblems lists, as "id: problem", the ids used more than once
// and the visible form controls without exactly one label. axe-core only
// marks these for manual review (duplicate-id-aria,
// form-field-multiple-labels), but a control whose label[for] points at
// another element of the same id has no accessible name (WCAG 1.3.1, 4.1.2).
const accountLabelProblems = `(() => {
	const out = [];
	const seen = new Map();
	for (const e of document.querySelectorAll('[id]')) seen.set(e.id, (seen.get(e.id) || 0) + 1);
	for (const [id, n] of seen) if (n > 1) out.push(id + ': id used ' + n + ' times');
	for (const e of document.querySelectorAll('input:not([type=hidden]):not([type=submit]), select, textarea')) {
		if (e.hasAttribute('aria-label') || e.hasAttribute('aria-labelledby')) continue;
		const n = e.labels ? e.labels.length : 0;
		const where = (e.form && e.form.getAttribute('action')) || '?';
		if (n !== 1) out.push((e.id || e.name) + ' in form ' + where + ': ' + n + ' labels');
	}
	return out;
})()`

// signOut presses the sign-out button of the navigation.
func (f *accountFlow) signOut() {
	f.t.Helper()
	f.submit("sign out", `form[action="/logout"] button[type=submit]`)
	u := f.expectPath("/")
	if u.Query().Get("signed_out") != "1" {
		f.t.Errorf("after signing out the URL is %s, want ?signed_out=1", u.RequestURI())
	}
	if n := accountEval[int](f, "look for the sign-out button", `document.querySelectorAll('form[action="/logout"]').length`); n != 0 {
		f.t.Errorf("after signing out the page still has %d sign-out form(s)", n)
	}
}

// signInPassword signs in with the email and password and checks the
// browser is asked for a second factor.
func (f *accountFlow) signInPassword(axeName string) {
	f.t.Helper()
	f.open("/login", "/login")
	if axeName != "" {
		f.axe(axeName)
	}
	f.fill("#username", accountEmail)
	f.fill("#password", accountPassword)
	f.submit("sign in", `form[action="/login"] button[type=submit]`)
	u := f.expectPath("/login/mfa")
	if next := u.Query().Get("next"); next != "/dashboard" {
		f.t.Errorf("second-factor page URL %s: next = %q, want /dashboard", u.RequestURI(), next)
	}
}

// secondFactor types code on /login/mfa and submits it.
func (f *accountFlow) secondFactor(code string) *network.Response {
	f.t.Helper()
	f.fill("#code", code)
	return f.submit("second factor", `form[action="/login/mfa"] button[type=submit]`)
}

// account returns the account as stored.
func (f *accountFlow) account() identity.Account {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := f.app.Identity().Store().AccountByUsername(ctx, identity.NormaliseUsername(accountEmail))
	if err != nil {
		f.t.Fatalf("look up %s: %v", accountEmail, err)
	}
	return a
}

// outboxCode returns the 6-digit code of the newest message to address.
func (f *accountFlow) outboxCode(address string) string {
	f.t.Helper()
	m, ok := f.app.Outbox().Last(address)
	if !ok {
		f.t.Fatalf("the development outbox has no message to %s", address)
	}
	code := accountCodeRE.FindStringSubmatch(m.Text)
	if code == nil {
		f.t.Fatalf("message to %s has no 6-digit code: %q", address, m.Text)
	}
	return code[1]
}

// recoveryLeftText returns the account page's sentence counting the unused
// recovery codes.
func (f *accountFlow) recoveryLeftText() string {
	f.t.Helper()
	return accountEval[string](f, "read the recovery codes left",
		`Array.from(document.querySelectorAll('main p.govuk-body'), p => p.textContent.trim()).find(s => /unused recovery code/.test(s)) || ''`)
}

// mfaRejected checks the browser stayed on /login/mfa with an error
// summary saying the code is wrong or used.
func (f *accountFlow) mfaRejected(what string, resp *network.Response) {
	f.t.Helper()
	f.expectPath("/login/mfa")
	if resp != nil && resp.Status < 400 {
		f.t.Errorf("%s: status %d, want a 4xx", what, resp.Status)
	}
	summary := accountEval[string](f, "read the error summary",
		`(document.querySelector('.govuk-error-summary') || {innerText: ''}).innerText.trim()`)
	if !strings.Contains(summary, "There is a problem") || !strings.Contains(summary, "The code is not right, or it was already used") {
		f.t.Errorf("%s: error summary = %q, want \"There is a problem\" and \"The code is not right, or it was already used\"", what, summary)
	}
	if !accountEval[bool](f, "look for the field error", `!!document.querySelector('#code-error') && document.querySelector('#code').getAttribute('aria-describedby').includes('code-error')`) {
		f.t.Errorf("%s: the code field has no error message tied to it (#code-error in aria-describedby)", what)
	}
	f.t.Logf("%s: refused with status %s and %q", what, accountResponse(resp), summary)
}

// accountMe is what /api/v1/me answers in the browser.
type accountMe struct {
	Status int `json:"status"`
	Body   struct {
		ID        string `json:"id"`
		Kind      string `json:"kind"`
		Assurance int    `json:"assurance"`
		Names     struct {
			Zh    string `json:"zh"`
			Latin string `json:"latin"`
		} `json:"names"`
	} `json:"body"`
}

// me fetches /api/v1/me in the page, with the browser's cookies.
func (f *accountFlow) me() accountMe {
	f.t.Helper()
	return accountEval[accountMe](f, "fetch /api/v1/me",
		`fetch('/api/v1/me').then(async r => ({status: r.status, body: await r.json()}))`, chromedp.EvalAwaitPromise)
}

// accountResponse describes a response for a message.
func accountResponse(resp *network.Response) string {
	if resp == nil {
		return "none"
	}
	return fmt.Sprintf("%d %s at %s", resp.Status, http.StatusText(int(resp.Status)), resp.URL)
}

// accountHeader returns a response header, looked up without regard to case.
func accountHeader(resp *network.Response, name string) string {
	if resp == nil {
		return ""
	}
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			if s, ok := v.(string); ok {
				return s
			}
		}
	}
	return ""
}

// accountTOTPStep is the RFC 6238 time step of t (30-second windows).
func accountTOTPStep(t time.Time) int64 { return t.Unix() / int64(otp.TOTPPeriod/time.Second) }

// TestRegisterEnrolTOTPAndSignIn walks a resident through the account
// journey in a real browser: registration with both contacts proved,
// details, enrolment of an authenticator app, sign-in with a TOTP code and
// with a recovery code, and the refusals of a used recovery code and of a
// replayed TOTP code. Every form page is also checked with axe-core.
func TestRegisterEnrolTOTPAndSignIn(t *testing.T) {
	began := time.Now()
	t.Cleanup(func() { t.Logf("account journey took %s", time.Since(began).Round(time.Millisecond)) })

	browser := newBrowser(t)
	a, base := startAccountSite(t)
	tab, cancelTab := chromedp.NewContext(browser)
	t.Cleanup(cancelTab)
	// The first run binds the tab to tab; it must not get a step's shorter
	// deadline, or the tab would stop with it. The browser's overallTimeout
	// still bounds it.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	f := &accountFlow{t: t, tab: tab, base: base, app: a}

	// 1. Email address and mobile number, then the two codes.
	t.Log("step 1: register the email address and mobile number")
	f.open("/register", "/register")
	f.axe("/register")
	f.fill("#email", accountEmail)
	f.fill("#phone", accountPhone)
	f.submit("send the codes", `form[action="/register"] button[type=submit]`)
	f.expectPath("/register/verify")
	f.axe("/register/verify")
	emailCode, phoneCode := f.outboxCode(accountEmail), f.outboxCode(accountPhoneE164)
	t.Logf("codes from the outbox: email %s, SMS to %s %s", emailCode, accountPhoneE164, phoneCode)
	f.fill("#email_code", emailCode)
	f.fill("#phone_code", phoneCode)
	f.submit("verify the codes", `form[action="/register/verify"] button[type=submit]`)
	f.expectPath("/register/details")

	// 2. Names, document, birth date and password.
	t.Log("step 2: enter the details and create the account")
	f.axe("/register/details")
	f.fill("#name_zh", accountNameZh)
	f.fill("#name_latin", accountNameLatin)
	if dt := accountRead(f, "read the document type", chromedp.Value(chromedp.CSS("#doc_type"))); dt != "bir" {
		t.Errorf("document type preselected = %q, want bir", dt)
	}
	f.fill("#doc_number", accountDocNumber)
	f.do("set the birth date", chromedp.SetValue(chromedp.CSS("#birth_date"), accountBirthDate))
	if got := accountRead(f, "read the birth date", chromedp.Value(chromedp.CSS("#birth_date"))); got != accountBirthDate {
		t.Fatalf("birth date input holds %q, want %q", got, accountBirthDate)
	}
	f.fill("#password", accountPassword)
	f.fill("#password_confirm", accountPassword)
	f.submit("create the account", `form[action="/register/details"] button[type=submit]`)
	u := f.expectPath("/account")
	if u.Query().Get("welcome") == "" {
		t.Errorf("after registering the URL is %s, want ?welcome=1", u.RequestURI())
	}
	if welcome := accountRead(f, "read the welcome banner", chromedp.Text(chromedp.CSS(`.govuk-notification-banner--success #welcome-title`))); welcome != "Account created" {
		t.Errorf("welcome banner title = %q, want %q", welcome, "Account created")
	}
	acct := f.account()
	t.Logf("account %s created", acct.ID)
	if string(acct.Phone) != accountPhoneE164 || acct.NameZh != accountNameZh || acct.NameLatin != accountNameLatin ||
		acct.BirthDate != accountBirthDate || acct.Document.Display() != accountDocNumber || string(acct.Document.Type) != "bir" {
		t.Errorf("stored account: phone %q, names %q/%q, birth %q, document %s %q; want %s, %s/%s, %s, bir %s",
			acct.Phone, acct.NameZh, acct.NameLatin, acct.BirthDate, acct.Document.Type, acct.Document.Display(),
			accountPhoneE164, accountNameZh, accountNameLatin, accountBirthDate, accountDocNumber)
	}

	// 3. Enrol an authenticator app.
	t.Log("step 3: set up an authenticator app")
	f.submit("begin TOTP enrolment", `form[action="/account/totp/begin"] button[type=submit]`)
	f.expectPath("/account/totp/begin")
	secret := strings.TrimSpace(accountRead(f, "read the TOTP secret", chromedp.Text(chromedp.CSS(`code.oa-secret`))))
	if len(secret) < 32 {
		t.Fatalf("TOTP secret shown = %q, want 32 base32 characters (160 bits)", secret)
	}
	f.axe("/account (TOTP enrolment form)")
	enrolAt := time.Now()
	enrolCode, err := totp.GenerateCode(secret, enrolAt)
	if err != nil {
		t.Fatalf("TOTP code from the secret shown: %v", err)
	}
	f.fill(`form[action="/account/totp"] input[name=code]`, enrolCode)
	f.fill(`form[action="/account/totp"] input[type=password]`, accountPassword)
	resp := f.submit("confirm TOTP enrolment", `form[action="/account/totp"] button[type=submit]`)
	f.expectPath("/account/totp")
	if h1 := accountRead(f, "read the heading", chromedp.Text(chromedp.CSS("h1"))); h1 != "Your recovery codes" {
		t.Fatalf("after enrolment the heading is %q, want %q", h1, "Your recovery codes")
	}
	if cc := accountHeader(resp, "Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("recovery codes page Cache-Control = %q, want no-store", cc)
	}
	codes := accountEval[[]string](f, "read the recovery codes",
		`Array.from(document.querySelectorAll('ol.oa-codes li code'), e => e.textContent.trim())`)
	if len(codes) != otp.RecoveryCodeCount {
		t.Fatalf("recovery codes page lists %d codes, want %d: %q", len(codes), otp.RecoveryCodeCount, codes)
	}
	for _, c := range codes {
		if !accountRecoveryRE.MatchString(c) {
			t.Errorf("recovery code %q does not look like xxxx-xxxx-xxxx", c)
		}
	}
	if sorted := slices.Compact(slices.Sorted(slices.Values(codes))); len(sorted) != len(codes) {
		t.Errorf("recovery codes repeat: %q", codes)
	}
	t.Logf("enrolled with code %s (step %d); %d recovery codes shown", enrolCode, accountTOTPStep(enrolAt), len(codes))
	f.axe("recovery codes page")
	acct = f.account()
	if acct.TOTPSecret == "" {
		t.Fatal("the account has no TOTP secret after enrolment")
	}
	enrolStep := acct.TOTPLastStep
	if enrolStep != accountTOTPStep(enrolAt) {
		t.Errorf("stored last TOTP step after enrolment = %d, want %d (the step of the code used)", enrolStep, accountTOTPStep(enrolAt))
	}
	if enrolStep < accountTOTPStep(enrolAt) {
		enrolStep = accountTOTPStep(enrolAt)
	}

	// 4. Sign out, sign in with the password and a fresh TOTP code.
	t.Log("step 4: sign out, sign in with password and TOTP")
	f.signOut()
	f.signInPassword("/login")
	f.axe("/login/mfa")
	// A code of the enrolment's time step would be a replay; wait for the
	// next step.
	if now := time.Now(); accountTOTPStep(now) <= enrolStep {
		next := time.Unix((enrolStep+1)*int64(otp.TOTPPeriod/time.Second), 0).Add(time.Second)
		wait := next.Sub(now)
		t.Logf("still in the enrolment's time step %d: waiting %s for the next one", enrolStep, wait.Round(time.Millisecond))
		select {
		case <-time.After(wait):
		case <-tab.Done():
			t.Fatalf("browser context ended while waiting for the next TOTP step: %v", tab.Err())
		}
	}
	signInAt := time.Now()
	signInCode, err := totp.GenerateCode(secret, signInAt)
	if err != nil {
		t.Fatalf("TOTP code: %v", err)
	}
	signInStep := accountTOTPStep(signInAt)
	f.secondFactor(signInCode)
	f.expectPath("/dashboard")
	f.open("/account", "/account")
	t.Logf("signed in with TOTP code %s (step %d)", signInCode, signInStep)
	got := f.me()
	if got.Status != http.StatusOK || got.Body.ID != acct.ID || got.Body.Assurance != 1 {
		t.Errorf("/api/v1/me = status %d, id %q, assurance %d; want 200, %q, 1", got.Status, got.Body.ID, got.Body.Assurance, acct.ID)
	}
	if got.Body.Names.Zh != accountNameZh || got.Body.Names.Latin != accountNameLatin {
		t.Errorf("/api/v1/me names = %q/%q, want %q/%q", got.Body.Names.Zh, got.Body.Names.Latin, accountNameZh, accountNameLatin)
	}
	if s := f.account().TOTPLastStep; s != signInStep {
		t.Errorf("stored last TOTP step after sign-in = %d, want %d", s, signInStep)
	}
	if left := f.recoveryLeftText(); left != "You have 10 unused recovery codes." {
		t.Errorf("account page after TOTP sign-in says %q, want %q", left, "You have 10 unused recovery codes.")
	}

	// 5. A recovery code works once.
	t.Log("step 5: sign in with a recovery code, then try it again")
	recovery := codes[0]
	f.signOut()
	f.signInPassword("")
	f.secondFactor(recovery)
	f.expectPath("/dashboard")
	f.open("/account", "/account")
	if left := f.recoveryLeftText(); left != "You have 9 unused recovery codes." {
		t.Errorf("account page after a recovery sign-in says %q, want %q", left, "You have 9 unused recovery codes.")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	n, err := a.Identity().Store().RecoveryCodesLeft(ctx, acct.ID)
	cancel()
	if err != nil || n != otp.RecoveryCodeCount-1 {
		t.Errorf("recovery codes left in the store = %d (%v), want %d", n, err, otp.RecoveryCodeCount-1)
	}
	if got := f.me(); got.Status != http.StatusOK || got.Body.ID != acct.ID {
		t.Errorf("/api/v1/me after a recovery sign-in = status %d, id %q; want 200, %q", got.Status, got.Body.ID, acct.ID)
	}
	f.signOut()
	f.signInPassword("")
	resp = f.secondFactor(recovery)
	f.mfaRejected("used recovery code", resp)
	f.axe("/login/mfa (with an error)")
	if got := f.me(); got.Status != http.StatusUnauthorized {
		t.Errorf("/api/v1/me after a refused recovery code = status %d, want 401", got.Status)
	}

	// 6. The TOTP code used in step 4 cannot be used again while it is
	// still valid by time.
	t.Log("step 6: replay the TOTP code of step 4")
	f.signInPassword("")
	// The server accepts a code of steps now−TOTPSkew … now+TOTPSkew, so
	// the code of step 4 is valid by time until the end of step
	// signInStep+TOTPSkew. Only then does its refusal prove replay
	// protection, not expiry; keep a margin for the round trip.
	validUntil := time.Unix((signInStep+otp.TOTPSkew+1)*int64(otp.TOTPPeriod/time.Second), 0)
	if _, ok := otp.ValidateTOTP(secret, signInCode, time.Now()); !ok || time.Until(validUntil) < 5*time.Second {
		t.Logf("replay sub-step not run: the code of step 4 (%s, step %d) is valid by time only until %s, %s from now",
			signInCode, signInStep, validUntil.Format(time.TimeOnly), time.Until(validUntil).Round(time.Millisecond))
	} else {
		resp = f.secondFactor(signInCode)
		_, stillValid := otp.ValidateTOTP(secret, signInCode, time.Now())
		f.mfaRejected("replayed TOTP code", resp)
		if !stillValid {
			t.Logf("note: the code of step 4 expired during the round trip; the refusal is not conclusive")
		} else {
			t.Logf("replayed TOTP code %s (step %d) refused while still valid by time", signInCode, signInStep)
		}
		if s := f.account().TOTPLastStep; s != signInStep {
			t.Errorf("stored last TOTP step after the replay = %d, want %d (unchanged)", s, signInStep)
		}
	}
}
