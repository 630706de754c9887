package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/luikyv/go-oidc/pkg/goidc"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// Principal is who an API access token speaks for.
type Principal struct {
	// AccountID is the resident, "" for a client-credentials token.
	AccountID string
	// Subject is the identifier the client knows the resident by.
	Subject  string
	ClientID string
	Entity   string
	Scopes   []string
	// Org and OrgRole are set when the person acts for an organisation.
	Org, OrgRole string
}

// HasScope reports whether the token carries scope.
func (p Principal) HasScope(scope string) bool { return slices.Contains(p.Scopes, scope) }

// HasToken reports whether the request carries an access token.
func HasToken(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	return strings.HasPrefix(h, "Bearer ") || strings.HasPrefix(h, "DPoP ")
}

var errBadToken = &apperr.Error{Code: apperr.Unauthenticated, Key: "error.unauthenticated", Detail: "invalid access token"}

// Verify checks the request's access token: issued by us for the API
// audience, an access token (not a refresh or ID token), its grant still
// live, and, for a DPoP-bound token, a fresh proof from the same key.
func (p *Provider) Verify(r *http.Request) (Principal, error) {
	info, err := p.op.TokenInfoFromRequest(&recorder{h: http.Header{}}, r)
	if err != nil || !info.IsActive || info.Type != goidc.TokenHintAccess {
		return Principal{}, errBadToken
	}
	if aud, _ := info.AdditionalTokenClaims["aud"].(string); aud != p.cfg.Audience() {
		return Principal{}, errBadToken
	}
	auth := r.Header.Get("Authorization")
	tok := strings.TrimSpace(auth[strings.Index(auth, " ")+1:])
	jti, ok := jwtClaims(tok, p.cfg.Audience())
	if !ok {
		return Principal{}, errBadToken
	}
	pr := Principal{Subject: info.Subject, ClientID: info.ClientID, Scopes: strings.Fields(info.Scopes)}
	pr.Org, _ = info.AdditionalTokenClaims["org_id"].(string)
	pr.OrgRole, _ = info.AdditionalTokenClaims["org_role"].(string)
	if pr.AccountID, err = p.accountOf(r.Context(), info, jti); err != nil {
		return Principal{}, err
	}
	cl, err := p.clientCache.get(r.Context(), p.d.Clients, info.ClientID)
	if err != nil {
		return Principal{}, errBadToken
	}
	pr.Entity = cl.Entity
	return pr, nil
}

// accountOf finds the resident behind a token through its grant.
func (p *Provider) accountOf(ctx context.Context, info goidc.TokenInfo, tokenID string) (string, error) {
	if info.Subject == info.ClientID {
		return "", nil
	}
	g, err := p.d.Store.GrantByTokenID(ctx, tokenID)
	if err != nil {
		return "", errBadToken
	}
	return g.AccountID, nil
}

// jwtClaims reads the token ID of an access token and checks its aud
// claim (the engine has verified the signature). An opaque token is its
// own ID and has no claims to check.
func jwtClaims(tok, audience string) (string, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return tok, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var c struct {
		JTI string          `json:"jti"`
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return "", false
	}
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		return c.JTI, one == audience
	}
	var many []string
	return c.JTI, json.Unmarshal(c.Aud, &many) == nil && slices.Contains(many, audience)
}

// Challenge writes the WWW-Authenticate header for a refused token.
func Challenge(w http.ResponseWriter, scope string, insufficient bool) {
	code := "invalid_token"
	if insufficient {
		code = "insufficient_scope"
	}
	v := fmt.Sprintf(`Bearer realm="oneaccount", error=%q`, code)
	if scope != "" {
		v += fmt.Sprintf(`, scope=%q`, scope)
	}
	w.Header().Set("WWW-Authenticate", v)
}
