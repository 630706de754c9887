package oidc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// rp is a relying party built on coreos/go-oidc and x/oauth2.
type rp struct {
	provider *gooidc.Provider
	conf     oauth2.Config
	verifier *gooidc.IDTokenVerifier
}

func (e *env) rpFor(t testing.TB, c clients.Created, scopes ...string) *rp {
	t.Helper()
	ctx := gooidc.InsecureIssuerURLContext(context.Background(), e.issuer)
	p, err := gooidc.NewProvider(ctx, e.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &rp{provider: p, verifier: p.Verifier(&gooidc.Config{ClientID: c.Client.ID}),
		conf: oauth2.Config{ClientID: c.Client.ID, ClientSecret: c.Secret, Endpoint: p.Endpoint(),
			RedirectURL: c.Client.RedirectURIs[0], Scopes: scopes}}
}

// signIn runs code + PKCE through the browser and exchanges the code.
func (r *rp) signIn(t testing.TB, b *browser, extra ...oauth2.AuthCodeOption) (*oauth2.Token, *gooidc.IDToken) {
	t.Helper()
	code, verifier := r.code(t, b, true, extra...)
	tok, err := r.conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("verify id token: %v", err)
	}
	return tok, idt
}

// code runs the browser part and returns the code and PKCE verifier.
func (r *rp) code(t testing.TB, b *browser, approve bool, extra ...oauth2.AuthCodeOption) (string, string) {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "n-0S6")}, extra...)
	p, left := b.authorize(r.conf.AuthCodeURL("st-123", opts...), approve)
	if left == nil {
		t.Fatalf("authorization stopped at %d %s: %.300s", p.Status, p.URL, p.Body)
	}
	q := left.Query()
	if q.Get("state") != "st-123" {
		t.Fatalf("state = %q", q.Get("state"))
	}
	if q.Get("iss") != strings.TrimSuffix(r.provider.Endpoint().AuthURL, "/oidc/authorize") {
		t.Errorf("iss = %q, want the issuer (RFC 9207)", q.Get("iss"))
	}
	if approve && q.Get("code") == "" {
		t.Fatalf("no code: %s", left)
	}
	return q.Get("code"), verifier
}

func TestCodeFlowWithPKCE(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAT", func(c *clients.Client) { c.Level = 2 })
		other := e.client("DSI", func(c *clients.Client) { c.Level = 2 })
		acct, b := e.resident(identity.Level2)
		r := e.rpFor(t, c, "openid", "profile", "email", "identity")
		tok, idt := r.signIn(t, b)
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if claims["acr"] != "urn:oneaccount:loa:2" || claims["auth_time"] == nil || claims["amr"] == nil || claims["sid"] == nil {
			t.Errorf("acr/auth_time/amr/sid missing or wrong: %v", claims)
		}
		if claims["name#zh-Hant"] != "陳大文" || claims["email"] != string(acct.Email) || claims["document_number"] == nil {
			t.Errorf("profile, email or identity claims missing: %v", claims)
		}
		if idt.Subject == acct.ID {
			t.Error("the subject is the internal account ID, not a pairwise one")
		}
		ui, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
		if err != nil || ui.Subject != idt.Subject {
			t.Fatalf("userinfo: %v %v", err, ui)
		}
		// Another entity receives another subject for the same person.
		_, idt2 := e.rpFor(t, other, "openid").signIn(t, b)
		if idt2.Subject == idt.Subject {
			t.Error("two entities received the same subject")
		}
		// The same entity receives the same subject again.
		_, idt3 := r.signIn(t, b)
		if idt3.Subject != idt.Subject {
			t.Error("the subject changed between sign-ins")
		}
	})
}

func TestConsentRefusal(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAT", nil)
		_, b := e.resident(identity.Level1)
		r := e.rpFor(t, c, "openid", "email")
		code, _ := r.code(t, b, false)
		if code != "" {
			t.Fatal("a code was issued although the resident refused")
		}
		// Approving later works, and a second sign-in does not ask again.
		r.signIn(t, b)
		p := b.visit(r.conf.AuthCodeURL("st-123", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
			oauth2.SetAuthURLParam("nonce", "n")))
		if p.Left == nil || p.Left.Query().Get("code") == "" {
			t.Fatalf("second sign-in asked again or failed: %d %s", p.Status, p.URL)
		}
		// Revoking the consent from the account ends the client's tokens.
		consents, err := e.app.Clients().Consents(context.Background(), accountOf(t, e, b))
		if err != nil || len(consents) != 1 {
			t.Fatalf("consents: %v %d", err, len(consents))
		}
	})
}

// accountOf finds the account a browser is signed in as.
func accountOf(t *testing.T, e *env, b *browser) string {
	t.Helper()
	resp := b.get(e.issuer + "/api/v1/me")
	defer resp.Body.Close()
	var me struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || me.ID == "" {
		t.Fatalf("me: %v", err)
	}
	return me.ID
}

func TestStepUpToLevel2(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAT", nil)
		acct, b := e.resident(identity.Level1)
		r := e.rpFor(t, c, "openid")
		verifier := oauth2.GenerateVerifier()
		authURL := r.conf.AuthCodeURL("st-123", oauth2.S256ChallengeOption(verifier),
			oauth2.SetAuthURLParam("nonce", "n"), oauth2.SetAuthURLParam("acr_values", "urn:oneaccount:loa:2"))
		p, left := b.authorize(authURL, true)
		if left != nil || p.URL.Path != "/step-up" || p.URL.Query().Get("level") != "2" {
			t.Fatalf("a level-1 resident was not sent to step up: %v %s", left, p.URL)
		}
		// Cancelling tells the client the level was not reached.
		p = b.post(p.URL.Query().Get("cancel"), nil)
		if p.Left == nil || p.Left.Query().Get("error") != "unmet_authentication_requirements" {
			t.Fatalf("cancel: %v", p.Left)
		}
		// Verified in person, the same request succeeds at level 2.
		verifyInPerson(t, e, acct)
		tok, idt := r.signIn(t, b, oauth2.SetAuthURLParam("acr_values", "urn:oneaccount:loa:2"))
		var cl struct {
			ACR string `json:"acr"`
		}
		_ = idt.Claims(&cl)
		if cl.ACR != "urn:oneaccount:loa:2" || tok.AccessToken == "" {
			t.Fatalf("acr = %q after step-up", cl.ACR)
		}
	})
}

