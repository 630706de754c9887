package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// The staff side of counter appointments, for signed-in staff (residents
// get 403). The appointments service decides who may do what; these pages
// only hide links and forms a person may not use. Every form works without
// JavaScript.
//
//	GET  /staff/counter                    the branches the staff member serves
//	GET  /staff/counter/{branch}           a day's bookings (?date=YYYY-MM-DD, default
//	                                       today) with the check-in form
//	POST /staff/counter/{branch}/check-in  check in by reference or QR code (reference);
//	                                       303 back to the day with a banner
//	GET  /staff/counter/{branch}/close     closure form: supervisors and entity admins
//	POST /staff/counter/{branch}/close     of the branch's operator, platform admins
//	GET  /staff/booking-rules              entity admins: their services by branch;
//	POST /staff/booking-rules              ?branch=B&service=S the rules form (bookingrules.go)
//	GET  /staff/operator                   platform admins: typhoon signal No. 8 and
//	POST /staff/operator                   black rainstorm closures (operator.go)

// mountCounter registers the staff's appointment pages when the web layer
// has the booking service.
func (w *Web) mountCounter(page func(string, http.HandlerFunc)) {
	if w.opt.Appointments == nil {
		return
	}
	staff := func(h http.HandlerFunc) http.HandlerFunc { return w.requireUser(w.requireStaff(h)) }
	page("GET /staff/counter", staff(w.counterIndex))
	page("GET /staff/counter/{branch}", staff(w.counterDay))
	page("POST /staff/counter/{branch}/check-in", staff(w.checkIn))
	page("GET /staff/counter/{branch}/close", staff(w.closePage))
	page("POST /staff/counter/{branch}/close", staff(w.closeBranch))
	page("GET /staff/booking-rules", staff(w.rulesPage))
	page("POST /staff/booking-rules", staff(w.saveRules))
	page("GET /staff/operator", staff(w.operatorPage))
	page("POST /staff/operator", staff(w.operatorAct))
}

// requireStaff lets only staff accounts through; others get 403.
func (w *Web) requireStaff(h http.HandlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if u, _ := currentUser(r); u.Account.Kind != identity.Staff {
			w.Error(rw, r, http.StatusForbidden)
			return
		}
		h(rw, r)
	}
}

// servedBranches lists the open branches with counters where the staff
// member serves (appointments.ServesAt decides).
func (w *Web) servedBranches(ctx context.Context, a identity.Account) ([]directory.Branch, error) {
	bs, err := w.opt.Directory.Store().Branches(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []directory.Branch
	for _, b := range bs {
		if !b.Closed && len(b.Counters) > 0 && appointments.ServesAt(identity.Actor{Account: a}, b) {
			out = append(out, b)
		}
	}
	return out, nil
}

// counterRow is one booking of the day's table.
type counterRow struct {
	ID        string
	Reference string
	Start     time.Time
	Time      string
	Service   lang.Text
	Status    appointments.Status
}

// counterData is the branch list, or a branch's day.
type counterData struct {
	// Mode is "index" (the list of Branches) or "day".
	Mode     string
	Branches []directory.Branch

	Branch             directory.Branch
	Date, DateText     string
	Today              bool
	Prev, Next         string
	PrevText, NextText string
	Rows               []counterRow
	Booked, Arrived    int
	NoShows, Cancelled int
	CanClose           bool
	// CheckedIn is the booking just checked in, When its time (with the
	// date when it is not on the day shown).
	CheckedIn *counterRow
	When      string
	// Ticket is the number of the queue ticket the check-in handed the
	// visitor, when the branch has a queue for the service.
	Ticket string
	// Closed counts the bookings a closure just cancelled, when ClosedDone.
	Closed     int
	ClosedDone bool
	Form       *form
}

// counterIndex lists the branches the staff member serves.
func (w *Web) counterIndex(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	bs, err := w.servedBranches(r.Context(), u.Account)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(r, "", &counterData{Mode: "index", Branches: bs})
	p.Title = p.L.T("counter.index_title")
	w.render(rw, r, http.StatusOK, "counter-day", p)
}

// counterURL is a branch's day page with extra query pairs.
func counterURL(branch string, day directory.Date, pairs ...string) string {
	q := url.Values{"date": {day.String()}}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Set(pairs[i], pairs[i+1])
	}
	return "/staff/counter/" + url.PathEscape(branch) + "?" + q.Encode()
}

