package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/config"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

const testPassword = "violet tram hums under harbour fog"

// env is a running platform with a relying party beside it.
type env struct {
	t      testing.TB
	app    *app.App
	issuer string
	rp     *rpServer
}

// engines runs fn on SQLite and, when configured, on PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "oidc.db"))) })
	t.Run("postgres", func(t *testing.T) { fn(t, newEnv(t, storetest.FreshSchema(t))) })
}

func newEnv(t testing.TB, db string, extra ...string) *env {
	t.Helper()
	return newEnvClock(t, db, nil, extra...)
}

// newEnvClock is newEnv with the platform's clock (nil: time.Now).
func newEnvClock(t testing.TB, db string, now func() time.Time, extra ...string) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	kek := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	cfg, _, err := config.Load("serve", append([]string{"--db", db, "--base-url", base, "--key-encryption-key", kek}, extra...),
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(cfg, log, now)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if err := a.Start(t.Context()); err != nil {
		t.Fatalf("start: %v", err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{t: t, app: a, issuer: base, rp: newRPServer(t)}
}

// resident creates a resident at level and returns a browser signed in
// as them.
func (e *env) resident(level identity.Level) (identity.Account, *browser) {
	e.t.Helper()
	n := randomString(6)
	acct, err := e.app.Identity().CreateResident(context.Background(), identity.Actor{Platform: true}, identity.ResidentRequest{
		Email: "r" + n + "@example.mo", Phone: "+8536" + digits(7), Password: testPassword, Name: "陳大文",
		Assurance: level, DocType: "bir", DocNumber: "1" + digits(6) + "(" + digits(1) + ")", BirthDate: "1980-05-01"})
	if err != nil {
		e.t.Fatalf("create resident: %v", err)
	}
	b := newBrowser(e.t, e.issuer)
	b.signIn(string(acct.Email), testPassword)
	return acct, b
}

// client registers a relying party of entity; mod adjusts it first.
func (e *env) client(entity string, mod func(*clients.Client)) clients.Created {
	e.t.Helper()
	c := clients.Client{Entity: entity, Name: "Test e-service " + entity, Level: 1,
		RedirectURIs: []string{e.rp.url + "/callback"}, PostLogoutRedirectURIs: []string{e.rp.url + "/bye"},
		BackchannelLogoutURI: e.rp.url + "/backchannel", Grants: []clients.GrantType{clients.AuthorizationCode},
		Scopes: []clients.ScopePurpose{
			{Scope: "openid", Purpose: lang.Text{En: "sign in"}},
			{Scope: "profile", Purpose: lang.Text{En: "greet you"}},
			{Scope: "email", Purpose: lang.Text{En: "write to you"}},
			{Scope: "identity", Purpose: lang.Text{En: "check who you are"}},
			{Scope: "account:read", Purpose: lang.Text{En: "read your account"}},
		}}
	if mod != nil {
		mod(&c)
	}
	created, err := e.app.Clients().Create(context.Background(), identity.Actor{Platform: true}, c)
	if err != nil {
		e.t.Fatalf("create client: %v", err)
	}
	return created
}

// browser is a person's browser: cookies, and redirects followed only on
// the platform's own host.
type browser struct {
	t    testing.TB
	c    *http.Client
	base *url.URL
}

func newBrowser(t testing.TB, base string) *browser {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	return &browser{t: t, base: u, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is where the browser stopped: a page on the platform (Status 200
// or an error) or a redirect that leaves the platform (Left).
type page struct {
	Status int
	URL    *url.URL
	Body   string
	Left   *url.URL
}

// visit follows redirects from raw until a page renders or a redirect
// leaves the platform.
func (b *browser) visit(raw string) page {
	b.t.Helper()
	return b.follow(b.get(raw))
}

func (b *browser) get(raw string) *http.Response {
	b.t.Helper()
	resp, err := b.c.Get(raw)
	if err != nil {
		b.t.Fatalf("GET %s: %v", raw, err)
	}
	return resp
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base.ResolveReference(&url.URL{Path: path}).String(), form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	return b.follow(resp)
}

func (b *browser) follow(resp *http.Response) page {
	b.t.Helper()
	for i := 0; i < 20; i++ {
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			return page{Status: resp.StatusCode, URL: resp.Request.URL, Body: string(body)}
		}
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			b.t.Fatalf("bad Location %q", resp.Header.Get("Location"))
		}
		if loc.Host != b.base.Host {
			return page{Status: resp.StatusCode, URL: resp.Request.URL, Left: loc}
		}
		resp = b.get(loc.String())
	}
	b.t.Fatal("too many redirects")
	return page{}
}

func (b *browser) signIn(username, pw string) {
	b.t.Helper()
	p := b.post("/login", url.Values{"username": {username}, "password": {pw}, "next": {"/account"}})
	if p.Status != http.StatusOK || p.URL.Path != "/account" {
		b.t.Fatalf("sign in: ended at %d %s", p.Status, p.URL)
	}
}

// authorize runs the browser through an authorization request, approving
// consent when asked, and returns where it left the platform.
func (b *browser) authorize(authURL string, approve bool) (page, *url.URL) {
	b.t.Helper()
	p := b.visit(authURL)
	if p.Left == nil && p.Status == http.StatusOK && strings.HasPrefix(p.URL.Path, "/oidc/consent/") {
		decision := "deny"
		if approve {
			decision = "approve"
		}
		p = b.post(p.URL.Path, url.Values{"decision": {decision}})
	}
	return p, p.Left
}

// rpServer is the relying party's own server: it receives the redirect
// (never followed by the browser here) and back-channel logout tokens.
type rpServer struct {
	url     string
	mu      sync.Mutex
	logouts []string
}

func newRPServer(t testing.TB) *rpServer {
	rp := &rpServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/backchannel" && r.Method == http.MethodPost {
			rp.mu.Lock()
			rp.logouts = append(rp.logouts, r.PostFormValue("logout_token"))
			rp.mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	rp.url = srv.URL
	return rp
}

func (rp *rpServer) received() []string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return append([]string(nil), rp.logouts...)
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToLower(base64.RawURLEncoding.EncodeToString(b))[:n]
}

func digits(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	out := make([]byte, n)
	for i := range b {
		out[i] = '0' + b[i]%10
	}
	return string(out)
}

// ecKey is a client's or a DPoP key pair.
type ecKey struct {
	priv *ecdsa.PrivateKey
	kid  string
}

func newECKey(t *testing.T) ecKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return ecKey{priv: k, kid: randomString(8)}
}

func (k ecKey) publicJWKS() []byte {
	b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: "ES256", Use: "sig"}}})
	return b
}

// sign makes a compact JWS of claims with extra header fields.
func (k ecKey) sign(t *testing.T, claims map[string]any, typ string, embedJWK bool) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ))
	if embedJWK {
		opts.EmbedJWK = true
	} else {
		opts = opts.WithHeader("kid", k.kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
