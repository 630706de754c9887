package oidc

import (
	"context"
	"crypto"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/luikyv/go-oidc/pkg/goidc"
	"github.com/luikyv/go-oidc/pkg/provider"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// The endpoints, under the issuer (the base URL).
const (
	PathAuthorize  = "/oidc/authorize"
	PathPAR        = "/oidc/par"
	PathToken      = "/oidc/token"
	PathUserInfo   = "/oidc/userinfo"
	PathJWKS       = "/oidc/jwks"
	PathIntrospect = "/oidc/introspect"
	PathRevoke     = "/oidc/revoke"
	PathLogout     = "/oidc/logout"
	PathDiscovery  = "/.well-known/openid-configuration"
)

// KeyRing signs tokens and publishes the public keys.
type KeyRing interface {
	PublicKeys(ctx context.Context) (jose.JSONWebKeySet, error)
	Signer(ctx context.Context, alg string) (string, crypto.Signer, error)
}

// SessionReader returns the browser session of a request.
type SessionReader func(r *http.Request) (identity.Account, identity.Session, error)

// Deps are the provider's collaborators.
type Deps struct {
	Store    Store
	Clients  *clients.Service
	Identity *identity.Service
	Keys     KeyRing
	Sessions SessionReader
	Audit    func(ctx context.Context, ev audit.Event) error
	Log      *slog.Logger
	Now      func() time.Time
	// HTTP fetches client JWKS and delivers back-channel logout tokens.
	HTTP *http.Client
	// EndBrowserSession signs the browser out (its cookie and session);
	// the web layer then calls SessionEnded.
	EndBrowserSession func(w http.ResponseWriter, r *http.Request)
	// RenderError shows the platform's error page.
	RenderError func(w http.ResponseWriter, r *http.Request, status int)
}

// Config holds the provider's settings.
type Config struct {
	// Issuer is the base URL, without a trailing slash.
	Issuer string
	// AccessTokenLifetime, IDTokenLifetime and RefreshLifetime bound the
	// tokens; a refresh chain lives RefreshLifetime from sign-in.
	AccessTokenLifetime, IDTokenLifetime, RefreshLifetime time.Duration
}

// Audience is the audience of access tokens for the JSON API.
func (c Config) Audience() string { return c.Issuer + "/api/v1" }

func (c *Config) defaults() {
	if c.AccessTokenLifetime == 0 {
		c.AccessTokenLifetime = 10 * time.Minute
	}
	if c.IDTokenLifetime == 0 {
		c.IDTokenLifetime = 10 * time.Minute
	}
	if c.RefreshLifetime == 0 {
		c.RefreshLifetime = 30 * 24 * time.Hour
	}
}

// Provider is the OpenID provider.
type Provider struct {
	d      Deps
	cfg    Config
	op     *provider.Provider
	engine *http.ServeMux

	clientCache clientCache
}

// New builds the provider.
func New(d Deps, cfg Config) (*Provider, error) {
	cfg.defaults()
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: 5 * time.Second}
	}
	cfg.Issuer = trimSlash(cfg.Issuer)
	p := &Provider{d: d, cfg: cfg}
	op, err := provider.New(goidc.ProfileFAPI2, cfg.Issuer, p.jwks, p.options()...)
	if err != nil {
		return nil, fmt.Errorf("openid provider: %w", err)
	}
	p.op = op
	p.engine = http.NewServeMux()
	op.RegisterRoutes(p.engine)
	return p, nil
}

