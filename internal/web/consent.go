package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/oidc"
)

// mountOIDC registers the pages of the OpenID provider and of the client
// registry. Each group exists only when its dependency is configured.
func (w *Web) mountOIDC(page func(string, http.HandlerFunc)) {
	if w.opt.OIDC != nil {
		page("GET /oidc/consent/{callback}", w.requireUser(w.consentPage))
		page("POST /oidc/consent/{callback}", w.requireUser(w.consent))
		page("POST /oidc/consent/{callback}/cancel", w.requireUser(w.consentCancel))
	}
	if w.opt.Clients != nil {
		page("GET /account/connected", w.requireUser(w.connected))
		page("POST /account/connected/{client}/revoke", w.requireUser(w.connectedRevoke))
		page("GET /staff/clients", w.requireUser(w.clientsPage))
		page("POST /staff/clients", w.requireUser(w.clientCreate))
		page("POST /staff/clients/{id}/secret", w.requireUser(w.clientSecret))
	}
}

// consentScope is one scope on the consent page, in the page language.
type consentScope struct {
	Scope    string
	Label    string
	Claims   []string
	Purpose  string
	Withheld bool
}

// consentOrg is an organisation the person may act for in the sign-in.
type consentOrg struct {
	ID, Name, Role string
}

// consentData is what the consent page shows.
type consentData struct {
	Callback string
	Entity   string
	Client   string
	Service  string
	Scopes   []consentScope
	Orgs     []consentOrg
}

// labelKey turns a scope or claim name into a catalogue key:
// "name#zh-Hant" → "claim.name_zh_hant", "account:read" →
// "scope.account_read".
func labelKey(prefix, name string) string { return prefix + "." + keyPart(name) }

// keyPart makes a name safe for catalogue keys and HTML ids.
func keyPart(name string) string {
	return strings.ToLower(strings.NewReplacer("#", "_", ":", "_", "-", "_").Replace(name))
}

// scopeLabel names a scope for people; an unknown scope shows as is.
func scopeLabel(l *Locale, scope string) string {
	k := labelKey("scope", scope)
	if s := l.T(k); s != k {
		return s
	}
	return scope
}

// claimLabel names a claim for people; an unknown claim shows as is.
func claimLabel(l *Locale, claim string) string {
	k := labelKey("claim", claim)
	if s := l.T(k); s != k {
		return s
	}
	return claim
}

// entityName is an entity's name in the page language, its code when the
// directory does not know it.
func (w *Web) entityName(r *http.Request, l *Locale, code string) string {
	if w.opt.Directory == nil || code == "" {
		return code
	}
	e, err := w.opt.Directory.Store().Entity(r.Context(), code)
	if err != nil {
		return code
	}
	return l.Text(e.Name)
}

// serviceName is a directory service's name in the page language, "" when
// there is none.
func (w *Web) serviceName(r *http.Request, l *Locale, code string) string {
	if w.opt.Directory == nil || code == "" {
		return ""
	}
	s, err := w.opt.Directory.Store().Service(r.Context(), code)
	if err != nil {
		return ""
	}
	return l.Text(s.Name)
}

func (w *Web) consentData(r *http.Request, l *Locale, p oidc.Pending) *consentData {
	d := &consentData{Callback: p.CallbackID, Client: p.Client.Name,
		Entity:  w.entityName(r, l, p.Client.Entity),
		Service: w.serviceName(r, l, p.Client.Service)}
	for _, s := range p.Scopes {
		cs := consentScope{Scope: s.Scope, Label: scopeLabel(l, s.Scope), Purpose: l.Text(s.Purpose.Purpose),
			Withheld: s.Withheld}
		for _, c := range s.Claims {
			cs.Claims = append(cs.Claims, claimLabel(l, c))
		}
		d.Scopes = append(d.Scopes, cs)
	}
	for _, m := range p.Orgs {
		d.Orgs = append(d.Orgs, consentOrg{ID: m.Org.ID, Name: l.Text(m.Org.Name), Role: l.T("org.role." + string(m.Role))})
	}
	return d
}

// consentPage asks the resident whether a service may sign them in and
// receive the details its scopes release.
func (w *Web) consentPage(rw http.ResponseWriter, r *http.Request) {
	w.renderConsent(rw, r, http.StatusOK, &form{Values: map[string]string{}, Errors: map[string]string{}})
}

// renderConsent renders the consent page with f's values and errors. An
// unknown, expired or foreign request is a 404.
func (w *Web) renderConsent(rw http.ResponseWriter, r *http.Request, status int, f *form) {
	u, _ := currentUser(r)
	pending, err := w.opt.OIDC.Pending(r.Context(), r.PathValue("callback"), u.Account)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(r, "", f)
	d := w.consentData(r, p.L, pending)
	f.Extra = d
	if _, chosen := f.Values["org"]; !chosen && p.Acting != nil {
		f.Values["org"] = p.Acting.Org.ID
	}
	p.Title = p.L.T("consent.title", "Client", d.Client)
	if f.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "consent", p)
}

// consent records the answer (decision approve or deny, and the
// organisation chosen) and returns the browser to the provider.
func (w *Web) consent(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	f := newForm(r, "decision", "org")
	var approve bool
	switch f.Values["decision"] {
	case "approve":
		approve = true
	case "deny":
	default:
		w.Error(rw, r, http.StatusBadRequest)
		return
	}
	org := f.Values["org"]
	if !approve {
		org = ""
	}
	resume, err := w.opt.OIDC.Decide(r.Context(), r.PathValue("callback"), u.Account, approve, org)
	if err != nil {
		if isCode(err, apperr.Invalid) {
			w.renderConsent(rw, r, f.fail(err, "org"), f)
			return
		}
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, localPath(resume), http.StatusSeeOther)
}

// consentCancel ends a request from the step-up page: the service learns
// that the level it needs was not reached.
func (w *Web) consentCancel(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	resume, err := w.opt.OIDC.Cancel(r.Context(), r.PathValue("callback"), u.Account)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, localPath(resume), http.StatusSeeOther)
}

// sessionLevel is the level a sign-in reached, as the provider counts it:
// level 3 also needs the session to have used a passkey.
func sessionLevel(a identity.Account, s identity.Session) identity.Level {
	l := a.EffectiveLevel()
	if l == identity.Level3 && !slices.Contains(s.AMR, "hwk") {
		l = identity.Level2
	}
	return l
}

// scopeLabels names scopes for people, in order.
func scopeLabels(l *Locale, scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if s == clients.ScopeOpenID {
			continue
		}
		out = append(out, scopeLabel(l, s))
	}
	return out
}
