package e2e

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/demo"
	"github.com/oneaccount/oneaccount/internal/directory"
)

// The branch, queue, counter and staff member of TestQueueTicketGoesLive.
const (
	queueBranch  = "DSI-HQ"
	queueCounter = queueBranch + ".DSI-01"
	queueStaff   = "counter-agent.dsi@demo.oneaccount.mo"
	// queueMarker is set on a page's window; finding it later proves the
	// page was not reloaded.
	queueMarker = `window.__oaNoReload`
)

// startQueueSite builds the platform with --demo on a fresh SQLite
// database, its clock moved to Wednesday 4 March 2026 at 10:00 in Macao
// and running from there, so DSI-HQ is open and issues tickets whatever
// the hour the test runs at, with settings added by args. It returns the
// app, its URL and its clock.
func startQueueSite(t *testing.T, args ...string) (*app.App, string, func() time.Time) {
	t.Helper()
	loc, err := directory.LoadLocation(directory.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	offset := time.Until(time.Date(2026, 3, 4, 10, 0, 0, 0, loc))
	now := func() time.Time { return time.Now().Add(offset) }
	a := buildAppAt(t, now, append([]string{"--db", "sqlite:" + filepath.Join(t.TempDir(), "queue.db"), "--demo"}, args...)...)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return a, srv.URL, now
}

// newQueueFlow is newFlow with the whole test's time for the tab: the
// ticket page and the board stay open while the staff member signs in.
func (r *signedInRun) newQueueFlow(t *testing.T, tag string) *signedInFlow {
	t.Helper()
	ctx, cancelTimeout := context.WithTimeout(r.browser, overallTimeout)
	t.Cleanup(cancelTimeout)
	tab, cancelTab := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab in a new browser context: %v", err)
	}
	return &signedInFlow{accountFlow: &accountFlow{t: t, tab: tab, base: r.base, app: r.app}, run: r, tag: tag}
}

// waitFor polls a JavaScript expression in the flow's tab until it is
// truthy, and fails the test with what after timeout.
func (f *signedInFlow) waitFor(what, expr string, timeout time.Duration) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.tab, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond),
		chromedp.WithPollingTimeout(timeout))); err != nil {
		f.t.Fatalf("%s (%s): not within %s: %v", what, f.tag, timeout, err)
	}
}

// live waits until the page's event stream is open, and marks the page.
func (f *signedInFlow) live(what string) {
	f.t.Helper()
	f.waitFor(what+": event stream open", `document.documentElement.getAttribute('data-queue-live') === 'live'`, 20*time.Second)
	accountEval[bool](f.accountFlow, "mark the page", queueMarker+` = true`)
}

// notReloaded fails the test if the page was loaded again since live.
func (f *signedInFlow) notReloaded(what string) {
	f.t.Helper()
	if !accountEval[bool](f.accountFlow, "look for the mark", queueMarker+` === true`) {
		f.t.Errorf("%s (%s): the page was reloaded", what, f.tag)
	}
}

// signInStaff signs the demo counter agent in, with a TOTP code of the
// site's clock.
func (f *signedInFlow) signInStaff(now func() time.Time) {
	f.t.Helper()
	f.open("/login", "/login")
	f.fill("#username", queueStaff)
	f.fill("#password", demo.Password)
	f.submit("sign in as "+queueStaff, `form[action="/login"] button[type=submit]`)
	f.expectPath("/login/mfa")
	code, err := totp.GenerateCode(demo.StaffTOTPSecret, now())
	if err != nil {
		f.t.Fatal(err)
	}
	f.fill("#code", code)
	f.submit("second factor", `form[action="/login/mfa"] button[type=submit]`)
	f.expectPath("/account")
}

