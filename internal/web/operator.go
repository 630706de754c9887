package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
)

// The platform operator's closures of every branch: typhoon signal No. 8
// (the official reopening rules apply) and black rainstorm (the operator
// decides the span). Platform admins only; the appointments service checks
// again.

// operatorData is the operator page: two forms and the last result.
type operatorData struct {
	Signal, Rain *form
	// Done names the closure just declared: "signal8" or "blackrain".
	Done string
	// Cancelled bookings, at Branches branches closed from From to To;
	// Empty when the rules close nothing.
	Cancelled, Branches int
	From, To            time.Time
	Empty               bool
}

func newOperatorData(today directory.Date) *operatorData {
	return &operatorData{
		Signal: &form{Values: map[string]string{"raised_date": today.String()}, Errors: map[string]string{}},
		Rain: &form{Values: map[string]string{"rain_from_date": today.String(), "rain_to_date": today.String()},
			Errors: map[string]string{}},
	}
}

// operatorPage shows the forms, and the result of the last declaration.
func (w *Web) operatorPage(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := canOperate(u.Account); err != nil {
		w.fail(rw, r, err)
		return
	}
	d := newOperatorData(directory.DateOf(w.opt.Directory.Now()))
	q := r.URL.Query()
	if done := q.Get("done"); done == "signal8" || done == "blackrain" {
		loc := w.opt.Directory.Location()
		d.Done = done
		d.Cancelled, _ = strconv.Atoi(q.Get("cancelled"))
		d.Branches, _ = strconv.Atoi(q.Get("branches"))
		from, errFrom := appointments.ParseStart(q.Get("from"), loc)
		to, errTo := appointments.ParseStart(q.Get("to"), loc)
		d.From, d.To, d.Empty = from, to, errFrom != nil || errTo != nil || !to.After(from)
	}
	w.renderOperator(rw, r, http.StatusOK, d)
}

func (w *Web) renderOperator(rw http.ResponseWriter, r *http.Request, status int, d *operatorData) {
	p := w.newPage(r, "", d)
	p.Title = p.L.T("operator.title")
	if d.Signal.HasErrors() || d.Rain.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "operator", p)
}

// operatorAct declares a typhoon signal No. 8 (act=signal8) or a black
// rainstorm (act=blackrain): 303 back with the count of bookings cancelled.
func (w *Web) operatorAct(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := canOperate(u.Account); err != nil {
		w.fail(rw, r, err)
		return
	}
	d := newOperatorData(directory.DateOf(w.opt.Directory.Now()))
	var from, to time.Time
	var n int
	var err error
	switch r.PostFormValue("act") {
	case "signal8":
		d.Signal = newForm(r, "raised_date", "raised_time", "lowered_date", "lowered_time")
		raised, ok1 := w.readDateTime(d.Signal, "raised", "start", false)
		lowered, ok2 := w.readDateTime(d.Signal, "lowered", "end", true)
		if ok1 && ok2 && !lowered.IsZero() && !lowered.After(raised) {
			addFieldError(d.Signal, "lowered_date", "operator.lowered_after_raised")
		}
		if d.Signal.HasErrors() {
			w.renderOperator(rw, r, http.StatusUnprocessableEntity, d)
			return
		}
		from, to = signal8Span(raised, lowered, w.opt.Directory.Location())
		n, err = w.opt.Appointments.Signal8(r.Context(), w.staffActor(r), raised, lowered)
	case "blackrain":
		d.Rain = newForm(r, "rain_from_date", "rain_from_time", "rain_to_date", "rain_to_time")
		var ok1, ok2 bool
		from, ok1 = w.readDateTime(d.Rain, "rain_from", "start", false)
		to, ok2 = w.readDateTime(d.Rain, "rain_to", "end", false)
		if ok1 && ok2 && !to.After(from) {
			addFieldError(d.Rain, "rain_to_date", "counter.end_after_start")
		}
		if d.Rain.HasErrors() {
			w.renderOperator(rw, r, http.StatusUnprocessableEntity, d)
			return
		}
		n, err = w.opt.Appointments.BlackRain(r.Context(), w.staffActor(r), from, to)
	default:
		w.Error(rw, r, http.StatusBadRequest)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	branches, err := w.closingBranches(r.Context(), from, to)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	act := r.PostFormValue("act")
	w.opt.Log.InfoContext(r.Context(), "branches closed", "by", u.Account.ID, "what", act, "from", from, "to", to, "cancelled", n)
	q := url.Values{"done": {act}, "cancelled": {strconv.Itoa(n)}, "branches": {strconv.Itoa(branches)},
		"from": {from.Format("2006-01-02T15:04")}, "to": {to.Format("2006-01-02T15:04")}}
	http.Redirect(rw, r, "/staff/operator?"+q.Encode(), http.StatusSeeOther)
}

// signal8Span is the span Signal8 closes, for the result shown: the
// official rules (appointments.ClosedSpan) with the signal lowered at
// lowered, or, while it is still up (zero), until the end of its day.
func signal8Span(raised, lowered time.Time, loc *time.Location) (from, to time.Time) {
	if !lowered.IsZero() {
		return appointments.ClosedSpan(raised, lowered, loc)
	}
	end := directory.DateOf(raised.In(loc)).AddDays(1).In(loc)
	from, _ = appointments.ClosedSpan(raised, end.Add(-time.Minute), loc)
	return from, end
}

// closingBranches counts the branches an operator's closure of [from, to)
// closes: every branch with opening hours.
func (w *Web) closingBranches(ctx context.Context, from, to time.Time) (int, error) {
	if !to.After(from) {
		return 0, nil
	}
	bs, err := w.opt.Directory.Store().Branches(ctx, "")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range bs {
		if len(b.Hours) > 0 {
			n++
		}
	}
	return n, nil
}