// verifyInPerson has an identity verifier confirm the resident's identity.
func verifyInPerson(t *testing.T, e *env, acct identity.Account) {
	t.Helper()
	ns, err := e.app.Identity().CreateStaff(context.Background(), identity.Actor{Platform: true}, identity.StaffRequest{
		Entity: "DSI", Roles: []identity.Role{identity.IdentityVerifier}, Email: "v" + randomString(6) + "@dsi.gov.mo",
		Password: testPassword, Name: "Verifier"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Identity().VerifyIdentity(context.Background(), identity.Actor{Account: ns.Account}, acct.ID,
		"bir", acct.Document.Number, ""); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAT", nil)
		_, b := e.resident(identity.Level1)
		r := e.rpFor(t, c, "openid", "account:read")
		tok, _ := r.signIn(t, b)
		first := tok.RefreshToken
		if first == "" {
			t.Fatal("no refresh token")
		}
		refresh := func(rt string) (*oauth2.Token, error) {
			return r.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: rt}).Token()
		}
		t2, err := refresh(first)
		if err != nil || t2.RefreshToken == "" || t2.RefreshToken == first {
			t.Fatalf("rotation: %v, new token %q", err, t2.RefreshToken)
		}
		if _, err := refresh(first); err == nil {
			t.Fatal("a rotated refresh token worked again")
		}
		// Reuse revoked the family: the newest token is dead too.
		if _, err := refresh(t2.RefreshToken); err == nil {
			t.Fatal("the family survived the reuse of an old refresh token")
		}
		if code := apiStatus(t, e, "Bearer "+t2.AccessToken, nil); code != http.StatusUnauthorized {
			t.Errorf("access token of a revoked family: %d", code)
		}
	})
}

// apiStatus calls GET /api/v1/me with an Authorization header.
func apiStatus(t *testing.T, e *env, auth string, header http.Header) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.issuer+"/api/v1/me", nil)
	req.Header.Set("Authorization", auth)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestLogout(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAT", nil)
		acct, b := e.resident(identity.Level1)
		r := e.rpFor(t, c, "openid")
		tok, idt := r.signIn(t, b)
		raw, _ := tok.Extra("id_token").(string)
		// Signing in again (as max_age asks) replaces the browser session;
		// the relying party must still hear of the eventual sign-out.
		if p := b.post("/login", url.Values{"username": {string(acct.Email)}, "password": {testPassword},
			"next": {"/account"}, "force": {"1"}}); p.URL.Path != "/account" {
			t.Fatalf("sign in again: %s", p.URL)
		}
		var end struct {
			EndSession string `json:"end_session_endpoint"`
		}
		if err := r.provider.Claims(&end); err != nil || end.EndSession == "" {
			t.Fatalf("no end_session_endpoint: %v", err)
		}
		// A post-logout URI off by one character is refused and not followed.
		q := url.Values{"id_token_hint": {raw}, "post_logout_redirect_uri": {c.Client.PostLogoutRedirectURIs[0] + "x"}}
		if p := b.visit(end.EndSession + "?" + q.Encode()); p.Left != nil || p.Status != http.StatusBadRequest {
			t.Fatalf("unregistered post-logout URI: %d left to %v", p.Status, p.Left)
		}
		q.Set("post_logout_redirect_uri", c.Client.PostLogoutRedirectURIs[0])
		q.Set("state", "bye-1")
		p := b.visit(end.EndSession + "?" + q.Encode())
		if p.Left == nil || p.Left.Query().Get("state") != "bye-1" ||
			!strings.HasPrefix(p.Left.String(), c.Client.PostLogoutRedirectURIs[0]) {
			t.Fatalf("logout did not return to the client: %v", p.Left)
		}
		if p := b.visit(e.issuer + "/account"); p.URL.Path != "/login" {
			t.Errorf("still signed in after logout: %s", p.URL)
		}
		got := e.rp.received()
		if len(got) != 1 {
			t.Fatalf("back-channel logout tokens: %d", len(got))
		}
		checkLogoutToken(t, r, got[0], idt)
		if _, err := r.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
			t.Error("the session's refresh token outlived the logout")
		}
	})
}

// checkLogoutToken verifies a logout token with the provider's keys.
func checkLogoutToken(t *testing.T, r *rp, raw string, idt *gooidc.IDToken) {
	t.Helper()
	v := r.provider.VerifierContext(context.Background(), &gooidc.Config{ClientID: r.conf.ClientID})
	lt, err := v.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("logout token: %v", err)
	}
	var c struct {
		SID    string         `json:"sid"`
		Events map[string]any `json:"events"`
		Nonce  string         `json:"nonce"`
	}
	var ic struct {
		SID string `json:"sid"`
	}
	_ = lt.Claims(&c)
	_ = idt.Claims(&ic)
	if lt.Subject != idt.Subject || c.SID != ic.SID || c.Events["http://schemas.openid.net/event/backchannel-logout"] == nil || c.Nonce != "" {
		t.Errorf("logout token claims wrong: sub %q sid %q events %v", lt.Subject, c.SID, c.Events)
	}
}
