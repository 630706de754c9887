package clients

import (
	"net/url"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

func validClient() Client {
	return Client{Entity: "DSAT", Name: "Licence", Level: 2, AuthMethod: SecretBasic,
		Grants:       []GrantType{AuthorizationCode},
		RedirectURIs: []string{"https://licence.dsat.gov.mo/cb"},
		Scopes:       []ScopePurpose{{Scope: ScopeOpenID}, {Scope: ScopeProfile, Purpose: lang.Text{En: "print your name"}}}}
}

func TestValidate(t *testing.T) {
	cases := map[string]struct {
		mod   func(*Client)
		field string
	}{
		"valid":                 {func(*Client) {}, ""},
		"loopback http":         {func(c *Client) { c.RedirectURIs = []string{"http://127.0.0.1:8081/cb"} }, ""},
		"plain http":            {func(c *Client) { c.RedirectURIs = []string{"http://licence.example/cb"} }, "redirect_uri"},
		"fragment":              {func(c *Client) { c.RedirectURIs = []string{"https://a.example/cb#x"} }, "redirect_uri"},
		"relative":              {func(c *Client) { c.RedirectURIs = []string{"/cb"} }, "redirect_uri"},
		"user info":             {func(c *Client) { c.RedirectURIs = []string{"https://u:p@a.example/cb"} }, "redirect_uri"},
		"no redirect":           {func(c *Client) { c.RedirectURIs = nil }, "redirect_uri"},
		"no openid":             {func(c *Client) { c.Scopes = c.Scopes[1:] }, "scope"},
		"unknown scope":         {func(c *Client) { c.Scopes = append(c.Scopes, ScopePurpose{Scope: "admin"}) }, "scope"},
		"machine scope on code": {func(c *Client) { c.Scopes = append(c.Scopes, ScopePurpose{Scope: ScopeMessagesSend}) }, "scope"},
		"no purpose":            {func(c *Client) { c.Scopes[1].Purpose = lang.Text{} }, "purpose"},
		"level 4":               {func(c *Client) { c.Level = 4 }, "level"},
		"fapi with secret":      {func(c *Client) { c.FAPI = true }, "auth_method"},
		"pkjwt without keys":    {func(c *Client) { c.AuthMethod = PrivateKeyJWT }, "jwks"},
		"bad jwks":              {func(c *Client) { c.AuthMethod, c.JWKS = PrivateKeyJWT, []byte("{") }, "jwks"},
		"implicit":              {func(c *Client) { c.Grants = []GrantType{"implicit"} }, "grant"},
		"password":              {func(c *Client) { c.Grants = []GrantType{"password"} }, "grant"},
		"alg":                   {func(c *Client) { c.IDTokenAlg = "HS256" }, "id_token_alg"},
	}
	for name, tc := range cases {
		c := validClient()
		tc.mod(&c)
		err := c.Validate()
		var ae *apperr.Error
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.field != "" && (err == nil || !asAppErr(err, &ae) || ae.Field != tc.field || ae.Key == ""):
			t.Errorf("%s: got %v, want an Invalid error on %s with a message key", name, err, tc.field)
		}
	}
}

func asAppErr(err error, target **apperr.Error) bool {
	e, ok := err.(*apperr.Error)
	*target = e
	return ok && e.Code == apperr.Invalid
}

func TestCanManageClients(t *testing.T) {
	admin := identity.Account{Kind: identity.Staff, Entity: "DSAT", Roles: []identity.Role{identity.EntityAdmin}}
	agent := identity.Account{Kind: identity.Staff, Entity: "DSAT", Roles: []identity.Role{identity.CounterAgent}}
	if CanManageClients(identity.Actor{Account: admin}, "DSAT") != nil {
		t.Error("an entity admin may not manage their entity's clients")
	}
	if CanManageClients(identity.Actor{Account: admin}, "DSI") == nil {
		t.Error("a DSAT admin may manage DSI's clients")
	}
	if CanManageClients(identity.Actor{Account: agent}, "DSAT") == nil {
		t.Error("a counter agent may manage clients")
	}
	if CanManageClients(identity.Actor{Account: identity.Account{Kind: identity.Resident}}, "DSAT") == nil {
		t.Error("a resident may manage clients")
	}
	if CanManageClients(identity.Actor{Platform: true}, "DSAT") != nil {
		t.Error("the platform may not manage clients")
	}
}

