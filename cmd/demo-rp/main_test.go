package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const (
	testClient = "dsat-driving-licence-demo"
	testSecret = "demo-rp-secret-not-for-production-2026"
	testCode   = "the-code"
)

// fakeOP is a provider: discovery, JWKS, a token endpoint that checks the
// client secret and PKCE, and userinfo.
type fakeOP struct {
	*httptest.Server
	key *ecdsa.PrivateKey

	mu                    sync.Mutex
	challenge, nonce, acr string // from the authorization request, and the acr to issue
}

func newFakeOP(t *testing.T) *fakeOP {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	op := &fakeOP{key: key, acr: acr2}
	mux := http.NewServeMux()
	op.Server = httptest.NewServer(mux)
	t.Cleanup(op.Close)
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": op.URL, "authorization_endpoint": op.URL + "/oidc/authorize",
			"token_endpoint": op.URL + "/oidc/token", "userinfo_endpoint": op.URL + "/oidc/userinfo",
			"jwks_uri": op.URL + "/oidc/jwks", "end_session_endpoint": op.URL + "/oidc/logout",
			"id_token_signing_alg_values_supported": []string{"ES256"}})
	})
	mux.HandleFunc("GET /oidc/jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /oidc/token", func(w http.ResponseWriter, r *http.Request) {
		op.mu.Lock()
		defer op.mu.Unlock()
		id, secret, _ := r.BasicAuth()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if id != testClient || secret != testSecret || r.PostFormValue("code") != testCode ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != op.challenge {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		now := time.Now().Unix()
		idt := sign(t, key, "JWT", map[string]any{"iss": op.URL, "aud": testClient, "sub": "pairwise-sub-1",
			"iat": now, "exp": now + 300, "nonce": op.nonce, "acr": op.acr, "amr": []string{"pwd", "otp"},
			"auth_time": now, "sid": "sid-1", "name": "陳大文"})
		writeJSON(w, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": idt})
	})
	mux.HandleFunc("GET /oidc/userinfo", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer at" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		writeJSON(w, map[string]any{"sub": "pairwise-sub-1", "email": "chan.tai.man@demo.oneaccount.mo",
			"email_verified": true, "document_type": "bir"})
	})
	return op
}

func sign(t *testing.T, key *ecdsa.PrivateKey, typ string, claims map[string]any) string {
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ)).WithHeader("kid", "k1")
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, opts)
	if err != nil {
		t.Error(err)
		return ""
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Error(err)
		return ""
	}
	out, _ := jws.CompactSerialize()
	return out
}

