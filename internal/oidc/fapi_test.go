package oidc_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// fapiClient is a FAPI client: private_key_jwt, PAR and DPoP.
type fapiClient struct {
	e    *env
	id   string
	key  ecKey
	dpop ecKey
}

func (e *env) fapi(t *testing.T) fapiClient {
	key := newECKey(t)
	c := e.client("FSS", func(c *clients.Client) {
		c.FAPI, c.AuthMethod, c.JWKS = true, clients.PrivateKeyJWT, key.publicJWKS()
	})
	return fapiClient{e: e, id: c.Client.ID, key: key, dpop: newECKey(t)}
}

// assertion is a private_key_jwt client assertion; age shifts its times.
func (f fapiClient) assertion(t *testing.T, age time.Duration) string {
	now := time.Now().Add(-age)
	return f.key.sign(t, map[string]any{"iss": f.id, "sub": f.id, "aud": f.e.issuer, "jti": randomString(16),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}, "JWT", false)
}

// proof is a DPoP proof for method and URL, bound to an access token
// when ath is set.
func (f fapiClient) proof(t *testing.T, method, u, token string) string {
	claims := map[string]any{"jti": randomString(16), "htm": method, "htu": u, "iat": time.Now().Unix()}
	if token != "" {
		h := sha256.Sum256([]byte(token))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(h[:])
	}
	return f.dpop.sign(t, claims, "dpop+jwt", true)
}

func (f fapiClient) postForm(t *testing.T, path string, form url.Values, dpop string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.e.issuer+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if dpop != "" {
		req.Header.Set("DPoP", dpop)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// par pushes an authorization request and returns its request_uri.
func (f fapiClient) par(t *testing.T, challenge string) string {
	t.Helper()
	status, out := f.postForm(t, "/oidc/par", url.Values{
		"client_id": {f.id}, "response_type": {"code"}, "redirect_uri": {f.e.rp.url + "/callback"},
		"scope": {"openid profile account:read"}, "state": {"st-123"}, "nonce": {"n-1"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {f.assertion(t, 0)},
	}, "")
	uri, _ := out["request_uri"].(string)
	if status != http.StatusCreated || uri == "" {
		t.Fatalf("PAR: %d %v", status, out)
	}
	return uri
}

func (f fapiClient) tokenForm(t *testing.T, code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {f.e.rp.url + "/callback"},
		"code_verifier": {verifier}, "client_id": {f.id},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {f.assertion(t, 0)}}
}

func TestPARPrivateKeyJWTAndDPoP(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		f := e.fapi(t)
		_, b := e.resident(identity.Level1)
		// A FAPI client may not skip PAR.
		verifier := oauth2.GenerateVerifier()
		plain := e.issuer + "/oidc/authorize?" + url.Values{"client_id": {f.id}, "response_type": {"code"},
			"redirect_uri": {e.rp.url + "/callback"}, "scope": {"openid"}, "nonce": {"n"},
			"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}.Encode()
		if _, left := b.authorize(plain, true); left != nil && left.Query().Get("code") != "" {
			t.Fatal("a FAPI client got a code without PAR")
		}
		uri := f.par(t, oauth2.S256ChallengeFromVerifier(verifier))
		_, left := b.authorize(e.issuer+"/oidc/authorize?"+url.Values{"client_id": {f.id}, "request_uri": {uri}}.Encode(), true)
		if left == nil || left.Query().Get("code") == "" {
			t.Fatalf("no code after PAR: %v", left)
		}
		tokenURL := e.issuer + "/oidc/token"
		status, out := f.postForm(t, "/oidc/token", f.tokenForm(t, left.Query().Get("code"), verifier),
			f.proof(t, http.MethodPost, tokenURL, ""))
		at, _ := out["access_token"].(string)
		if status != http.StatusOK || out["token_type"] != "DPoP" || at == "" {
			t.Fatalf("token: %d %v", status, out)
		}
		idRaw, _ := out["id_token"].(string)
		p, err := gooidc.NewProvider(gooidc.InsecureIssuerURLContext(context.Background(), e.issuer), e.issuer)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Verifier(&gooidc.Config{ClientID: f.id}).Verify(context.Background(), idRaw); err != nil {
			t.Fatalf("id token: %v", err)
		}
		me := e.issuer + "/api/v1/me"
		proof := f.proof(t, http.MethodGet, me, at)
		if code := apiStatus(t, e, "DPoP "+at, http.Header{"Dpop": {proof}}); code != http.StatusOK {
			t.Fatalf("API with DPoP token and proof: %d", code)
		}
		// The same proof again is a replay.
		if code := apiStatus(t, e, "DPoP "+at, http.Header{"Dpop": {proof}}); code != http.StatusUnauthorized {
			t.Errorf("replayed DPoP proof: %d, want 401", code)
		}
		// Without a proof the bound token is useless.
		if code := apiStatus(t, e, "Bearer "+at, nil); code != http.StatusUnauthorized {
			t.Errorf("DPoP-bound token without a proof: %d, want 401", code)
		}
	})
}