func TestPairwiseSubject(t *testing.T) {
	s := New(nil, nil, []byte("k1"))
	a, b := s.PairwiseSubject("DSAT", "acct-1"), s.PairwiseSubject("DSI", "acct-1")
	if a == b || a == "acct-1" || strings.Contains(a, "acct") {
		t.Errorf("subjects link across entities or reveal the account: %q %q", a, b)
	}
	if a != s.PairwiseSubject("DSAT", "acct-1") {
		t.Error("the subject is not stable")
	}
	if a == New(nil, nil, []byte("k2")).PairwiseSubject("DSAT", "acct-1") {
		t.Error("the subject does not depend on the key")
	}
}

func TestSecretMatches(t *testing.T) {
	c := Client{SecretHash: HashSecret("s3cret")}
	if !c.SecretMatches("s3cret") || c.SecretMatches("s3cret ") || c.SecretMatches("") || (Client{}).SecretMatches("") {
		t.Error("secret comparison is wrong")
	}
}

func TestClaims(t *testing.T) {
	a := identity.Account{NameZh: "陳大文", NameLatin: "Chan Tai Man", Email: "c@example.mo", Assurance: identity.Level1,
		BirthDate: "1980-01-01", Lang: lang.Pt}
	r := Claims(a, []string{ScopeOpenID, ScopeProfile, ScopeIdentity, ScopeOrganisation}, nil)
	if r.Claims["name#zh-Hant"] != "陳大文" || r.Claims["locale"] != "pt" {
		t.Errorf("profile claims: %v", r.Claims)
	}
	if _, ok := r.Claims["birthdate"]; ok || contains(r.Scopes, ScopeIdentity) {
		t.Error("identity released below level 2")
	}
	if contains(r.Scopes, ScopeOrganisation) {
		t.Error("organisation released without an organisation")
	}
	a.Assurance = identity.Level2
	org := identity.Membership{Org: identity.Org{ID: "o1", Name: lang.Text{En: "Snacks", Pt: "Petiscos"}}, Role: identity.OrgRoleAdmin}
	r = Claims(a, []string{ScopeOpenID, ScopeIdentity, ScopeOrganisation}, &org)
	if r.Claims["birthdate"] != "1980-01-01" || r.Claims["org_id"] != "o1" || r.Claims["org_name"] != "Petiscos" ||
		r.Claims["org_role"] != "admin" {
		t.Errorf("level-2 claims: %v", r.Claims)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestACR(t *testing.T) {
	for l := 1; l <= 3; l++ {
		if got, ok := LevelOfACR(ACR(l)); !ok || got != l {
			t.Errorf("level %d round trip: %d %v", l, got, ok)
		}
	}
	for _, bad := range []string{"", "urn:oneaccount:loa:4", "urn:oneaccount:loa:0", "loa:2"} {
		if _, ok := LevelOfACR(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzCheckURI: registration URIs come from entity admins. Whatever is
// accepted is absolute, https or loopback http, without a fragment or
// user info.
func FuzzCheckURI(f *testing.F) {
	for _, s := range []string{"https://a.example/cb", "http://127.0.0.1:1/x", "http://localhost/", "javascript:alert(1)",
		"https://a.example/#f", "//a.example/x", "https://u@a.example/", "http://[::1]:80/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if CheckURI(raw) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || u.User != nil || u.Fragment != "" || strings.Contains(raw, "#") || u.Host == "" {
			t.Fatalf("accepted %q", raw)
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
			t.Fatalf("accepted %q: scheme %q on host %q", raw, u.Scheme, u.Hostname())
		}
	})
}
