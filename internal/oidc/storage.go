package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/luikyv/go-oidc/pkg/goidc"

	"github.com/oneaccount/oneaccount/internal/clients"
)

// Keys the policy writes into an authorization session's storage; the
// engine copies them into the grant.
const (
	storeAccount = "account_id"
	storeSID     = "sid"
	// storeRefreshPrev carries the refresh token ID a grant was found by
	// from GrantByRefreshID to Save, so Save can rotate conditionally.
	storeRefreshPrev = "_rt_prev"
)

// authnStore adapts Store to the engine's AuthnSessionManager.
type authnStore struct{ s Store }

func (a authnStore) Save(ctx context.Context, as *goidc.AuthnSession) error {
	data, err := json.Marshal(as)
	if err != nil {
		return fmt.Errorf("encode authn session: %w", err)
	}
	return a.s.SaveAuthnSession(ctx, AuthnRow{ID: as.ID, CallbackID: as.CallbackID, AuthCode: as.AuthCode,
		PARID: as.PushedAuthReqID, Data: data, ExpiresAt: time.Unix(int64(as.ExpiresAtTimestamp), 0)})
}

func (a authnStore) by(ctx context.Context, col, v string) (*goidc.AuthnSession, error) {
	if v == "" {
		return nil, fmt.Errorf("authn session: empty %s", col)
	}
	row, err := a.s.AuthnSessionBy(ctx, col, v)
	if err != nil {
		return nil, err
	}
	var as goidc.AuthnSession
	if err := json.Unmarshal(row.Data, &as); err != nil {
		return nil, fmt.Errorf("decode authn session: %w", err)
	}
	return &as, nil
}

func (a authnStore) SessionByCallbackID(ctx context.Context, id string) (*goidc.AuthnSession, error) {
	return a.by(ctx, "callback_id", id)
}

func (a authnStore) SessionByAuthCode(ctx context.Context, code string) (*goidc.AuthnSession, error) {
	return a.by(ctx, "auth_code", code)
}

func (a authnStore) SessionByPushedAuthReqID(ctx context.Context, id string) (*goidc.AuthnSession, error) {
	return a.by(ctx, "par_id", id)
}

func (a authnStore) SessionByCIBAAuthID(context.Context, string) (*goidc.AuthnSession, error) {
	return nil, fmt.Errorf("CIBA is not offered")
}

func (a authnStore) Delete(ctx context.Context, id string) error {
	return a.s.DeleteAuthnSession(ctx, id)
}

// grantStore adapts Store to the engine's GrantSessionManager.
type grantStore struct {
	s     Store
	audit func(ctx context.Context, grantID, clientID, accountID string)
}

func (g grantStore) Save(ctx context.Context, gs *goidc.GrantSession) error {
	prev, _ := gs.Store[storeRefreshPrev].(string)
	delete(gs.Store, storeRefreshPrev)
	data, err := json.Marshal(gs)
	if err != nil {
		return fmt.Errorf("encode grant: %w", err)
	}
	account, _ := gs.Store[storeAccount].(string)
	sid, _ := gs.Store[storeSID].(string)
	row := GrantRow{ID: gs.ID, TokenID: gs.TokenID, RefreshTokenID: gs.RefreshTokenID, AuthCode: gs.AuthCode,
		ClientID: gs.ClientID, AccountID: account, SessionSID: sid, Data: data,
		CreatedAt: time.Unix(int64(gs.CreatedAtTimestamp), 0), ExpiresAt: time.Unix(int64(gs.ExpiresAtTimestamp), 0)}
	err = g.s.SaveGrant(ctx, row, prev)
	if err == ErrRefreshReuse && g.audit != nil {
		g.audit(ctx, gs.ID, gs.ClientID, account)
	}
	return err
}

func decodeGrant(row GrantRow) (*goidc.GrantSession, error) {
	var gs goidc.GrantSession
	if err := json.Unmarshal(row.Data, &gs); err != nil {
		return nil, fmt.Errorf("decode grant: %w", err)
	}
	return &gs, nil
}

func (g grantStore) SessionByTokenID(ctx context.Context, id string) (*goidc.GrantSession, error) {
	row, err := g.s.GrantByTokenID(ctx, id)
	if err != nil {
		return nil, err
	}
	return decodeGrant(row)
}

