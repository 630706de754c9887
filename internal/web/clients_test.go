package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
)

func TestClientRegistryAccess(t *testing.T) {
	s := newOIDCSite(t, false)
	resident := s.person(t, "ana", identity.Level2)
	dsiAdmin := s.staff(t, "dsi-admin", "DSI", identity.EntityAdmin)
	agent := s.staff(t, "dsi-agent", "DSI", identity.CounterAgent)
	platform := s.staff(t, "root", "DSI", identity.PlatformAdmin)

	location(t, s.do(t, nil, "GET", "/staff/clients", nil), "/login?next=/staff/clients")
	expect(t, "resident", s.do(t, resident, "GET", "/staff/clients", nil), http.StatusForbidden)
	expect(t, "resident, chosen entity", s.do(t, resident, "GET", "/staff/clients?entity=DSI", nil), http.StatusForbidden)
	expect(t, "counter agent", s.do(t, agent, "GET", "/staff/clients", nil), http.StatusForbidden)
	expect(t, "DSI admin asking for DSAT", s.do(t, dsiAdmin, "GET", "/staff/clients?entity=DSAT", nil), http.StatusForbidden)
	expect(t, "DSI admin registering for DSAT", s.do(t, dsiAdmin, "POST", "/staff/clients", validClient("DSAT")),
		http.StatusForbidden)
	expect(t, "resident registering", s.do(t, resident, "POST", "/staff/clients", validClient("DSI")), http.StatusForbidden)
	body := expect(t, "DSI admin", s.do(t, dsiAdmin, "GET", "/staff/clients", nil), http.StatusOK,
		"Identification Services Bureau", "Register a client", `name="entity" value="DSI"`, `for="name"`,
		`for="redirect_uri"`, `for="post_logout_redirect_uri"`, `for="backchannel_logout_uri"`, `for="jwks"`, `for="jwks_uri"`,
		`id="grant"`, `id="scope"`, `id="scope-messages_send"`, `for="purpose-identity-zh-Hant"`, `id="level"`,
		`id="fapi"`, `id="auth_method"`, `id="id_token_alg"`, "No client is registered yet")
	if strings.Contains(body, `id="entity-pick"`) {
		t.Error("an entity admin may pick another entity")
	}
	expect(t, "platform admin, own entity", s.do(t, platform, "GET", "/staff/clients", nil), http.StatusOK,
		`id="entity-pick"`, `<option value="DSAT">`, `<option value="DSI" selected>`)
	expect(t, "platform admin, DSAT", s.do(t, platform, "GET", "/staff/clients?entity=DSAT", nil), http.StatusOK,
		`name="entity" value="DSAT"`, "Register a client")
	expect(t, "platform admin registers for DSAT", s.do(t, platform, "POST", "/staff/clients", validClient("DSAT")),
		http.StatusOK, "Client registered", `href="/staff/clients?entity=DSAT"`)
	expect(t, "DSAT's list", s.do(t, platform, "GET", "/staff/clients?entity=dsat", nil), http.StatusOK, "Vehicle tax online")
	if list, _ := s.clients.ClientsOf(context.Background(), identity.Actor{Platform: true}, "DSI"); len(list) != 0 {
		t.Errorf("DSI has %d clients, want none", len(list))
	}

	expect(t, "staff desk of an entity admin", s.do(t, dsiAdmin, "GET", "/staff", nil), http.StatusOK, `href="/staff/clients"`)
	if body := expect(t, "staff desk of an agent", s.do(t, agent, "GET", "/staff", nil), http.StatusOK); strings.Contains(body, `href="/staff/clients"`) {
		t.Error("the staff desk links a counter agent to the client registry")
	}
}

// validClient is a registration form for a sign-in client of entity.
func validClient(entity string) url.Values {
	return url.Values{"entity": {entity}, "name": {"Vehicle tax online"}, "grant": {"authorization_code"},
		"redirect_uri":             {"https://rp.example.mo/cb\r\n\r\nhttps://rp.example.mo/cb2\r\n"},
		"post_logout_redirect_uri": {"https://rp.example.mo/bye"}, "scope": {"openid", "email"},
		"purpose.email.zh-Hant": {"寄送繳稅通知"}, "purpose.email.pt": {"Enviar avisos"}, "purpose.email.en": {"To send tax notices"},
		"level": {"2"}, "auth_method": {"client_secret_basic"}, "id_token_alg": {"ES256"}}
}

var secretRE = regexp.MustCompile(`<code class="oa-secret" lang="en">([^<]+)</code>`)

