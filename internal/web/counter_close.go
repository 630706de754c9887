package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// closeData is the closure form of a branch.
type closeData struct {
	// Mode is "close": the page template shows the closure form.
	Mode   string
	Branch directory.Branch
	Back   string
	Form   *form
}

// closeFields are the closure form's fields.
var closeFields = []string{"from_date", "from_time", "to_date", "to_time", "reason_zh", "reason_pt", "reason_en"}

// closableBranch loads the branch of a closure page: 404 when unknown,
// 403 for staff who may not close it.
func (w *Web) closableBranch(r *http.Request) (directory.Branch, error) {
	b, err := w.opt.Directory.Store().Branch(r.Context(), r.PathValue("branch"))
	if err != nil {
		return b, err
	}
	if u, _ := currentUser(r); !appointments.CanClose(identity.Actor{Account: u.Account}, b) {
		return b, &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "only the branch's supervisors close it"}
	}
	return b, nil
}

// closePage shows the closure form, its dates the day given (?date=).
func (w *Web) closePage(rw http.ResponseWriter, r *http.Request) {
	b, err := w.closableBranch(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	day, err := w.parseDay(r.URL.Query().Get("date"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f := &form{Values: map[string]string{"from_date": day.String(), "to_date": day.String()}, Errors: map[string]string{}}
	w.renderClose(rw, r, http.StatusOK, b, day, f)
}

func (w *Web) renderClose(rw http.ResponseWriter, r *http.Request, status int, b directory.Branch, day directory.Date, f *form) {
	p := w.newPage(r, "", &closeData{Mode: "close", Branch: b, Back: counterURL(b.Code, day), Form: f})
	p.Title = p.L.T("counter.close_title", "Branch", p.L.Text(b.Name))
	if f.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "counter-day", p)
}

// closeBranch closes the branch for the period given; every booking in it
// is cancelled and its holder told. 303 to the day with the count.
func (w *Web) closeBranch(rw http.ResponseWriter, r *http.Request) {
	b, err := w.closableBranch(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f := newForm(r, closeFields...)
	from, okFrom := w.readDateTime(f, "from", "start", false)
	to, okTo := w.readDateTime(f, "to", "end", false)
	if okFrom && okTo && !to.After(from) {
		addFieldError(f, "to_date", "counter.end_after_start")
	}
	reason := lang.Text{ZhHant: strings.TrimSpace(f.Values["reason_zh"]), Pt: strings.TrimSpace(f.Values["reason_pt"]),
		En: strings.TrimSpace(f.Values["reason_en"])}
	for _, field := range []string{"reason_zh", "reason_pt", "reason_en"} {
		if strings.TrimSpace(f.Values[field]) == "" {
			addFieldError(f, field, "counter.reason_required")
		}
	}
	day := directory.DateOf(w.opt.Directory.Now())
	if okFrom {
		day = directory.DateOf(from)
	}
	if f.HasErrors() {
		w.renderClose(rw, r, http.StatusUnprocessableEntity, b, day, f)
		return
	}
	n, err := w.opt.Appointments.Close(r.Context(), w.staffActor(r), appointments.Closure{Branch: b.Code, From: from, To: to, Reason: reason})
	if err != nil {
		if !isCode(err, apperr.Invalid) {
			w.fail(rw, r, err)
			return
		}
		if e, _ := apperr.As(err); e.Field == "to" {
			addFieldError(f, "to_date", "counter.end_after_start")
		} else {
			f.fail(err, "")
		}
		w.renderClose(rw, r, http.StatusUnprocessableEntity, b, day, f)
		return
	}
	w.opt.Log.InfoContext(r.Context(), "branch closed", "branch", b.Code, "from", from, "to", to, "cancelled", n)
	http.Redirect(rw, r, counterURL(b.Code, day, "closed", strconv.Itoa(n)), http.StatusSeeOther)
}

// readDateTime reads the date and time fields prefix_date and prefix_time
// as an instant in Macao, recording what is missing or wrong; role
// ("start" or "end") picks the messages. With optional, two empty fields
// give the zero time.
func (w *Web) readDateTime(f *form, prefix, role string, optional bool) (time.Time, bool) {
	dv, tv := strings.TrimSpace(f.Values[prefix+"_date"]), strings.TrimSpace(f.Values[prefix+"_time"])
	if optional && dv == "" && tv == "" {
		return time.Time{}, true
	}
	ok := true
	day, err := appointments.ParseDate(dv)
	switch {
	case dv == "":
		ok = false
		addFieldError(f, prefix+"_date", "counter."+role+"_date_required")
	case err != nil:
		ok = false
		addFieldError(f, prefix+"_date", "counter."+role+"_date_invalid")
	}
	clock, err := parseClock(tv)
	switch {
	case tv == "":
		ok = false
		addFieldError(f, prefix+"_time", "counter."+role+"_time_required")
	case err != nil:
		ok = false
		addFieldError(f, prefix+"_time", "counter."+role+"_time_invalid")
	}
	if !ok {
		return time.Time{}, false
	}
	return clock.On(day, w.opt.Directory.Location()), true
}

// parseClock reads a time of day as a time input sends it (HH:MM, or
// HH:MM:SS with whole minutes), also typed as H:MM.
func parseClock(s string) (directory.ClockTime, error) {
	if len(s) == 4 && s[1] == ':' {
		s = "0" + s
	}
	if len(s) == 8 && strings.HasSuffix(s, ":00") {
		s = s[:5]
	}
	return directory.ParseClock(s)
}
