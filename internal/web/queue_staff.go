package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
)

// The counter workstation, for signed-in staff (residents get 403). The
// queue service decides who may work a counter; staff of another entity
// get its answer (403, or 404 for a counter it does not know). Every
// action is a form that works without JavaScript; queue-workstation.js
// adds keyboard shortcuts and keeps the lists live.
//
//	GET  /staff/counters                                 the counters where the staff member serves
//	GET  /staff/counters/{counter}                       the workstation ({counter} is BRANCH.CODE)
//	POST /staff/counters/{counter}/{action}              open, close, call-next
//	POST /staff/counters/{counter}/tickets/{id}/{action} recall, no-show, reinstate, park,
//	                                                     resume, complete (outcome),
//	                                                     transfer (queue), class (class)
//
// Each action answers 303 back to the workstation with what was done; a
// refused one (nobody waiting, the counter busy) shows the workstation
// again with the reason.

// mountWorkstation registers the staff's queue pages.
func (w *Web) mountWorkstation(page func(string, http.HandlerFunc)) {
	staff := func(h http.HandlerFunc) http.HandlerFunc { return w.requireUser(w.requireStaff(h)) }
	page("GET /staff/counters", staff(w.countersIndex))
	page("GET /staff/counters/{counter}", staff(w.workstation))
	page("POST /staff/counters/{counter}/{action}", staff(w.counterAction))
	page("POST /staff/counters/{counter}/tickets/{id}/{action}", staff(w.ticketAction))
}

// wsOutcomes are the outcomes staff complete a ticket with.
var wsOutcomes = []string{"served", "referred", "documents_missing", "other"}

// countersBranch is a branch with the counters the staff member may work.
type countersBranch struct {
	Branch   directory.Branch
	Counters []directory.Counter
}

// countersIndex lists, for each branch with queues where the staff member
// serves, the counters of their entity (every counter for platform admins).
func (w *Web) countersIndex(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	bs, err := w.servedBranches(r.Context(), u.Account)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var out []countersBranch
	for _, b := range bs {
		if qs, err := w.opt.Queue.Queues(r.Context(), b.Code); err != nil || len(qs) == 0 {
			continue
		}
		cb := countersBranch{Branch: b}
		for _, c := range b.Counters {
			if c.Entity == u.Account.Entity || u.Account.HasRole(identity.PlatformAdmin) {
				cb.Counters = append(cb.Counters, c)
			}
		}
		if len(cb.Counters) > 0 {
			out = append(out, cb)
		}
	}
	p := w.newPage(r, "", out)
	p.Title = p.L.T("queue.counters_title")
	w.render(rw, r, http.StatusOK, "queue-counters", p)
}

// wsTicket is a ticket as the workstation lists it.
type wsTicket struct {
	queue.Ticket
	QueueName lang.Text
	Issued    time.Time
	// Waited is the whole minutes since it joined the queue.
	Waited int
}

// wsData is the workstation page.
type wsData struct {
	ID          string
	WS          queue.Workstation
	Branch      directory.Branch
	CounterName lang.Text
	Current     *wsTicket
	Waiting     []wsTicket
	Parked      []wsTicket
	Missed      []wsTicket
	Classes     []queue.Class
	Outcomes    []string
	EventsURL   string
	// Done is the action just done, on Number.
	Done, Number string
	Form         *form
}

// counterPath is a workstation's URL path.
func counterPath(id string) string { return "/staff/counters/" + url.PathEscape(id) }

// loadWorkstation loads a counter's page data through the service, which
// checks the staff member may work it.
func (w *Web) loadWorkstation(r *http.Request, id string) (*wsData, error) {
	ctx := r.Context()
	ws, err := w.opt.Queue.Workstation(ctx, w.staffActor(r), id)
	if err != nil {
		return nil, err
	}
	b, err := w.opt.Directory.Store().Branch(ctx, ws.Counter.Branch)
	if err != nil {
		return nil, err
	}
	names := map[string]lang.Text{}
	for _, q := range ws.Queues {
		names[q.Code] = q.Name
	}
	now := w.opt.Directory.Now()
	row := func(t queue.Ticket) wsTicket {
		n, ok := names[t.Queue]
		if !ok {
			n = lang.Text{ZhHant: t.Queue, Pt: t.Queue, En: t.Queue}
		}
		return wsTicket{Ticket: t, QueueName: n, Issued: w.localTime(t.IssuedAt), Waited: int(now.Sub(t.QueuedAt).Minutes())}
	}
	d := &wsData{ID: id, WS: ws, Branch: b, CounterName: ws.Counter.Name, Classes: kioskClasses, Outcomes: wsOutcomes,
		EventsURL: eventsURL(b.Code), Form: &form{Values: map[string]string{}, Errors: map[string]string{}}}
	for _, c := range b.Counters {
		if c.Code == ws.Counter.Code && d.CounterName.En == "" {
			d.CounterName = c.Name
		}
	}
	if d.CounterName.En == "" {
		d.CounterName = lang.Text{ZhHant: ws.Counter.Code, Pt: ws.Counter.Code, En: ws.Counter.Code}
	}
	if ws.Current != nil {
		c := row(*ws.Current)
		d.Current = &c
	}
	for _, t := range ws.Waiting {
		d.Waiting = append(d.Waiting, row(t))
	}
	for _, t := range ws.Parked {
		d.Parked = append(d.Parked, row(t))
	}
	for _, t := range ws.Missed {
		d.Missed = append(d.Missed, row(t))
	}
	return d, nil
}

