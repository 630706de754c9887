package web

import (
	"net/http"
	"strconv"

	"github.com/oneaccount/oneaccount/internal/identity"
)

type stepUpData struct {
	Need, Have identity.Level
	Next       string
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

// stepUp explains how to reach the level a service needs.
func (w *Web) stepUp(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	need, err := strconv.Atoi(r.URL.Query().Get("level"))
	if err != nil || need < 1 || need > 3 {
		w.Error(rw, r, http.StatusBadRequest)
		return
	}
	d := stepUpData{Need: identity.Level(need), Have: u.Account.EffectiveLevel(), Next: localPath(r.URL.Query().Get("next"))}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("stepup.title")
	w.render(rw, r, http.StatusOK, "step-up", p)
}
