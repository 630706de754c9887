// Package api serves the platform's public JSON API under /api/v1: the
// directory of entities, services and branches, described by an OpenAPI 3.1
// document served at /api/v1/openapi.json. Errors are RFC 9457
// application/problem+json documents carrying a stable apperr code.
//
// Handlers only translate between HTTP and the domain: every rule lives in
// the directory package, and every route comes from one table, so what
// Mount registers and what Routes reports cannot drift apart.
package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/ratelimit"
	"github.com/oneaccount/oneaccount/internal/realtime"
)

// Prefix is the path every API route starts with.
const Prefix = "/api/v1"

// API holds the JSON handlers and what they depend on.
type API struct {
	dir *directory.Directory
	log *slog.Logger
	// known holds the table's routes with no-op handlers: the fallback asks
	// it which methods a path allows.
	known *http.ServeMux
	// me authenticates the caller of /me from its session cookie.
	me func(*http.Request) (identity.Account, error)
	// tokens checks bearer and DPoP access tokens; nil when the OpenID
	// provider is off.
	tokens TokenVerifier
	// accounts loads the account behind a token.
	accounts func(r *http.Request, id string) (identity.Account, error)
	// msg and limits serve POST /messages; nil when messaging is off.
	msg    *Messaging
	limits *ratelimit.Keyed
	// appts serves the appointment routes; nil when they are off.
	appts *appointments.Service
	// queue serves the queue ticket routes; nil when they are off.
	queue *queue.Service
	// live streams the queue's events; nil when they are off.
	live *realtime.Broker
}

// SetAuthenticator sets how /me finds the signed-in account.
func (a *API) SetAuthenticator(f func(*http.Request) (identity.Account, error)) { a.me = f }

// New returns the API over dir, logging server-side failures to log.
func New(dir *directory.Directory, log *slog.Logger) *API {
	a := &API{dir: dir, log: log, known: http.NewServeMux()}
	for _, rt := range table {
		a.known.Handle(rt.pattern(), http.NotFoundHandler())
	}
	return a
}

// Route is one operation the API serves. Path is in OpenAPI form, such as
// "/api/v1/entities/{code}".
type Route struct {
	Method, Path string
}

// handlerFunc answers one request with a value to encode as JSON, or an
// error to turn into a problem document. The ResponseWriter is only for
// headers (such as WWW-Authenticate); the body is written by serve.
type handlerFunc func(a *API, w http.ResponseWriter, r *http.Request) (any, error)

// route is one row of the routing table. Its path is both a ServeMux
// pattern path and an OpenAPI path: wildcards are whole segments.
type route struct {
	method string
	path   string
	handle handlerFunc
	// private answers are about the caller: never cached.
	private bool
}

func (rt route) pattern() string { return rt.method + " " + rt.path }

