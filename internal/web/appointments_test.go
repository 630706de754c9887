package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// apptNow is Monday 2 March 2026, 10:00 in Macao: with the default rules
// the window runs from Tuesday 3 March to Wednesday 1 April.
var apptNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("MO", 8*3600))

// apptSite is the web layer with accounts, the inbox and bookings over
// SQLite with the Macao directory. DSI-HQ books DSI-BIR-RENEW with one
// place per 15-minute slot.
type apptSite struct {
	*orgSite
	appts *appointments.Service
	loc   *time.Location
}

func newApptSite(t *testing.T) *apptSite {
	t.Helper()
	return newApptSiteWith(t, nil)
}

// newApptSiteWith is newApptSite with more options set by extra (given
// the store) before the web layer is built.
func newApptSiteWith(t *testing.T, extra func(*Options, *sqlstore.Store)) *apptSite {
	t.Helper()
	ctx := context.Background()
	b := newSiteBase(t, apptNow)
	st := b.st
	appts := appointments.New(st, b.dir, b.msgs, b.now, nil)
	r := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 1)
	r.Documents = lang.Text{ZhHant: "居民身份證", Pt: "BIR; fotografia, recente", En: "Your BIR; a recent photo, in colour"}
	if err := st.SetAppointmentRules(ctx, r, "test", apptNow); err != nil {
		t.Fatal(err)
	}
	opt := Options{Directory: b.dir, Log: b.log, Identity: b.ids, Messages: b.msgs, Appointments: appts}
	if extra != nil {
		extra(&opt, st)
	}
	w, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Mount(mux)
	return &apptSite{orgSite: b.orgSite(mux), appts: appts, loc: b.loc}
}

// at is a time on 2026-03-DD in Macao.
func (s *apptSite) at(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, s.loc)
}

// bookAs books DSI-BIR-RENEW at DSI-HQ through the service.
func (s *apptSite) bookAs(t *testing.T, u *orgUser, start time.Time) appointments.Appointment {
	t.Helper()
	ap, _, err := s.appts.Book(context.Background(), u.Account, appointments.Request{Branch: "DSI-HQ",
		Service: "DSI-BIR-RENEW", Start: start})
	if err != nil {
		t.Fatalf("book %v: %v", start, err)
	}
	return ap
}

