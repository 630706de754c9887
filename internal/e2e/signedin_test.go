package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/demo"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/otp"
)

// The demo accounts TestSignedInPagesAccessible signs in as (see
// internal/demo/accounts.go).
const (
	// signedInResident is the level-2 resident without a second factor
	// who administers the demo restaurant company.
	signedInResident = "chan.tai.man@demo.oneaccount.mo"
	// signedInResidentDoc is signedInResident's identity card number, which
	// the staff search finds.
	signedInResidentDoc = "1234567(3)"
	// signedInLevel1 is the level-1 resident: the staff record page shows
	// the identity verification form only for residents below level 2.
	signedInLevel1 = "maria.lopes@demo.oneaccount.mo"
	// signedInVerifier is a DSI identity verifier (password and TOTP).
	signedInVerifier = "identity-verifier.dsi@demo.oneaccount.mo"
	// signedInAdmin is a DSI entity administrator (password and TOTP).
	signedInAdmin = "entity-admin.dsi@demo.oneaccount.mo"
	// signedInMFAFail is the staff member whose second-factor page is
	// shown with an error: a wrong code is typed on purpose, so it gets an
	// account of its own.
	signedInMFAFail = "counter-agent.dsi@demo.oneaccount.mo"
	// signedInNoAccount is the address given to /recover: the next page
	// is the same whether or not an account has it, and no code is sent.
	signedInNoAccount = "nobody.a11y@example.mo"
	// signedInPurpose is the purpose typed before opening a record.
	signedInPurpose = "Accessibility check of the record page"
	// signedInOperator is a platform admin (password and TOTP) that the
	// test creates: the demo has none, and only platform admins see the
	// operator's closure page.
	signedInOperator = "platform-admin.a11y@example.mo"
)

// signedInKeys are the keys of the English catalogue, and the namespaces
// (the part before the first dot) they use.
type signedInKeys struct {
	keys       map[string]bool
	namespaces map[string]bool
}

// loadSignedInKeys reads internal/web/locales/en.json.
func loadSignedInKeys(t *testing.T) signedInKeys {
	t.Helper()
	b, err := os.ReadFile("../web/locales/en.json")
	if err != nil {
		t.Fatalf("read the English catalogue: %v", err)
	}
	var cat map[string]json.RawMessage
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatalf("parse the English catalogue: %v", err)
	}
	k := signedInKeys{keys: map[string]bool{}, namespaces: map[string]bool{}}
	for key := range cat {
		k.keys[key] = true
		ns, _, _ := strings.Cut(key, ".")
		k.namespaces[ns] = true
	}
	if len(k.keys) < 100 {
		t.Fatalf("the English catalogue has only %d keys; wrong file?", len(k.keys))
	}
	return k
}