func newTestRP(t *testing.T, op *fakeOP) *rp {
	t.Helper()
	a, err := newRP(context.Background(), config{issuer: op.URL, clientID: testClient, clientSecret: testSecret,
		redirectURL: "http://127.0.0.1:8081/callback"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func serve(a *rp, r *http.Request, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	for _, c := range cookies {
		r.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	a.routes().ServeHTTP(rec, r)
	return rec
}

func cookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name && c.MaxAge >= 0 {
			return c
		}
	}
	return nil
}

func sessionKeys(a *rp) []string {
	var out []string
	a.sessions.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	slices.Sort(out)
	return out
}

// login starts a sign-in and tells the fake provider what it was asked.
func login(t *testing.T, a *rp, op *fakeOP) (*http.Cookie, url.Values) {
	t.Helper()
	rec := serve(a, httptest.NewRequest("GET", "/login", nil))
	loc, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || err != nil {
		t.Fatalf("login: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	c := cookie(rec, loginCookie)
	if c == nil {
		t.Fatal("login: no login cookie")
	}
	q := loc.Query()
	op.mu.Lock()
	op.challenge, op.nonce = q.Get("code_challenge"), q.Get("nonce")
	op.mu.Unlock()
	return c, q
}

func TestLogin(t *testing.T) {
	op := newFakeOP(t)
	a := newTestRP(t, op)
	c, q := login(t, a, op)
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 || parts[0] != q.Get("state") || parts[1] != q.Get("nonce") || parts[0] == "" || parts[1] == "" {
		t.Fatalf("cookie %q does not hold state.nonce.verifier of %v", c.Value, q)
	}
	sum := sha256.Sum256([]byte(parts[2]))
	want := map[string]string{"response_type": "code", "client_id": testClient, "redirect_uri": "http://127.0.0.1:8081/callback",
		"scope": "openid profile email identity", "acr_values": "urn:oneaccount:loa:2", "code_challenge_method": "S256",
		"code_challenge": base64.RawURLEncoding.EncodeToString(sum[:])}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge <= 0 || c.MaxAge > 600 {
		t.Errorf("login cookie %+v: want HttpOnly, SameSite=Lax, short-lived", c)
	}
}

func TestCallback(t *testing.T) {
	tests := []struct {
		name     string
		change   func(q url.Values, op *fakeOP)
		noCookie bool
		want     int
		body     string
	}{
		{name: "good", want: http.StatusSeeOther},
		{name: "level 3", change: func(_ url.Values, op *fakeOP) { op.acr = acr3 }, want: http.StatusSeeOther},
		{name: "wrong state", change: func(q url.Values, _ *fakeOP) { q.Set("state", "forged") }, want: http.StatusBadRequest, body: "(state)"},
		{name: "no login cookie", noCookie: true, want: http.StatusBadRequest, body: "(state)"},
		{name: "wrong iss", change: func(q url.Values, _ *fakeOP) { q.Set("iss", "http://evil.example") }, want: http.StatusBadRequest, body: "RFC 9207"},
		{name: "no iss", change: func(q url.Values, _ *fakeOP) { q.Del("iss") }, want: http.StatusBadRequest, body: "RFC 9207"},
		{name: "error response", change: func(q url.Values, _ *fakeOP) { q.Del("code"); q.Set("error", "access_denied") }, want: http.StatusBadRequest, body: "access_denied"},
		{name: "step-up refused", change: func(q url.Values, _ *fakeOP) { q.Del("code"); q.Set("error", "unmet_authentication_requirements") }, want: http.StatusForbidden, body: "needs identity assurance level 2"},
		{name: "level 1", change: func(_ url.Values, op *fakeOP) { op.acr = "urn:oneaccount:loa:1" }, want: http.StatusForbidden, body: "needs identity assurance level 2"},
		{name: "no acr", change: func(_ url.Values, op *fakeOP) { op.acr = "" }, want: http.StatusForbidden, body: "needs identity assurance level 2"},
		{name: "wrong nonce", change: func(_ url.Values, op *fakeOP) { op.nonce = "replayed" }, want: http.StatusBadGateway},
		{name: "wrong code", change: func(q url.Values, _ *fakeOP) { q.Set("code", "stolen") }, want: http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := newFakeOP(t)
			a := newTestRP(t, op)
			c, authz := login(t, a, op)
			q := url.Values{"code": {testCode}, "state": {authz.Get("state")}, "iss": {op.URL}}
			if tt.change != nil {
				tt.change(q, op)
			}
			var cookies []*http.Cookie
			if !tt.noCookie {
				cookies = append(cookies, c)
			}
			rec := serve(a, httptest.NewRequest("GET", "/callback?"+q.Encode(), nil), cookies...)
			if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.body) {
				t.Fatalf("callback = %d %s, want %d with %q", rec.Code, rec.Body, tt.want, tt.body)
			}
			sc := cookie(rec, sessionCookie)
			if tt.want != http.StatusSeeOther {
				if sc != nil || len(sessionKeys(a)) != 0 {
					t.Fatal("a refused sign-in started a session")
				}
				return
			}
			if sc == nil || !sc.HttpOnly || len(sessionKeys(a)) != 1 {
				t.Fatalf("no session: cookie %v, sessions %v", sc, sessionKeys(a))
			}
			s, _ := a.sessions.Load(sc.Value)
			if s.(*session).sid != "sid-1" || s.(*session).sub != "pairwise-sub-1" {
				t.Errorf("session %+v: want sid-1, pairwise-sub-1", s)
			}
			page := serve(a, httptest.NewRequest("GET", "/", nil), sc).Body.String()
			for _, want := range []string{"pairwise-sub-1", op.acr, "auth_time", "陳大文", "chan.tai.man@demo.oneaccount.mo", "Sign out"} {
				if !strings.Contains(page, want) {
					t.Errorf("signed-in page lacks %q", want)
				}
			}
		})
	}
}

func TestBackchannelLogout(t *testing.T) {
	op := newFakeOP(t)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now().Unix()
	claims := func(change func(map[string]any)) map[string]any {
		c := map[string]any{"iss": op.URL, "aud": testClient, "iat": now, "exp": now + 120, "jti": "j1",
			"sub": "sub-a", "sid": "sid-1", "events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}}
		if change != nil {
			change(c)
		}
		return c
	}
	all := []string{"s1", "s2", "s3"}
	tests := []struct {
		name  string
		token string
		want  int
		left  []string
	}{
		{"good, by sid", sign(t, op.key, "logout+jwt", claims(nil)), http.StatusOK, []string{"s2", "s3"}},
		{"good, by sub", sign(t, op.key, "logout+jwt", claims(func(c map[string]any) { delete(c, "sid") })), http.StatusOK, []string{"s3"}},
		{"no events", sign(t, op.key, "logout+jwt", claims(func(c map[string]any) { delete(c, "events") })), http.StatusBadRequest, all},
		{"other event", sign(t, op.key, "logout+jwt", claims(func(c map[string]any) { c["events"] = map[string]any{"urn:x": map[string]any{}} })), http.StatusBadRequest, all},
		{"nonce", sign(t, op.key, "logout+jwt", claims(func(c map[string]any) { c["nonce"] = "n" })), http.StatusBadRequest, all},
		{"no sid nor sub", sign(t, op.key, "logout+jwt", claims(func(c map[string]any) { delete(c, "sid"); delete(c, "sub") })), http.StatusBadRequest, all},
		{"other audience", sign(t, op.key, "logout+jwt", claims(func(c map[string]any) { c["aud"] = "other-client" })), http.StatusBadRequest, all},
		{"other issuer", sign(t, op.key, "logout+jwt", claims(func(c map[string]any) { c["iss"] = "http://evil.example" })), http.StatusBadRequest, all},
		{"expired", sign(t, op.key, "logout+jwt", claims(func(c map[string]any) { c["exp"] = now - 60 })), http.StatusBadRequest, all},
		{"other key", sign(t, other, "logout+jwt", claims(nil)), http.StatusBadRequest, all},
		{"no token", "", http.StatusBadRequest, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestRP(t, op)
			a.sessions.Store("s1", &session{sub: "sub-a", sid: "sid-1"})
			a.sessions.Store("s2", &session{sub: "sub-a", sid: "sid-2"})
			a.sessions.Store("s3", &session{sub: "sub-b", sid: "sid-3"})
			r := httptest.NewRequest("POST", "/backchannel-logout", strings.NewReader(url.Values{"logout_token": {tt.token}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := serve(a, r)
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if got := sessionKeys(a); !slices.Equal(got, tt.left) {
				t.Errorf("sessions left %v, want %v", got, tt.left)
			}
		})
	}
}

func TestLogout(t *testing.T) {
	op := newFakeOP(t)
	a := newTestRP(t, op)
	a.sessions.Store("s1", &session{sub: "sub-a", sid: "sid-1", idToken: "the-id-token"})
	rec := serve(a, httptest.NewRequest("POST", "/logout", nil), &http.Cookie{Name: sessionCookie, Value: "s1"})
	loc, _ := url.Parse(rec.Header().Get("Location"))
	q := loc.Query()
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc.String(), op.URL+"/oidc/logout?") ||
		q.Get("id_token_hint") != "the-id-token" || q.Get("post_logout_redirect_uri") != "http://127.0.0.1:8081/" || q.Get("state") == "" {
		t.Fatalf("logout = %d to %s", rec.Code, loc)
	}
	if len(sessionKeys(a)) != 0 {
		t.Error("the local session survived sign-out")
	}
	lc := cookie(rec, logoutCookie)
	if lc == nil || lc.Value != q.Get("state") {
		t.Fatalf("logout cookie %v, want state %q", lc, q.Get("state"))
	}
	back := serve(a, httptest.NewRequest("GET", "/?state="+url.QueryEscape(q.Get("state")), nil), lc).Body.String()
	if !strings.Contains(back, "You have signed out") || !strings.Contains(back, "Sign in with OneAccount") {
		t.Errorf("back from logout: %s", back)
	}
	forged := serve(a, httptest.NewRequest("GET", "/?state=forged", nil), lc).Body.String()
	if !strings.Contains(forged, "does not match") {
		t.Errorf("forged logout state accepted: %s", forged)
	}
}

func TestParseFlags(t *testing.T) {
	env := map[string]string{"DEMO_RP_ISSUER": "http://localhost:8080", "DEMO_RP_ADDR": "127.0.0.1:9999"}
	c, err := parseFlags([]string{"-addr", "127.0.0.1:7000"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := config{addr: "127.0.0.1:7000", issuer: "http://localhost:8080", clientID: testClient,
		clientSecret: testSecret, redirectURL: "http://127.0.0.1:8081/callback"}
	if c != want {
		t.Errorf("config = %+v, want %+v", c, want)
	}
}
