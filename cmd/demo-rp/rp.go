package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

const (
	acr2, acr3    = "urn:oneaccount:loa:2", "urn:oneaccount:loa:3" // levels this e-service accepts
	loginCookie   = "demo_rp_login"                                // state.nonce.verifier, ten minutes
	sessionCookie = "demo_rp_session"                              // names unlike the provider's: cookies ignore ports
	logoutCookie  = "demo_rp_logout"                               // state of an RP-initiated logout
)

// rp is the relying party: the provider's metadata and the local sessions.
type rp struct {
	cfg        config
	provider   *oidc.Provider
	oauth      oauth2.Config
	verifier   *oidc.IDTokenVerifier
	endSession string   // the provider's end_session_endpoint
	home       string   // post_logout_redirect_uri: the redirect URL's origin + "/"
	secure     bool     // cookies get Secure when the redirect URL is https
	sessions   sync.Map // cookie value → *session, in memory
}

// newRP reads the provider's discovery document.
func newRP(ctx context.Context, cfg config) (*rp, error) {
	u, err := url.Parse(cfg.redirectURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("redirect URL %q: want an absolute URL", cfg.redirectURL)
	}
	p, err := oidc.NewProvider(ctx, cfg.issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s (is OneAccount running, with this base URL?): %w", cfg.issuer, err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discovery document: %w", err)
	}
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader // client_secret_basic
	return &rp{cfg: cfg, provider: p, endSession: meta.EndSession,
		oauth: oauth2.Config{ClientID: cfg.clientID, ClientSecret: cfg.clientSecret, Endpoint: ep,
			RedirectURL: cfg.redirectURL, Scopes: []string{oidc.ScopeOpenID, "profile", "email", "identity"}},
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.clientID}),
		home:     u.Scheme + "://" + u.Host + "/", secure: u.Scheme == "https"}, nil
}

func (a *rp) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("GET /login", a.login)
	mux.HandleFunc("GET /callback", a.callback)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("POST /backchannel-logout", a.backchannel)
	return mux
}

func (a *rp) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
}

// login sends the browser to the provider: code flow, PKCE S256, a nonce,
// and acr_values asking for level 2.
func (a *rp) login(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	a.setCookie(w, loginCookie, state+"."+nonce+"."+verifier, 600)
	http.Redirect(w, r, a.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("acr_values", acr2)), http.StatusFound)
}

// callback checks the response, redeems the code and starts a session.
func (a *rp) callback(w http.ResponseWriter, r *http.Request) {
	q, parts := r.URL.Query(), []string{}
	if c, err := r.Cookie(loginCookie); err == nil {
		parts = strings.Split(c.Value, ".")
	}
	a.setCookie(w, loginCookie, "", -1)
	switch {
	case len(parts) != 3 || q.Get("state") != parts[0]:
		a.fail(w, http.StatusBadRequest, "This sign-in response does not match a sign-in started here (state). Please start again.", errors.New("state mismatch"))
		return
	case q.Get("iss") != a.cfg.issuer:
		a.fail(w, http.StatusBadRequest, "This sign-in response names an issuer other than OneAccount (RFC 9207).", fmt.Errorf("iss %q", q.Get("iss")))
		return
	case q.Get("error") == "unmet_authentication_requirements": // the resident could not step up
		a.fail(w, http.StatusForbidden, "Renewing a driving licence needs identity assurance level 2, which your OneAccount has not reached.", errors.New(q.Get("error")))
		return
	case q.Get("error") != "":
		a.fail(w, http.StatusBadRequest, "OneAccount did not sign you in: "+q.Get("error")+" "+q.Get("error_description"), errors.New(q.Get("error")))
		return
	}
	sess, err := a.redeem(r.Context(), q.Get("code"), parts[1], parts[2])
	if low := (lowLevel{}); errors.As(err, &low) {
		a.fail(w, http.StatusForbidden, fmt.Sprintf("Renewing a driving licence needs identity assurance level 2 (%s). "+
			"OneAccount signed you in at %q, so this e-service refuses the sign-in.", acr2, low.acr), err)
		return
	} else if err != nil {
		a.fail(w, http.StatusBadGateway, "Signing in with OneAccount failed.", err)
		return
	}
	id := rand.Text()
	a.sessions.Store(id, sess)
	a.setCookie(w, sessionCookie, id, 0)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// lowLevel refuses an ID token whose acr is below level 2.
type lowLevel struct{ acr string }

func (e lowLevel) Error() string { return fmt.Sprintf("acr %q is below %s", e.acr, acr2) }

// redeem exchanges the code, verifies the ID token, its nonce and acr,
// and reads userinfo.
func (a *rp) redeem(ctx context.Context, code, nonce, verifier string) (*session, error) {
	tok, err := a.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("token exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := a.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("id token: %w", err)
	} else if idt.Nonce != nonce {
		return nil, errors.New("id token: nonce does not match")
	}
	var claims, info map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("id token claims: %w", err)
	}
	if acr, _ := claims["acr"].(string); acr != acr2 && acr != acr3 {
		return nil, lowLevel{acr: acr}
	}
	ui, err := a.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return nil, fmt.Errorf("userinfo: %w", err)
	} else if ui.Subject != idt.Subject {
		return nil, fmt.Errorf("userinfo: sub %q is not the ID token's %q", ui.Subject, idt.Subject)
	} else if err := ui.Claims(&info); err != nil {
		return nil, fmt.Errorf("userinfo claims: %w", err)
	}
	sid, _ := claims["sid"].(string)
	return &session{sub: idt.Subject, sid: sid, idToken: raw,
		rows: append(rowsOf("ID token", claims), rowsOf("userinfo", info)...)}, nil
}

// logout ends the local session and sends the browser to the provider's
// end_session_endpoint (RP-initiated logout).
func (a *rp) logout(w http.ResponseWriter, r *http.Request) {
	var s any
	if c, err := r.Cookie(sessionCookie); err == nil {
		s, _ = a.sessions.LoadAndDelete(c.Value)
	}
	a.setCookie(w, sessionCookie, "", -1)
	if a.endSession == "" || s == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	state := rand.Text()
	a.setCookie(w, logoutCookie, state, 600)
	q := url.Values{"id_token_hint": {s.(*session).idToken}, "post_logout_redirect_uri": {a.home}, "client_id": {a.cfg.clientID}, "state": {state}}
	http.Redirect(w, r, a.endSession+"?"+q.Encode(), http.StatusSeeOther)
}

// backchannel ends the local sessions named by a logout token: those with
// its sid, or, without one, those of its sub. go-oidc's VerifyLogout checks
// the signature with the provider's keys, iss, aud, exp, jti, the events
// claim, that there is no nonce, and that sid or sub is present.
func (a *rp) backchannel(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	raw := r.PostFormValue("logout_token")
	lt, err := a.verifier.VerifyLogout(r.Context(), raw)
	if err != nil {
		slog.InfoContext(r.Context(), "logout token refused", "err", err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"invalid logout token"}` + "\n"))
		return
	}
	n := 0
	a.sessions.Range(func(id, v any) bool {
		if s := v.(*session); (lt.SessionID != "" && s.sid == lt.SessionID) || (lt.SessionID == "" && s.sub == lt.Subject) {
			a.sessions.Delete(id)
			n++
		}
		return true
	})
	slog.InfoContext(r.Context(), "back-channel logout", "sid", lt.SessionID, "sessions_ended", n)
}

// session is one signed-in browser.
type session struct {
	sub, sid, idToken string // idToken is for id_token_hint at sign-out
	rows              []row  // the verified claims, to show
}