func (p *Provider) options() []provider.Option {
	cfg := p.cfg
	allScopes := []goidc.Scope{}
	for _, s := range append(clients.ResidentScopes(), clients.MachineScopes()...) {
		allScopes = append(allScopes, goidc.NewScope(s))
	}
	acrs := []goidc.ACR{}
	for _, a := range clients.ACRValues() {
		acrs = append(acrs, goidc.ACR(a))
	}
	secs := func(d time.Duration) int { return int(d / time.Second) }
	return []provider.Option{
		provider.WithClientStorage(clientStore{reg: p.d.Clients, cache: &p.clientCache}),
		provider.WithAuthnSessionStorage(authnStore{s: p.d.Store}),
		provider.WithGrantSessionStorage(grantStore{s: p.d.Store, audit: p.auditReuse}),
		provider.WithAuthorizeEndpoint(PathAuthorize),
		provider.WithPAREndpoint(PathPAR),
		provider.WithTokenEndpoint(PathToken),
		provider.WithUserInfoEndpoint(PathUserInfo),
		provider.WithJWKSEndpoint(PathJWKS),
		provider.WithTokenIntrospectionEndpoint(PathIntrospect),
		provider.WithTokenRevocationEndpoint(PathRevoke),
		provider.WithScopes(allScopes...),
		provider.WithOpenIDScopeRequired(),
		provider.WithAuthorizationCodeGrant(),
		provider.WithClientCredentialsGrant(),
		provider.WithRefreshTokenGrant(func(c *goidc.Client, gi goidc.GrantInfo) bool {
			return gi.GrantType == goidc.GrantAuthorizationCode
		}, secs(cfg.RefreshLifetime)),
		provider.WithRefreshTokenRotation(),
		provider.WithPAR(nil, 60),
		provider.WithPKCERequired(goidc.CodeChallengeMethodSHA256),
		provider.WithIssuerResponseParameter(),
		provider.WithTokenAuthnMethods(goidc.ClientAuthnSecretBasic, goidc.ClientAuthnPrivateKeyJWT, goidc.ClientAuthnNone),
		provider.WithPrivateKeyJWTSignatureAlgs(goidc.ES256, goidc.PS256, goidc.RS256),
		provider.WithJWTLifetime(300),
		provider.WithDPoP(goidc.ES256, goidc.PS256, goidc.RS256),
		provider.WithIDTokenSignatureAlgs(goidc.ES256, goidc.RS256),
		provider.WithIDTokenLifetime(secs(cfg.IDTokenLifetime)),
		provider.WithUserInfoSignatureAlgs(goidc.ES256, goidc.RS256),
		provider.WithSignerFunc(p.signer),
		provider.WithCheckJTIFunc(p.checkJTI),
		provider.WithACRs(acrs[0], acrs[1:]...),
		provider.WithClaims(claimNames()[0], claimNames()[1:]...),
		provider.WithTokenOptions(func(gi goidc.GrantInfo, c *goidc.Client) goidc.TokenOptions {
			return goidc.NewJWTTokenOptions(goidc.ES256, secs(cfg.AccessTokenLifetime))
		}),
		provider.WithHandleGrantFunc(p.handleGrant),
		// A client introspects its own tokens; for any other token, or a
		// dead one, it learns only "active": false.
		provider.WithTokenIntrospection(func(c *goidc.Client, ti goidc.TokenInfo) bool {
			return !ti.IsActive || ti.ClientID == c.ID
		}, goidc.ClientAuthnSecretBasic, goidc.ClientAuthnPrivateKeyJWT, goidc.ClientAuthnNone),
		provider.WithTokenRevocation(func(*goidc.Client) bool { return true },
			goidc.ClientAuthnSecretBasic, goidc.ClientAuthnPrivateKeyJWT, goidc.ClientAuthnNone),
		provider.WithAuthenticationSessionTimeout(30 * 60),
		provider.WithPolicies(goidc.NewPolicy("oneaccount", func(*http.Request, *goidc.Client, *goidc.AuthnSession) bool {
			return true
		}, p.authenticate)),
		provider.WithRenderErrorFunc(p.renderError),
		provider.WithNotifyErrorFunc(func(ctx context.Context, err error) {
			p.d.Log.InfoContext(ctx, "openid request refused", "err", err)
		}),
		provider.WithHTTPClientFunc(func(context.Context) *http.Client { return p.d.HTTP }),
	}
}

// claimNames lists every claim a scope can release.
func claimNames() []string {
	var out []string
	for _, s := range clients.ResidentScopes() {
		out = append(out, clients.ClaimsOf(s)...)
	}
	return append(out, "acr", "amr", "auth_time", "sid")
}

func (p *Provider) jwks(ctx context.Context) (goidc.JSONWebKeySet, error) {
	set, err := p.d.Keys.PublicKeys(ctx)
	if err != nil {
		return goidc.JSONWebKeySet{}, err
	}
	return goidc.JSONWebKeySet{Keys: set.Keys}, nil
}

func (p *Provider) signer(ctx context.Context, alg goidc.SignatureAlgorithm) (string, crypto.Signer, error) {
	return p.d.Keys.Signer(ctx, string(alg))
}

// checkJTI refuses a client assertion or DPoP proof seen before. The ID
// is kept for ten minutes, longer than either may live.
func (p *Provider) checkJTI(ctx context.Context, jti string) error {
	if jti == "" {
		return goidc.NewError(goidc.ErrorCodeInvalidRequest, "jti is required")
	}
	if err := p.d.Store.UseJTI(ctx, jti, p.d.Now().Add(10*time.Minute)); err != nil {
		return goidc.WrapError(goidc.ErrorCodeInvalidRequest, "the JWT was already used", err)
	}
	return nil
}

// handleGrant stamps every access token with the API audience, so a token
// shown to the API is one issued for it.
func (p *Provider) handleGrant(_ *http.Request, gi *goidc.GrantInfo) error {
	if gi.AdditionalTokenClaims == nil {
		gi.AdditionalTokenClaims = map[string]any{}
	}
	gi.AdditionalTokenClaims["aud"] = p.cfg.Audience()
	return nil
}

func (p *Provider) auditReuse(ctx context.Context, grantID, clientID, accountID string) {
	p.d.Log.WarnContext(ctx, "refresh token reused: grant revoked", "grant", grantID, "client", clientID)
	if p.d.Audit == nil {
		return
	}
	_ = p.d.Audit(ctx, audit.Event{At: p.d.Now().UTC(), Action: "oidc.refresh_reuse", Subject: accountID,
		Detail: map[string]string{"grant": grantID, "client": clientID}})
}
