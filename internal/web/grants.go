package web

import (
	"net/http"
	"time"
)

// connection is one service the person let sign them in, for the
// connected services page.
type connection struct {
	ClientID  string
	Client    string
	Entity    string
	Scopes    []string
	GrantedAt time.Time
}

type connectedData struct {
	Connections []connection
	Done        string
}

// connected lists the services the person let sign them in, with what
// each receives, and lets them withdraw that.
func (w *Web) connected(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	cs, err := w.opt.Clients.Consents(r.Context(), u.Account.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(r, "", nil)
	d := &connectedData{}
	if r.URL.Query().Get("done") == "revoked" {
		d.Done = "revoked"
	}
	for _, c := range cs {
		d.Connections = append(d.Connections, connection{ClientID: c.ClientID, Client: c.Client.Name,
			Entity: w.entityName(r, p.L, c.Client.Entity), Scopes: scopeLabels(p.L, c.Scopes), GrantedAt: c.GrantedAt})
	}
	p.Data = d
	p.Title = p.L.T("connected.title")
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, http.StatusOK, "connected", p)
}

// connectedRevoke withdraws the consent given to one client and ends its
// tokens for the person.
func (w *Web) connectedRevoke(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := w.opt.Clients.Revoke(r.Context(), u.Account.ID, r.PathValue("client")); err != nil {
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/account/connected?done=revoked", http.StatusSeeOther)
}