func TestClientRegistryShowsTheSecretOnce(t *testing.T) {
	s := newOIDCSite(t, false)
	ctx := context.Background()
	admin := s.staff(t, "dsi-admin", "DSI", identity.EntityAdmin)
	body := expect(t, "create", s.do(t, admin, "POST", "/staff/clients", validClient("DSI")), http.StatusOK,
		"Client registered", "shown only once and cannot be shown again", "govuk-warning-text")
	m := secretRE.FindAllStringSubmatch(body, -1)
	if len(m) != 2 {
		t.Fatalf("created page shows %d codes, want the client ID and the secret", len(m))
	}
	id, secret := m[0][1], m[1][1]
	c, err := s.clients.Client(ctx, id)
	if err != nil {
		t.Fatalf("client %q: %v", id, err)
	}
	if !c.SecretMatches(secret) || c.Entity != "DSI" || c.Level != 2 || len(c.RedirectURIs) != 2 ||
		c.Purpose("email").ZhHant != "寄送繳稅通知" || c.PostLogoutRedirectURIs[0] != "https://rp.example.mo/bye" {
		t.Errorf("stored client %+v does not match the form", c)
	}
	list := expect(t, "list", s.do(t, admin, "GET", "/staff/clients", nil), http.StatusOK, "Vehicle tax online", id,
		`action="/staff/clients/`+id+`/secret"`)
	if strings.Contains(list, secret) {
		t.Error("the list shows the secret again")
	}

	// A new secret replaces the old one and is shown once too.
	body = expect(t, "new secret", s.do(t, admin, "POST", "/staff/clients/"+id+"/secret", url.Values{}), http.StatusOK,
		"New client secret", "cannot be shown again")
	m = secretRE.FindAllStringSubmatch(body, -1)
	if len(m) != 2 || m[1][1] == secret {
		t.Fatalf("new secret page: %v", m)
	}
	c, _ = s.clients.Client(ctx, id)
	if c.SecretMatches(secret) || !c.SecretMatches(m[1][1]) {
		t.Error("the new secret did not replace the old one")
	}
	other := s.staff(t, "dsat-admin", "DSAT", identity.EntityAdmin)
	expect(t, "another entity's secret", s.do(t, other, "POST", "/staff/clients/"+id+"/secret", url.Values{}), http.StatusForbidden)
	expect(t, "unknown client's secret", s.do(t, admin, "POST", "/staff/clients/nope/secret", url.Values{}), http.StatusNotFound)

	// A private_key_jwt client has no secret.
	f := validClient("DSI")
	f.Set("auth_method", "private_key_jwt")
	f.Set("jwks_uri", "https://rp.example.mo/jwks.json")
	body = expect(t, "private_key_jwt", s.do(t, admin, "POST", "/staff/clients", f), http.StatusOK, "it has no secret")
	if n := len(secretRE.FindAllString(body, -1)); n != 1 {
		t.Errorf("private_key_jwt client page shows %d codes, want only the client ID", n)
	}
}

func TestClientRegistryValidation(t *testing.T) {
	s := newOIDCSite(t, false)
	admin := s.staff(t, "dsi-admin", "DSI", identity.EntityAdmin)
	cases := []struct {
		name   string
		change func(url.Values)
		field  string
		msg    string
	}{
		{"no name", func(f url.Values) { f.Del("name") }, "name", "Enter a name"},
		{"no grant", func(f url.Values) { f.Del("grant") }, "grant", "Choose what the client does"},
		{"no openid", func(f url.Values) { f["scope"] = []string{"email"} }, "scope", "Check the scopes"},
		{"machine scope without its grant", func(f url.Values) { f["scope"] = []string{"openid", "messages:send"} }, "scope",
			"Check the scopes"},
		{"http redirect", func(f url.Values) { f.Set("redirect_uri", "http://rp.example.mo/cb") }, "redirect_uri",
			"Enter valid addresses"},
		{"bad post-logout", func(f url.Values) { f.Set("post_logout_redirect_uri", "https://rp.example.mo/#x") },
			"post_logout_redirect_uri", "Enter valid addresses"},
		{"bad back-channel", func(f url.Values) { f.Set("backchannel_logout_uri", "ftp://x") }, "backchannel_logout_uri",
			"Enter valid addresses"},
		{"level 4", func(f url.Values) { f.Set("level", "4") }, "level", "Choose level 1, 2 or 3"},
		{"level word", func(f url.Values) { f.Set("level", "high") }, "level", "Choose level 1, 2 or 3"},
		{"bad alg", func(f url.Values) { f.Set("id_token_alg", "HS256") }, "id_token_alg", "Choose ES256 or RS256"},
		{"FAPI with a secret", func(f url.Values) { f.Set("fapi", "1") }, "auth_method", "private_key_jwt"},
		{"private_key_jwt without keys", func(f url.Values) { f.Set("auth_method", "private_key_jwt") }, "jwks",
			"valid JSON Web Key Set"},
		{"bad JWKS", func(f url.Values) { f.Set("auth_method", "private_key_jwt"); f.Set("jwks", `{"keys": [`) }, "jwks",
			"valid JSON Web Key Set"},
		{"other entity's service", func(f url.Values) { f.Set("service", "DSAT-DL-RENEW") }, "service",
			"one of your entity"},
	}
	for _, c := range cases {
		f := validClient("DSI")
		c.change(f)
		body := expect(t, c.name, s.do(t, admin, "POST", "/staff/clients", f), http.StatusUnprocessableEntity,
			"govuk-error-summary", `href="#`+c.field+`"`, c.msg, `id="`+c.field+`"`)
		if strings.Contains(body, "oa-secret") {
			t.Errorf("%s: a client was created", c.name)
		}
	}
	f := validClient("DSI")
	f.Del("grant")
	expect(t, "values kept", s.do(t, admin, "POST", "/staff/clients", f), http.StatusUnprocessableEntity,
		`value="Vehicle tax online"`, "https://rp.example.mo/cb2", `value="To send tax notices"`,
		`value="email" aria-describedby="scope-email-hint" checked`, `type="radio" value="2" checked`)
	expect(t, "in Chinese", s.do(t, admin, "POST", "/staff/clients", f, "Cookie", "lang=zh-Hant"), http.StatusUnprocessableEntity,
		"請選擇客戶端的用途")
	expect(t, "in Portuguese", s.do(t, admin, "POST", "/staff/clients", f, "Cookie", "lang=pt"), http.StatusUnprocessableEntity,
		"Escolha o que o cliente faz")
	if list, _ := s.clients.ClientsOf(context.Background(), identity.Actor{Platform: true}, "DSI"); len(list) != 0 {
		t.Errorf("invalid forms registered %d clients", len(list))
	}
}

