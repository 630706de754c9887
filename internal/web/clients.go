package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// clientRow is one registered client in the registry's list.
type clientRow struct {
	ID, Name   string
	Service    string
	Grants     []string
	Scopes     []string
	Level      int
	FAPI       bool
	AuthMethod string
	HasSecret  bool
	CreatedAt  time.Time
}

// purposeInput is one language's purpose input of a scope row.
type purposeInput struct {
	Tag   lang.Tag
	Name  string
	ID    string
	Value string
}

// scopeRow is a scope on the registration form: a checkbox and its
// purpose in every language.
type scopeRow struct {
	Scope   string
	Key     string
	Label   string
	Hint    string
	Checked bool
	Purpose []purposeInput
}

// clientsData is the registry page: an entity's clients and the form to
// register one.
type clientsData struct {
	Entity     string
	EntityName string
	// Platform admins pick the entity.
	Platform bool
	Entities []directory.Entity
	Clients  []clientRow
	Services []directory.Service
	Scopes   []scopeRow
	Grants   map[string]bool
}

// createdData is the page that shows a client's secret, once.
type createdData struct {
	ID, Name, Entity, Secret string
	New                      bool
}

// isPlatformAdmin reports whether actor may manage any entity's clients.
func isPlatformAdmin(actor identity.Actor) bool {
	return actor.Platform || actor.Account.HasRole(identity.PlatformAdmin)
}

// registryEntity is the entity whose registry the request is about: the
// admin's own, or for platform admins the one they chose.
func registryEntity(actor identity.Actor, chosen string) string {
	if chosen != "" {
		return strings.ToUpper(strings.TrimSpace(chosen))
	}
	return actor.Account.Entity
}

// clientsPage lists an entity's clients and offers the registration form.
func (w *Web) clientsPage(rw http.ResponseWriter, r *http.Request) {
	actor := w.staffActor(r)
	entity := registryEntity(actor, r.URL.Query().Get("entity"))
	if err := clients.CanManageClients(actor, entity); err != nil {
		w.fail(rw, r, err)
		return
	}
	f := &form{Values: map[string]string{"level": "1", "auth_method": string(clients.SecretBasic), "id_token_alg": "ES256"},
		Errors: map[string]string{}}
	w.renderClients(rw, r, http.StatusOK, entity, f, nil, nil)
}

// renderClients renders the registry of entity with the form f; grants
// and scopes are the ones ticked (with the purposes in f.Values).
func (w *Web) renderClients(rw http.ResponseWriter, r *http.Request, status int, entity string, f *form,
	grants []string, scopes []string) {
	actor := w.staffActor(r)
	l := w.cat.Locale(w.language(r))
	d := &clientsData{Entity: entity, Platform: isPlatformAdmin(actor), Grants: map[string]bool{}}
	ctx := r.Context()
	if d.Platform && w.opt.Directory != nil {
		ents, err := w.opt.Directory.Store().Entities(ctx)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		d.Entities = ents
	}
	if entity != "" {
		if w.opt.Directory != nil {
			e, err := w.opt.Directory.Store().Entity(ctx, entity)
			if err != nil {
				w.fail(rw, r, err)
				return
			}
			d.EntityName = l.Text(e.Name)
			if d.Services, err = w.opt.Directory.Store().Services(ctx, entity); err != nil {
				w.fail(rw, r, err)
				return
			}
		}
		list, err := w.opt.Clients.ClientsOf(ctx, actor, entity)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		for _, c := range list {
			row := clientRow{ID: c.ID, Name: c.Name, Service: w.serviceName(r, l, c.Service), Level: c.Level,
				FAPI: c.FAPI, AuthMethod: string(c.AuthMethod), HasSecret: c.AuthMethod == clients.SecretBasic,
				CreatedAt: c.CreatedAt}
			for _, g := range c.Grants {
				row.Grants = append(row.Grants, string(g))
			}
			row.Scopes = c.ScopeNames()
			d.Clients = append(d.Clients, row)
		}
	}
	for _, g := range grants {
		d.Grants[g] = true
	}
	all := append(clients.ResidentScopes(), clients.MachineScopes()...)
	for _, s := range all {
		row := scopeRow{Scope: s, Key: keyPart(s), Label: scopeLabel(l, s)}
		for _, g := range scopes {
			row.Checked = row.Checked || g == s
		}
		if clients.IsMachineScope(s) {
			row.Hint = l.T("clients.scope_machine")
		} else if cl := clients.ClaimsOf(s); len(cl) > 0 {
			names := make([]string, 0, len(cl))
			for _, c := range cl {
				names = append(names, claimLabel(l, c))
			}
			row.Hint = l.T("clients.scope_claims", "Claims", l.Join(names))
		} else {
			row.Hint = l.T("clients.scope_resident")
		}
		for _, t := range lang.All {
			name := "purpose." + s + "." + string(t)
			row.Purpose = append(row.Purpose, purposeInput{Tag: t, Name: name,
				ID: "purpose-" + row.Key + "-" + string(t), Value: f.Values[name]})
		}
		d.Scopes = append(d.Scopes, row)
	}
	f.Extra = d
	w.renderForm(rw, r, status, "clients", "clients.title", f)
}