// parseDay reads a date parameter; "" is today in Macao.
func (w *Web) parseDay(s string) (directory.Date, error) {
	if s == "" {
		return directory.DateOf(w.opt.Directory.Now()), nil
	}
	return appointments.ParseDate(s)
}

// dayRows lists a day's bookings at a branch by slot time: 403 for staff
// who do not serve there.
func (w *Web) dayRows(r *http.Request, branch string, day directory.Date, n apptNames) ([]counterRow, error) {
	aps, err := w.opt.Appointments.BranchDay(r.Context(), w.staffActor(r), branch, day)
	if err != nil {
		return nil, err
	}
	loc := w.opt.Directory.Location()
	rows := make([]counterRow, 0, len(aps))
	for _, ap := range aps {
		start, end := ap.Start.In(loc), ap.End.In(loc)
		rows = append(rows, counterRow{ID: ap.ID, Reference: ap.Reference, Start: start, Service: n.service(ap.Service),
			Time: start.Format("15:04") + "–" + end.Format("15:04"), Status: ap.Status})
	}
	slices.SortStableFunc(rows, func(a, b counterRow) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Reference, b.Reference)
	})
	return rows, nil
}

// loadCounterDay loads a branch's day: 404 for an unknown branch, 400 for
// a bad date, 403 for staff of another entity.
func (w *Web) loadCounterDay(r *http.Request, branch, date string) (*counterData, error) {
	ctx := r.Context()
	day, err := w.parseDay(date)
	if err != nil {
		return nil, err
	}
	b, err := w.opt.Directory.Store().Branch(ctx, branch)
	if err != nil {
		return nil, err
	}
	n, err := w.names(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := w.dayRows(r, b.Code, day, n)
	if err != nil {
		return nil, err
	}
	u, _ := currentUser(r)
	l := w.cat.Locale(w.language(r))
	prev, next := day.AddDays(-1), day.AddDays(1)
	d := &counterData{Mode: "day", Branch: b, Date: day.String(), DateText: l.Date(day.In(time.UTC)), Rows: rows,
		Today: day == directory.DateOf(w.opt.Directory.Now()), CanClose: appointments.CanClose(identity.Actor{Account: u.Account}, b),
		Prev: counterURL(b.Code, prev), Next: counterURL(b.Code, next),
		PrevText: l.Date(prev.In(time.UTC)), NextText: l.Date(next.In(time.UTC)),
		Form: &form{Values: map[string]string{}, Errors: map[string]string{}}}
	for _, row := range rows {
		switch row.Status {
		case appointments.Cancelled:
			d.Cancelled++
			continue
		case appointments.CheckedIn, appointments.Served:
			d.Arrived++
		case appointments.NoShow:
			d.NoShows++
		}
		d.Booked++
	}
	return d, nil
}

// counterDay shows a branch's bookings of a day, and the check-in form.
func (w *Web) counterDay(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, err := w.loadCounterDay(r, r.PathValue("branch"), q.Get("date"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if ref := q.Get("checked_in"); ref != "" {
		if err := w.findCheckedIn(r, d, appointments.NormalizeReference(ref), q.Get("on")); err != nil {
			w.fail(rw, r, err)
			return
		}
		w.findTicket(r, d, q.Get("ticket"))
	}
	if n, err := strconv.Atoi(q.Get("closed")); err == nil && n >= 0 {
		d.Closed, d.ClosedDone = n, true
	}
	w.renderCounter(rw, r, http.StatusOK, d)
}

// findCheckedIn finds the booking just checked in, on the day shown or on
// its own day (on), for the banner. The banner says only what the
// bookings say: a reference not checked in shows none.
func (w *Web) findCheckedIn(r *http.Request, d *counterData, ref, on string) error {
	rows, other := d.Rows, false
	if day, err := appointments.ParseDate(on); err == nil && day.String() != d.Date {
		n, err := w.names(r.Context())
		if err != nil {
			return err
		}
		if rows, err = w.dayRows(r, d.Branch.Code, day, n); err != nil {
			return err
		}
		other = true
	}
	l := w.cat.Locale(w.language(r))
	for i := range rows {
		if rows[i].Reference == ref && (rows[i].Status == appointments.CheckedIn || rows[i].Status == appointments.Served) {
			d.CheckedIn, d.When = &rows[i], l.Clock(rows[i].Start)
			if other {
				d.When = l.DateTime(rows[i].Start)
			}
		}
	}
	return nil
}

// queueTicket returns the ID of the queue ticket an appointment just
// checked in was handed (the check-in hook issued it; CheckIn is
// idempotent and returns the same one), or "" when the web layer has no
// queue or the branch no queue for the service.
func (w *Web) queueTicket(r *http.Request, ap appointments.Appointment) string {
	if w.opt.Queue == nil {
		return ""
	}
	t, err := w.opt.Queue.CheckIn(r.Context(), ap)
	if err != nil {
		if !isCode(err, apperr.NotFound) {
			w.opt.Log.WarnContext(r.Context(), "queue ticket of a check-in", "appointment", ap.ID, "err", err)
		}
		return ""
	}
	return t.ID
}

// findTicket sets the banner's queue ticket number from ticket id, only
// when that ticket is the one of the booking just checked in.
func (w *Web) findTicket(r *http.Request, d *counterData, id string) {
	if id == "" || d.CheckedIn == nil || w.opt.Queue == nil {
		return
	}
	v, err := w.opt.Queue.View(r.Context(), id)
	if err == nil && v.Ticket.AppointmentID == d.CheckedIn.ID {
		d.Ticket = v.Ticket.Number
	}
}

// renderCounter renders a branch's day.
func (w *Web) renderCounter(rw http.ResponseWriter, r *http.Request, status int, d *counterData) {
	p := w.newPage(r, "", d)
	p.Title = p.L.T("counter.title", "Branch", p.L.Text(d.Branch.Name), "Date", d.DateText)
	if d.Form.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "counter-day", p)
}

// addFieldError records an error on a form field, once.
func addFieldError(f *form, field, key string) {
	if _, dup := f.Errors[field]; dup {
		return
	}
	f.Errors[field] = key
	f.Order = append(f.Order, field)
}

// checkIn records an arrival by the reference typed or scanned from the
// QR code, in any case, with or without its dash; 303 back to the day.
// An unknown reference or a booking not active shows the day again with
// the error; the field is emptied for the next scan.
func (w *Web) checkIn(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := newForm(r, "reference", "date")
	day, err := w.parseDay(f.Values["date"])
	if err != nil {
		day = directory.DateOf(w.opt.Directory.Now())
	}
	b, err := w.opt.Directory.Store().Branch(ctx, r.PathValue("branch"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ref := strings.TrimSpace(f.Values["reference"])
	f.Values["reference"] = ""
	f.Values["error_ref"] = appointments.NormalizeReference(ref)
	status := http.StatusUnprocessableEntity
	if ref == "" {
		addFieldError(f, "reference", "counter.reference_required")
	} else {
		ap, err := w.opt.Appointments.CheckIn(ctx, w.staffActor(r), b.Code, ref)
		switch {
		case err == nil:
			loc := w.opt.Directory.Location()
			pairs := []string{"checked_in", ap.Reference}
			if id := w.queueTicket(r, ap); id != "" {
				pairs = append(pairs, "ticket", id)
			}
			if on := directory.DateOf(ap.Start.In(loc)); on != day {
				pairs = append(pairs, "on", on.String())
			}
			http.Redirect(rw, r, counterURL(b.Code, day, pairs...), http.StatusSeeOther)
			return
		case isCode(err, apperr.NotFound):
			addFieldError(f, "reference", "counter.unknown_reference")
		case errors.Is(err, appointments.ErrNotActive):
			w.notActive(r, f, ap)
			status = http.StatusConflict
		default:
			w.fail(rw, r, err)
			return
		}
	}
	d, err := w.loadCounterDay(r, b.Code, day.String())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Form = f
	w.renderCounter(rw, r, status, d)
}

// notActive explains why a booking cannot be checked in: it was already,
// or it was cancelled, served or missed.
func (w *Web) notActive(r *http.Request, f *form, ap appointments.Appointment) {
	l := w.cat.Locale(w.language(r))
	if ap.Status == appointments.CheckedIn {
		if !ap.CheckedInAt.IsZero() {
			f.Values["error_time"] = l.Clock(ap.CheckedInAt.In(w.opt.Directory.Location()))
			addFieldError(f, "reference", "counter.already_checked_in_at")
			return
		}
		addFieldError(f, "reference", "counter.already_checked_in")
		return
	}
	f.Values["error_status"] = l.T("appointments.status." + string(ap.Status))
	addFieldError(f, "reference", "counter.not_active")
}
