package web

import (
	"context"
	"crypto/rand"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
)

// Queue tickets, for residents and visitors. Every page works without
// JavaScript; queue-live.js and queue-ticket.js update the ticket page and
// the live status over the branch's server-sent events.
//
//	GET  /branches/{code}/queue     live status: waiting and estimated wait per queue
//	GET  /branches/{code}/tickets   the branch's queues, and the form to take a ticket
//	POST /branches/{code}/tickets   a signed-in resident takes a remote ticket (queue, idem)
//	GET  /tickets/{id}              a ticket: number, now serving, people ahead, ETA
//	POST /tickets/{id}/cancel       cancel a waiting ticket
//
// A ticket's ID is random: a kiosk ticket (no owner) is reached by it
// alone. A ticket with an owner (remote or appointment) is shown only to
// its owner; to anyone else it is not found. The kiosk and the board are in
// queue_kiosk.go, the staff pages in queue_staff.go and queue_stats.go.

// mountQueue registers the queue pages when the web layer has the queue
// service.
func (w *Web) mountQueue(mux *http.ServeMux, page func(string, http.HandlerFunc)) {
	if w.opt.Queue == nil {
		return
	}
	if w.opt.Dashboard != nil {
		w.opt.Dashboard.Register(QueueTicketsCard(w.opt.Queue, w.opt.Directory))
	}
	page("GET /branches/{code}/queue", w.queueStatus)
	page("GET /branches/{code}/tickets", w.takePage)
	page("POST /branches/{code}/tickets", w.requireResident(w.takeTicket))
	page("GET /tickets/{id}", w.ticketPage)
	page("POST /tickets/{id}/cancel", w.cancelTicket)
	w.mountKiosk(page)
	w.mountWorkstation(page)
	w.mountQueueStats(mux, page)
}

// hasQueues reports whether a branch issues queue tickets, for the link
// on its page.
func (w *Web) hasQueues(code string) bool {
	if w.opt.Queue == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	qs, err := w.opt.Queue.Queues(ctx, code)
	return err == nil && len(qs) > 0
}

// eventsURL is the branch's live-events stream (the API serves it).
func eventsURL(branch string) string {
	return "/api/v1/branches/" + url.PathEscape(branch) + "/queue/events"
}

// queueRow is a queue with its live status.
type queueRow struct {
	Queue  queue.Queue
	Status queue.QueueStatus
}

// queueRows pairs a branch's queues with their live status.
func queueRows(qs []queue.Queue, st queue.BranchStatus) []queueRow {
	rows := make([]queueRow, len(qs))
	for i, q := range qs {
		rows[i] = queueRow{Queue: q, Status: queue.QueueStatus{Code: q.Code}}
		for _, s := range st.Queues {
			if s.Code == q.Code {
				rows[i].Status = s
			}
		}
	}
	return rows
}

// branchQueues loads a branch, its queues and its live status: 404 for an
// unknown branch or one without queues.
func (w *Web) branchQueues(ctx context.Context, code string) (directory.Branch, []queueRow, queue.BranchStatus, error) {
	b, err := w.opt.Directory.Store().Branch(ctx, code)
	if err != nil {
		return b, nil, queue.BranchStatus{}, err
	}
	qs, err := w.opt.Queue.Queues(ctx, b.Code)
	if err != nil {
		return b, nil, queue.BranchStatus{}, err
	}
	if len(qs) == 0 {
		return b, nil, queue.BranchStatus{}, &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.body", Detail: "the branch has no queues"}
	}
	st, err := w.opt.Queue.Status(ctx, b.Code)
	if err != nil {
		return b, nil, st, err
	}
	return b, queueRows(qs, st), st, nil
}

// statusData is the public live-status page.
type statusData struct {
	Branch    directory.Branch
	Rows      []queueRow
	At        time.Time
	EventsURL string
	// Texts are the strings queue-status.js fills in.
	ETAText, NoWait string
}

