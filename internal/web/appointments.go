package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"html/template"
	"image/png"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/dashboard"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// Counter appointments, for signed-in residents (staff get 403). Every
// page works without JavaScript.
//
//	GET  /appointments                     my appointments: upcoming, then past and cancelled
//	GET  /appointments/{id}                one booking: reference, QR code, documents
//	GET  /appointments/{id}/calendar.ics   the booking as an iCalendar event
//	GET  /appointments/{id}/cancel         confirm cancelling
//	POST /appointments/{id}/cancel         cancel
//	POST /appointments/{id}/reschedule     move it to another time (start)
//	GET  /book                             choose a service; ?service=S, then a branch
//	GET  /book/{branch}/{service}          month calendar (?month=YYYY-MM) or a day's
//	                                       times (?date=YYYY-MM-DD); ?reschedule={id}
//	                                       moves that booking instead of booking anew
//	POST /book/{branch}/{service}          book (start, idem)
//
// Only the owner sees a booking: the service finds it by account, so
// another resident's ID is not found.

// orderAppointments places the appointments card (see dashboard.go).
const orderAppointments = 20

// cardAppointments is how many upcoming bookings the dashboard card lists.
const cardAppointments = 3

// mountAppointments registers the booking pages and the dashboard card
// when the web layer has the booking service.
func (w *Web) mountAppointments(page func(string, http.HandlerFunc)) {
	if w.opt.Appointments == nil {
		return
	}
	if w.opt.Dashboard != nil {
		w.opt.Dashboard.Register(AppointmentsCard(w.opt.Appointments, w.opt.Directory))
	}
	page("GET /appointments", w.requireResident(w.myAppointments))
	page("GET /appointments/{id}", w.requireResident(w.appointment))
	page("GET /appointments/{id}/calendar.ics", w.requireResident(w.appointmentICS))
	page("GET /appointments/{id}/cancel", w.requireResident(w.cancelPage))
	page("POST /appointments/{id}/cancel", w.requireResident(w.cancelAppointment))
	page("POST /appointments/{id}/reschedule", w.requireResident(w.reschedule))
	page("GET /book", w.requireResident(w.bookStart))
	page("GET /book/{branch}/{service}", w.requireResident(w.bookCalendar))
	page("POST /book/{branch}/{service}", w.requireResident(w.book))
}

// requireResident lets only signed-in residents in: people without a
// session go to the sign-in page, staff get 403.
func (w *Web) requireResident(h http.HandlerFunc) http.HandlerFunc {
	return w.requireUser(func(rw http.ResponseWriter, r *http.Request) {
		if u, _ := currentUser(r); u.Account.Kind != identity.Resident {
			w.Error(rw, r, http.StatusForbidden)
			return
		}
		h(rw, r)
	})
}

// apptNames names the services, entities and branches of bookings.
type apptNames struct {
	services map[string]directory.Service
	entities map[string]directory.Entity
	branches map[string]directory.Branch
}

// names loads every service, entity and branch of the directory once.
func (w *Web) names(ctx context.Context) (apptNames, error) {
	st := w.opt.Directory.Store()
	n := apptNames{services: map[string]directory.Service{}, entities: map[string]directory.Entity{},
		branches: map[string]directory.Branch{}}
	svcs, err := st.Services(ctx, "")
	if err != nil {
		return n, err
	}
	for _, s := range svcs {
		n.services[s.Code] = s
	}
	ents, err := st.Entities(ctx)
	if err != nil {
		return n, err
	}
	for _, e := range ents {
		n.entities[e.Code] = e
	}
	bs, err := st.Branches(ctx, "")
	if err != nil {
		return n, err
	}
	for _, b := range bs {
		n.branches[b.Code] = b
	}
	return n, nil
}

// service names a service, falling back to its code.
func (n apptNames) service(code string) lang.Text {
	if s, ok := n.services[code]; ok {
		return s.Name
	}
	return lang.Text{ZhHant: code, Pt: code, En: code}
}

// branch names a branch, falling back to its code.
func (n apptNames) branch(code string) lang.Text {
	if b, ok := n.branches[code]; ok {
		return b.Name
	}
	return lang.Text{ZhHant: code, Pt: code, En: code}
}

// apptRow is a booking as lists show it.
type apptRow struct {
	appointments.Appointment
	ServiceName, BranchName lang.Text
}

// upcoming reports whether a booking still lies ahead and holds its place.
func upcoming(a appointments.Appointment, now time.Time) bool {
	return a.Active() && a.End.After(now)
}

