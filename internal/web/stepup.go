package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/oneaccount/oneaccount/internal/identity"
)

type stepUpData struct {
	Need, Have identity.Level
	Next       string
	// Passkey is set when the account has a passkey: level 3 is then one
	// passkey sign-in away.
	Passkey bool
	// SignInAgain is the sign-in page that returns to Next.
	SignInAgain string
	// Cancel is where a sign-in for another service is abandoned: a
	// consent page's cancel URL, "" for the platform's own pages.
	Cancel string
}

// requireLevel guards a page that needs an assurance level: people below
// it are sent to the step-up page, never served at a lower level.
func (w *Web) requireLevel(level identity.Level, h http.HandlerFunc) http.HandlerFunc {
	return w.requireUser(func(rw http.ResponseWriter, r *http.Request) {
		u, _ := currentUser(r)
		if !u.Account.Meets(level) {
			http.Redirect(rw, r, "/step-up?level="+strconv.Itoa(int(level))+"&next="+localPath(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(rw, r)
	})
}

// stepUp explains how to reach the level a service needs. The level this
// sign-in reached counts, as the OpenID provider counts it: level 3 needs
// the session to have used a passkey. A sign-in for another service can be
// cancelled from here.
func (w *Web) stepUp(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	q := r.URL.Query()
	need, err := strconv.Atoi(q.Get("level"))
	if err != nil || need < 1 || need > 3 {
		w.Error(rw, r, http.StatusBadRequest)
		return
	}
	next := localPath(q.Get("next"))
	d := stepUpData{Need: identity.Level(need), Have: sessionLevel(u.Account, u.Session), Next: next,
		Passkey: u.Account.Passkeys > 0, SignInAgain: "/login?" + url.Values{"force": {"1"}, "next": {next}}.Encode()}
	if c := localPath(q.Get("cancel")); strings.HasPrefix(c, "/oidc/consent/") && strings.HasSuffix(c, "/cancel") &&
		!strings.ContainsAny(c, "?#") && w.opt.OIDC != nil {
		d.Cancel = c
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("stepup.title")
	w.render(rw, r, http.StatusOK, "step-up", p)
}
