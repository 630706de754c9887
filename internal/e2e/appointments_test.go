package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The booking the demo resident makes in TestAppointmentBookingInPortuguese.
const (
	apptBranch  = "DSI-HQ"
	apptService = "DSI-BIR-RENEW"
	apptPath    = "/book/" + apptBranch + "/" + apptService
)

// apptDownload is what fetching the .ics link from the page gives.
type apptDownload struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"`
}

// TestAppointmentBookingInPortuguese books, in Portuguese, a BIR renewal
// at the DSI headquarters on the first day the calendar offers, as the demo
// resident: the calendar, the day's times, the booking's page with its
// reference and QR code, "As minhas marcações", the .ics file, and the
// cancellation. Every page is checked with axe-core and for untranslated
// keys.
func TestAppointmentBookingInPortuguese(t *testing.T) {
	began := time.Now()
	browser := newBrowser(t)
	a, base := startAccountSite(t)
	run := &signedInRun{base: base, app: a, browser: browser, keys: loadSignedInKeys(t),
		totp: &signedInTOTP{last: map[string]int64{}}, failed: map[string]bool{}}
	t.Cleanup(func() {
		t.Logf("%d pages checked in %s: %s", len(run.checked), time.Since(began).Round(time.Millisecond),
			strings.Join(run.checked, ", "))
	})
	f := run.newFlow(t, "pt")
	f.signIn(signedInResident, false)

	// The month calendar: the first day with a link is the first one with
	// places; when this month has none left, the next month has.
	f.open(apptPath, apptPath)
	f.require("calendar", `table#calendar caption`)
	if got := inboxText(f.accountFlow, "h1"); got != "Escolha um dia" {
		t.Errorf("calendar heading %q, want Escolha um dia", got)
	}
	f.check("calendar")
	if f.count(`#calendar a[data-date]`) == 0 {
		next := f.href(`a[rel=next]`)
		f.open(next, apptPath)
		f.check("calendar (next month)")
	}
	day := f.href(`#calendar a[data-date]`)
	dayText := inboxText(f.accountFlow, `#calendar a[data-date]`)
	if !strings.Contains(dayText, "Disponível (") || !strings.Contains(dayText, "lugares)") {
		t.Errorf("first available day says %q, want Disponível (N lugares)", dayText)
	}
	if n := f.count(`#calendar td [data-status="closed"]`); n == 0 {
		t.Error("the calendar shows no closed day (weekends are closed)")
	}

	// The day's times: choose the first one with a place left.
	f.open(day, apptPath)
	f.require("day's times", `form[action="`+apptPath+`"] input[type=radio][name=start]:not([disabled])`)
	f.require("idempotency key", `form[action="`+apptPath+`"] input[type=hidden][name=idem]`)
	f.check("times of the day")
	f.do("choose a time", chromedp.Click(chromedp.CSS(`input[type=radio][name=start]:not([disabled])`)))
	chosen := accountEval[string](f.accountFlow, "read the chosen time",
		`(document.querySelector('input[name=start]:checked') || {value: ''}).value`)
	if chosen == "" {
		t.Fatal("no time is chosen after clicking the first one")
	}
	f.submit("book", `form[action="`+apptPath+`"] button[type=submit]`)
	u := f.location()
	id := strings.TrimPrefix(u.Path, "/appointments/")
	if !strings.HasPrefix(u.Path, "/appointments/") || strings.Contains(id, "/") || u.Query().Get("booked") != "1" {
		t.Fatalf("after booking the browser is on %s, want /appointments/{id}?booked=1", u.RequestURI())
	}
	if got := inboxText(f.accountFlow, ".govuk-notification-banner--success"); !strings.Contains(got, "A sua marcação está feita") {
		t.Errorf("banner %q", got)
	}
	ref := inboxText(f.accountFlow, "#reference")
	if len(ref) != 9 || ref[4] != '-' {
		t.Fatalf("reference %q, want XXXX-XXXX", ref)
	}
	f.require("QR code", `main img[src^="data:image/png;base64,"][alt*="`+ref+`"]`)
	f.require("calendar file link", `a[href="/appointments/`+id+`/calendar.ics"]`)
	f.require("change time link", `a[href="`+apptPath+`?reschedule=`+id+`"]`)
	if got := inboxText(f.accountFlow, "main dl"); !strings.Contains(got, "Marcada") || !strings.Contains(got, " às ") {
		t.Errorf("details %q, want the status Marcada and the time in Portuguese", got)
	}
	f.check("appointment details")

	// The .ics file, fetched with the session cookie.
	dl := accountEval[apptDownload](f.accountFlow, "download the .ics",
		`fetch(document.querySelector('a[href$="/calendar.ics"]').href, {credentials: 'same-origin'}).then(async r => ({
			status: r.status, type: r.headers.get('content-type') || '', disposition: r.headers.get('content-disposition') || '',
			body: await r.text()}))`, chromedp.EvalAwaitPromise)
	if dl.Status != 200 || dl.Type != "text/calendar; charset=utf-8" || !strings.Contains(dl.Disposition, `filename="appointment-`+ref+`.ics"`) {
		t.Errorf(".ics download: %d %q %q", dl.Status, dl.Type, dl.Disposition)
	}
	unfolded := strings.ReplaceAll(dl.Body, "\r\n ", "")
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "BEGIN:VEVENT\r\n", "UID:" + id + "@", "SUMMARY:Renovação do BIR\r\n",
		"Referência: " + ref, "END:VCALENDAR\r\n"} {
		if !strings.Contains(unfolded, want) {
			t.Errorf(".ics lacks %q:\n%s", want, dl.Body)
		}
	}

	// As minhas marcações lists it among the upcoming ones.
	f.open("/appointments", "/appointments")
	if got := inboxText(f.accountFlow, "h1"); got != "As minhas marcações" {
		t.Errorf("heading %q, want As minhas marcações", got)
	}
	if got := inboxText(f.accountFlow, `table[aria-labelledby=upcoming]`); !strings.Contains(got, ref) || !strings.Contains(got, "Marcada") {
		t.Errorf("upcoming table %q lacks %s, Marcada", got, ref)
	}
	f.check("my appointments")

	// Cancel it, after the confirmation page.
	f.open("/appointments/"+id, "/appointments/"+id)
	f.submit("go to the cancellation", `a[href="/appointments/`+id+`/cancel"]`)
	f.expectPath("/appointments/" + id + "/cancel")
	f.check("cancel confirmation")
	f.submit("cancel", `form[action="/appointments/`+id+`/cancel"] button[type=submit]`)
	u = f.expectPath("/appointments/" + id)
	if u.Query().Get("cancelled") != "1" {
		t.Errorf("after cancelling the browser is on %s", u.RequestURI())
	}
	if got := inboxText(f.accountFlow, ".govuk-notification-banner--success"); !strings.Contains(got, "cancelada") {
		t.Errorf("banner %q", got)
	}
	if f.count(`a[href="/appointments/`+id+`/cancel"]`) != 0 {
		t.Error("the cancelled booking still offers to cancel")
	}
	f.open("/appointments", "/appointments")
	if got := inboxText(f.accountFlow, `table[aria-labelledby=past]`); !strings.Contains(got, ref) || !strings.Contains(got, "Cancelada") {
		t.Errorf("past table %q lacks %s, Cancelada", got, ref)
	}
	if f.count(`table[aria-labelledby=upcoming]`) != 0 {
		t.Error("the cancelled booking is still upcoming")
	}
	f.check("my appointments (cancelled)")

	// The place is free again: the same time can be chosen.
	f.open(day, apptPath)
	if n := f.count(`input[name=start][value="` + chosen + `"]:not([disabled])`); n != 1 {
		t.Errorf("the cancelled time %s is not offered again", chosen)
	}
}