// staff stores a signed-in staff member.
func (s *apptSite) staff(t *testing.T) *orgUser {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	a, err := s.st.CreateAccount(ctx, identity.Account{ID: identity.NewID(), Kind: identity.Staff, NameLatin: "agent",
		Email: contact.Email("agent@gov.example.mo"), PasswordHash: "x", Entity: "DSI", Roles: []identity.Role{identity.CounterAgent},
		TOTPSecret: "JBSWY3DPEHPK3PXP", Lang: lang.En, CreatedAt: now, UpdatedAt: now}, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	token := identity.NewToken()
	err = s.st.CreateSession(ctx, identity.Session{IDHash: identity.HashToken(token), AccountID: a.ID,
		State: identity.StateActive, AMR: []string{"pwd", "otp"}, CreatedAt: now, AuthAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return &orgUser{Account: a, cookie: token}
}

func TestAppointmentsOfAnotherResidentAreNotFound(t *testing.T) {
	s := newApptSite(t)
	ana, bo := s.person(t, "ana", identity.Level1), s.person(t, "bo", identity.Level1)
	ap := s.bookAs(t, ana, s.at(3, 9, 30))

	for _, p := range []string{"/appointments/" + ap.ID, "/appointments/" + ap.ID + "/calendar.ics", "/appointments/" + ap.ID + "/cancel",
		"/book/DSI-HQ/DSI-BIR-RENEW?reschedule=" + ap.ID} {
		expect(t, "bo GET "+p, s.do(t, bo, "GET", p, nil), http.StatusNotFound)
	}
	expect(t, "bo cancels", s.do(t, bo, "POST", "/appointments/"+ap.ID+"/cancel", url.Values{}), http.StatusNotFound)
	expect(t, "bo moves", s.do(t, bo, "POST", "/appointments/"+ap.ID+"/reschedule",
		url.Values{"start": {s.at(3, 10, 0).Format(time.RFC3339)}}), http.StatusNotFound)
	if got, err := s.appts.Get(context.Background(), ana.Account, ap.ID); err != nil || !got.Start.Equal(ap.Start) || !got.Active() {
		t.Errorf("after bo's tries, ana's booking is %+v (%v)", got, err)
	}

	// The owner sees it, and gets its calendar file.
	expect(t, "ana", s.do(t, ana, "GET", "/appointments/"+ap.ID, nil), http.StatusOK, ap.Reference, "BIR renewal",
		"Tuesday 3 March 2026, 09:30–09:45", "Your BIR; a recent photo, in colour", `src="data:image/png;base64,`,
		`href="/appointments/`+ap.ID+`/calendar.ics"`, `href="/book/DSI-HQ/DSI-BIR-RENEW?reschedule=`+ap.ID+`"`)
	rec := s.do(t, ana, "GET", "/appointments/"+ap.ID+"/calendar.ics", nil)
	ics := expect(t, "ana's ics", rec, http.StatusOK, "BEGIN:VCALENDAR\r\n", "UID:"+ap.ID+"@example.com\r\n",
		"DTSTART:20260303T013000Z\r\n", "DTEND:20260303T014500Z\r\n", "SUMMARY:BIR renewal\r\n", ap.Reference,
		"END:VCALENDAR\r\n")
	if ct := rec.Header().Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("ics Content-Type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="appointment-`+ap.Reference+`.ics"` {
		t.Errorf("ics Content-Disposition %q", cd)
	}
	checkICSLines(t, ics)
	if !strings.Contains(strings.ReplaceAll(ics, "\r\n ", ""), `\nDocuments to bring: Your BIR\; a recent photo\, in colour`) {
		t.Errorf("the ics description lacks the documents:\n%s", ics)
	}

	// Signed out: to the sign-in page; staff: refused.
	location(t, s.do(t, nil, "GET", "/appointments", nil), "/login?next=/appointments")
	staff := s.staff(t)
	for _, p := range []string{"/appointments", "/appointments/" + ap.ID, "/book", "/book/DSI-HQ/DSI-BIR-RENEW"} {
		expect(t, "staff GET "+p, s.do(t, staff, "GET", p, nil), http.StatusForbidden)
	}
}

// attr is s as html/template writes it in an attribute.
func attr(s string) string { return strings.ReplaceAll(s, "+", "&#43;") }

// checkICSLines checks that every line of an iCalendar file ends with
// CRLF and holds at most 75 octets.
func checkICSLines(t *testing.T, ics string) {
	t.Helper()
	if !strings.HasSuffix(ics, "\r\n") {
		t.Error("the file does not end with CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(line) > 75 || strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d (%d octets): %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d splits a UTF-8 character: %q", i+1, line)
		}
	}
}

func TestBookingAFullSlotShowsSlotFull(t *testing.T) {
	s := newApptSite(t)
	ana, bo := s.person(t, "ana", identity.Level1), s.person(t, "bo", identity.Level1)
	start := s.at(3, 9, 0).Format(time.RFC3339)

	// The day's times, with a key against double submission.
	body := expect(t, "day", s.do(t, ana, "GET", "/book/DSI-HQ/DSI-BIR-RENEW?date=2026-03-03", nil), http.StatusOK,
		`action="/book/DSI-HQ/DSI-BIR-RENEW"`, `value="`+attr(start)+`"`, "09:00–09:15 (1 place left)", "Book this time")
	m := regexp.MustCompile(`name="idem" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the form has no idem field")
	}
	form := url.Values{"start": {start}, "idem": {m[1]}, "date": {"2026-03-03"}}
	loc := location(t, s.do(t, ana, "POST", "/book/DSI-HQ/DSI-BIR-RENEW", form), "/appointments/")
	if !strings.HasSuffix(loc, "?booked=1") {
		t.Errorf("booked: to %s", loc)
	}
	// The same form sent twice books once.
	if again := location(t, s.do(t, ana, "POST", "/book/DSI-HQ/DSI-BIR-RENEW", form), "/appointments/"); again != loc {
		t.Errorf("the second submission went to %s, want %s", again, loc)
	}
	if mine, _ := s.appts.Mine(context.Background(), ana.Account); len(mine) != 1 {
		t.Errorf("ana has %d bookings, want 1", len(mine))
	}
	expect(t, "booked", s.do(t, ana, "GET", strings.TrimPrefix(loc, "http://example.com"), nil), http.StatusOK,
		"Your appointment is booked")

	// Bo's page, rendered before ana booked, offers the time; it is full now.
	body = expect(t, "bo books the full slot", s.do(t, bo, "POST", "/book/DSI-HQ/DSI-BIR-RENEW",
		url.Values{"start": {start}, "idem": {"bo-1"}, "date": {"2026-03-03"}}), http.StatusConflict,
		"There is a problem", "That time is fully booked. Choose another time.", `href="#start"`, `id="start-error"`,
		"09:00–09:15 (full)")
	if !strings.Contains(body, `<title>Error:`) {
		t.Error("the error page's title does not start with Error:")
	}
	if input := regexp.MustCompile(`value="` + regexp.QuoteMeta(attr(start)) + `"[^>]*>`).FindString(body); !strings.Contains(input, "disabled") {
		t.Errorf("the full time is not disabled: %q", input)
	}
	// In Portuguese.
	expect(t, "pt", s.do(t, bo, "POST", "/book/DSI-HQ/DSI-BIR-RENEW",
		url.Values{"start": {start}, "date": {"2026-03-03"}}, "Cookie", "lang=pt"), http.StatusConflict,
		"Há um problema", "09:00–09:15 (esgotado)")

	// No time chosen; a time that is no slot.
	expect(t, "no time", s.do(t, bo, "POST", "/book/DSI-HQ/DSI-BIR-RENEW", url.Values{"date": {"2026-03-03"}}),
		http.StatusUnprocessableEntity, "Choose a time.")
	expect(t, "not a slot", s.do(t, bo, "POST", "/book/DSI-HQ/DSI-BIR-RENEW",
		url.Values{"start": {s.at(3, 9, 7).Format(time.RFC3339)}, "date": {"2026-03-03"}}),
		http.StatusUnprocessableEntity, "There is no bookable time then.")

	// One active booking per service: ana cannot book a second.
	expect(t, "limit", s.do(t, ana, "POST", "/book/DSI-HQ/DSI-BIR-RENEW",
		url.Values{"start": {s.at(4, 9, 0).Format(time.RFC3339)}, "date": {"2026-03-04"}}), http.StatusConflict,
		"You already hold the bookings this service allows.")
}

func TestBookingCalendarWithoutJavaScript(t *testing.T) {
	s := newApptSite(t)
	ana := s.person(t, "ana", identity.Level1)
	ctx := context.Background()
	// A closure takes Wednesday 4 March.
	if _, err := s.st.AddClosure(ctx, directory.Closure{Branch: "DSI-HQ", Starts: s.at(4, 0, 0), Ends: s.at(5, 0, 0),
		Reason: lang.Text{ZhHant: "培訓", Pt: "Formação", En: "Training"}}); err != nil {
		t.Fatal(err)
	}
	body := expect(t, "calendar", s.do(t, ana, "GET", "/book/DSI-HQ/DSI-BIR-RENEW", nil), http.StatusOK,
		"March 2026", "Monday", "Your BIR; a recent photo, in colour", "Assurance level needed to book: 1",
		`href="/book/DSI-HQ/DSI-BIR-RENEW?month=2026-04"`, "Next month")
	if strings.Contains(body, "<script") {
		t.Error("the calendar page has a script")
	}
	if strings.Contains(body, "Previous month") {
		t.Error("the calendar offers a month before the booking window")
	}
	cell := func(body, date string) string {
		t.Helper()
		i := strings.Index(body, "<span class=\"govuk-visually-hidden\">"+date+"</span>")
		if i < 0 {
			t.Fatalf("no cell for %s", date)
		}
		j := strings.Index(body[i:], "</td>")
		return body[i : i+j]
	}
	for date, want := range map[string]string{
		"Monday 2 March 2026":     "Not bookable",
		"Tuesday 3 March 2026":    "Available (36 places)",
		"Wednesday 4 March 2026":  "Closed",
		"Saturday 7 March 2026":   "Closed",
		"Tuesday 31 March 2026":   "Available (36 places)",
		"Thursday 5 March 2026":   "Available (36 places)",
		"Sunday 1 March 2026":     "Not bookable",
		"Wednesday 25 March 2026": "Available (36 places)",
	} {
		if c := cell(body, date); !strings.Contains(c, want) {
			t.Errorf("%s: cell %q, want %q", date, c, want)
		}
	}
	if !strings.Contains(body, `href="/book/DSI-HQ/DSI-BIR-RENEW?date=2026-03-03"`) ||
		strings.Contains(body, `href="/book/DSI-HQ/DSI-BIR-RENEW?date=2026-03-07"`) ||
		strings.Contains(body, `href="/book/DSI-HQ/DSI-BIR-RENEW?date=2026-03-04"`) {
		t.Error("the links go to the wrong days")
	}
	// Weeks start on Monday: 1 March 2026 is a Sunday, the seventh cell.
	if n := strings.Count(body[:strings.Index(body, "Sunday 1 March 2026")], `<td class="govuk-table__cell">`); n != 7 {
		t.Errorf("1 March is in cell %d, want 7", n)
	}

	// April: a day past the window is not yet bookable.
	april := expect(t, "april", s.do(t, ana, "GET", "/book/DSI-HQ/DSI-BIR-RENEW?month=2026-04", nil), http.StatusOK,
		"April 2026", "Previous month")
	if c := cell(april, "Wednesday 1 April 2026"); !strings.Contains(c, "Available") {
		t.Errorf("1 April: %q", c)
	}
	if c := cell(april, "Thursday 2 April 2026"); !strings.Contains(c, "Not yet bookable") {
		t.Errorf("2 April: %q", c)
	}
	if strings.Contains(april, "Next month") {
		t.Error("April offers a month after the window")
	}
	expect(t, "pt", s.do(t, ana, "GET", "/book/DSI-HQ/DSI-BIR-RENEW?month=2026-03", nil, "Cookie", "lang=pt"),
		http.StatusOK, "março de 2026", "Disponível (36 lugares)", "Encerrado", "Documentos a trazer")

	// A closed day lists no time; bad parameters are refused.
	expect(t, "closed day", s.do(t, ana, "GET", "/book/DSI-HQ/DSI-BIR-RENEW?date=2026-03-04", nil), http.StatusOK,
		"No time can be booked on this day.")
	expect(t, "bad month", s.do(t, ana, "GET", "/book/DSI-HQ/DSI-BIR-RENEW?month=2026-13", nil), http.StatusBadRequest)
	expect(t, "bad date", s.do(t, ana, "GET", "/book/DSI-HQ/DSI-BIR-RENEW?date=2026-02-30", nil), http.StatusBadRequest)
	expect(t, "no rules", s.do(t, ana, "GET", "/book/DSI-HQ/DSI-PASSPORT", nil), http.StatusNotFound)

	// Choosing the service, then the branch.
	expect(t, "services", s.do(t, ana, "GET", "/book", nil), http.StatusOK, "Identification Services Bureau",
		`href="/book?service=DSI-BIR-RENEW"`, "Financial Services Bureau")
	expect(t, "branches", s.do(t, ana, "GET", "/book?service=DSI-BIR-RENEW", nil), http.StatusOK,
		`href="/book/DSI-HQ/DSI-BIR-RENEW"`)
	expect(t, "unknown service", s.do(t, ana, "GET", "/book?service=NOPE", nil), http.StatusNotFound)
}

func TestBookingNeedsTheServiceLevel(t *testing.T) {
	s := newApptSite(t)
	r := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 1)
	r.Level = 2
	if err := s.st.SetAppointmentRules(context.Background(), r, "test", apptNow); err != nil {
		t.Fatal(err)
	}
	ana := s.person(t, "ana", identity.Level1)
	loc := location(t, s.do(t, ana, "GET", "/book/DSI-HQ/DSI-BIR-RENEW?date=2026-03-03", nil), "/step-up?")
	if want := "/step-up?level=2&next=%2Fbook%2FDSI-HQ%2FDSI-BIR-RENEW%3Fdate%3D2026-03-03"; loc != want {
		t.Errorf("step-up %s, want %s", loc, want)
	}
	location(t, s.do(t, ana, "POST", "/book/DSI-HQ/DSI-BIR-RENEW",
		url.Values{"start": {s.at(3, 9, 0).Format(time.RFC3339)}, "date": {"2026-03-03"}}), "/step-up?level=2&")
	bo := s.person(t, "bo", identity.Level2)
	expect(t, "level 2", s.do(t, bo, "GET", "/book/DSI-HQ/DSI-BIR-RENEW", nil), http.StatusOK, "Assurance level needed to book: 2")
}

func TestRescheduleCancelAndList(t *testing.T) {
	s := newApptSite(t)
	ana := s.person(t, "ana", identity.Level1)
	ap := s.bookAs(t, ana, s.at(3, 9, 30))
	s.bookAs(t, s.person(t, "bo", identity.Level1), s.at(5, 11, 0))

	// Change the time: the day's page posts to the booking's reschedule.
	expect(t, "reschedule day", s.do(t, ana, "GET", "/book/DSI-HQ/DSI-BIR-RENEW?reschedule="+ap.ID+"&date=2026-03-05", nil),
		http.StatusOK, `action="/appointments/`+ap.ID+`/reschedule"`, "Change to this time", "You are changing the time of appointment "+ap.Reference)
	expect(t, "reschedule into a full slot", s.do(t, ana, "POST", "/appointments/"+ap.ID+"/reschedule",
		url.Values{"start": {s.at(5, 11, 0).Format(time.RFC3339)}, "date": {"2026-03-05"}}), http.StatusConflict,
		"That time is fully booked.")
	loc := location(t, s.do(t, ana, "POST", "/appointments/"+ap.ID+"/reschedule",
		url.Values{"start": {s.at(5, 10, 0).Format(time.RFC3339)}, "date": {"2026-03-05"}}), "/appointments/"+ap.ID)
	if !strings.HasSuffix(loc, "?rescheduled=1") {
		t.Errorf("rescheduled: to %s", loc)
	}
	expect(t, "moved", s.do(t, ana, "GET", "/appointments/"+ap.ID+"?rescheduled=1", nil), http.StatusOK,
		"The time of your appointment has changed.", "Thursday 5 March 2026, 10:00–10:15")

	// The dashboard card lists it.
	expect(t, "dashboard", s.do(t, ana, "GET", "/dashboard", nil), http.StatusOK, `id="card-appointments"`,
		"Upcoming appointments", `href="/appointments/`+ap.ID+`"`, "Thursday 5 March 2026, 10:00")

	// Cancel: a confirmation page, then the booking is cancelled.
	expect(t, "confirm", s.do(t, ana, "GET", "/appointments/"+ap.ID+"/cancel", nil), http.StatusOK,
		"Cancel this appointment?", `action="/appointments/`+ap.ID+`/cancel"`)
	loc = location(t, s.do(t, ana, "POST", "/appointments/"+ap.ID+"/cancel", url.Values{}), "/appointments/"+ap.ID)
	if !strings.HasSuffix(loc, "?cancelled=1") {
		t.Errorf("cancelled: to %s", loc)
	}
	body := expect(t, "cancelled", s.do(t, ana, "GET", "/appointments/"+ap.ID+"?cancelled=1", nil), http.StatusOK,
		"Your appointment is cancelled.", "Cancelled")
	if strings.Contains(body, `/appointments/`+ap.ID+`/cancel"`) {
		t.Error("a cancelled booking still offers to cancel")
	}
	location(t, s.do(t, ana, "GET", "/appointments/"+ap.ID+"/cancel", nil), "/appointments/"+ap.ID)
	expect(t, "cancel twice", s.do(t, ana, "POST", "/appointments/"+ap.ID+"/cancel", url.Values{}), http.StatusConflict,
		"This booking is no longer active.")

	// My appointments: upcoming first, then the cancelled one.
	next := s.bookAs(t, ana, s.at(6, 9, 0))
	body = expect(t, "list", s.do(t, ana, "GET", "/appointments", nil), http.StatusOK, "My appointments",
		`href="/book"`, "Upcoming", "Past and cancelled", next.Reference, ap.Reference)
	if strings.Index(body, next.Reference) > strings.Index(body, ap.Reference) {
		t.Error("the cancelled booking is listed before the upcoming one")
	}
	expect(t, "list pt", s.do(t, ana, "GET", "/appointments", nil, "Cookie", "lang=pt"), http.StatusOK,
		"As minhas marcações", "Cancelada", "Marcada", "Renovação do BIR")
}

func TestICSEscapingAndFolding(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                      "plain",
		"a,b;c\\d":                   `a\,b\;c\\d`,
		"line 1\nline 2\r\nline 3\r": `line 1\nline 2\nline 3\n`,
		"tab\there, bell\x07":        "tab\there\\, bell",
		"澳門，氹仔; 1/F":                 `澳門，氹仔\; 1/F`,
	} {
		if got := icsText(in); got != want {
			t.Errorf("icsText(%q) = %q, want %q", in, got, want)
		}
	}

	short := "SUMMARY:" + strings.Repeat("a", 67) // 75 octets: not folded
	if got := icsFold(short); got != short {
		t.Errorf("a 75-octet line was folded: %q", got)
	}
	long := "DESCRIPTION:" + strings.Repeat("x", 200)
	folded := icsFold(long)
	lines := strings.Split(folded, "\r\n")
	if len(lines) != 3 || len(lines[0]) != 75 || lines[1][0] != ' ' || len(lines[1]) != 75 {
		t.Errorf("icsFold(212 octets) = %q", lines)
	}
	if unfolded := strings.ReplaceAll(folded, "\r\n ", ""); unfolded != long {
		t.Errorf("unfolding gives %q", unfolded)
	}
	// Multi-byte characters are never split.
	cjk := "LOCATION:" + strings.Repeat("澳門政府服務中心", 10)
	folded = icsFold(cjk)
	for i, l := range strings.Split(folded, "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line %d of the folded CJK text: %d octets, valid %v", i, len(l), utf8.ValidString(l))
		}
	}
	if strings.ReplaceAll(folded, "\r\n ", "") != cjk {
		t.Error("unfolding the CJK text does not give it back")
	}

	ev := icsEvent{UID: "abc@example.mo", Stamp: apptNow, Start: apptNow.Add(24 * time.Hour), End: apptNow.Add(24*time.Hour + 15*time.Minute),
		Summary: "BIR renewal", Location: "Identification Services Bureau, Avenida da Praia Grande, 804, China Plaza, 1/F",
		Description: "Reference: K7QM-4XRA\nDocuments to bring: " + strings.Repeat("your BIR, ", 12), Cancelled: true}
	out := string(ev.bytes())
	for _, want := range []string{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", "BEGIN:VEVENT\r\n", "UID:abc@example.mo\r\n",
		"DTSTAMP:20260302T020000Z\r\n", "DTSTART:20260303T020000Z\r\n", "DTEND:20260303T021500Z\r\n",
		"LOCATION:Identification Services Bureau\\, Avenida da Praia Grande\\, 804\\, C\r\n hina", "STATUS:CANCELLED\r\n",
		"END:VEVENT\r\nEND:VCALENDAR\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the event lacks %q:\n%s", want, out)
		}
	}
	checkICSLines(t, out)
	if !strings.Contains(strings.ReplaceAll(out, "\r\n ", ""), `DESCRIPTION:Reference: K7QM-4XRA\nDocuments to bring: your BIR\, your BIR\,`) {
		t.Errorf("the description is not escaped:\n%s", out)
	}
}