// TestQueueTicketGoesLive takes a ticket at the kiosk, follows it on its
// ticket page (in Portuguese, as on a phone) and on the display board (in
// Chinese), and has the counter agent call it from the workstation with
// the N key: the ticket page then says where to go, and the board shows
// the call, both without a reload. Every page is checked with axe-core
// and for untranslated keys, the public ones in all three languages.
func TestQueueTicketGoesLive(t *testing.T) {
	began := time.Now()
	browser := newBrowser(t)
	a, base, now := startQueueSite(t)
	run := &signedInRun{base: base, app: a, browser: browser, keys: loadSignedInKeys(t), failed: map[string]bool{}}
	t.Cleanup(func() {
		t.Logf("%d pages checked in %s: %s", len(run.checked), time.Since(began).Round(time.Millisecond),
			strings.Join(run.checked, ", "))
	})

	// The kiosk: a queue, the priority, the printed ticket.
	k := run.newQueueFlow(t, "en")
	k.open("/kiosk/"+queueBranch+"?lang=en", "/kiosk/"+queueBranch)
	k.check("kiosk")
	k.submit("choose queue A", `a.oa-kiosk__queue[href*="queue=A"]`)
	k.expectPath("/kiosk/" + queueBranch + "/take")
	k.check("kiosk options")
	k.do("choose 65 or over", chromedp.Click(chromedp.CSS(`label[for="class-elderly"]`)))
	k.submit("take the ticket", `form[action="/kiosk/`+queueBranch+`/tickets"] button[type=submit]`)
	u := k.location()
	if !strings.HasPrefix(u.Path, "/kiosk/"+queueBranch+"/tickets/") {
		t.Fatalf("after taking a ticket the kiosk is on %s", u.RequestURI())
	}
	number := inboxText(k.accountFlow, "#ticket-number")
	if len(number) != 4 || number[0] != 'A' {
		t.Fatalf("ticket number %q, want A and three digits", number)
	}
	k.require("QR code", `img.oa-kiosk__qr[src^="data:image/png;base64,"][alt*="`+number+`"]`)
	k.check("kiosk ticket")
	link, err := url.Parse(k.href("#ticket-link"))
	if err != nil || !strings.HasPrefix(link.Path, "/tickets/") {
		t.Fatalf("the ticket's link %q (%v)", link, err)
	}

	// The ticket page, as the QR code opens it on a phone.
	tp := run.newQueueFlow(t, "pt")
	tp.open(link.Path, link.Path)
	if got := inboxText(tp.accountFlow, "#ticket-number"); got != number {
		t.Errorf("ticket page number %q, want %q", got, number)
	}
	if got := inboxText(tp.accountFlow, "#ticket-status"); got != "À espera" {
		t.Errorf("ticket status %q, want À espera", got)
	}
	tp.live("ticket page")
	// The first event (the branch's status) rewrites the time of the
	// update: Macao's (the site's clock runs from 10:00 there), whatever
	// the browser's time zone.
	tp.waitFor("first event handled", `Number(document.documentElement.getAttribute('data-queue-events')) >= 1`, 10*time.Second)
	if got := inboxText(tp.accountFlow, "#ticket-at"); !strings.HasPrefix(got, "10:") {
		t.Errorf("ticket page updated at %q, want Macao's 10:xx", got)
	}
	tp.check("ticket page")

	// The display board.
	board := run.newQueueFlow(t, "zh-Hant")
	board.open("/board/"+queueBranch, "/board/"+queueBranch)
	board.live("board")
	board.check("board")
	// Turn the sound on, as staff do once on the TV, and record what the
	// board would say: speech synthesis is stubbed, the rest is the page's.
	board.do("turn the sound on", chromedp.Click(chromedp.CSS("#board-sound")))
	accountEval[bool](board.accountFlow, "record speech", `(() => { window.__spoken = [];
		window.speechSynthesis.speak = (u) => { window.__spoken.push({lang: u.lang, text: u.text}); };
		return document.getElementById('board-sound').getAttribute('aria-pressed') === 'true'; })()`)

	// The public live status.
	status := run.newQueueFlow(t, "en")
	status.open("/branches/"+queueBranch+"/queue", "/branches/"+queueBranch+"/queue")
	status.live("live status")

	// The counter agent opens DSI-01 and presses N.
	st := run.newQueueFlow(t, "en")
	st.signInStaff(now)
	st.open("/staff/counters", "/staff/counters")
	st.check("your counters")
	st.open("/staff/counters/"+queueCounter, "/staff/counters/"+queueCounter)
	st.submit("open the counter", `#counter-toggle`)
	st.require("call next button", `#call-next[data-key="n"]`)
	st.check("workstation")
	st.live("workstation")
	ctx, cancel := context.WithTimeout(st.tab, accountStepTimeout)
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent("n")); err != nil {
		t.Fatalf("press N: %v", err)
	}
	cancel()
	if q := st.location().Query(); q.Get("done") != "call-next" || q.Get("number") != number {
		t.Fatalf("after N the workstation is on %s, want done=call-next&number=%s", st.location().RequestURI(), number)
	}
	if got := inboxText(st.accountFlow, "#current-number"); got != number {
		t.Errorf("serving %q, want %q", got, number)
	}
	st.check("workstation (serving)")

	// The ticket page and the board follow without a reload.
	tp.waitFor("ticket page shows the call", `(() => { const e = document.getElementById('ticket-live');
		return !!e && e.dataset.status === 'called' && e.innerText.includes('Balcão 1 (DSI)') })()`, 15*time.Second)
	tp.notReloaded("ticket page")
	tp.check("ticket page (called)")
	quoted, _ := json.Marshal(number)
	board.waitFor("board shows the call", `(() => { const e = document.querySelector('#board-calls tr.oa-board__latest .oa-board__number');
		return !!e && e.textContent.trim() === `+string(quoted)+` })()`, 15*time.Second)
	board.notReloaded("board")
	if got := inboxText(board.accountFlow, "#board-calls tr.oa-board__latest .oa-board__counter"); !strings.Contains(got, "DSI 1號櫃檯") {
		t.Errorf("board's counter %q, want DSI 1號櫃檯", got)
	}
	board.check("board (called)")
	// The call is spoken in Cantonese, Portuguese and English, the number
	// letter by letter.
	board.waitFor("board speaks the call", `(window.__spoken || []).length >= 3`, 15*time.Second)
	spoken := accountEval[[]map[string]string](board.accountFlow, "what was said", `window.__spoken`)
	spelled := strings.Join(strings.Split(number, ""), " ")
	for i, lang := range []string{"zh-HK", "pt-PT", "en-GB"} {
		if i >= len(spoken) || spoken[i]["lang"] != lang || !strings.Contains(spoken[i]["text"], spelled) {
			t.Errorf("utterance %d = %v, want %s saying %q", i, spoken, lang, spelled)
			break
		}
	}
	status.waitFor("live status shows the call", `(() => { const e = document.querySelector('tr[data-queue="A"] [data-field="now_serving"]');
		return !!e && e.textContent.trim() === `+string(quoted)+` })()`, 15*time.Second)
	status.notReloaded("live status")

	// A second kiosk ticket joins the workstation's waiting list live.
	st.live("workstation (serving)")
	k.open("/kiosk/"+queueBranch+"?lang=en", "/kiosk/"+queueBranch)
	k.submit("choose queue A again", `a.oa-kiosk__queue[href*="queue=A"]`)
	k.submit("take a second ticket", `form[action="/kiosk/`+queueBranch+`/tickets"] button[type=submit]`)
	second := inboxText(k.accountFlow, "#ticket-number")
	quoted2, _ := json.Marshal(second)
	st.waitFor("workstation lists the second ticket", `(() => { const e = document.getElementById('ws-lists');
		return !!e && Array.from(e.querySelectorAll('td.oa-ws__number'), td => td.textContent.trim()).includes(`+string(quoted2)+`) })()`, 15*time.Second)
	st.notReloaded("workstation")

	// The statistics of the day, for the staff member.
	st.open("/staff/queue-stats/"+queueBranch, "/staff/queue-stats/"+queueBranch)
	st.require("a chart", `svg.oa-chart[role=img]`)
	st.check("queue statistics")

	// The public pages in every language.
	for _, tag := range languages {
		f := run.newFlow(t, tag)
		f.open("/branches/"+queueBranch+"/queue", "/branches/"+queueBranch+"/queue")
		f.check("live status")
		f.open("/branches/"+queueBranch+"/tickets", "/branches/"+queueBranch+"/tickets")
		f.check("take a ticket (signed out)")
		if tag != "en" {
			f.open("/kiosk/"+queueBranch+"?lang="+tag, "/kiosk/"+queueBranch)
			f.check("kiosk")
		}
	}
}

