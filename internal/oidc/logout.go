package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// backchannelEvent is the event claim of a logout token (OpenID Connect
// Back-Channel Logout 1.0, section 2.4).
const backchannelEvent = "http://schemas.openid.net/event/backchannel-logout"

// logout is RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
// A post_logout_redirect_uri is followed only when it exactly matches one
// the client registered, and only with an id_token_hint or client_id that
// names the client; otherwise the person lands on our signed-out page.
// The browser session ends, and every relying party it signed in to gets
// a back-channel logout token.
func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.renderError(w, r, err)
		return
	}
	hint := r.Form.Get("id_token_hint")
	clientID := r.Form.Get("client_id")
	redirect := r.Form.Get("post_logout_redirect_uri")
	if hint != "" {
		aud, err := p.hintAudience(r.Context(), hint)
		if err != nil || (clientID != "" && clientID != aud) {
			p.d.Log.InfoContext(r.Context(), "logout: bad id_token_hint", "err", err)
			p.renderError(w, r, fmt.Errorf("invalid id_token_hint"))
			return
		}
		clientID = aud
	}
	target := "/?signed_out=1"
	if redirect != "" {
		cl, err := p.d.Clients.Client(r.Context(), clientID)
		if clientID == "" || err != nil || !slices.Contains(cl.PostLogoutRedirectURIs, redirect) {
			p.renderError(w, r, fmt.Errorf("post_logout_redirect_uri is not registered"))
			return
		}
		target = redirect
		if st := r.Form.Get("state"); st != "" {
			target = addQuery(redirect, "state", st)
		}
	}
	if p.d.EndBrowserSession != nil {
		p.d.EndBrowserSession(w, r)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func addQuery(raw, k, v string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// hintAudience verifies an ID token we issued (expired ones too, as the
// specification allows) and returns its audience.
func (p *Provider) hintAudience(ctx context.Context, hint string) (string, error) {
	jws, err := jose.ParseSigned(hint, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		return "", fmt.Errorf("parse id_token_hint: %w", err)
	}
	keys, err := p.d.Keys.PublicKeys(ctx)
	if err != nil {
		return "", err
	}
	if len(jws.Signatures) != 1 {
		return "", fmt.Errorf("id_token_hint: one signature expected")
	}
	found := keys.Key(jws.Signatures[0].Header.KeyID)
	if len(found) == 0 {
		return "", fmt.Errorf("id_token_hint: unknown key")
	}
	payload, err := jws.Verify(found[0])
	if err != nil {
		return "", fmt.Errorf("id_token_hint: %w", err)
	}
	var claims struct {
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Iss != p.cfg.Issuer {
		return "", fmt.Errorf("id_token_hint: wrong issuer")
	}
	var aud string
	if json.Unmarshal(claims.Aud, &aud) != nil {
		var auds []string
		if json.Unmarshal(claims.Aud, &auds) != nil || len(auds) != 1 {
			return "", fmt.Errorf("id_token_hint: one audience expected")
		}
		aud = auds[0]
	}
	return aud, nil
}

// SessionEnded tells every relying party that the browser session signed
// in to that it ended, and revokes the grants it made. It is called for
// every sign-out, whichever page started it. Deliveries run in parallel
// and each is bounded by the HTTP client's timeout.
func (p *Provider) SessionEnded(ctx context.Context, s identity.Session) {
	sid := SID(s)
	logins, err := p.d.Store.EndLogins(ctx, sid)
	if err != nil {
		p.d.Log.ErrorContext(ctx, "logout: logins", "err", err)
		return
	}
	if err := p.d.Store.DeleteGrantsBySession(ctx, sid); err != nil {
		p.d.Log.ErrorContext(ctx, "logout: grants", "err", err)
	}
	var wg sync.WaitGroup
	for _, l := range logins {
		cl, err := p.d.Clients.Client(ctx, l.ClientID)
		if err != nil || cl.BackchannelLogoutURI == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.sendLogoutToken(context.WithoutCancel(ctx), cl, l); err != nil {
				p.d.Log.WarnContext(ctx, "back-channel logout failed", "client", cl.ID, "err", err)
			}
		}()
	}
	wg.Wait()
}

// SessionReplaced moves the sign-ins and grants of a browser session to
// the session that replaced it (the same person signing in again), so a
// later sign-out still reaches those relying parties.
func (p *Provider) SessionReplaced(ctx context.Context, old, replacement identity.Session) {
	if err := p.d.Store.MoveLogins(ctx, SID(old), SID(replacement)); err != nil {
		p.d.Log.ErrorContext(ctx, "move logins to the new session", "err", err)
	}
}

// sendLogoutToken posts a signed logout token to the client.
func (p *Provider) sendLogoutToken(ctx context.Context, cl clients.Client, l Login) error {
	tok, err := p.LogoutToken(ctx, cl, l.Subject, l.SID)
	if err != nil {
		return err
	}
	form := url.Values{"logout_token": {tok}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cl.BackchannelLogoutURI, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("logout request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.d.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("post logout token: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("post logout token: status %d", resp.StatusCode)
	}
	return nil
}

// LogoutToken signs a logout token for the client, with the subject and
// session it knows.
func (p *Provider) LogoutToken(ctx context.Context, cl clients.Client, sub, sid string) (string, error) {
	alg := cl.IDTokenAlgorithm()
	kid, signer, err := p.d.Keys.Signer(ctx, alg)
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{}).WithType("logout+jwt").WithHeader("kid", kid)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg),
		Key: jose.OpaqueSigner(opaque{kid: kid, alg: alg, s: signer})}, opts)
	if err != nil {
		return "", fmt.Errorf("logout token signer: %w", err)
	}
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	now := p.d.Now()
	claims, _ := json.Marshal(map[string]any{
		"iss": p.cfg.Issuer, "aud": cl.ID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti": base64.RawURLEncoding.EncodeToString(jti), "sub": sub, "sid": sid,
		"events": map[string]any{backchannelEvent: map[string]any{}},
	})
	jws, err := s.Sign(claims)
	if err != nil {
		return "", fmt.Errorf("sign logout token: %w", err)
	}
	return jws.CompactSerialize()
}