// table is every route of the API; Mount and Routes both read it.
var table = [...]route{
	{http.MethodGet, Prefix + "/entities", (*API).listEntities, false},
	{http.MethodGet, Prefix + "/entities/{code}", (*API).getEntity, false},
	{http.MethodGet, Prefix + "/services", (*API).listServices, false},
	{http.MethodGet, Prefix + "/branches", (*API).listBranches, false},
	{http.MethodGet, Prefix + "/branches/{code}", (*API).getBranch, false},
	{http.MethodGet, Prefix + "/openapi.json", (*API).openAPI, false},
	{http.MethodGet, Prefix + "/me", (*API).getMe, true},
	{http.MethodPost, Prefix + "/messages", (*API).sendMessage, true},
	{http.MethodGet, Prefix + "/branches/{code}/availability", (*API).listAvailability, false},
	{http.MethodGet, Prefix + "/branches/{code}/slots", (*API).listSlots, true},
	{http.MethodPost, Prefix + "/appointments", (*API).book, true},
	{http.MethodGet, Prefix + "/appointments", (*API).listAppointments, true},
	{http.MethodGet, Prefix + "/appointments/{id}", (*API).getAppointment, true},
	{http.MethodPost, Prefix + "/appointments/{id}/cancel", (*API).cancelAppointment, true},
	{http.MethodPost, Prefix + "/appointments/{id}/reschedule", (*API).rescheduleAppointment, true},
	{http.MethodPost, Prefix + "/tickets", (*API).takeTicket, true},
	{http.MethodGet, Prefix + "/tickets/{id}", (*API).getTicket, true},
	{http.MethodPost, Prefix + "/tickets/{id}/cancel", (*API).cancelTicket, true},
	{http.MethodGet, Prefix + "/branches/{code}/queue", (*API).branchQueue, false},
	{http.MethodGet, Prefix + "/branches/{code}/queue/events", (*API).queueEvents, false},
	{http.MethodPost, Prefix + "/counters/{counter}/open", counterRoute((*queue.Service).OpenCounter), true},
	{http.MethodPost, Prefix + "/counters/{counter}/close", counterRoute((*queue.Service).CloseCounter), true},
	{http.MethodPost, Prefix + "/counters/{counter}/call-next", (*API).callNext, true},
	{http.MethodPost, Prefix + "/tickets/{id}/recall", ticketRoute("", noArg((*queue.Service).Recall)), true},
	{http.MethodPost, Prefix + "/tickets/{id}/no-show", ticketRoute("", noArg((*queue.Service).NoShow)), true},
	{http.MethodPost, Prefix + "/tickets/{id}/reinstate", ticketRoute("", noArg((*queue.Service).Reinstate)), true},
	{http.MethodPost, Prefix + "/tickets/{id}/park", ticketRoute("", noArg((*queue.Service).Park)), true},
	{http.MethodPost, Prefix + "/tickets/{id}/resume", ticketRoute("counter", (*queue.Service).Resume), true},
	{http.MethodPost, Prefix + "/tickets/{id}/transfer", ticketRoute("queue", (*queue.Service).Transfer), true},
	{http.MethodPost, Prefix + "/tickets/{id}/complete", ticketRoute("outcome", (*queue.Service).Complete), true},
	{http.MethodPost, Prefix + "/tickets/{id}/class", ticketRoute("class", confirmClass), true},
}

// Routes lists the operations Mount registers, in table order. The
// fallback for unknown paths under Prefix is not an operation and is not
// listed.
func (a *API) Routes() []Route {
	out := make([]Route, 0, len(table))
	for _, rt := range table {
		out = append(out, Route{Method: rt.method, Path: rt.path})
	}
	return out
}

// Mount registers every route on mux, plus a fallback under Prefix that
// answers unknown paths with a 404 problem and wrong methods with a 405
// problem and an Allow header.
func (a *API) Mount(mux *http.ServeMux) {
	for _, rt := range table {
		mux.Handle(rt.pattern(), a.serve(rt.handle, rt.private))
	}
	mux.HandleFunc(Prefix+"/", a.fallback)
	mux.HandleFunc(Prefix, a.fallback)
}

// serve adapts a handlerFunc to http.Handler.
func (a *API) serve(h handlerFunc, private bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if private {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Vary", "Cookie")
		}
		v, err := h(a, w, r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if _, ok := v.(streamed); ok {
			return
		}
		a.writeJSON(w, r, v)
	})
}

// fallback answers requests that match no route.
func (a *API) fallback(w http.ResponseWriter, r *http.Request) {
	if allow := a.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		WriteProblem(w, r, http.StatusMethodNotAllowed, apperr.Invalid,
			fmt.Sprintf("method %s is not allowed here; use %s", r.Method, strings.Join(allow, " or ")))
		return
	}
	WriteProblem(w, r, http.StatusNotFound, apperr.NotFound, "no such API path")
}

// allowed returns the methods some route accepts for r's path, in a fixed
// order; GET implies HEAD, as in ServeMux.
func (a *API) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost,
		http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := a.known.Handler(probe); pattern != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// writeJSON writes v as a 200 JSON response, cacheable for a minute: the
// directory is public data that changes rarely.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	status := http.StatusOK
	if ws, ok := v.(withStatus); ok {
		status, v = ws.status, ws.body
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		a.fail(w, r, fmt.Errorf("encode response: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "public, max-age=60")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