// queueStatus shows a branch's waiting count and estimated wait per queue.
func (w *Web) queueStatus(rw http.ResponseWriter, r *http.Request) {
	b, rows, st, err := w.branchQueues(r.Context(), r.PathValue("code"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(r, "", nil)
	p.Data = &statusData{Branch: b, Rows: rows, At: w.localTime(st.At), EventsURL: eventsURL(b.Code),
		ETAText: p.L.T("queue.eta_range", "Low", "{low}", "High", "{high}"), NoWait: p.L.T("queue.eta_none")}
	p.Title = p.L.T("queue.status_title", "Branch", p.L.Text(b.Name))
	p.Sheet = w.static.url("queue.css")
	w.render(rw, r, http.StatusOK, "queue-status", p)
}

// localTime is t in Macao; the zero time becomes now.
func (w *Web) localTime(t time.Time) time.Time {
	if t.IsZero() {
		t = w.opt.Directory.Now()
	}
	return t.In(w.opt.Directory.Location())
}

// takeData is the "take a ticket" page.
type takeData struct {
	Branch directory.Branch
	Rows   []queueRow
	Form   *form
	// Resident may take a ticket; SignIn is the sign-in link for people
	// signed out.
	Resident bool
	SignIn   string
	Idem     string
	// Held is the ticket the resident already holds at the branch, when
	// taking another was refused.
	Held string
}

// takePage lists a branch's queues with their waits, and the form to take
// a ticket for signed-in residents.
func (w *Web) takePage(rw http.ResponseWriter, r *http.Request) {
	f := &form{Values: map[string]string{"queue": r.URL.Query().Get("queue")}, Errors: map[string]string{}}
	w.renderTake(rw, r, http.StatusOK, f, "")
}

// renderTake renders the take page; held is the ticket already held, to
// link to.
func (w *Web) renderTake(rw http.ResponseWriter, r *http.Request, status int, f *form, held string) {
	b, rows, _, err := w.branchQueues(r.Context(), r.PathValue("code"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &takeData{Branch: b, Rows: rows, Form: f, Idem: rand.Text(), Held: held,
		SignIn: "/login?" + url.Values{"next": {r.URL.Path}}.Encode()}
	if u, ok := currentUser(r); ok && u.Account.Kind == identity.Resident {
		d.Resident = true
	}
	if len(rows) == 1 && f.Values["queue"] == "" {
		f.Values["queue"] = rows[0].Queue.Code
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("queue.take_title", "Branch", p.L.Text(b.Name))
	if f.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	p.Sheet = w.static.url("queue.css")
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "queue-take", p)
}

// takeTicket issues a remote ticket: 303 to the ticket. A closed queue,
// the quota or a ticket already held shows the form again with the error.
func (w *Web) takeTicket(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	f := newForm(r, "queue", "idem")
	if f.Values["queue"] == "" {
		addFieldError(f, "queue", "queue.queue_required")
		w.renderTake(rw, r, http.StatusUnprocessableEntity, f, "")
		return
	}
	idem := f.Values["idem"]
	if idem != "" {
		idem = "web:" + idem
	}
	t, err := w.opt.Queue.TakeRemote(r.Context(), u.Account, r.PathValue("code"), f.Values["queue"], idem)
	if err != nil {
		status := f.fail(err, "queue")
		if status >= 500 || isCode(err, apperr.NotFound) || isCode(err, apperr.Forbidden) {
			w.fail(rw, r, err)
			return
		}
		held := ""
		if errors.Is(err, queue.ErrActive) {
			held = w.heldTicket(r.Context(), u.Account, r.PathValue("code"))
		}
		w.renderTake(rw, r, status, f, held)
		return
	}
	http.Redirect(rw, r, "/tickets/"+url.PathEscape(t.ID)+"?taken=1", http.StatusSeeOther)
}

// ticketData is the ticket page (and the kiosk's printed ticket).
type ticketData struct {
	View      queue.TicketView
	Branch    directory.Branch
	QueueName lang.Text
	// CounterName names the counter the ticket is called to.
	CounterName string
	Waiting     bool
	// ETALow and ETAHigh are in whole minutes.
	ETALow, ETAHigh int
	CanCancel       bool
	EventsURL       string
	At              time.Time
	// Done names what just happened: taken or cancelled.
	Done string
	// Texts are the strings queue-ticket.js fills in.
	ETAText, NextText string
	// Kiosk ticket: the QR code of the ticket page's address, and the
	// address, and the kiosk's language (for its links).
	QR      template.URL
	PageURL string
	Lang    lang.Tag
}

// loadTicket loads a ticket the request may see: a kiosk ticket by its
// ID, an owned ticket only for its owner (NotFound for anyone else).
func (w *Web) loadTicket(r *http.Request, id string) (*ticketData, error) {
	ctx := r.Context()
	v, err := w.opt.Queue.View(ctx, id)
	if err != nil {
		return nil, err
	}
	if v.Ticket.AccountID != "" {
		u, ok := currentUser(r)
		if !ok || u.Account.ID != v.Ticket.AccountID {
			return nil, &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.body", Detail: "no such ticket"}
		}
		if v, err = w.opt.Queue.Mine(ctx, u.Account, id); err != nil {
			return nil, err
		}
	}
	d := &ticketData{View: v, EventsURL: eventsURL(v.Ticket.Branch), Waiting: v.Ticket.Status == queue.Waiting,
		CanCancel: v.Ticket.Status == queue.Waiting, At: w.localTime(time.Time{}),
		ETALow: minutes(v.ETALow), ETAHigh: minutes(v.ETAHigh)}
	d.Branch, err = w.opt.Directory.Store().Branch(ctx, v.Ticket.Branch)
	if err != nil {
		return nil, err
	}
	d.QueueName = lang.Text{ZhHant: v.Ticket.Queue, Pt: v.Ticket.Queue, En: v.Ticket.Queue}
	if qs, err := w.opt.Queue.Queues(ctx, v.Ticket.Branch); err == nil {
		for _, q := range qs {
			if q.Code == v.Ticket.Queue {
				d.QueueName = q.Name
			}
		}
	}
	return d, nil
}

// minutes rounds a duration up to whole minutes.
func minutes(d time.Duration) int { return int(math.Ceil(d.Minutes())) }

// counterText names a counter of a branch in a language, falling back to
// fallback and then to the code.
func counterText(l *Locale, b directory.Branch, code, fallback string) string {
	for _, c := range b.Counters {
		if c.Code == code {
			return l.Text(c.Name)
		}
	}
	if fallback != "" {
		return fallback
	}
	return code
}

// ticketPage shows a ticket and where it is in its queue.
func (w *Web) ticketPage(rw http.ResponseWriter, r *http.Request) {
	d, err := w.loadTicket(r, r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, done := range []string{"taken", "cancelled"} {
		if r.URL.Query().Get(done) == "1" {
			d.Done = done
		}
	}
	p := w.newPage(r, "", d)
	d.CounterName = counterText(p.L, d.Branch, d.View.Ticket.Counter, d.View.CounterName)
	d.ETAText = p.L.T("queue.eta_range", "Low", "{low}", "High", "{high}")
	d.NextText = p.L.T("queue.ticket_next")
	p.Title = p.L.T("queue.ticket_title", "Number", d.View.Ticket.Number)
	p.Sheet = w.static.url("queue.css")
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, http.StatusOK, "queue-ticket", p)
}

// cancelTicket cancels a waiting ticket the request may see: 303 back to
// it with a banner.
func (w *Web) cancelTicket(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := w.loadTicket(r, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var owner *identity.Account
	if d.View.Ticket.AccountID != "" {
		u, _ := currentUser(r)
		owner = &u.Account
	}
	if _, err := w.opt.Queue.Cancel(r.Context(), owner, id); err != nil && !isCode(err, apperr.Conflict) {
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/tickets/"+url.PathEscape(id)+"?cancelled=1", http.StatusSeeOther)
}
