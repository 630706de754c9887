package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// The booking rules of a service at a branch, for its entity's admins
// (and platform admins): /staff/booking-rules lists the entity's services
// by branch; ?branch=B&service=S is the form, which posts to itself.

// maxDocuments bounds each language of the documents to bring.
const maxDocuments = 2000

// rulesInts are the form's whole-number fields with the rules field the
// appointments service names when one is wrong.
var rulesInts = []struct{ input, field string }{
	{"slot_minutes", "slot_minutes"}, {"places", "places"}, {"window_from", "window"}, {"window_to", "window"},
	{"max_per_day", "max_per_day"}, {"level", "level"}, {"cancel_cutoff", "cancel_cutoff"},
	{"no_show_count", "no_show"}, {"no_show_window_days", "no_show"}, {"no_show_suspend_days", "no_show"},
}

// rulesFields are the rules fields the form has a message for
// ("rules.error." + field); the appointments service names them in its
// "appointments.invalid.rules" errors.
var rulesFields = map[string]bool{"slot_minutes": true, "places": true, "window": true, "max_per_day": true,
	"level": true, "documents": true, "cancel_cutoff": true, "no_show": true}

// rulesAnchors are the inputs an error summary links to for the rules
// fields whose inputs have other names.
var rulesAnchors = map[string]string{"window": "window_from", "documents": "documents_zh", "no_show": "no_show_count"}

// rulesAnchor is the input an error of a rules field links to.
func rulesAnchor(field string) string {
	if a, ok := rulesAnchors[field]; ok {
		return a
	}
	return field
}

// mayAdminRules reports whether a staff member may set booking rules of
// some service: entity admins and platform admins. SetRules decides per
// service.
func mayAdminRules(a identity.Account) bool {
	return a.Kind == identity.Staff && (a.HasRole(identity.EntityAdmin) || a.HasRole(identity.PlatformAdmin))
}

// rulesLink is a service at a branch in the list, with whether it takes
// bookings there.
type rulesLink struct {
	Service  directory.Service
	URL      string
	Bookable bool
}

// rulesBranch is a branch with the admin's services there.
type rulesBranch struct {
	Branch   directory.Branch
	Services []rulesLink
}

// rulesData is the list, or the form of one service at one branch.
type rulesData struct {
	Groups  []rulesBranch
	Branch  directory.Branch
	Service directory.Service
	Entity  directory.Entity
	// New is true when the service takes no bookings at the branch yet:
	// the form shows the defaults.
	New    bool
	Saved  bool
	Action string
	Form   *form
}

// rulesPage lists the admin's services by branch, or shows one's rules.
func (w *Web) rulesPage(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if !mayAdminRules(u.Account) {
		w.Error(rw, r, http.StatusForbidden)
		return
	}
	q := r.URL.Query()
	if q.Get("branch") == "" && q.Get("service") == "" {
		w.rulesIndex(rw, r, u.Account)
		return
	}
	d, err := w.rulesTarget(r, u.Account)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rules, err := w.opt.Appointments.Rules(r.Context(), d.Branch.Code, d.Service.Code)
	switch {
	case isCode(err, apperr.NotFound):
		rules, d.New = appointments.DefaultRules(d.Branch.Code, d.Service.Code, appointments.Counters(d.Branch, d.Service.Entity)), true
	case err != nil:
		w.fail(rw, r, err)
		return
	}
	d.Form, d.Saved = rulesForm(rules), q.Get("saved") == "1"
	w.renderRules(rw, r, http.StatusOK, d)
}

// rulesIndex lists, by branch, the services of the admin's entity (every
// counter service for platform admins) and whether each takes bookings.
func (w *Web) rulesIndex(rw http.ResponseWriter, r *http.Request, a identity.Account) {
	ctx := r.Context()
	st := w.opt.Directory.Store()
	entity := a.Entity
	if a.HasRole(identity.PlatformAdmin) {
		entity = ""
	}
	svcs, err := st.Services(ctx, entity)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	bs, err := st.Branches(ctx, entity)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &rulesData{}
	for _, b := range bs {
		if b.Closed {
			continue
		}
		g := rulesBranch{Branch: b}
		for _, s := range svcs {
			if !s.Counter || !slices.Contains(b.Services, s.Code) || appointments.Counters(b, s.Entity) == 0 {
				continue
			}
			_, err := w.opt.Appointments.Rules(ctx, b.Code, s.Code)
			if err != nil && !isCode(err, apperr.NotFound) {
				w.fail(rw, r, err)
				return
			}
			g.Services = append(g.Services, rulesLink{Service: s, URL: rulesURL(b.Code, s.Code), Bookable: err == nil})
		}
		if len(g.Services) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("rules.index_title")
	w.render(rw, r, http.StatusOK, "booking-rules", p)
}

// rulesURL is the rules form of a service at a branch.
func rulesURL(branch, service string) string {
	return "/staff/booking-rules?" + url.Values{"branch": {branch}, "service": {service}}.Encode()
}

// rulesTarget loads the branch and service of the form (?branch=&service=):
// 404 unless the branch offers the service, 403 for admins of another
// entity.
func (w *Web) rulesTarget(r *http.Request, a identity.Account) (*rulesData, error) {
	ctx := r.Context()
	st := w.opt.Directory.Store()
	q := r.URL.Query()
	b, err := st.Branch(ctx, q.Get("branch"))
	if err != nil {
		return nil, err
	}
	svc, err := st.Service(ctx, q.Get("service"))
	if err != nil {
		return nil, err
	}
	if !slices.Contains(b.Services, svc.Code) {
		return nil, &apperr.Error{Code: apperr.NotFound, Detail: svc.Code + " is not offered at " + b.Code}
	}
	if !appointments.CanSetRules(identity.Actor{Account: a}, svc) {
		return nil, &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "only " + svc.Entity + "'s admins set these rules"}
	}
	ent, err := st.Entity(ctx, svc.Entity)
	if err != nil && !isCode(err, apperr.NotFound) {
		return nil, err
	}
	return &rulesData{Branch: b, Service: svc, Entity: ent, Action: rulesURL(b.Code, svc.Code)}, nil
}