var (
	// signedInChunkRE splits text into runs of the characters that keys,
	// email addresses, URLs and paths are made of; anything else (spaces,
	// CJK text, punctuation such as brackets and quotes) separates them.
	signedInChunkRE = regexp.MustCompile(`[A-Za-z0-9_@:/.\-]+`)
	// signedInKeyRE is what a catalogue key looks like: lower-case
	// dot-separated words such as account.level_title or role.entity-admin.
	signedInKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$`)
)

// untranslated returns the catalogue keys shown as text: tokens of text
// that are keys of en.json, or that look like a key of one of its
// namespaces (a key built at run time, such as "account.done."+x, that no
// catalogue has). Email addresses, URLs and paths are not tokens.
func (k signedInKeys) untranslated(text string) []string {
	var out []string
	for _, chunk := range signedInChunkRE.FindAllString(text, -1) {
		if strings.Contains(chunk, "@") || strings.Contains(chunk, "://") || strings.HasPrefix(chunk, "/") {
			continue
		}
		tok := strings.Trim(chunk, ".:-_/")
		if !signedInKeyRE.MatchString(tok) {
			continue
		}
		ns, _, _ := strings.Cut(tok, ".")
		switch {
		case k.keys[tok]:
			out = append(out, tok)
		case k.namespaces[ns]:
			out = append(out, tok+" (not in en.json either)")
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// signedInText is what a visitor or a screen reader gets as text: the
// title, the body's rendered text (visually hidden text included) and the
// accessible names and descriptions given in attributes.
const signedInText = `[document.title, document.body.innerText,
	...Array.from(document.querySelectorAll('[aria-label],[title],[placeholder],[alt]'),
		e => ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a) || '').join(' ')),
	...Array.from(document.querySelectorAll('input[type=submit],input[type=button]'), e => e.value)].join('\n')`

// signedInTOTP hands out TOTP codes of the demo staff secret without ever
// giving an account a time step it has used (the server refuses a step not
// later than the account's last, so a code cannot be replayed). The server
// accepts the steps now−TOTPSkew … now+TOTPSkew; the next unused step is
// taken while it is inside that window, otherwise it waits for the window to
// reach it. Only this wait sleeps.
type signedInTOTP struct {
	mu   sync.Mutex
	last map[string]int64
}

// code returns a code for email's next unused step, and that step.
func (s *signedInTOTP) code(ctx context.Context, t *testing.T, email string) (string, int64) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	period := int64(otp.TOTPPeriod / time.Second)
	for {
		now := time.Now()
		current := now.Unix() / period
		step := max(s.last[email]+1, current)
		if step <= current+otp.TOTPSkew {
			code, err := totp.GenerateCode(demo.StaffTOTPSecret, time.Unix(step*period, 0))
			if err != nil {
				t.Fatalf("TOTP code: %v", err)
			}
			s.last[email] = step
			return code, step
		}
		// The step enters the accepted window when now reaches
		// step−TOTPSkew; keep a margin for clocks and the round trip.
		wait := time.Unix((step-otp.TOTPSkew)*period, 0).Add(time.Second).Sub(now)
		t.Logf("TOTP: %s already used the steps up to %d; waiting %s for the next time window", email, s.last[email], wait.Round(time.Millisecond))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			t.Fatalf("waiting for the next TOTP window: %v", ctx.Err())
		}
	}
}

// wrongCode returns a 6-digit code that no step the server accepts now
// matches.
func (s *signedInTOTP) wrongCode(t *testing.T) string {
	t.Helper()
	period := int64(otp.TOTPPeriod / time.Second)
	current := time.Now().Unix() / period
	var valid []string
	// One step more on each side, in case the window moves on before the
	// server checks the code.
	for step := current - otp.TOTPSkew - 1; step <= current+otp.TOTPSkew+1; step++ {
		c, err := totp.GenerateCode(demo.StaffTOTPSecret, time.Unix(step*period, 0))
		if err != nil {
			t.Fatalf("TOTP code: %v", err)
		}
		valid = append(valid, c)
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555", "666666"} {
		if !slices.Contains(valid, c) {
			return c
		}
	}
	t.Fatal("no wrong TOTP code found")
	return ""
}

// signedInRun is what the whole test shares: the site, the catalogue keys,
// the TOTP steps used and the count of pages checked.
type signedInRun struct {
	base    string
	app     *app.App
	browser context.Context
	keys    signedInKeys
	totp    *signedInTOTP

	mu      sync.Mutex
	checked []string
	failed  map[string]bool
}

// signedInFlow is one browser tab in a browser context of its own (its own
// cookies, so signed out at the start), in one language.
type signedInFlow struct {
	*accountFlow
	run *signedInRun
	tag string
}

// newFlow opens a tab in a new browser context. It is closed when t ends,
// and bounded by tabTimeout on top of the browser's overallTimeout; each
// step is also bounded by accountStepTimeout.
func (r *signedInRun) newFlow(t *testing.T, tag string) *signedInFlow {
	t.Helper()
	ctx, cancelTimeout := context.WithTimeout(r.browser, tabTimeout)
	t.Cleanup(cancelTimeout)
	tab, cancelTab := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab in a new browser context: %v", err)
	}
	return &signedInFlow{accountFlow: &accountFlow{t: t, tab: tab, base: r.base, app: r.app}, run: r, tag: tag}
}

// open loads path in the flow's language (through /lang/{tag}?next=path)
// and checks the browser arrives at wantPath with status 200.
func (f *signedInFlow) open(path, wantPath string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, accountStepTimeout)
	defer cancel()
	resp, err := openIn(ctx, f.base, f.tag, path)
	if err != nil {
		f.t.Fatalf("load %s in %s: %v", path, f.tag, err)
	}
	if resp == nil || resp.Status != http.StatusOK {
		f.t.Errorf("load %s in %s: response %s, want status 200", path, f.tag, accountResponse(resp))
	}
	f.expectPath(wantPath)
}

// check runs the page checks on the current page: <html lang> is the
// flow's language, no catalogue key shows untranslated, ids are unique and
// every form control has one label, and axe-core finds no WCAG 2.0/2.1/2.2
// A/AA violation.
func (f *signedInFlow) check(name string) {
	f.t.Helper()
	where := fmt.Sprintf("%s (%s)", name, f.tag)
	f.run.mu.Lock()
	f.run.checked = append(f.run.checked, where)
	f.run.mu.Unlock()
	fail := func(format string, args ...any) {
		f.t.Helper()
		f.run.mu.Lock()
		f.run.failed[where] = true
		f.run.mu.Unlock()
		f.t.Errorf(format, args...)
	}

	if lang := accountEval[string](f.accountFlow, "read html lang", `document.documentElement.lang`); lang != f.tag {
		fail("%s: <html lang> = %q, want %q", where, lang, f.tag)
	}
	text := accountEval[string](f.accountFlow, "read the page text", signedInText)
	if len(strings.TrimSpace(text)) == 0 {
		fail("%s: the page has no text", where)
	}
	for _, key := range f.run.keys.untranslated(text) {
		fail("%s: untranslated catalogue key shown: %s", where, key)
	}
	for _, p := range accountEval[[]string](f.accountFlow, "check ids and labels", accountLabelProblems) {
		fail("%s: form markup: %s", where, p)
	}

	ctx, cancel := context.WithTimeout(f.tab, accountStepTimeout)
	defer cancel()
	res, err := runAxe(ctx, f.t)
	if err != nil {
		f.t.Fatalf("axe %s: %v", where, err)
	}
	if res.Passes == 0 {
		f.t.Fatalf("axe-core %s passed no rule at all on %s; did it run?", res.Version, where)
	}
	review := "none"
	if len(res.Incomplete) > 0 {
		review = strings.Join(res.Incomplete, ", ")
	}
	f.t.Logf("axe-core %s on %s: %d rules passed, %d violated; needs manual review (not failures): %s",
		res.Version, where, res.Passes, len(res.Violations), review)
	for _, v := range res.Violations {
		fail("axe violation on %s: %s [%s] %s\n\t%d node(s): %s\n\t%s\n\tsee %s",
			where, v.ID, v.Impact, v.Help, v.Count, strings.Join(v.Targets, " | "),
			strings.ReplaceAll(v.Summary, "\n", "\n\t"), v.HelpURL)
	}
	saveScreenshot(f.tab, f.t, "signedin-"+strings.NewReplacer("/", "_", " ", "-", "(", "", ")", "").Replace(name)+"-"+f.tag)
}

// count returns how many elements match sel.
func (f *signedInFlow) count(sel string) int {
	f.t.Helper()
	quoted, err := json.Marshal(sel)
	if err != nil {
		f.t.Fatalf("quote %s: %v", sel, err)
	}
	return accountEval[int](f.accountFlow, "count "+sel, `document.querySelectorAll(`+string(quoted)+`).length`)
}

// require fails the test unless sel matches at least one element.
func (f *signedInFlow) require(what, sel string) {
	f.t.Helper()
	if f.count(sel) == 0 {
		f.t.Fatalf("%s (%s): no %s on %s (%s)", what, f.tag, sel, f.location().RequestURI(),
			accountRead(f.accountFlow, "read title", chromedp.Title()))
	}
}

// href returns the href attribute of the first element matching sel.
func (f *signedInFlow) href(sel string) string {
	f.t.Helper()
	f.require("link", sel)
	quoted, _ := json.Marshal(sel)
	return accountEval[string](f.accountFlow, "read "+sel, `document.querySelector(`+string(quoted)+`).getAttribute('href')`)
}

// signIn signs email in with the demo password on /login, and with a TOTP
// code on /login/mfa when withTOTP is true. It checks the browser lands on
// the dashboard (residents) or the account page (staff).
func (f *signedInFlow) signIn(email string, withTOTP bool) {
	f.t.Helper()
	f.open("/login", "/login")
	f.fill("#username", email)
	f.fill("#password", demo.Password)
	f.submit("sign in as "+email, `form[action="/login"] button[type=submit]`)
	if withTOTP {
		f.expectPath("/login/mfa")
		ctx, cancel := context.WithTimeout(f.tab, accountStepTimeout)
		code, step := f.run.totp.code(ctx, f.t, email)
		cancel()
		f.fill("#code", code)
		f.submit("second factor of "+email, `form[action="/login/mfa"] button[type=submit]`)
		f.t.Logf("%s signed in with TOTP step %d", email, step)
	}
	landing := "/account"
	if f.run.account(f.t, email).Kind == identity.Resident {
		landing = "/dashboard"
	}
	f.expectPath(landing)
}

// accountID looks an account's id up in the store.
func (r *signedInRun) accountID(t *testing.T, email string) string {
	t.Helper()
	return r.account(t, email).ID
}

// account looks an account up in the store.
func (r *signedInRun) account(t *testing.T, email string) identity.Account {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := r.app.Identity().Store().AccountByUsername(ctx, identity.NormaliseUsername(email))
	if err != nil {
		t.Fatalf("look up %s: %v", email, err)
	}
	return a
}

// TestSignedInPagesAccessible checks, in every language, the pages behind a
// sign-in (a resident's account and organisations, the staff desk of an
// identity verifier and of an entity administrator) and the signed-out
// account pages (sign-in, second factor with an error, registration,
// recovery): <html lang>, no untranslated catalogue key, unique ids and one
// label per control, and no axe-core WCAG 2.0/2.1/2.2 A/AA violation.
//
// Each account signs in once per language, each time in a browser context
// of its own. The staff TOTP codes never reuse a time step (see
// signedInTOTP).
func TestSignedInPagesAccessible(t *testing.T) {
	began := time.Now()
	browser := newBrowser(t)
	a, base := startAccountSite(t)
	run := &signedInRun{base: base, app: a, browser: browser, keys: loadSignedInKeys(t),
		totp: &signedInTOTP{last: map[string]int64{}}, failed: map[string]bool{}}
	t.Cleanup(func() {
		run.mu.Lock()
		defer run.mu.Unlock()
		t.Logf("%d pages checked (%d with problems) in %s: %s", len(run.checked), len(run.failed),
			time.Since(began).Round(time.Millisecond), strings.Join(run.checked, ", "))
	})
	level1ID := run.accountID(t, signedInLevel1)
	if _, err := a.Identity().CreateStaff(context.Background(), identity.Actor{Platform: true}, identity.StaffRequest{
		Entity: "DSI", Roles: []identity.Role{identity.PlatformAdmin}, Email: signedInOperator, Password: demo.Password,
		Name: "Platform operator (accessibility check)", TOTPSecret: demo.StaffTOTPSecret}); err != nil {
		t.Fatalf("create the platform admin: %v", err)
	}

	for _, tag := range languages {
		t.Run(tag, func(t *testing.T) {
			t.Run("signed-out", func(t *testing.T) {
				f := run.newFlow(t, tag)
				f.open("/login", "/login")
				f.check("/login")

				// A password that is right, then a second factor that is
				// wrong.
				f.fill("#username", signedInMFAFail)
				f.fill("#password", demo.Password)
				f.submit("sign in as "+signedInMFAFail, `form[action="/login"] button[type=submit]`)
				f.expectPath("/login/mfa")
				f.fill("#code", run.totp.wrongCode(t))
				resp := f.submit("wrong second factor", `form[action="/login/mfa"] button[type=submit]`)
				f.expectPath("/login/mfa")
				if resp == nil || resp.Status < 400 || resp.Status >= 500 {
					t.Errorf("wrong second factor (%s): response %s, want a 4xx", tag, accountResponse(resp))
				}
				f.require("wrong second factor", `.govuk-error-summary a[href="#code"]`)
				f.require("wrong second factor", `#code-error`)
				if d := accountEval[string](f.accountFlow, "read aria-describedby", `document.querySelector('#code').getAttribute('aria-describedby') || ''`); !strings.Contains(d, "code-error") {
					t.Errorf("wrong second factor (%s): #code aria-describedby = %q, want it to name code-error", tag, d)
				}
				f.check("/login/mfa (with an error)")

				f.open("/register", "/register")
				f.check("/register")

				f.open("/recover", "/recover")
				f.check("/recover")
				f.fill("#username", signedInNoAccount)
				f.submit("ask for a recovery code", `form[action="/recover"] button[type=submit]`)
				f.expectPath("/recover/reset")
				f.require("recovery", `form[action="/recover/reset"] #code`)
				f.check("/recover/reset")
			})

			t.Run("resident", func(t *testing.T) {
				f := run.newFlow(t, tag)
				f.signIn(signedInResident, false)
				f.open("/account", "/account")
				f.require("account page", `form[action="/account/totp/begin"]`)
				f.check("/account")

				f.open("/orgs", "/orgs")
				orgPath := f.href(`main table a.govuk-link[href^="/orgs/"]`)
				f.check("/orgs")

				f.open(orgPath, orgPath)
				f.require("organisation page", `form[action$="/members/invite"]`)
				if h1 := strings.TrimSpace(accountRead(f.accountFlow, "read the heading", chromedp.Text(chromedp.CSS("h1")))); h1 == "" {
					t.Errorf("organisation page (%s): empty h1", tag)
				}
				f.check("/orgs/{id}")

				f.open("/step-up?level=3&next=/account", "/step-up")
				f.check("/step-up?level=3")

				// A relying party's sign-in: the consent page, then the
				// connected services once approved.
				consent := f.startSignIn()
				f.require("consent page", `form[action="`+consent+`"] button[name=decision][value=approve]`)
				f.check("/oidc/consent/{callback}")
				// Approving would send the browser on to the relying party,
				// which is not running here; the consent is recorded directly.
				rp, err := run.app.Clients().Client(context.Background(), demo.RPClientID)
				if err != nil {
					t.Fatal(err)
				}
				if err := run.app.Clients().Grant(context.Background(), run.accountID(t, signedInResident), rp,
					[]string{"openid", "profile"}); err != nil {
					t.Fatal(err)
				}
				f.open("/account/connected", "/account/connected")
				f.require("connected services", `form[action$="/revoke"]`)
				f.check("/account/connected")

				// The inbox, with a message of the platform's, its page, the
				// delivery preferences and the dashboard.
				msg := sendInboxMessage(t, run.app, run.accountID(t, signedInResident))
				f.open("/dashboard", "/dashboard")
				f.require("dashboard", `#card-messages a[href="/inbox/`+msg+`"]`)
				f.require("dashboard", `#card-assurance`)
				f.check("/dashboard")
				f.open("/inbox", "/inbox")
				f.require("inbox", `main tbody a[href="/inbox/`+msg+`"] .govuk-visually-hidden`)
				f.require("inbox", `nav a[href="/inbox"] [aria-hidden="true"]`)
				f.check("/inbox")
				f.open("/inbox/"+msg, "/inbox/"+msg)
				f.require("message", `main a[href*="/attachments/"]`)
				f.require("message", `form[action="/inbox/`+msg+`/archive"]`)
				f.check("/inbox/{id}")
				f.open("/account/messages", "/account/messages")
				f.require("message preferences", `form[action="/account/messages"] input[type=checkbox][disabled]`)
				f.check("/account/messages")

				f.open("/account", "/account")
				f.submit("set up an authenticator app", `form[action="/account/totp/begin"] button[type=submit]`)
				f.expectPath("/account/totp/begin")
				f.require("TOTP enrolment", `code.oa-secret`)
				f.require("TOTP enrolment", `form[action="/account/totp"] #code`)
				f.check("/account (TOTP enrolment form)")
			})

			t.Run("identity-verifier", func(t *testing.T) {
				f := run.newFlow(t, tag)
				f.signIn(signedInVerifier, true)
				f.open("/staff", "/staff")
				f.require("staff desk", `form[action="/staff"][role=search] #q`)
				f.check("/staff (identity verifier)")

				f.open("/staff?q="+signedInResidentDoc, "/staff")
				f.require("search results", `#results`)
				residentPath := f.href(`main a.govuk-link[href^="/staff/residents/"]`)
				if n := f.count(`main a.govuk-link[href^="/staff/residents/"]`); n != 1 {
					t.Errorf("search for %s (%s): %d results, want 1", signedInResidentDoc, tag, n)
				}
				f.check("/staff?q=" + signedInResidentDoc)

				// The level-2 resident found: purpose form, then the record.
				f.submit("follow the search result", `main a.govuk-link[href="`+residentPath+`"]`)
				f.expectPath(residentPath)
				f.require("purpose form", `form[action="`+residentPath+`"] #purpose`)
				f.check("/staff/residents/{id} (purpose form)")
				f.fill("#purpose", signedInPurpose)
				f.submit("open the record", `form[action="`+residentPath+`"] button[type=submit]`)
				f.expectPath(residentPath)
				f.require("resident record", `main dl.govuk-summary-list`)
				f.check("/staff/residents/{id} (record, level 2)")

				// The level-1 resident: the record has the verification form.
				level1Path := "/staff/residents/" + level1ID
				f.open(level1Path, level1Path)
				f.fill("#purpose", signedInPurpose)
				f.submit("open the record", `form[action="`+level1Path+`"] button[type=submit]`)
				f.expectPath(level1Path)
				f.require("level-1 resident record", `form[action="`+level1Path+`/verify"] #doc_number`)
				f.check("/staff/residents/{id} (record with the verify form)")
			})

			t.Run("entity-admin", func(t *testing.T) {
				f := run.newFlow(t, tag)
				f.signIn(signedInAdmin, true)
				f.open("/staff", "/staff")
				f.require("team table", `#team + table tbody tr`)
				f.require("role checkboxes", `form[action^="/staff/team/"] input[type=checkbox][name=role]`)
				f.require("add-staff form", `form[action="/staff/team"] select#role`)
				f.check("/staff (entity admin)")

				f.open("/staff/clients", "/staff/clients")
				f.require("client registration form", `form[action="/staff/clients"]`)
				f.check("/staff/clients (entity admin)")

				// The counter pages of the DSI headquarters, which DSI runs:
				// the day with its check-in form (and a check-in error), and
				// the closure form (with errors). The operator's page needs a
				// platform admin, and the demo has none.
				f.open("/staff/counter", "/staff/counter")
				f.require("branch list", `main a[href="/staff/counter/DSI-HQ"]`)
				f.check("/staff/counter")
				f.open("/staff/counter/DSI-HQ", "/staff/counter/DSI-HQ")
				f.require("check-in form", `form[action="/staff/counter/DSI-HQ/check-in"] input#reference[autofocus]`)
				f.require("day links", `nav.govuk-pagination a[rel=next]`)
				f.check("/staff/counter/DSI-HQ")
				f.fill("#reference", "zzzz-zzzz")
				f.submit("check in an unknown reference", `form[action="/staff/counter/DSI-HQ/check-in"] button[type=submit]`)
				f.expectPath("/staff/counter/DSI-HQ/check-in")
				f.require("check-in error", `.govuk-error-summary a[href="#reference"]`)
				f.require("check-in error", `#reference-error`)
				f.check("/staff/counter/DSI-HQ (check-in error)")
				f.submit("open the closure form", `main a[href^="/staff/counter/DSI-HQ/close"]`)
				f.expectPath("/staff/counter/DSI-HQ/close")
				f.require("closure form", `form[action="/staff/counter/DSI-HQ/close"] input#from_time[type=time]`)
				f.check("/staff/counter/DSI-HQ/close")
				f.submit("close without a time or reason", `form[action="/staff/counter/DSI-HQ/close"] button[type=submit]`)
				f.expectPath("/staff/counter/DSI-HQ/close")
				f.require("closure errors", `.govuk-error-summary a[href="#reason_en"]`)
				f.check("/staff/counter/DSI-HQ/close (with errors)")

				f.open("/staff/booking-rules", "/staff/booking-rules")
				rulesPath := f.href(`main a.govuk-link[href^="/staff/booking-rules?"]`)
				f.check("/staff/booking-rules")
				f.open(rulesPath, "/staff/booking-rules")
				f.require("rules form", `form[action^="/staff/booking-rules"] input#slot_minutes`)
				f.check("/staff/booking-rules?branch=&service=")
				f.fill("#slot_minutes", "3")
				f.submit("save a slot too short", `form[action^="/staff/booking-rules"] button[type=submit]`)
				f.expectPath("/staff/booking-rules")
				f.require("rules error", `.govuk-error-summary a[href="#slot_minutes"]`)
				f.check("/staff/booking-rules?branch=&service= (with an error)")
			})

			t.Run("platform-admin", func(t *testing.T) {
				f := run.newFlow(t, tag)
				f.signIn(signedInOperator, true)
				f.open("/staff/operator", "/staff/operator")
				f.require("signal No. 8 form", `form[action="/staff/operator"] input#raised_time[type=time]`)
				f.require("black rainstorm form", `form[action="/staff/operator"] input#rain_to_date[type=date]`)
				f.check("/staff/operator")
				// Lowered before it was raised: refused, nothing closes.
				// Date and time inputs take keystrokes by segment in the
				// browser's order, so their values are set directly.
				if !accountEval[bool](f.accountFlow, "fill in the signal's times", `(() => {
					const set = (id, v) => { document.getElementById(id).value = v };
					set('raised_time', '10:00');
					set('lowered_date', document.getElementById('raised_date').value);
					set('lowered_time', '09:00');
					return document.getElementById('lowered_date').value !== '' })()`) {
					t.Fatal("the signal form has no raised date")
				}
				f.submit("declare a signal lowered before it was raised", `form[action="/staff/operator"] button[type=submit]`)
				f.expectPath("/staff/operator")
				f.require("operator error", `.govuk-error-summary a[href="#lowered_date"]`)
				f.check("/staff/operator (with an error)")
			})
		})
	}
}