// clientFields are the text fields of the registration form.
var clientFields = []string{"name", "entity", "service", "redirect_uri", "post_logout_redirect_uri",
	"backchannel_logout_uri", "level", "fapi", "auth_method", "jwks", "jwks_uri", "id_token_alg"}

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// clientCreate registers a client and shows its secret once.
func (w *Web) clientCreate(rw http.ResponseWriter, r *http.Request) {
	actor := w.staffActor(r)
	if err := r.ParseForm(); err != nil {
		w.Error(rw, r, http.StatusBadRequest)
		return
	}
	entity := registryEntity(actor, r.PostFormValue("entity"))
	if err := clients.CanManageClients(actor, entity); err != nil {
		w.fail(rw, r, err)
		return
	}
	if entity == "" {
		w.Error(rw, r, http.StatusBadRequest)
		return
	}
	f := &form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, k := range clientFields {
		f.Values[k] = r.PostFormValue(k)
	}
	f.Values["entity"] = entity
	grants, scopes := r.PostForm["grant"], r.PostForm["scope"]
	c := clients.Client{Entity: entity, Name: strings.TrimSpace(f.Values["name"]), Service: f.Values["service"],
		RedirectURIs: lines(f.Values["redirect_uri"]), PostLogoutRedirectURIs: lines(f.Values["post_logout_redirect_uri"]),
		BackchannelLogoutURI: strings.TrimSpace(f.Values["backchannel_logout_uri"]), FAPI: f.Values["fapi"] == "1",
		AuthMethod: clients.AuthMethod(f.Values["auth_method"]), JWKSURI: strings.TrimSpace(f.Values["jwks_uri"]),
		IDTokenAlg: f.Values["id_token_alg"]}
	if v := f.Values["level"]; v != "" {
		if c.Level, _ = strconv.Atoi(v); c.Level == 0 {
			c.Level = -1
		}
	}
	if j := strings.TrimSpace(f.Values["jwks"]); j != "" {
		c.JWKS = json.RawMessage(j)
	}
	for _, g := range grants {
		c.Grants = append(c.Grants, clients.GrantType(g))
	}
	for _, s := range scopes {
		p := clients.ScopePurpose{Scope: s}
		for _, t := range lang.All {
			k := "purpose." + s + "." + string(t)
			v := strings.TrimSpace(r.PostFormValue(k))
			f.Values[k] = v
			switch t {
			case lang.ZhHant:
				p.Purpose.ZhHant = v
			case lang.Pt:
				p.Purpose.Pt = v
			case lang.En:
				p.Purpose.En = v
			}
		}
		c.Scopes = append(c.Scopes, p)
	}
	err := w.checkService(r, c)
	var created clients.Created
	if err == nil {
		created, err = w.opt.Clients.Create(r.Context(), actor, c)
	}
	if err != nil {
		if isCode(err, apperr.Forbidden) || isCode(err, apperr.NotFound) {
			w.fail(rw, r, err)
			return
		}
		w.renderClients(rw, r, f.fail(err, "name"), entity, f, grants, scopes)
		return
	}
	w.showSecret(rw, r, createdData{ID: created.Client.ID, Name: created.Client.Name, Entity: created.Client.Entity,
		Secret: created.Secret, New: true})
}

// checkService refuses a service that is not the client's entity's.
func (w *Web) checkService(r *http.Request, c clients.Client) error {
	if c.Service == "" || w.opt.Directory == nil {
		return nil
	}
	s, err := w.opt.Directory.Store().Service(r.Context(), c.Service)
	if err != nil || s.Entity != c.Entity {
		return &apperr.Error{Code: apperr.Invalid, Field: "service", Key: "clients.invalid.service",
			Detail: "the service is not one of the entity's"}
	}
	return nil
}

// clientSecret replaces a client's secret and shows the new one once.
func (w *Web) clientSecret(rw http.ResponseWriter, r *http.Request) {
	actor := w.staffActor(r)
	id := r.PathValue("id")
	secret, err := w.opt.Clients.ResetSecret(r.Context(), actor, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	c, err := w.opt.Clients.Client(r.Context(), id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.showSecret(rw, r, createdData{ID: c.ID, Name: c.Name, Entity: c.Entity, Secret: secret})
}

// showSecret renders the client ID and secret; the page is never cached.
func (w *Web) showSecret(rw http.ResponseWriter, r *http.Request, d createdData) {
	rw.Header().Set("Cache-Control", "no-store")
	p := w.newPage(r, "", d)
	p.Title = p.L.T("clients.created_title")
	if !d.New {
		p.Title = p.L.T("clients.secret_title")
	}
	w.render(rw, r, http.StatusOK, "clients-created", p)
}
