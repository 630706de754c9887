package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/oneaccount/oneaccount/internal/clients"
)

// Mount registers the provider's endpoints on mux. The engine serves
// everything under /oidc/ except what this package adds: discovery (the
// engine's document with our additions), logout, and a client-secret
// check in front of every endpoint that authenticates clients.
func (p *Provider) Mount(mux *http.ServeMux) {
	engine := p.secretAuth(p.engine)
	mux.Handle("/oidc/", engine)
	mux.HandleFunc("GET "+PathDiscovery, p.discovery)
	mux.HandleFunc("GET "+PathLogout, p.logout)
	mux.HandleFunc("POST "+PathLogout, p.logout)
}

// secretPaths are the endpoints where clients authenticate.
var secretPaths = map[string]bool{PathToken: true, PathIntrospect: true, PathRevoke: true, PathPAR: true}

// secretAuth checks client_secret_basic credentials itself, in constant
// time against the stored SHA-256, and hands the engine a request marked
// as authenticated. The engine would check a bcrypt hash instead, costing
// more than a millisecond per token request with no gain: secrets are
// 256-bit random values. A wrong or unknown secret is refused here.
func (p *Provider) secretAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || !secretPaths[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		cl, err := p.clientCache.get(r.Context(), p.d.Clients, id)
		if err != nil || cl.AuthMethod != clients.SecretBasic || !cl.SecretMatches(secret) {
			w.Header().Set("WWW-Authenticate", `Basic realm="oneaccount"`)
			writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), preauthKey{}, cl.ID)))
	})
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// clientCache keeps registered clients for a few seconds, so a token
// request costs no registry read. A changed secret or registration takes
// effect within clientTTL on every node.
type clientCache struct {
	mu sync.Mutex
	m  map[string]cachedClient
}

type cachedClient struct {
	c   clients.Client
	exp time.Time
}

const clientTTL = 5 * time.Second

func (cc *clientCache) get(ctx context.Context, reg *clients.Service, id string) (clients.Client, error) {
	now := time.Now()
	cc.mu.Lock()
	e, ok := cc.m[id]
	cc.mu.Unlock()
	if ok && now.Before(e.exp) {
		return e.c, nil
	}
	c, err := reg.Client(ctx, id)
	if err != nil {
		return c, err
	}
	cc.mu.Lock()
	if cc.m == nil || len(cc.m) > 10000 {
		cc.m = map[string]cachedClient{}
	}
	cc.m[id] = cachedClient{c: c, exp: now.Add(clientTTL)}
	cc.mu.Unlock()
	return c, nil
}

// discovery serves the engine's metadata with what we add: logout, the
// pairwise subject type, and only the client authentication methods a
// client can register.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{h: http.Header{}}
	p.engine.ServeHTTP(rec, r)
	var doc map[string]any
	if err := json.Unmarshal(rec.body.Bytes(), &doc); err != nil || rec.status != http.StatusOK {
		http.Error(w, "discovery unavailable", http.StatusInternalServerError)
		return
	}
	auth := []string{string(clients.SecretBasic), string(clients.PrivateKeyJWT)}
	doc["end_session_endpoint"] = p.cfg.Issuer + PathLogout
	doc["backchannel_logout_supported"] = true
	doc["backchannel_logout_session_supported"] = true
	doc["frontchannel_logout_supported"] = false
	doc["subject_types_supported"] = []string{"pairwise"}
	doc["token_endpoint_auth_methods_supported"] = auth
	doc["introspection_endpoint_auth_methods_supported"] = auth
	doc["revocation_endpoint_auth_methods_supported"] = auth
	doc["code_challenge_methods_supported"] = []string{"S256"}
	doc["ui_locales_supported"] = []string{"zh-Hant", "pt", "en"}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_ = json.NewEncoder(w).Encode(doc)
}

// recorder captures the engine's response to a sub-request.
type recorder struct {
	h      http.Header
	body   bytes.Buffer
	status int
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(s int) { r.status = s }

// trimSlash removes a trailing slash.
func trimSlash(s string) string { return strings.TrimSuffix(s, "/") }
