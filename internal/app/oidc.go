package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"

	"github.com/oneaccount/oneaccount/internal/api"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/keyring"
	"github.com/oneaccount/oneaccount/internal/oidc"
	"github.com/oneaccount/oneaccount/internal/web"
)

// buildClients wires the client registry. The pairwise-subject key is
// derived from the key-encryption key, so the two must change together
// (docs/decisions/0014-openid-provider.md).
func (a *App) buildClients() {
	m := hmac.New(sha256.New, a.cfg.KeyEncryptionKey)
	m.Write([]byte("oneaccount pairwise subjects v1"))
	a.clients = clients.New(a.store, a.now, m.Sum(nil))
}

// buildOIDC wires the OpenID provider: the key ring (creating the first
// keys on a new database) and the engine. Without a key-encryption key the
// provider is off and its routes are not mounted.
func (a *App) buildOIDC(ctx context.Context, w func() *web.Web) error {
	if a.cfg.KeyEncryptionKey == nil {
		a.log.Warn("the OpenID provider is off: set --key-encryption-key (ONEACCOUNT_KEY_ENCRYPTION_KEY)")
		return nil
	}
	if a.cfg.KeyEncryptionKeyIsDemo() {
		a.log.Warn("signing keys are sealed with the public demo key-encryption key: never use --demo in production")
	}
	ring, err := keyring.New(a.store, a.cfg.KeyEncryptionKey, a.now, keyring.Options{})
	if err != nil {
		return fmt.Errorf("key ring: %w", err)
	}
	if err := ring.Ensure(ctx); err != nil {
		return fmt.Errorf("signing keys: %w", err)
	}
	a.keys = ring
	p, err := oidc.New(oidc.Deps{
		Store: a.store, Clients: a.clients, Identity: a.identity, Keys: ring, Log: a.log, Now: a.now,
		Sessions:          func(r *http.Request) (identity.Account, identity.Session, error) { return w().SessionReader()(r) },
		EndBrowserSession: func(rw http.ResponseWriter, r *http.Request) { w().EndBrowserSession(rw, r) },
		RenderError:       func(rw http.ResponseWriter, r *http.Request, status int) { w().Error(rw, r, status) },
		Audit: func(ctx context.Context, ev audit.Event) error {
			_, err := a.store.AppendAudit(ctx, ev)
			return err
		},
	}, oidc.Config{Issuer: strings.TrimSuffix(a.cfg.BaseURL.String(), "/")})
	if err != nil {
		return err
	}
	a.oidc = p
	return nil
}

// tokenVerifier adapts the provider's token check to the API.
func (a *App) tokenVerifier() func(*http.Request) (api.Caller, bool, error) {
	return func(r *http.Request) (api.Caller, bool, error) {
		if a.oidc == nil || !oidc.HasToken(r) {
			return api.Caller{}, false, nil
		}
		p, err := a.oidc.Verify(r)
		if err != nil {
			return api.Caller{}, true, err
		}
		return api.Caller{AccountID: p.AccountID, Subject: p.Subject, ClientID: p.ClientID, Entity: p.Entity,
			Scopes: p.Scopes}, true, nil
	}
}

// sweepOIDC deletes expired protocol records and retired keys.
func (a *App) sweepOIDC(ctx context.Context) {
	if a.oidc == nil {
		return
	}
	n, err := a.store.SweepOIDC(ctx, a.now())
	if err != nil {
		a.log.WarnContext(ctx, "sweep openid records failed", "err", err)
	}
	k, err := a.keys.Sweep(ctx)
	if err != nil {
		a.log.WarnContext(ctx, "sweep signing keys failed", "err", err)
	}
	a.log.InfoContext(ctx, "swept openid records", "records", n, "keys", k)
}

// Clients returns the client registry.
func (a *App) Clients() *clients.Service { return a.clients }

// OIDC returns the OpenID provider, nil when it is off.
func (a *App) OIDC() *oidc.Provider { return a.oidc }

// Keys returns the signing-key ring, nil when the provider is off.
func (a *App) Keys() *keyring.Ring { return a.keys }
