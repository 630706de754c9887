package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// staffAs stores a signed-in staff member of entity with roles.
func (s *apptSite) staffAs(t *testing.T, name, entity string, roles ...identity.Role) *orgUser {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	a, err := s.st.CreateAccount(ctx, identity.Account{ID: identity.NewID(), Kind: identity.Staff, NameLatin: name,
		Email: contact.Email(name + "@gov.example.mo"), PasswordHash: "x", Entity: entity, Roles: roles,
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

// status reads a booking's status as its holder sees it.
func (s *apptSite) status(t *testing.T, u *orgUser, id string) appointments.Status {
	t.Helper()
	ap, err := s.appts.Get(context.Background(), u.Account, id)
	if err != nil {
		t.Fatal(err)
	}
	return ap.Status
}

func TestCounterDayAndCheckIn(t *testing.T) {
	s := newApptSite(t)
	ana := s.person(t, "ana", identity.Level1)
	ap := s.bookAs(t, ana, s.at(3, 9, 30))
	agent := s.staffAs(t, "agent", "DSI", identity.CounterAgent)
	dsat := s.staffAs(t, "dsat", "DSAT", identity.CounterAgent)
	day := "/staff/counter/DSI-HQ?date=2026-03-03"

	expect(t, "DSI agent's day", s.do(t, agent, "GET", day, nil), http.StatusOK, ap.Reference, "09:30–09:45",
		"BIR renewal", "Booked: 1 · Arrived: 0 · No-shows: 0 · Cancelled: 0", `id="reference"`, "autofocus",
		`action="/staff/counter/DSI-HQ/check-in"`, `href="/staff/counter/DSI-HQ?date=2026-03-02"`,
		`href="/staff/counter/DSI-HQ?date=2026-03-04"`)
	expect(t, "DSAT agent's day", s.do(t, dsat, "GET", day, nil), http.StatusForbidden)
	expect(t, "resident", s.do(t, ana, "GET", day, nil), http.StatusForbidden)
	location(t, s.do(t, nil, "GET", day, nil), "/login?next=")
	expect(t, "bad date", s.do(t, agent, "GET", "/staff/counter/DSI-HQ?date=2026-02-30", nil), http.StatusBadRequest)
	expect(t, "unknown branch", s.do(t, agent, "GET", "/staff/counter/NOWHERE", nil), http.StatusNotFound)
	expect(t, "DSI agent's branches", s.do(t, agent, "GET", "/staff/counter", nil), http.StatusOK, `href="/staff/counter/DSI-HQ"`)
	if body := expect(t, "DSAT agent's branches", s.do(t, dsat, "GET", "/staff/counter", nil), http.StatusOK); strings.Contains(body, "/staff/counter/DSI-HQ") {
		t.Error("DSAT's branch list offers DSI-HQ")
	}

	// A DSAT agent cannot check a DSI booking in.
	typed := strings.ToLower(strings.ReplaceAll(ap.Reference, "-", ""))
	form := url.Values{"reference": {typed}, "date": {"2026-03-03"}}
	expect(t, "DSAT checks in", s.do(t, dsat, "POST", "/staff/counter/DSI-HQ/check-in", form), http.StatusForbidden)
	if st := s.status(t, ana, ap.ID); st != appointments.Booked {
		t.Fatalf("after DSAT's try the booking is %s", st)
	}

	// Typed in lower case without the dash.
	loc := location(t, s.do(t, agent, "POST", "/staff/counter/DSI-HQ/check-in", form), "/staff/counter/DSI-HQ?")
	if !strings.Contains(loc, "checked_in="+ap.Reference) || !strings.Contains(loc, "date=2026-03-03") {
		t.Errorf("check-in went to %s", loc)
	}
	if st := s.status(t, ana, ap.ID); st != appointments.CheckedIn {
		t.Fatalf("after check-in the booking is %s", st)
	}
	expect(t, "banner", s.do(t, agent, "GET", loc, nil), http.StatusOK,
		ap.Reference+" checked in — BIR renewal at 09:30", "Booked: 1 · Arrived: 1", "Checked in")

	// A second check-in, and an unknown reference, show the error by the field.
	body := expect(t, "second check-in", s.do(t, agent, "POST", "/staff/counter/DSI-HQ/check-in", form), http.StatusConflict,
		`href="#reference"`, `id="reference-error"`, ap.Reference+" was already checked in at ")
	if strings.Contains(body, `value="`+typed+`"`) {
		t.Error("the field keeps the reference: the next scan would be appended to it")
	}
	expect(t, "unknown", s.do(t, agent, "POST", "/staff/counter/DSI-HQ/check-in",
		url.Values{"reference": {"ZZZZ-ZZZZ"}, "date": {"2026-03-03"}}), http.StatusUnprocessableEntity,
		"No booking of your services here has the reference ZZZZ-ZZZZ")
	expect(t, "empty", s.do(t, agent, "POST", "/staff/counter/DSI-HQ/check-in",
		url.Values{"reference": {" "}, "date": {"2026-03-03"}}), http.StatusUnprocessableEntity,
		"Enter the reference or scan the QR code")
}

func TestCounterClose(t *testing.T) {
	s := newApptSite(t)
	ana := s.person(t, "ana", identity.Level1)
	ap := s.bookAs(t, ana, s.at(3, 9, 30))
	agent := s.staffAs(t, "agent", "DSI", identity.CounterAgent)
	boss := s.staffAs(t, "boss", "DSI", identity.Supervisor)
	form := url.Values{"from_date": {"2026-03-03"}, "from_time": {"09:00"}, "to_date": {"2026-03-03"}, "to_time": {"12:00"},
		"reason_zh": {"員工培訓"}, "reason_pt": {"Formação do pessoal"}, "reason_en": {"Staff training"}}

	if body := expect(t, "agent's day", s.do(t, agent, "GET", "/staff/counter/DSI-HQ?date=2026-03-03", nil), http.StatusOK); strings.Contains(body, "/close") {
		t.Error("the counter agent's day links to the closure form")
	}
	expect(t, "agent's close page", s.do(t, agent, "GET", "/staff/counter/DSI-HQ/close", nil), http.StatusForbidden)
	expect(t, "agent closes", s.do(t, agent, "POST", "/staff/counter/DSI-HQ/close", form), http.StatusForbidden)
	if st := s.status(t, ana, ap.ID); st != appointments.Booked {
		t.Fatalf("after the agent's try the booking is %s", st)
	}

	expect(t, "supervisor's day", s.do(t, boss, "GET", "/staff/counter/DSI-HQ?date=2026-03-03", nil), http.StatusOK,
		`href="/staff/counter/DSI-HQ/close?date=2026-03-03"`)
	expect(t, "supervisor's close page", s.do(t, boss, "GET", "/staff/counter/DSI-HQ/close?date=2026-03-03", nil), http.StatusOK,
		`id="from_date" name="from_date" type="date" value="2026-03-03"`, `id="from_time" name="from_time" type="time"`,
		`<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Closed from</legend>`, `lang="zh-Hant"`)

	// Bad input: the end before the start, a reason missing.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("to_time", "08:00")
	bad.Set("reason_pt", "")
	expect(t, "bad closure", s.do(t, boss, "POST", "/staff/counter/DSI-HQ/close", bad), http.StatusUnprocessableEntity,
		`href="#to_date"`, "The end must be after the start", `href="#reason_pt"`, "Enter the reason in this language")
	if st := s.status(t, ana, ap.ID); st != appointments.Booked {
		t.Fatalf("after a refused closure the booking is %s", st)
	}

	loc := location(t, s.do(t, boss, "POST", "/staff/counter/DSI-HQ/close", form), "/staff/counter/DSI-HQ?")
	if !strings.Contains(loc, "closed=1") || !strings.Contains(loc, "date=2026-03-03") {
		t.Errorf("closure went to %s", loc)
	}
	if st := s.status(t, ana, ap.ID); st != appointments.Cancelled {
		t.Fatalf("after the closure the booking is %s, want cancelled", st)
	}
	expect(t, "after the closure", s.do(t, boss, "GET", loc, nil), http.StatusOK,
		"Closed; 1 booking cancelled and its holder told", "Booked: 0 · Arrived: 0 · No-shows: 0 · Cancelled: 1")
}

func TestBookingRulesPage(t *testing.T) {
	s := newApptSite(t)
	dsiAdmin := s.staffAs(t, "dsi-admin", "DSI", identity.EntityAdmin)
	dsatAdmin := s.staffAs(t, "dsat-admin", "DSAT", identity.EntityAdmin)
	agent := s.staffAs(t, "agent", "DSI", identity.CounterAgent)
	page := "/staff/booking-rules?branch=DSI-HQ&service=DSI-BIR-RENEW"
	form := url.Values{"slot_minutes": {"20"}, "places": {"2"}, "window_from": {"0"}, "window_to": {"14"},
		"one_per_service": {"1"}, "max_per_day": {"1"}, "level": {"2"}, "cancel_cutoff": {"120"},
		"no_show_enabled": {"1"}, "no_show_count": {"2"}, "no_show_window_days": {"90"}, "no_show_suspend_days": {"14"},
		"documents_zh": {"身份證"}, "documents_pt": {"BIR"}, "documents_en": {"Your BIR"}}

	expect(t, "DSAT admin's form", s.do(t, dsatAdmin, "GET", page, nil), http.StatusForbidden)
	expect(t, "DSAT admin saves", s.do(t, dsatAdmin, "POST", page, form), http.StatusForbidden)
	expect(t, "agent's list", s.do(t, agent, "GET", "/staff/booking-rules", nil), http.StatusForbidden)
	expect(t, "agent saves", s.do(t, agent, "POST", page, form), http.StatusForbidden)
	if r, err := s.appts.Rules(context.Background(), "DSI-HQ", "DSI-BIR-RENEW"); err != nil || r.SlotMinutes != 15 {
		t.Fatalf("after the refused tries the rules are %+v (%v)", r, err)
	}

	expect(t, "DSI admin's list", s.do(t, dsiAdmin, "GET", "/staff/booking-rules", nil), http.StatusOK,
		`href="`+attrQuery(page)+`"`, "Takes bookings")
	expect(t, "DSI admin's form", s.do(t, dsiAdmin, "GET", page, nil), http.StatusOK,
		`id="slot_minutes" name="slot_minutes" type="text" value="15"`, `id="level" name="level" type="radio" value="1" checked`,
		`id="documents_pt"`, `action="`+attrQuery(page)+`"`)
	expect(t, "not offered there", s.do(t, dsiAdmin, "GET", "/staff/booking-rules?branch=DSI-HQ&service=DSAT-DL-RENEW", nil),
		http.StatusNotFound)

	// A wrong field: the domain's error shown by that field.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("slot_minutes", "3")
	expect(t, "bad slot", s.do(t, dsiAdmin, "POST", page, bad), http.StatusUnprocessableEntity,
		`href="#slot_minutes"`, `id="slot_minutes-error"`, "Enter a slot length from 5 to 240 minutes")
	bad.Set("slot_minutes", "20")
	bad.Set("documents_pt", "")
	expect(t, "documents in two languages", s.do(t, dsiAdmin, "POST", page, bad), http.StatusUnprocessableEntity,
		`href="#documents_zh"`, "Fill in what to bring in all three languages")
	bad.Set("places", "many")
	expect(t, "not a number", s.do(t, dsiAdmin, "POST", page, bad), http.StatusUnprocessableEntity,
		`href="#places"`, "Enter from 1 to 100 places")

	location(t, s.do(t, dsiAdmin, "POST", page, form), page+"&saved=1")
	r, err := s.appts.Rules(context.Background(), "DSI-HQ", "DSI-BIR-RENEW")
	if err != nil {
		t.Fatal(err)
	}
	want := appointments.Rules{Branch: "DSI-HQ", Service: "DSI-BIR-RENEW", SlotMinutes: 20, Places: 2, WindowFrom: 0, WindowTo: 14,
		OnePerService: true, MaxPerDay: 1, Level: 2, CancelCutoffMinutes: 120,
		NoShow:    appointments.NoShowPolicy{Enabled: true, Count: 2, WindowDays: 90, SuspendDays: 14},
		Documents: lang.Text{ZhHant: "身份證", Pt: "BIR", En: "Your BIR"}}
	if r != want {
		t.Errorf("saved rules %+v, want %+v", r, want)
	}
	expect(t, "saved", s.do(t, dsiAdmin, "GET", page+"&saved=1", nil), http.StatusOK, "The booking rules are saved.",
		`value="20"`)
}

// attrQuery is a URL as html/template writes it in an attribute.
func attrQuery(u string) string { return strings.ReplaceAll(u, "&", "&amp;") }

func TestOperatorPage(t *testing.T) {
	s := newApptSite(t)
	ana := s.person(t, "ana", identity.Level1)
	ap := s.bookAs(t, ana, s.at(3, 9, 30))
	later := s.bookAs(t, s.person(t, "bo", identity.Level1), s.at(3, 15, 0))
	admin := s.staffAs(t, "dsi-admin", "DSI", identity.EntityAdmin)
	op := s.staffAs(t, "operator", "DSI", identity.PlatformAdmin)
	signal := url.Values{"act": {"signal8"}, "raised_date": {"2026-03-03"}, "raised_time": {"08:00"},
		"lowered_date": {"2026-03-03"}, "lowered_time": {"10:00"}}

	expect(t, "entity admin's page", s.do(t, admin, "GET", "/staff/operator", nil), http.StatusForbidden)
	expect(t, "entity admin declares", s.do(t, admin, "POST", "/staff/operator", signal), http.StatusForbidden)
	if st := s.status(t, ana, ap.ID); st != appointments.Booked {
		t.Fatalf("after the entity admin's try the booking is %s", st)
	}

	expect(t, "operator's page", s.do(t, op, "GET", "/staff/operator", nil), http.StatusOK,
		"Lowered 09:00–13:00: counters open at 14:30.", `id="raised_date"`, `id="rain_to_time"`)
	expect(t, "lowered before raised", s.do(t, op, "POST", "/staff/operator", url.Values{"act": {"signal8"},
		"raised_date": {"2026-03-03"}, "raised_time": {"10:00"}, "lowered_date": {"2026-03-03"}, "lowered_time": {"09:00"}}),
		http.StatusUnprocessableEntity, `href="#lowered_date"`)

	// Raised before 09:00, lowered at 10:00: closed until 14:30.
	loc := location(t, s.do(t, op, "POST", "/staff/operator", signal), "/staff/operator?")
	expect(t, "result", s.do(t, op, "GET", loc, nil), http.StatusOK, "Typhoon signal No. 8 closure recorded",
		"Bookings cancelled: 1", "from Tuesday 3 March 2026, 00:00 to Tuesday 3 March 2026, 14:30")
	if st := s.status(t, ana, ap.ID); st != appointments.Cancelled {
		t.Errorf("the 09:30 booking is %s, want cancelled", st)
	}
	if got, _ := s.appts.Get(context.Background(), identity.Account{ID: later.AccountID}, later.ID); got.Status != appointments.Booked {
		t.Errorf("the 15:00 booking is %s, want booked", got.Status)
	}
}

// TestCounterCheckInShowsTheQueueTicket: with the queue, checking a
// booking in hands the visitor a ticket, and the banner gives its number.
func TestCounterCheckInShowsTheQueueTicket(t *testing.T) {
	s := newApptSiteWith(t, func(o *Options, st *sqlstore.Store) {
		o.Queue = queue.New(st, o.Directory, o.Messages, nil, func() time.Time { return apptNow }, nil)
		err := st.SaveQueues(context.Background(), "DSI-HQ", []queue.Queue{{Branch: "DSI-HQ", Code: "A", Entity: "DSI",
			Name: lang.Text{ZhHant: "身份證明局", Pt: "Identificação", En: "Identification"}, Services: []string{"DSI-BIR-RENEW"}}},
			[]queue.Counter{{Branch: "DSI-HQ", Code: "DSI-01", Entity: "DSI", Queues: []string{"A"}, NormalShare: 1}})
		if err != nil {
			t.Fatal(err)
		}
	})
	ana, bo := s.person(t, "ana", identity.Level1), s.person(t, "bo", identity.Level1)
	ap, bos := s.bookAs(t, ana, s.at(3, 9, 30)), s.bookAs(t, bo, s.at(3, 9, 45))
	agent := s.staffAs(t, "agent", "DSI", identity.CounterAgent)
	checkIn := func(ref string) *url.URL {
		t.Helper()
		form := url.Values{"reference": {ref}, "date": {"2026-03-03"}}
		u, err := url.Parse(location(t, s.do(t, agent, "POST", "/staff/counter/DSI-HQ/check-in", form), "/staff/counter/DSI-HQ?"))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	u := checkIn(ap.Reference)
	expect(t, "banner", s.do(t, agent, "GET", u.String(), nil), http.StatusOK,
		ap.Reference+" checked in — BIR renewal at 09:30", "Queue ticket: A001")
	// Another booking's banner never names ana's ticket.
	q := checkIn(bos.Reference).Query()
	q.Set("ticket", u.Query().Get("ticket"))
	body := expect(t, "another booking", s.do(t, agent, "GET", "/staff/counter/DSI-HQ?"+q.Encode(), nil), http.StatusOK,
		bos.Reference+" checked in")
	if strings.Contains(body, "A001") || strings.Contains(body, "Queue ticket") {
		t.Error("the banner names the ticket of another booking")
	}
}