// rulesForm fills the form with rules.
func rulesForm(r appointments.Rules) *form {
	on := func(b bool) string {
		if b {
			return "1"
		}
		return ""
	}
	v := map[string]string{
		"slot_minutes": strconv.Itoa(r.SlotMinutes), "places": strconv.Itoa(r.Places),
		"window_from": strconv.Itoa(r.WindowFrom), "window_to": strconv.Itoa(r.WindowTo),
		"one_per_service": on(r.OnePerService), "max_per_day": strconv.Itoa(r.MaxPerDay), "level": strconv.Itoa(r.Level),
		"cancel_cutoff": strconv.Itoa(r.CancelCutoffMinutes), "no_show_enabled": on(r.NoShow.Enabled),
		"no_show_count": strconv.Itoa(r.NoShow.Count), "no_show_window_days": strconv.Itoa(r.NoShow.WindowDays),
		"no_show_suspend_days": strconv.Itoa(r.NoShow.SuspendDays),
		"documents_zh":         r.Documents.ZhHant, "documents_pt": r.Documents.Pt, "documents_en": r.Documents.En,
	}
	return &form{Values: v, Errors: map[string]string{}}
}

// readRules reads the posted form into rules, recording the fields that
// are not whole numbers or are too long. The no-show numbers may be empty
// when the policy is off.
func readRules(r *http.Request, branch, service string) (appointments.Rules, *form) {
	f := &form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, k := range []string{"one_per_service", "no_show_enabled", "documents_zh", "documents_pt", "documents_en"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	noShow := f.Values["no_show_enabled"] != ""
	n := map[string]int{}
	for _, in := range rulesInts {
		v := strings.TrimSpace(r.PostFormValue(in.input))
		if len(v) > 10 {
			v = v[:10]
		}
		f.Values[in.input] = v
		if v == "" && in.field == "no_show" && !noShow {
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			addFieldError(f, rulesAnchor(in.field), "rules.error."+in.field)
			continue
		}
		n[in.input] = i
	}
	for _, k := range []string{"documents_zh", "documents_pt", "documents_en"} {
		if len(f.Values[k]) > maxDocuments {
			f.Values[k] = f.Values[k][:maxDocuments]
			addFieldError(f, rulesAnchor("documents"), "rules.error.documents_long")
		}
	}
	return appointments.Rules{Branch: branch, Service: service, SlotMinutes: n["slot_minutes"], Places: n["places"],
		WindowFrom: n["window_from"], WindowTo: n["window_to"], OnePerService: f.Values["one_per_service"] != "",
		MaxPerDay: n["max_per_day"], Level: n["level"], CancelCutoffMinutes: n["cancel_cutoff"],
		NoShow: appointments.NoShowPolicy{Enabled: noShow, Count: n["no_show_count"], WindowDays: n["no_show_window_days"],
			SuspendDays: n["no_show_suspend_days"]},
		Documents: lang.Text{ZhHant: f.Values["documents_zh"], Pt: f.Values["documents_pt"], En: f.Values["documents_en"]}}, f
}

// saveRules saves the rules of the form; a wrong field shows the form
// again with the error by that field.
func (w *Web) saveRules(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if !mayAdminRules(u.Account) {
		w.Error(rw, r, http.StatusForbidden)
		return
	}
	d, err := w.rulesTarget(r, u.Account)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rules, f := readRules(r, d.Branch.Code, d.Service.Code)
	d.Form = f
	if !f.HasErrors() {
		err := w.opt.Appointments.SetRules(r.Context(), w.staffActor(r), rules)
		if err == nil {
			w.opt.Log.InfoContext(r.Context(), "booking rules set", "branch", d.Branch.Code, "service", d.Service.Code, "by", u.Account.ID)
			http.Redirect(rw, r, d.Action+"&saved=1", http.StatusSeeOther)
			return
		}
		e, ok := apperr.As(err)
		switch {
		case !ok || e.Code != apperr.Invalid:
			w.fail(rw, r, err)
			return
		case e.Key == "appointments.invalid.rules" && rulesFields[e.Field]:
			addFieldError(f, rulesAnchor(e.Field), "rules.error."+e.Field)
		default:
			f.fail(err, "")
		}
	}
	if _, err := w.opt.Appointments.Rules(r.Context(), d.Branch.Code, d.Service.Code); isCode(err, apperr.NotFound) {
		d.New = true
	}
	w.renderRules(rw, r, http.StatusUnprocessableEntity, d)
}

// renderRules renders the rules form.
func (w *Web) renderRules(rw http.ResponseWriter, r *http.Request, status int, d *rulesData) {
	p := w.newPage(r, "", d)
	p.Title = p.L.T("rules.title", "Service", p.L.Text(d.Service.Name), "Branch", p.L.Text(d.Branch.Name))
	if d.Form.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "booking-rules", p)
}
