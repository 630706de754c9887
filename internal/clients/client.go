package clients

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/oneaccount/oneaccount/internal/lang"
)

// AuthMethod is how a client authenticates at the token endpoint.
type AuthMethod string

// The client authentication methods we accept. client_secret_post, none
// and the MTLS methods are not offered.
const (
	SecretBasic   AuthMethod = "client_secret_basic"
	PrivateKeyJWT AuthMethod = "private_key_jwt"
)

// GrantType is an OAuth grant a client may use. The implicit and password
// grants do not exist here.
type GrantType string

// The grant types. A client with AuthorizationCode also refreshes tokens.
const (
	AuthorizationCode GrantType = "authorization_code"
	ClientCredentials GrantType = "client_credentials"
)

// ScopePurpose is a scope a client may ask for and the purpose it gave,
// which the consent page shows next to the claims.
type ScopePurpose struct {
	Scope   string    `json:"scope"`
	Purpose lang.Text `json:"purpose"`
}

// Client is a registered relying party.
type Client struct {
	ID     string `json:"-"`
	Entity string `json:"-"`
	Name   string `json:"-"`
	// Service is the directory service the client delivers, "" if none.
	Service                string         `json:"service,omitempty"`
	RedirectURIs           []string       `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs []string       `json:"post_logout_redirect_uris,omitempty"`
	BackchannelLogoutURI   string         `json:"backchannel_logout_uri,omitempty"`
	Grants                 []GrantType    `json:"grants"`
	Scopes                 []ScopePurpose `json:"scopes"`
	// Level is the assurance level every sign-in needs, 1 to 3.
	Level int `json:"level"`
	// FAPI clients must use pushed authorization requests, private_key_jwt
	// and DPoP-bound tokens.
	FAPI       bool            `json:"fapi,omitempty"`
	AuthMethod AuthMethod      `json:"auth_method"`
	JWKS       json.RawMessage `json:"jwks,omitempty"`
	JWKSURI    string          `json:"jwks_uri,omitempty"`
	// IDTokenAlg is ES256 (the default) or RS256.
	IDTokenAlg string `json:"id_token_alg,omitempty"`
	// SecretHash is the hex SHA-256 of the client secret; the secret
	// itself is shown once, at creation.
	SecretHash string    `json:"-"`
	CreatedBy  string    `json:"-"`
	CreatedAt  time.Time `json:"-"`
	UpdatedAt  time.Time `json:"-"`
}

// HasGrant reports whether the client may use grant g.
func (c Client) HasGrant(g GrantType) bool { return slices.Contains(c.Grants, g) }

// ScopeNames lists the client's scopes.
func (c Client) ScopeNames() []string {
	out := make([]string, 0, len(c.Scopes))
	for _, s := range c.Scopes {
		out = append(out, s.Scope)
	}
	return out
}

// Purpose returns the purpose the client registered for scope.
func (c Client) Purpose(scope string) lang.Text {
	for _, s := range c.Scopes {
		if s.Scope == scope {
			return s.Purpose
		}
	}
	return lang.Text{}
}

// IDTokenAlgorithm returns the ID token signing algorithm.
func (c Client) IDTokenAlgorithm() string {
	if c.IDTokenAlg == "" {
		return "ES256"
	}
	return c.IDTokenAlg
}

// Consent is what a resident agreed to release to a client.
type Consent struct {
	AccountID string
	ClientID  string
	Scopes    []string
	GrantedAt time.Time
}

// Covers reports whether the consent includes every scope in want.
func (c Consent) Covers(want []string) bool {
	for _, s := range want {
		if s != "openid" && !slices.Contains(c.Scopes, s) {
			return false
		}
	}
	return true
}

// ConsentView is a consent with its client, for the account page.
type ConsentView struct {
	Consent
	Client Client
}