func (g grantStore) SessionByRefreshTokenID(ctx context.Context, id string) (*goidc.GrantSession, error) {
	row, err := g.s.GrantByRefreshID(ctx, id)
	if err == ErrRefreshReuse && g.audit != nil {
		g.audit(ctx, "", "", "")
	}
	if err != nil {
		return nil, err
	}
	gs, err := decodeGrant(row)
	if err != nil {
		return nil, err
	}
	if gs.Store == nil {
		gs.Store = map[string]any{}
	}
	gs.Store[storeRefreshPrev] = id
	return gs, nil
}

func (g grantStore) Delete(ctx context.Context, id string) error { return g.s.DeleteGrant(ctx, id) }

func (g grantStore) DeleteByAuthCode(ctx context.Context, code string) error {
	return g.s.DeleteGrantsByAuthCode(ctx, code)
}

// preauthKey marks a request whose client secret this package already
// checked; see secretAuth.
type preauthKey struct{}

// clientStore adapts the client registry to the engine's ClientManager.
// Registration happens in package clients, never through the engine.
type clientStore struct {
	reg   *clients.Service
	cache *clientCache
}

func (c clientStore) Save(context.Context, *goidc.Client) error {
	return fmt.Errorf("clients are registered through the client registry")
}

func (c clientStore) Delete(context.Context, string) error {
	return fmt.Errorf("clients are removed through the client registry")
}

func (c clientStore) Client(ctx context.Context, id string) (*goidc.Client, error) {
	cl, err := c.cache.get(ctx, c.reg, id)
	if err != nil {
		return nil, err
	}
	pre, _ := ctx.Value(preauthKey{}).(string)
	return engineClient(cl, pre == cl.ID)
}

// engineClient converts a registered client to the engine's form. A
// secret client whose secret secretAuth already verified is handed over
// as authenticated (method none for this request); otherwise it gets an
// empty hash, which the engine can never match, so a request that skipped
// secretAuth fails closed.
func engineClient(cl clients.Client, preauthenticated bool) (*goidc.Client, error) {
	gc := &goidc.Client{ID: cl.ID}
	gc.Name = cl.Name
	gc.RedirectURIs = cl.RedirectURIs
	gc.ScopeIDs = joinScopes(cl.ScopeNames())
	gc.IDTokenSigAlg = goidc.SignatureAlgorithm(cl.IDTokenAlgorithm())
	gc.PARIsRequired = cl.FAPI
	gc.DPoPTokenBindingIsRequired = cl.FAPI
	gc.DefaultACRValues = clients.ACR(cl.Level)
	for _, g := range cl.Grants {
		gc.GrantTypes = append(gc.GrantTypes, goidc.GrantType(g))
		if g == clients.AuthorizationCode {
			gc.GrantTypes = append(gc.GrantTypes, goidc.GrantRefreshToken)
			gc.ResponseTypes = []goidc.ResponseType{goidc.ResponseTypeCode}
		}
	}
	switch cl.AuthMethod {
	case clients.PrivateKeyJWT:
		gc.TokenAuthnMethod = goidc.ClientAuthnPrivateKeyJWT
		gc.TokenAuthnSigAlg = goidc.ES256
		gc.PublicJWKSURI = cl.JWKSURI
		if len(cl.JWKS) > 0 {
			var set goidc.JSONWebKeySet
			if err := json.Unmarshal(cl.JWKS, &set); err != nil {
				return nil, fmt.Errorf("client %s jwks: %w", cl.ID, err)
			}
			gc.PublicJWKS = &set
		}
	default:
		gc.TokenAuthnMethod = goidc.ClientAuthnSecretBasic
		if preauthenticated {
			gc.TokenAuthnMethod = goidc.ClientAuthnNone
		}
	}
	gc.TokenIntrospectionAuthnMethod = gc.TokenAuthnMethod
	gc.TokenRevocationAuthnMethod = gc.TokenAuthnMethod
	gc.SetCustomAttribute("entity", cl.Entity)
	return gc, nil
}

func joinScopes(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out
}