// splitAppointments puts the bookings still ahead first, soonest first,
// and the rest (past, cancelled, served, missed) after, latest first.
func splitAppointments(all []appointments.Appointment, now time.Time) (next, rest []appointments.Appointment) {
	for _, a := range all {
		if upcoming(a, now) {
			next = append(next, a)
		} else {
			rest = append(rest, a)
		}
	}
	slices.SortFunc(next, func(a, b appointments.Appointment) int { return a.Start.Compare(b.Start) })
	slices.SortFunc(rest, func(a, b appointments.Appointment) int { return b.Start.Compare(a.Start) })
	return next, rest
}

type myAppointmentsData struct {
	Upcoming, Past []apptRow
}

// myAppointments lists the resident's bookings.
func (w *Web) myAppointments(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	all, err := w.opt.Appointments.Mine(r.Context(), u.Account)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	n, err := w.names(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	row := func(a appointments.Appointment) apptRow {
		return apptRow{Appointment: a, ServiceName: n.service(a.Service), BranchName: n.branch(a.Branch)}
	}
	next, rest := splitAppointments(all, w.opt.Directory.Now())
	var d myAppointmentsData
	for _, a := range next {
		d.Upcoming = append(d.Upcoming, row(a))
	}
	for _, a := range rest {
		d.Past = append(d.Past, row(a))
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("appointments.title")
	w.render(rw, r, http.StatusOK, "appointments", p)
}

// apptCardData is the dashboard card: the next bookings.
type apptCardData struct {
	Upcoming []apptRow
	// More counts the upcoming bookings the card leaves out.
	More int
}

// AppointmentsCard is the dashboard card of a resident's next three
// booked appointments, with links to all of them and to booking. The web
// layer registers it itself when Options.Appointments is set.
func AppointmentsCard(s *appointments.Service, dir *directory.Directory) dashboard.Card {
	return dashboard.Card{Key: "appointments", Order: orderAppointments, Title: "appointments.card_title",
		Template: "appointments", Load: func(ctx context.Context, a identity.Account) (any, bool, error) {
			if a.Kind != identity.Resident {
				return nil, false, nil
			}
			all, err := s.Mine(ctx, a)
			if err != nil {
				return nil, false, err
			}
			next, _ := splitAppointments(all, dir.Now())
			d := apptCardData{More: max(0, len(next)-cardAppointments)}
			st := dir.Store()
			for _, ap := range next[:min(len(next), cardAppointments)] {
				row := apptRow{Appointment: ap, ServiceName: lang.Text{ZhHant: ap.Service, Pt: ap.Service, En: ap.Service},
					BranchName: lang.Text{ZhHant: ap.Branch, Pt: ap.Branch, En: ap.Branch}}
				if svc, err := st.Service(ctx, ap.Service); err == nil {
					row.ServiceName = svc.Name
				}
				if b, err := st.Branch(ctx, ap.Branch); err == nil {
					row.BranchName = b.Name
				}
				d.Upcoming = append(d.Upcoming, row)
			}
			return d, true, nil
		}}
}

// apptDetails is the details page, and the cancel confirmation.
type apptDetails struct {
	Appointment appointments.Appointment
	Service     directory.Service
	Entity      directory.Entity
	Branch      directory.Branch
	Rules       appointments.Rules
	QR          template.URL
	// Done names what just happened: booked, rescheduled or cancelled.
	Done string
	// CanChange is true while the booking may still be moved or cancelled;
	// Deadline is the last moment it may.
	CanChange bool
	Deadline  time.Time
	// Confirm shows the cancel confirmation instead of the details.
	Confirm bool
	Form    *form
}

// loadAppointment loads one of the resident's bookings with its names and
// rules. Another resident's booking is NotFound.
func (w *Web) loadAppointment(r *http.Request) (*apptDetails, error) {
	u, _ := currentUser(r)
	ctx := r.Context()
	ap, err := w.opt.Appointments.Get(ctx, u.Account, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	loc := w.opt.Directory.Location()
	ap.Start, ap.End = ap.Start.In(loc), ap.End.In(loc)
	d := &apptDetails{Appointment: ap, Form: &form{Values: map[string]string{}, Errors: map[string]string{}}}
	st := w.opt.Directory.Store()
	if d.Service, err = st.Service(ctx, ap.Service); err != nil && !isCode(err, apperr.NotFound) {
		return nil, err
	}
	if d.Entity, err = st.Entity(ctx, d.Service.Entity); err != nil && !isCode(err, apperr.NotFound) {
		return nil, err
	}
	if d.Branch, err = st.Branch(ctx, ap.Branch); err != nil && !isCode(err, apperr.NotFound) {
		return nil, err
	}
	if d.Service.Code == "" {
		d.Service = directory.Service{Code: ap.Service, Name: lang.Text{ZhHant: ap.Service, Pt: ap.Service, En: ap.Service}}
	}
	if d.Branch.Code == "" {
		d.Branch = directory.Branch{Code: ap.Branch, Name: lang.Text{ZhHant: ap.Branch, Pt: ap.Branch, En: ap.Branch}}
	}
	rules, err := w.bookingRules(ctx, ap.Branch, ap.Service)
	switch {
	case err == nil:
		d.Rules = rules
		d.Deadline = ap.Start.Add(-time.Duration(rules.CancelCutoffMinutes) * time.Minute)
		d.CanChange = ap.Active() && rules.CanCancel(ap.Start, w.opt.Directory.Now())
	case !isCode(err, apperr.NotFound):
		return nil, err
	}
	d.QR = referenceQR(ap.Reference)
	return d, nil
}

// appointment shows one booking.
func (w *Web) appointment(rw http.ResponseWriter, r *http.Request) {
	d, err := w.loadAppointment(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	q := r.URL.Query()
	for _, done := range []string{"booked", "rescheduled", "cancelled"} {
		if q.Get(done) == "1" {
			d.Done = done
		}
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("appointment.title") + " " + d.Appointment.Reference
	w.render(rw, r, http.StatusOK, "appointment", p)
}

// cancelPage asks to confirm the cancellation.
func (w *Web) cancelPage(rw http.ResponseWriter, r *http.Request) {
	d, err := w.loadAppointment(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if !d.Appointment.Active() {
		http.Redirect(rw, r, "/appointments/"+d.Appointment.ID, http.StatusSeeOther)
		return
	}
	w.renderCancel(rw, r, http.StatusOK, d)
}

func (w *Web) renderCancel(rw http.ResponseWriter, r *http.Request, status int, d *apptDetails) {
	d.Confirm = true
	p := w.newPage(r, "", d)
	p.Title = p.L.T("appointment.cancel_title")
	if d.Form.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "appointment", p)
}

// cancelAppointment cancels the booking; its place is free at once.
func (w *Web) cancelAppointment(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	id := r.PathValue("id")
	if _, err := w.opt.Appointments.Cancel(r.Context(), u.Account, id); err != nil {
		if isCode(err, apperr.NotFound) {
			w.fail(rw, r, err)
			return
		}
		d, lerr := w.loadAppointment(r)
		if lerr != nil {
			w.fail(rw, r, lerr)
			return
		}
		status := d.Form.fail(err, "")
		w.renderCancel(rw, r, status, d)
		return
	}
	http.Redirect(rw, r, "/appointments/"+id+"?cancelled=1", http.StatusSeeOther)
}

// appointmentICS gives the booking as an iCalendar file.
func (w *Web) appointmentICS(rw http.ResponseWriter, r *http.Request) {
	d, err := w.loadAppointment(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	l := w.cat.Locale(w.language(r))
	ap := d.Appointment
	location := l.Text(d.Branch.Name)
	if addr := l.Text(d.Branch.Address); addr != "" {
		location += ", " + addr
	}
	desc := l.T("appointment.ics_reference", "Reference", ap.Reference)
	if docs := l.Text(d.Rules.Documents); docs != "" {
		desc += "\n" + l.T("appointment.ics_documents", "Documents", docs)
	}
	ev := icsEvent{UID: ap.ID + "@" + icsHost(r), Stamp: w.opt.Directory.Now(), Start: ap.Start, End: ap.End,
		Summary: l.Text(d.Service.Name), Location: location, Description: desc, Cancelled: ap.Status == appointments.Cancelled}
	h := rw.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="appointment-`+safeFilePart(ap.Reference)+`.ics"`)
	h.Set("Cache-Control", "no-store")
	_, _ = rw.Write(ev.bytes())
}

// icsHost is the request's host name, without the port, for event UIDs.
func icsHost(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for _, c := range host {
		if !(c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return "oneaccount"
		}
	}
	if host == "" {
		return "oneaccount"
	}
	return host
}

// safeFilePart keeps the letters, digits and dashes of s, for a file name.
func safeFilePart(s string) string {
	out := make([]rune, 0, len(s))
	for _, c := range s {
		if c == '-' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' {
			out = append(out, c)
		}
	}
	return string(out)
}

// referenceQR renders a booking reference as a QR code PNG in a data: URI
// (the CSP allows data: images), for the counter's scanner.
func referenceQR(ref string) template.URL {
	code, err := qr.Encode(ref, qr.M, qr.Auto)
	if err != nil {
		return ""
	}
	img, err := barcode.Scale(code, 200, 200)
	if err != nil {
		return ""
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return ""
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
}
