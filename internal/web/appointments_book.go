package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// The booking pages: a service and a branch, the month calendar, the day's
// slots, and booking or moving an appointment.

// bookingRules returns the booking rules of a service at a branch;
// NotFound when it takes no bookings there.
func (w *Web) bookingRules(ctx context.Context, branch, service string) (appointments.Rules, error) {
	return w.opt.Appointments.Rules(ctx, branch, service)
}

// bookEntity is an entity with its bookable services, on /book.
type bookEntity struct {
	Entity   directory.Entity
	Services []directory.Service
}

// bookBranch is a branch offering the chosen service, on /book?service=.
type bookBranch struct {
	Branch directory.Branch
	URL    string
}

type bookStartData struct {
	// Mode is "services" or "branches".
	Mode     string
	Entities []bookEntity
	Service  directory.Service
	Entity   directory.Entity
	Branches []bookBranch
}

// bookStart lists the bookable services by entity, or with ?service= the
// branches that take bookings for it.
func (w *Web) bookStart(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := w.opt.Directory.Store()
	if code := r.URL.Query().Get("service"); code != "" {
		w.bookBranches(rw, r, code)
		return
	}
	ents, err := st.Entities(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	bs, err := st.Branches(ctx, "")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	offered := map[string]bool{}
	for _, b := range bs {
		if !b.Closed {
			for _, s := range b.Services {
				offered[s] = true
			}
		}
	}
	d := bookStartData{Mode: "services"}
	for _, e := range ents {
		if !slices.Contains(appointments.BookableEntities(), e.Code) {
			continue
		}
		svcs, err := st.Services(ctx, e.Code)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		be := bookEntity{Entity: e}
		for _, s := range svcs {
			if s.Counter && offered[s.Code] {
				be.Services = append(be.Services, s)
			}
		}
		if len(be.Services) > 0 {
			d.Entities = append(d.Entities, be)
		}
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("book.title")
	w.render(rw, r, http.StatusOK, "book", p)
}

// bookBranches lists the open branches that take bookings for a service.
func (w *Web) bookBranches(rw http.ResponseWriter, r *http.Request, code string) {
	ctx := r.Context()
	st := w.opt.Directory.Store()
	svc, err := st.Service(ctx, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if !slices.Contains(appointments.BookableEntities(), svc.Entity) {
		w.Error(rw, r, http.StatusNotFound)
		return
	}
	ent, err := st.Entity(ctx, svc.Entity)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	bs, err := st.Branches(ctx, "")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := bookStartData{Mode: "branches", Service: svc, Entity: ent}
	for _, b := range bs {
		if b.Closed || !slices.Contains(b.Services, code) {
			continue
		}
		if _, err := w.bookingRules(ctx, b.Code, code); err != nil {
			if isCode(err, apperr.NotFound) {
				continue
			}
			w.fail(rw, r, err)
			return
		}
		d.Branches = append(d.Branches, bookBranch{Branch: b, URL: "/book/" + url.PathEscape(b.Code) + "/" + url.PathEscape(code)})
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("book.branch_title")
	w.render(rw, r, http.StatusOK, "book", p)
}

// calDay is one cell of the month calendar; Blank pads the first and last
// weeks.
type calDay struct {
	Blank  bool
	Day    int
	Date   string
	Label  string
	Status string
	Free   int
	URL    string
}

// slotRow is one time of the day's list.
type slotRow struct {
	ID, Value, Label  string
	Disabled, Checked bool
}

// bookData is the booking page: the month calendar, or a day's times.
type bookData struct {
	Mode    string // "calendar" or "day"
	Branch  directory.Branch
	Service directory.Service
	Entity  directory.Entity
	Rules   appointments.Rules
	// Moving is the booking being rescheduled, nil when booking anew.
	Moving *appointments.Appointment
	// Calendar.
	Month      string
	Headers    []string
	Weeks      [][]calDay
	Prev, Next string
	// Day.
	Date     string
	DateText string
	Slots    []slotRow
	Back     string
	Action   string
	Idem     string
	Form     *form
	Bookable bool
}

// bookTarget loads the branch, service and rules of a booking page, and
// the booking being moved when ?reschedule= (or the form's reschedule)
// names one of the resident's.
func (w *Web) bookTarget(r *http.Request, branch, service, moving string) (*bookData, error) {
	ctx := r.Context()
	st := w.opt.Directory.Store()
	rules, err := w.bookingRules(ctx, branch, service)
	if err != nil {
		return nil, err
	}
	d := &bookData{Rules: rules, Form: &form{Values: map[string]string{}, Errors: map[string]string{}}}
	if d.Branch, err = st.Branch(ctx, branch); err != nil {
		return nil, err
	}
	if d.Service, err = st.Service(ctx, service); err != nil {
		return nil, err
	}
	if d.Entity, err = st.Entity(ctx, d.Service.Entity); err != nil {
		return nil, err
	}
	if moving != "" {
		u, _ := currentUser(r)
		ap, err := w.opt.Appointments.Get(ctx, u.Account, moving)
		if err != nil {
			return nil, err
		}
		if ap.Branch != branch || ap.Service != service {
			return nil, &apperr.Error{Code: apperr.NotFound, Detail: "the booking is of another service or branch"}
		}
		loc := w.opt.Directory.Location()
		ap.Start, ap.End = ap.Start.In(loc), ap.End.In(loc)
		d.Moving = &ap
	}
	return d, nil
}

// pageURL is the booking page's URL with the given query, keeping the
// booking being moved.
func (d *bookData) pageURL(q url.Values) string {
	if d.Moving != nil {
		q.Set("reschedule", d.Moving.ID)
	}
	u := "/book/" + url.PathEscape(d.Branch.Code) + "/" + url.PathEscape(d.Service.Code)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// stepUpURL sends a resident below the service's level to the step-up
// page, returning to next.
func stepUpURL(level int, next string) string {
	return "/step-up?" + url.Values{"level": {strconv.Itoa(level)}, "next": {localPath(next)}}.Encode()
}

// bookCalendar shows the month calendar, or with ?date= the day's times.
func (w *Web) bookCalendar(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	q := r.URL.Query()
	d, err := w.bookTarget(r, r.PathValue("branch"), r.PathValue("service"), q.Get("reschedule"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if !u.Account.Meets(identity.Level(d.Rules.Level)) {
		http.Redirect(rw, r, stepUpURL(d.Rules.Level, r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if date := q.Get("date"); date != "" {
		day, err := appointments.ParseDate(date)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		w.renderDay(rw, r, http.StatusOK, d, day)
		return
	}
	l := w.cat.Locale(w.language(r))
	today := directory.DateOf(w.opt.Directory.Now())
	first, last := today.AddDays(d.Rules.WindowFrom), today.AddDays(d.Rules.WindowTo)
	month := directory.Date{Year: first.Year, Month: first.Month, Day: 1}
	if m := q.Get("month"); m != "" {
		if month, err = appointments.ParseDate(m + "-01"); err != nil || len(m) != len("2006-01") {
			w.Error(rw, r, http.StatusBadRequest)
			return
		}
	}
	end := month.AddDays(31)
	end = directory.Date{Year: end.Year, Month: end.Month, Day: 1}.AddDays(-1)
	days, err := w.opt.Appointments.Availability(r.Context(), d.Branch.Code, d.Service.Code, month, end)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Mode = "calendar"
	d.Month = monthName(l, month)
	for i := range 7 {
		d.Headers = append(d.Headers, l.Weekday(time.Weekday((i+1)%7)))
	}
	// Monday-first weeks: pad before the 1st and after the last day.
	week := make([]calDay, (int(month.Weekday())+6)%7)
	for i := range week {
		week[i].Blank = true
	}
	for _, day := range days {
		c := calDay{Day: day.Date.Day, Date: day.Date.String(), Label: l.Date(day.Date.In(time.UTC)),
			Status: string(day.Status), Free: day.Free}
		switch {
		case day.Status == appointments.DayAvailable:
			c.URL = d.pageURL(url.Values{"date": {day.Date.String()}})
		case day.Status == appointments.DayOutsideWindow && day.Date.Before(first):
			c.Status = "past"
		case day.Status == appointments.DayOutsideWindow:
			c.Status = "not_yet"
		}
		week = append(week, c)
		if len(week) == 7 {
			d.Weeks = append(d.Weeks, week)
			week = nil
		}
	}
	if len(week) > 0 {
		for len(week) < 7 {
			week = append(week, calDay{Blank: true})
		}
		d.Weeks = append(d.Weeks, week)
	}
	if prev := month.AddDays(-1); !prev.Before(first) {
		d.Prev = d.pageURL(url.Values{"month": {prev.String()[:7]}})
	}
	if next := end.AddDays(1); !last.Before(next) {
		d.Next = d.pageURL(url.Values{"month": {next.String()[:7]}})
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.Text(d.Service.Name) + " – " + d.Month
	w.render(rw, r, http.StatusOK, "book", p)
}

// monthName is "March 2026" in the page's language.
func monthName(l *Locale, d directory.Date) string {
	return l.T("book.month", "Month", l.T(fmt.Sprintf("month.%d", int(d.Month))), "MonthNum", int(d.Month), "Year", d.Year)
}

// renderDay shows a day's times as radio buttons, with a fresh
// idempotency key so a double submission books once.
func (w *Web) renderDay(rw http.ResponseWriter, r *http.Request, status int, d *bookData, day directory.Date) {
	l := w.cat.Locale(w.language(r))
	slots, _, err := w.opt.Appointments.DaySlots(r.Context(), d.Branch.Code, d.Service.Code, day)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Mode, d.Date, d.DateText, d.Idem = "day", day.String(), l.Date(day.In(time.UTC)), rand.Text()
	d.Back = d.pageURL(url.Values{"month": {day.String()[:7]}})
	d.Action = d.pageURL(url.Values{})
	if d.Moving != nil {
		d.Action = "/appointments/" + url.PathEscape(d.Moving.ID) + "/reschedule"
	}
	loc := w.opt.Directory.Location()
	chosen := d.Form.Values["start"]
	for i, s := range slots {
		start, end := s.Start.In(loc), s.End.In(loc)
		row := slotRow{ID: "start-" + strconv.Itoa(i+1), Value: start.Format(time.RFC3339), Disabled: s.Remaining <= 0}
		if row.Disabled {
			row.Label = l.T("book.slot_full", "From", l.Clock(start), "To", l.Clock(end))
		} else {
			row.Label = l.T("book.slot", "From", l.Clock(start), "To", l.Clock(end), "Left", l.N("book.places_left", s.Remaining))
			d.Bookable = true
		}
		row.Checked = !row.Disabled && row.Value == chosen
		d.Slots = append(d.Slots, row)
	}
	// The error summary links to #start: the first time that can be chosen.
	for i := range d.Slots {
		if !d.Slots[i].Disabled {
			d.Slots[i].ID = "start"
			break
		}
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.Text(d.Service.Name) + " – " + d.DateText
	if d.Form.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "book", p)
}

// book books the chosen time: 303 to the booking on success; a full slot,
// a reached limit or a bad time shows the day again with the error.
func (w *Web) book(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	d, err := w.bookTarget(r, r.PathValue("branch"), r.PathValue("service"), "")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f := newForm(r, "start", "idem", "date")
	d.Form = f
	day, start, ok := w.readStart(f)
	if !u.Account.Meets(identity.Level(d.Rules.Level)) {
		http.Redirect(rw, r, stepUpURL(d.Rules.Level, d.pageURL(url.Values{"date": {day.String()}})), http.StatusSeeOther)
		return
	}
	if !ok {
		w.renderDay(rw, r, http.StatusUnprocessableEntity, d, day)
		return
	}
	idem := f.Values["idem"]
	if idem != "" {
		idem = "web:" + idem
	}
	ap, _, err := w.opt.Appointments.Book(r.Context(), u.Account, appointments.Request{Branch: d.Branch.Code,
		Service: d.Service.Code, Start: start, IdempotencyKey: idem})
	if err != nil {
		w.bookFailed(rw, r, d, day, err)
		return
	}
	http.Redirect(rw, r, "/appointments/"+url.PathEscape(ap.ID)+"?booked=1", http.StatusSeeOther)
}

// reschedule moves one of the resident's bookings to the chosen time.
func (w *Web) reschedule(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	ap, err := w.opt.Appointments.Get(r.Context(), u.Account, r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d, err := w.bookTarget(r, ap.Branch, ap.Service, ap.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f := newForm(r, "start", "idem", "date")
	d.Form = f
	day, start, ok := w.readStart(f)
	if !ok {
		w.renderDay(rw, r, http.StatusUnprocessableEntity, d, day)
		return
	}
	if _, err := w.opt.Appointments.Reschedule(r.Context(), u.Account, ap.ID, start); err != nil {
		w.bookFailed(rw, r, d, day, err)
		return
	}
	http.Redirect(rw, r, "/appointments/"+url.PathEscape(ap.ID)+"?rescheduled=1", http.StatusSeeOther)
}

// readStart reads the chosen time, recording a missing or bad one on the
// form. day is the day the page showed (the time's day when the date
// field is gone).
func (w *Web) readStart(f *form) (day directory.Date, start time.Time, ok bool) {
	loc := w.opt.Directory.Location()
	day, derr := appointments.ParseDate(f.Values["date"])
	if derr != nil {
		day = directory.DateOf(w.opt.Directory.Now())
	}
	if f.Values["start"] == "" {
		f.Errors["start"], f.Order = "book.start_required", append(f.Order, "start")
		return day, time.Time{}, false
	}
	start, err := appointments.ParseStart(f.Values["start"], loc)
	if err != nil {
		f.fail(err, "start")
		return day, time.Time{}, false
	}
	if derr != nil {
		day = directory.DateOf(start)
	}
	return day, start, true
}

// bookFailed shows a failed booking or move on the day's page: a full slot
// on the times, other conflicts above them. A resident below the service's
// level goes to the step-up page.
func (w *Web) bookFailed(rw http.ResponseWriter, r *http.Request, d *bookData, day directory.Date, err error) {
	e, ok := apperr.As(err)
	switch {
	case ok && e.Key == "appointments.level":
		http.Redirect(rw, r, stepUpURL(d.Rules.Level, d.pageURL(url.Values{"date": {day.String()}})), http.StatusSeeOther)
		return
	case ok && e.Code == apperr.NotFound:
		w.fail(rw, r, err)
		return
	}
	field := ""
	if ok && e.Key == appointments.ErrSlotFull.Key {
		field = "start"
	}
	status := d.Form.fail(err, field)
	if status >= 500 {
		w.opt.Log.ErrorContext(r.Context(), "booking failed", "err", err)
	}
	d.Form.Values["start"] = ""
	w.renderDay(rw, r, status, d, day)
}
