package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/dashboard"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/oidc"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/ratelimit"
)

//go:embed templates/*.html templates/cards/*.html
var templateFS embed.FS

// Options are the web layer's dependencies.
type Options struct {
	Directory *directory.Directory
	Log       *slog.Logger
	// Demo shows a banner saying the data is for demonstration.
	Demo bool
	// Secure marks cookies Secure (and names them __Host-) behind HTTPS.
	Secure bool
	// Identity runs accounts and sessions.
	Identity *identity.Service
	// Outbox is the development message sink; with it, /dev/outbox shows
	// what was sent. Nil outside --demo, and then the page does not exist.
	Outbox *notify.DevSink
	// OIDC is the OpenID provider: with it, the consent pages exist and
	// signing out tells the relying parties (consent.go).
	OIDC *oidc.Provider
	// Clients is the client registry: with it, the connected services
	// and the entity admins' registry pages exist (grants.go, clients.go).
	Clients *clients.Service
	// Messages is the resident's inbox: with it, the inbox, the message
	// preferences and the unread count in the header exist (inbox.go,
	// msgprefs.go).
	Messages *messages.Service
	// Jobs is the durable job queue: with it, platform admins see and
	// retry its dead jobs at /staff/jobs (jobs.go).
	Jobs jobs.Store
	// Dashboard holds the dashboard's cards; nil gets an empty registry.
	// New adds the cards of the services above (dashboard.go).
	Dashboard *dashboard.Registry
	// PushKey is the VAPID public key; "" turns Web Push off.
	PushKey string
	// PushSubscribe keeps a browser's push subscription (the JSON its
	// PushManager gives) for the account; PushUnsubscribe forgets one by
	// its endpoint (msgprefs.go).
	PushSubscribe   func(ctx context.Context, accountID string, raw []byte, userAgent string) error
	PushUnsubscribe func(ctx context.Context, accountID, endpoint string) error
	// Appointments books counter appointments: with it, the booking pages
	// and the appointments dashboard card exist (appointments.go).
	Appointments *appointments.Service
	// Queue issues and calls queue tickets: with it, the ticket, kiosk,
	// board, live-status, workstation and statistics pages exist (queue*.go).
	Queue *queue.Service
}

// Web serves the HTML pages.
type Web struct {
	opt    Options
	cat    *Catalogues
	pages  map[string]*template.Template
	static *staticFiles
	// cards are the dashboard cards' templates (dashboard.go).
	cards *template.Template
	// kioskLimit bounds the tickets one screen (a branch and an address)
	// takes at a kiosk, which needs no sign-in (queue_kiosk.go).
	kioskLimit *ratelimit.Keyed
}

// New parses the templates and catalogues and prepares the static files.
func New(o Options) (*Web, error) {
	cat, err := LoadCatalogues()
	if err != nil {
		return nil, err
	}
	st, err := newStaticFiles()
	if err != nil {
		return nil, err
	}
	w := &Web{opt: o, cat: cat, static: st, pages: map[string]*template.Template{},
		kioskLimit: ratelimit.New(kioskPerMinute/60.0, kioskBurst)}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New("layout.html").Funcs(w.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", base, err)
		}
		w.pages[base] = t
	}
	if err := w.setUpDashboard(); err != nil {
		return nil, err
	}
	return w, nil
}

// funcs are the template helpers.
func (w *Web) funcs() template.FuncMap {
	loc := time.UTC
	if w.opt.Directory != nil {
		loc = w.opt.Directory.Location()
	}
	return template.FuncMap{
		"local":  func(t time.Time) time.Time { return t.In(loc) },
		"device": identity.DeviceLabel,
		"list":   func(xs ...string) []string { return xs },
		"split":  func(s string) []string { return strings.Split(s, ",") },
		"qr":     qrDataURI,
		"mask":   mask,
		"dict": func(pairs ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(pairs); i += 2 {
				m[fmt.Sprint(pairs[i])] = pairs[i+1]
			}
			return m
		},
		// weekday turns a Monday-first index into a weekday.
		"weekday": func(i int) time.Weekday { return time.Weekday((i + 1) % 7) },
		// sameDay reports whether two instants fall on one calendar day.
		"sameDay": func(a, b time.Time) bool { return directory.DateOf(a) == directory.DateOf(b) },
		// day is the start of a calendar day, for formatting.
		"day": func(d directory.Date) time.Time { return d.In(time.UTC) },
		"query": func(pairs ...string) string {
			v := url.Values{}
			for i := 0; i+1 < len(pairs); i += 2 {
				if pairs[i+1] != "" {
					v.Set(pairs[i], pairs[i+1])
				}
			}
			return v.Encode()
		},
		// passkeyScript is passkey.js's URL, "" when passkeys are off.
		"passkeyScript": w.passkeyScript,
		// registry reports whether the client registry pages exist.
		"registry": func() bool { return w.opt.Clients != nil },
		// deadJobs reports whether the dead-job page exists (jobs.go).
		"deadJobs": func() bool { return w.opt.Jobs != nil },
		// paragraphs splits plain text into paragraphs of lines (inbox.go).
		"paragraphs": paragraphs,
		// static is an embedded asset's versioned URL.
		"static": w.static.url,
		// queuePages reports whether the queue ticket pages exist (queue.go).
		"queuePages": func() bool { return w.opt.Queue != nil },
		// hasQueues reports whether a branch issues queue tickets (queue.go).
		"hasQueues": w.hasQueues,
	}
}

