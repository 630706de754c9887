package oidc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/lang"
)

func TestClientCredentialsIntrospectionRevocation(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSAL", func(c *clients.Client) {
			c.Grants = []clients.GrantType{clients.ClientCredentials}
			c.RedirectURIs, c.PostLogoutRedirectURIs, c.BackchannelLogoutURI = nil, nil, ""
			c.Scopes = []clients.ScopePurpose{{Scope: clients.ScopeMessagesSend, Purpose: lang.Text{En: "notify"}}}
		})
		cc := clientcredentials.Config{ClientID: c.Client.ID, ClientSecret: c.Secret, TokenURL: e.issuer + "/oidc/token",
			Scopes: []string{clients.ScopeMessagesSend}}
		tok, err := cc.Token(context.Background())
		if err != nil {
			t.Fatalf("client credentials: %v", err)
		}
		if strings.Count(tok.AccessToken, ".") != 2 {
			t.Errorf("access token is not a JWT: %q", tok.AccessToken)
		}
		bad := cc
		bad.ClientSecret = c.Secret + "x"
		if _, err := bad.Token(context.Background()); err == nil {
			t.Fatal("a wrong secret got a token")
		}
		bad.Scopes = []string{clients.ScopeDirectoryRead}
		bad.ClientSecret = c.Secret
		if _, err := bad.Token(context.Background()); err == nil {
			t.Fatal("a scope the client was not registered for was granted")
		}
		if !introspect(t, e, c, tok.AccessToken) {
			t.Fatal("introspection: a live token is inactive")
		}
		post(t, e, "/oidc/revoke", c, url.Values{"token": {tok.AccessToken}})
		if introspect(t, e, c, tok.AccessToken) {
			t.Fatal("introspection: a revoked token is active")
		}
	})
}

func post(t *testing.T, e *env, path string, c clients.Created, form url.Values) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.Client.ID, c.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
	}
	return out
}

func introspect(t *testing.T, e *env, c clients.Created, token string) bool {
	t.Helper()
	out := post(t, e, "/oidc/introspect", c, url.Values{"token": {token}})
	active, _ := out["active"].(bool)
	return active
}