// TestQueueBoardReconnects: a board refused a stream (the node at its
// --max-streams) says it is reconnecting, keeps trying with its backoff,
// and goes live once a stream is free, without a reload.
func TestQueueBoardReconnects(t *testing.T) {
	browser := newBrowser(t)
	a, base, _ := startQueueSite(t, "--max-streams", "1")
	run := &signedInRun{base: base, app: a, browser: browser, keys: loadSignedInKeys(t), failed: map[string]bool{}}

	status := run.newQueueFlow(t, "en")
	status.open("/branches/"+queueBranch+"/queue", "/branches/"+queueBranch+"/queue")
	status.live("live status (the node's one stream)")

	board := run.newQueueFlow(t, "en")
	board.open("/board/"+queueBranch, "/board/"+queueBranch)
	board.waitFor("board refused a stream says so", `document.documentElement.getAttribute('data-queue-live') === 'reconnecting' &&
		document.getElementById('board-state').textContent.includes('Reconnecting')`, 10*time.Second)
	accountEval[bool](board.accountFlow, "mark the board", queueMarker+` = true`)

	status.do("leave the status page", chromedp.Navigate("about:blank"))
	board.waitFor("board goes live once a stream is free", `document.documentElement.getAttribute('data-queue-live') === 'live' &&
		document.getElementById('board-state').textContent === ''`, 40*time.Second)
	board.notReloaded("board")
}
