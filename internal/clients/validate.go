package clients

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// maxURIs bounds each list of URIs a client registers.
const maxURIs = 10

func invalid(field, key, detail string) error {
	return &apperr.Error{Code: apperr.Invalid, Field: field, Key: key, Detail: detail}
}

// Validate checks a registration. Redirect URIs must be absolute https URLs
// without a fragment (http only on a loopback host, for development); they
// are later matched by exact string.
func (c Client) Validate() error {
	if strings.TrimSpace(c.Name) == "" || len(c.Name) > 200 {
		return invalid("name", "clients.invalid.name", "a name of 1 to 200 characters is required")
	}
	if len(c.Grants) == 0 {
		return invalid("grant", "clients.invalid.grant", "at least one grant type is required")
	}
	for _, g := range c.Grants {
		if g != AuthorizationCode && g != ClientCredentials {
			return invalid("grant", "clients.invalid.grant", fmt.Sprintf("grant %q is not offered", g))
		}
	}
	if err := c.validateScopes(); err != nil {
		return err
	}
	if err := c.validateURIs(); err != nil {
		return err
	}
	if c.Level < 1 || c.Level > 3 {
		return invalid("level", "clients.invalid.level", "level must be 1, 2 or 3")
	}
	if c.IDTokenAlg != "" && c.IDTokenAlg != "ES256" && c.IDTokenAlg != "RS256" {
		return invalid("id_token_alg", "clients.invalid.alg", "ID tokens are signed with ES256 or RS256")
	}
	return c.validateAuth()
}

func (c Client) validateScopes() error {
	seen := map[string]bool{}
	for _, s := range c.Scopes {
		if seen[s.Scope] {
			return invalid("scope", "clients.invalid.scope", fmt.Sprintf("scope %q is listed twice", s.Scope))
		}
		seen[s.Scope] = true
		switch {
		case IsResidentScope(s.Scope):
			if s.Scope != ScopeOpenID && s.Purpose.In("en") == "" {
				return invalid("purpose", "clients.invalid.purpose",
					fmt.Sprintf("scope %q needs a purpose to show residents", s.Scope))
			}
			if !c.HasGrant(AuthorizationCode) {
				return invalid("scope", "clients.invalid.scope",
					fmt.Sprintf("scope %q needs the authorization_code grant", s.Scope))
			}
		case IsMachineScope(s.Scope):
			if !c.HasGrant(ClientCredentials) {
				return invalid("scope", "clients.invalid.scope",
					fmt.Sprintf("scope %q needs the client_credentials grant", s.Scope))
			}
		default:
			return invalid("scope", "clients.invalid.scope", fmt.Sprintf("unknown scope %q", s.Scope))
		}
	}
	if c.HasGrant(AuthorizationCode) && !seen[ScopeOpenID] {
		return invalid("scope", "clients.invalid.scope", "a sign-in client needs the openid scope")
	}
	return nil
}

func (c Client) validateURIs() error {
	if c.HasGrant(AuthorizationCode) && len(c.RedirectURIs) == 0 {
		return invalid("redirect_uri", "clients.invalid.redirect", "a sign-in client needs a redirect URI")
	}
	if len(c.RedirectURIs) > maxURIs || len(c.PostLogoutRedirectURIs) > maxURIs {
		return invalid("redirect_uri", "clients.invalid.redirect", "too many URIs")
	}
	for _, u := range c.RedirectURIs {
		if err := CheckURI(u); err != nil {
			return invalid("redirect_uri", "clients.invalid.redirect", err.Error())
		}
	}
	for _, u := range c.PostLogoutRedirectURIs {
		if err := CheckURI(u); err != nil {
			return invalid("post_logout_redirect_uri", "clients.invalid.redirect", err.Error())
		}
	}
	if c.BackchannelLogoutURI != "" {
		if err := CheckURI(c.BackchannelLogoutURI); err != nil {
			return invalid("backchannel_logout_uri", "clients.invalid.redirect", err.Error())
		}
	}
	return nil
}

func (c Client) validateAuth() error {
	switch c.AuthMethod {
	case SecretBasic:
		if c.FAPI {
			return invalid("auth_method", "clients.invalid.fapi", "FAPI clients authenticate with private_key_jwt")
		}
	case PrivateKeyJWT:
		if len(c.JWKS) == 0 && c.JWKSURI == "" {
			return invalid("jwks", "clients.invalid.jwks", "private_key_jwt needs the client's keys or a JWKS URL")
		}
		if len(c.JWKS) > 0 && !json.Valid(c.JWKS) {
			return invalid("jwks", "clients.invalid.jwks", "the JWKS is not valid JSON")
		}
		if c.JWKSURI != "" {
			if err := CheckURI(c.JWKSURI); err != nil {
				return invalid("jwks_uri", "clients.invalid.jwks", err.Error())
			}
		}
	default:
		return invalid("auth_method", "clients.invalid.auth", "authenticate with client_secret_basic or private_key_jwt")
	}
	return nil
}

// CheckURI accepts an absolute https URL without a fragment or user info,
// or an http URL on a loopback host.
func CheckURI(raw string) error {
	if len(raw) > 2000 {
		return fmt.Errorf("URI longer than 2000 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") || u.User != nil {
		return fmt.Errorf("%q may not carry a fragment or user info", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("%q must use https (http only on a loopback host)", raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// normalise sorts nothing but trims and removes empty and repeated URIs.
func normalise(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
