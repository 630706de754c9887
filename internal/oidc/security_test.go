package oidc_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// The negative cases of RFC 9700 (../shared/security.md).

func TestRedirectURIOffByOne(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAT", nil)
		_, b := e.resident(identity.Level1)
		r := e.rpFor(t, c, "openid")
		for _, bad := range []string{c.Client.RedirectURIs[0] + "x", c.Client.RedirectURIs[0][:len(c.Client.RedirectURIs[0])-1],
			strings.Replace(c.Client.RedirectURIs[0], "127.0.0.1", "localhost", 1), c.Client.RedirectURIs[0] + "/"} {
			r.conf.RedirectURL = bad
			p, left := b.authorize(r.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
				oauth2.SetAuthURLParam("nonce", "n")), true)
			if left != nil || p.Status != http.StatusBadRequest {
				t.Errorf("redirect_uri %q: status %d, left to %v", bad, p.Status, left)
			}
		}
	})
}

func TestAuthorizationCodeReuse(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAT", nil)
		_, b := e.resident(identity.Level1)
		r := e.rpFor(t, c, "openid", "account:read")
		code, verifier := r.code(t, b, true)
		tok, err := r.conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if apiStatus(t, e, "Bearer "+tok.AccessToken, nil) != http.StatusOK {
			t.Fatal("fresh access token refused")
		}
		if _, err := r.conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err == nil {
			t.Fatal("a code was redeemed twice")
		}
		if got := apiStatus(t, e, "Bearer "+tok.AccessToken, nil); got != http.StatusUnauthorized {
			t.Errorf("token from a reused code still works: %d", got)
		}
	})
}

func TestPKCEDowngrade(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAT", nil)
		_, b := e.resident(identity.Level1)
		r := e.rpFor(t, c, "openid")
		// No challenge at all: refused.
		p, left := b.authorize(r.conf.AuthCodeURL("s", oauth2.SetAuthURLParam("nonce", "n")), true)
		if left != nil && left.Query().Get("code") != "" {
			t.Fatalf("code without PKCE: %v %d", left, p.Status)
		}
		// plain is not offered.
		v := oauth2.GenerateVerifier()
		_, left = b.authorize(r.conf.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", v),
			oauth2.SetAuthURLParam("code_challenge_method", "plain"), oauth2.SetAuthURLParam("nonce", "n")), true)
		if left != nil && left.Query().Get("code") != "" {
			t.Fatal("code with the plain PKCE method")
		}
		// A challenge was sent: the token request must prove it.
		code, _ := r.code(t, b, true)
		if _, err := r.conf.Exchange(context.Background(), code); err == nil {
			t.Fatal("code redeemed without its verifier")
		}
		code, _ = r.code(t, b, true)
		if _, err := r.conf.Exchange(context.Background(), code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Fatal("code redeemed with a wrong verifier")
		}
	})
}

func TestWrongAudience(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAT", nil)
		_, b := e.resident(identity.Level1)
		r := e.rpFor(t, c, "openid", "account:read")
		tok, _ := r.signIn(t, b)
		idToken, _ := tok.Extra("id_token").(string)
		if got := apiStatus(t, e, "Bearer "+idToken, nil); got != http.StatusUnauthorized {
			t.Errorf("an ID token (aud = the client) was accepted by the API: %d", got)
		}
		if got := apiStatus(t, e, "Bearer "+tok.RefreshToken, nil); got != http.StatusUnauthorized {
			t.Errorf("a refresh token was accepted by the API: %d", got)
		}
		if got := apiStatus(t, e, "Bearer "+tok.AccessToken, nil); got != http.StatusOK {
			t.Errorf("the access token itself: %d", got)
		}
		// A token without the route's scope is refused with 403.
		r2 := e.rpFor(t, c, "openid")
		tok2, _ := r2.signIn(t, b)
		if got := apiStatus(t, e, "Bearer "+tok2.AccessToken, nil); got != http.StatusForbidden {
			t.Errorf("token without account:read: %d, want 403", got)
		}
	})
}

func TestExpiredClientAssertion(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		f := e.fapi(t)
		form := url.Values{"client_id": {f.id}, "response_type": {"code"}, "redirect_uri": {e.rp.url + "/callback"},
			"scope": {"openid"}, "nonce": {"n"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
			"code_challenge_method": {"S256"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion": {f.assertion(t, 10*time.Minute)}}
		if status, out := f.postForm(t, "/oidc/par", form, ""); status != http.StatusUnauthorized && status != http.StatusBadRequest {
			t.Fatalf("expired assertion: %d %v", status, out)
		} else if out["error"] != "invalid_client" {
			t.Errorf("expired assertion error = %v", out["error"])
		}
		// The same assertion, fresh, works once; replayed, it is refused.
		a := f.assertion(t, 0)
		form.Set("client_assertion", a)
		if status, out := f.postForm(t, "/oidc/par", form, ""); status != http.StatusCreated {
			t.Fatalf("fresh assertion: %d %v", status, out)
		}
		if status, _ := f.postForm(t, "/oidc/par", form, ""); status == http.StatusCreated {
			t.Error("a client assertion was accepted twice")
		}
	})
}

func TestNoImplicitNoPasswordGrant(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAT", func(c *clients.Client) {})
		for _, form := range []url.Values{
			{"grant_type": {"password"}, "username": {"x"}, "password": {"y"}},
			{"grant_type": {"client_credentials"}},
		} {
			req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oidc/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(c.Client.ID, c.Secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Errorf("grant %s accepted for a sign-in client", form.Get("grant_type"))
			}
		}
		_, b := e.resident(identity.Level1)
		q := url.Values{"client_id": {c.Client.ID}, "response_type": {"token"}, "redirect_uri": {c.Client.RedirectURIs[0]},
			"scope": {"openid"}, "nonce": {"n"}}
		_, left := b.authorize(e.issuer+"/oidc/authorize?"+q.Encode(), true)
		if left != nil && (strings.Contains(left.Fragment, "access_token") || left.Query().Get("access_token") != "") {
			t.Fatal("the implicit grant issued a token")
		}
	})
}
