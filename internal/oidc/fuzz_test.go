package oidc_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/identity"
)

// FuzzAuthorizeRequest throws arbitrary query strings at the authorization
// endpoint and the pushed-request endpoint, signed in and not. Neither may
// fail with a 500, and the authorization endpoint must never send the
// browser anywhere but the platform's own pages or the client's one
// registered redirect URI.
func FuzzAuthorizeRequest(f *testing.F) {
	e := newEnv(f, "sqlite:"+filepath.Join(f.TempDir(), "fuzz.db"))
	c := e.client("DSAT", nil)
	redirect := c.Client.RedirectURIs[0]
	_, b := e.resident(identity.Level1)
	cookies := b.c.Jar.Cookies(b.base)
	f.Add("client_id=" + c.Client.ID + "&response_type=code&scope=openid&redirect_uri=" + redirect +
		"&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&nonce=n&state=s")
	f.Add("client_id=" + c.Client.ID + "&request_uri=urn:ietf:params:oauth:request_uri:x")
	f.Add("client_id=" + c.Client.ID + "&response_type=token&redirect_uri=https://evil.example/&scope=openid")
	f.Add("client_id=%00&max_age=-1&acr_values=urn:oneaccount:loa:9&prompt=none&claims={")
	f.Add("")
	h := e.app.Handler()
	f.Fuzz(func(t *testing.T, q string) {
		for _, signedIn := range []bool{false, true} {
			req := httptest.NewRequest(http.MethodGet, "/oidc/authorize", nil)
			req.URL.RawQuery = q
			if signedIn {
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("authorize %q: %d", q, rec.Code)
			}
			if loc := rec.Header().Get("Location"); loc != "" && (!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//")) &&
				!strings.HasPrefix(loc, redirect+"?") && !strings.HasPrefix(loc, e.issuer+"/") {
				t.Fatalf("authorize %q redirected to %q", q, loc)
			}
		}
		req := httptest.NewRequest(http.MethodPost, "/oidc/par", strings.NewReader(q))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.Client.ID, c.Secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("par %q: %d", q, rec.Code)
		}
	})
}