func TestConnectedServices(t *testing.T) {
	s := newOIDCSite(t, false)
	ctx := context.Background()
	ana := s.person(t, "ana", identity.Level1)
	bo := s.person(t, "bo", identity.Level1)
	cl := s.seedClient(t, "DSF", clients.ScopeEmail, clients.ScopePhone)
	if err := s.clients.Grant(ctx, ana.ID, cl, []string{"openid", "email", "phone"}); err != nil {
		t.Fatal(err)
	}
	location(t, s.do(t, nil, "GET", "/account/connected", nil), "/login?next=/account/connected")
	expect(t, "account page", s.do(t, ana, "GET", "/account", nil), http.StatusOK, `href="/account/connected"`, "Connected services")
	body := expect(t, "ana's services", s.do(t, ana, "GET", "/account/connected", nil), http.StatusOK,
		"Vehicle tax online", "Financial Services Bureau", "Your email address", "Your mobile number",
		`action="/account/connected/`+cl.ID+`/revoke"`, "Withdraw permission")
	if strings.Contains(body, "That you signed in") {
		t.Error("openid is listed as a detail shared")
	}
	expect(t, "in Chinese", s.do(t, ana, "GET", "/account/connected", nil, "Cookie", "lang=zh-Hant"), http.StatusOK,
		"已連結的服務", "財政局", "你的電郵地址", "撤回授權")
	if body := expect(t, "bo's services", s.do(t, bo, "GET", "/account/connected", nil), http.StatusOK,
		"You have not let any service sign you in yet"); strings.Contains(body, cl.ID) {
		t.Error("bo sees ana's connected service")
	}
	expect(t, "bo revokes ana's", s.do(t, bo, "POST", "/account/connected/"+cl.ID+"/revoke", url.Values{}), http.StatusNotFound)
	if c, _ := s.clients.Consent(ctx, ana.ID, cl.ID); len(c.Scopes) == 0 {
		t.Fatal("bo withdrew ana's consent")
	}
	location(t, s.do(t, ana, "POST", "/account/connected/"+cl.ID+"/revoke", url.Values{}), "/account/connected?done=revoked")
	if c, _ := s.clients.Consent(ctx, ana.ID, cl.ID); len(c.Scopes) != 0 {
		t.Errorf("consent still holds %v", c.Scopes)
	}
	if body := expect(t, "after revoking", s.do(t, ana, "GET", "/account/connected?done=revoked", nil), http.StatusOK,
		"govuk-notification-banner--success", "Permission withdrawn"); strings.Contains(body, `action="/account/connected/`) {
		t.Error("the withdrawn service is still listed")
	}
	expect(t, "revoking twice", s.do(t, ana, "POST", "/account/connected/"+cl.ID+"/revoke", url.Values{}), http.StatusNotFound)
}

func TestRegistryPagesNeedTheRegistry(t *testing.T) {
	iw := newIdentityWeb(t)
	ana := iw.login(t, "ana@example.com")
	for _, p := range []string{"/account/connected", "/staff/clients", "/oidc/consent/x"} {
		if rec := iw.get(p, ana); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s without the registry = %d, want 404", p, rec.Code)
		}
	}
	if body := iw.get("/account", ana).Body.String(); strings.Contains(body, "/account/connected") {
		t.Error("the account page links connected services without the registry")
	}
}