// Mount registers the page routes. Every page sees the signed-in user.
func (w *Web) Mount(mux *http.ServeMux) {
	page := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, w.withUser(h)) }
	page("GET /{$}", w.home)
	page("GET /entities/{code}", w.entity)
	page("GET /branches", w.branches)
	page("GET /branches/{code}", w.branch)
	page("GET /lang/{tag}", w.setLanguage)
	mux.Handle("GET /static/", w.static)
	if w.opt.Identity != nil {
		w.mountIdentity(page)
	}
	if w.opt.Outbox != nil {
		page("GET /dev/outbox", w.outbox)
	}
	w.mountQueue(mux, page)
	page("/", func(rw http.ResponseWriter, r *http.Request) { w.Error(rw, r, http.StatusNotFound) })
}

// mountIdentity registers sign-in, registration, account and staff pages.
func (w *Web) mountIdentity(page func(string, http.HandlerFunc)) {
	page("GET /login", w.loginPage)
	page("POST /login", w.login)
	page("GET /login/mfa", w.mfaPage)
	page("POST /login/mfa", w.mfa)
	page("POST /logout", w.logout)
	page("GET /register", w.registerPage)
	page("POST /register", w.register)
	page("GET /register/verify", w.verifyPage)
	page("POST /register/verify", w.verify)
	page("GET /register/details", w.detailsPage)
	page("POST /register/details", w.details)
	page("GET /recover", w.recoverPage)
	page("POST /recover", w.recover)
	page("GET /recover/reset", w.resetPage)
	page("POST /recover/reset", w.reset)
	page("GET /account", w.requireUser(w.account))
	page("GET /dashboard", w.requireUser(w.dashboard))
	page("GET /step-up", w.requireUser(w.stepUp))
	page("POST /account/totp/begin", w.requireUser(w.totpBegin))
	page("POST /account/totp", w.requireUser(w.totpConfirm))
	page("POST /account/totp/disable", w.requireUser(w.totpDisable))
	page("POST /account/recovery-codes", w.requireUser(w.recoveryCodes))
	page("POST /account/password", w.requireUser(w.changePassword))
	page("POST /account/contact", w.requireUser(w.contactBegin))
	page("POST /account/contact/verify", w.requireUser(w.contactVerify))
	page("POST /account/sessions/{id}/revoke", w.requireUser(w.revokeSession))
	page("POST /account/sessions/revoke-all", w.requireUser(w.revokeAll))
	w.mountPasskeys(page)
	page("GET /staff", w.requireUser(w.staffHome))
	page("GET /staff/residents/{id}", w.requireUser(w.staffResident))
	page("POST /staff/residents/{id}", w.requireUser(w.staffResident))
	page("POST /staff/residents/{id}/verify", w.requireUser(w.staffVerify))
	page("POST /staff/team/{id}/roles", w.requireUser(w.staffRoles))
	page("POST /staff/team", w.requireUser(w.staffCreate))
	page("GET /orgs", w.requireUser(w.orgs))
	page("POST /orgs", w.requireUser(w.orgCreate))
	page("POST /orgs/act", w.requireUser(w.orgAct))
	page("GET /orgs/invitations/{token}", w.requireUser(w.orgInvitation))
	page("POST /orgs/invitations/{token}", w.requireUser(w.orgAccept))
	page("GET /orgs/{id}", w.requireUser(w.org))
	page("POST /orgs/{id}/members/invite", w.requireUser(w.orgInvite))
	page("POST /orgs/{id}/members/{account}/role", w.requireUser(w.orgRole))
	page("POST /orgs/{id}/members/{account}/remove", w.requireUser(w.orgRemove))
	page("POST /orgs/{id}/members/leave", w.requireUser(w.orgLeave))
	w.mountOIDC(page)
	w.mountMessages(page)
	w.mountAppointments(page)
	w.mountCounter(page)
}