// startSignIn starts the demo relying party's authorization request and
// returns the consent page's path, where the browser stops.
func (f *signedInFlow) startSignIn() string {
	f.t.Helper()
	q := url.Values{"client_id": {demo.RPClientID}, "response_type": {"code"}, "redirect_uri": {demo.RPRedirectURI},
		"scope": {"openid profile email identity"}, "state": {"s"}, "nonce": {"n"}, "prompt": {"consent"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	ctx, cancel := context.WithTimeout(f.tab, accountStepTimeout)
	defer cancel()
	if _, err := openIn(ctx, f.base, f.tag, "/oidc/authorize?"+q.Encode()); err != nil {
		f.t.Fatalf("authorization request: %v", err)
	}
	u := f.location()
	if !strings.HasPrefix(u.Path, "/oidc/consent/") {
		f.t.Fatalf("authorization request ended on %s, want the consent page", u.RequestURI())
	}
	return u.Path
}

// TestSignedInKeyDetector checks, without a browser, what the untranslated
// key check of TestSignedInPagesAccessible flags: keys of en.json and
// key-like tokens of its namespaces, but not email addresses, URLs, paths,
// numbers or ordinary words.
func TestSignedInKeyDetector(t *testing.T) {
	keys := loadSignedInKeys(t)
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"Your level: account.level_title.", []string{"account.level_title"}},
		{"陳大文account.level_title。", []string{"account.level_title"}},
		{"(role.entity-admin)", []string{"role.entity-admin"}},
		{"Error: error.forbidden", []string{"error.forbidden (not in en.json either)"}},
		{"There is a problem\nrecovery.staff_needs_factor", []string{"recovery.staff_needs_factor (not in en.json either)"}},
		{"chan.tai.man@demo.oneaccount.mo account.title@example.mo", nil},
		{"see https://www.gov.mo/account.title and /static/passkey.js?v=1 or otpauth://totp/x", nil},
		{"127.0.0.1 · 1.2.3 · e.g. www.dsi.gov.mo · Level 2. Done.", nil},
		{"Conta Única – Balcão do pessoal", nil},
	} {
		if got := keys.untranslated(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("untranslated(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