// workstation shows a counter: its current ticket and the actions on it,
// the waiting list, the parked and the missed tickets.
func (w *Web) workstation(rw http.ResponseWriter, r *http.Request) {
	d, err := w.loadWorkstation(r, r.PathValue("counter"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	q := r.URL.Query()
	if done := q.Get("done"); slices.Contains(wsActions, done) {
		d.Done, d.Number = done, q.Get("number")
	}
	w.renderWorkstation(rw, r, http.StatusOK, d)
}

func (w *Web) renderWorkstation(rw http.ResponseWriter, r *http.Request, status int, d *wsData) {
	p := w.newPage(r, "", d)
	p.Title = p.L.T("queue.ws_title", "Counter", p.L.Text(d.CounterName))
	if d.Form.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	p.Sheet = w.static.url("queue.css")
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "queue-workstation", p)
}

// wsActions are the actions whose banner the workstation shows.
var wsActions = []string{"open", "close", "call-next", "recall", "no-show", "reinstate", "park", "resume", "complete",
	"transfer", "class"}

// counterAction opens or closes the counter, or calls the next ticket.
func (w *Web) counterAction(rw http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("counter"), r.PathValue("action")
	actor, ctx := w.staffActor(r), r.Context()
	var number string
	var err error
	switch action {
	case "open":
		_, err = w.opt.Queue.OpenCounter(ctx, actor, id)
	case "close":
		_, err = w.opt.Queue.CloseCounter(ctx, actor, id)
	case "call-next":
		// From the form of the ticket at the counter: complete it with
		// the outcome chosen and call the next in one change.
		outcome := newForm(r, "outcome").Values["outcome"]
		if outcome != "" && !slices.Contains(wsOutcomes, outcome) {
			outcome = wsOutcomes[0]
		}
		var t queue.Ticket
		t, err = w.opt.Queue.CallNext(ctx, actor, id, outcome)
		number = t.Number
	default:
		w.Error(rw, r, http.StatusNotFound)
		return
	}
	w.actionDone(rw, r, id, action, number, err)
}

// ticketAction applies a staff action to a ticket of the counter.
func (w *Web) ticketAction(rw http.ResponseWriter, r *http.Request) {
	id, tid, action := r.PathValue("counter"), r.PathValue("id"), r.PathValue("action")
	actor, ctx := w.staffActor(r), r.Context()
	f := newForm(r, "outcome", "queue", "class")
	var t queue.Ticket
	var err error
	switch action {
	case "recall":
		t, err = w.opt.Queue.Recall(ctx, actor, tid)
	case "no-show":
		t, err = w.opt.Queue.NoShow(ctx, actor, tid)
	case "reinstate":
		t, err = w.opt.Queue.Reinstate(ctx, actor, tid)
	case "park":
		t, err = w.opt.Queue.Park(ctx, actor, tid)
	case "resume":
		t, err = w.opt.Queue.Resume(ctx, actor, tid, id)
	case "complete":
		outcome := f.Values["outcome"]
		if !slices.Contains(wsOutcomes, outcome) {
			outcome = wsOutcomes[0]
		}
		t, err = w.opt.Queue.Complete(ctx, actor, tid, outcome)
	case "transfer":
		t, err = w.opt.Queue.Transfer(ctx, actor, tid, strings.TrimSpace(f.Values["queue"]))
	case "class":
		t, err = w.opt.Queue.ConfirmClass(ctx, actor, tid, queue.Class(f.Values["class"]))
	default:
		w.Error(rw, r, http.StatusNotFound)
		return
	}
	w.actionDone(rw, r, id, action, t.Number, err)
}

// actionDone answers an action: 303 back to the workstation, or the
// workstation again with the reason the action was refused.
func (w *Web) actionDone(rw http.ResponseWriter, r *http.Request, id, action, number string, err error) {
	if err == nil {
		q := url.Values{"done": {action}}
		if number != "" {
			q.Set("number", number)
		}
		http.Redirect(rw, r, counterPath(id)+"?"+q.Encode(), http.StatusSeeOther)
		return
	}
	e, ok := apperr.As(err)
	if !ok || (e.Code != apperr.Conflict && e.Code != apperr.Invalid) {
		w.fail(rw, r, err)
		return
	}
	d, lerr := w.loadWorkstation(r, id)
	if lerr != nil {
		w.fail(rw, r, lerr)
		return
	}
	status := d.Form.fail(err, "")
	if d.Form.Message == "" && len(d.Form.Order) > 0 {
		// A field error names a field this page has no input for.
		d.Form.Message = d.Form.Errors[d.Form.Order[0]]
		d.Form.Order, d.Form.Errors = nil, map[string]string{}
	}
	w.renderWorkstation(rw, r, status, d)
}