// page is what every template receives.
type page struct {
	L        *Locale
	User     *identity.Account
	Accounts bool
	Langs    []langLink
	Title    string
	CSS      string
	Demo     bool
	Path     string
	Data     any
	Status   int
	ErrorKey string
	// Acting is the organisation the signed-in person acts for, nil when
	// they act for themselves (org.go).
	Acting *identity.Membership
	// Inbox shows the inbox link in the header, with Unread, the count of
	// unread messages (inbox.go).
	Inbox  bool
	Unread int
	// Bookings shows the appointments link in the header.
	Bookings bool
	// Sheet is a page's own stylesheet URL, after the site's (queue.go).
	Sheet string
}

type langLink struct {
	Tag     lang.Tag
	Name    string
	URL     string
	Current bool
}

func (w *Web) newPage(r *http.Request, title string, data any) *page {
	l := w.cat.Locale(w.language(r))
	p := &page{L: l, Title: title, CSS: w.static.url("oneaccount.css"), Demo: w.opt.Demo, Path: r.URL.RequestURI(),
		Data: data, Accounts: w.opt.Identity != nil}
	if u, ok := currentUser(r); ok {
		p.User = &u.Account
		p.Acting = w.acting(r, u)
		p.Inbox, p.Unread = w.unread(r, u.Account)
		p.Bookings = w.opt.Appointments != nil && u.Account.Kind == identity.Resident
	}
	for _, t := range lang.All {
		p.Langs = append(p.Langs, langLink{Tag: t, Name: t.Autonym(), Current: t == l.Tag,
			URL: "/lang/" + string(t) + "?" + url.Values{"next": {r.URL.RequestURI()}}.Encode()})
	}
	return p
}

// render executes a page template into a buffer first, so a template error
// never sends half a page.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	w.renderRoot(rw, r, status, name, "layout.html", p)
}

// renderRoot renders a page from the root template given: "layout.html",
// or a page file's own bare layout (the kiosk and the board).
func (w *Web) renderRoot(rw http.ResponseWriter, r *http.Request, status int, name, root string, p *page) {
	var buf bytes.Buffer
	if err := w.pages[name].ExecuteTemplate(&buf, root, p); err != nil {
		w.opt.Log.ErrorContext(r.Context(), "render", "page", name, "err", err)
		http.Error(rw, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(p.L.Tag))
	h.Set("Vary", "Accept-Language, Cookie")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	if p.User != nil {
		h.Set("Cache-Control", "no-store")
	}
	rw.WriteHeader(status)
	_, _ = rw.Write(buf.Bytes())
}

// renderForm renders a form page titled by a catalogue key.
func (w *Web) renderForm(rw http.ResponseWriter, r *http.Request, status int, name, titleKey string, f *form) {
	p := w.newPage(r, "", f)
	p.Title = p.L.T(titleKey)
	if f.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, name, p)
}

// Error renders the error page for status in the user's language.
func (w *Web) Error(rw http.ResponseWriter, r *http.Request, status int) {
	key := "error.internal"
	switch status {
	case http.StatusNotFound:
		key = "error.not_found"
	case http.StatusForbidden:
		key = "error.forbidden"
	case http.StatusBadRequest:
		key = "error.invalid"
	}
	p := w.newPage(r, "", nil)
	p.Title, p.Status, p.ErrorKey = p.L.T(key+".title"), status, key
	w.render(rw, r, status, "error", p)
}

// fail logs err when it is unexpected and renders the error page for its
// code.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, err error) {
	switch apperr.CodeOf(err) {
	case apperr.NotFound:
		w.Error(rw, r, http.StatusNotFound)
	case apperr.Invalid:
		w.Error(rw, r, http.StatusBadRequest)
	case apperr.Forbidden:
		w.Error(rw, r, http.StatusForbidden)
	case apperr.Unauthenticated:
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
	default:
		w.opt.Log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
		w.Error(rw, r, http.StatusInternalServerError)
	}
}
