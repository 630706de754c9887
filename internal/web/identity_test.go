package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/refdata"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

const testPassword = "a sentence nobody guesses 42"

// identityWeb is the web layer with accounts, over SQLite, with two
// residents and a DSI identity verifier.
type identityWeb struct {
	h    http.Handler
	svc  *identity.Service
	sink *notify.DevSink
	ana  identity.Account
	bo   identity.Account
}

func newIdentityWeb(t *testing.T) *identityWeb {
	t.Helper()
	st := storetest.SQLite(t)
	ctx := context.Background()
	ds, _ := refdata.Macao()
	if _, err := st.Import(ctx, ds); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, _ := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	bl, _ := password.LoadBlocklist()
	sink := notify.NewDevSink(log, time.Now)
	svc := identity.NewService(identity.Deps{Store: st, Hasher: h, Policy: password.NewPolicy(bl),
		Sender: notify.NewSender(sink.Channels()...), Now: time.Now, Log: log}, identity.Config{})
	loc, _ := directory.LoadLocation(directory.TimeZone)
	w, err := New(Options{Directory: directory.New(st, loc, time.Now), Log: log, Identity: svc})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Mount(mux)
	iw := &identityWeb{h: mux, svc: svc, sink: sink}
	p := identity.Actor{Platform: true}
	iw.ana, _ = svc.CreateResident(ctx, p, identity.ResidentRequest{Email: "ana@example.com", Phone: "66123456",
		Password: testPassword, Name: "Ana", DocType: "bir", DocNumber: "1234567(8)"})
	iw.bo, _ = svc.CreateResident(ctx, p, identity.ResidentRequest{Email: "bo@example.com", Phone: "66123457",
		Password: testPassword, Name: "Bo"})
	return iw
}

// post submits a form with cookies and returns the response.
func (iw *identityWeb) post(path string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	iw.h.ServeHTTP(rec, req)
	return rec
}

func (iw *identityWeb) get(path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	iw.h.ServeHTTP(rec, req)
	return rec
}

func cookieNamed(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (iw *identityWeb) login(t *testing.T, user string) *http.Cookie {
	t.Helper()
	rec := iw.post("/login", url.Values{"username": {user}, "password": {testPassword}})
	c := cookieNamed(rec, "session")
	if rec.Code != http.StatusSeeOther || c == nil {
		t.Fatalf("login %s = %d %s", user, rec.Code, rec.Body.String())
	}
	return c
}

func TestLoginContract(t *testing.T) {
	iw := newIdentityWeb(t)
	rec := iw.post("/login", url.Values{"username": {"ana@example.com"}, "password": {testPassword}, "next": {"/branches"}})
	sess := cookieNamed(rec, "session")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/branches" || sess == nil ||
		!sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode {
		t.Fatalf("POST /login = %d → %q, cookie %+v", rec.Code, rec.Header().Get("Location"), sess)
	}
	if body := iw.get("/account", sess).Body.String(); !strings.Contains(body, "ana@example.com") {
		t.Error("account page does not show the signed-in account")
	}
	for _, form := range []url.Values{
		{"username": {"ana@example.com"}, "password": {"wrong password here"}},
		{"username": {"nobody@example.com"}, "password": {"wrong password here"}},
	} {
		rec := iw.post("/login", form)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "is not right") || cookieNamed(rec, "session") != nil {
			t.Errorf("bad login %v = %d", form["username"], rec.Code)
		}
	}
	rec = iw.post("/logout", nil, sess)
	if rec.Code != http.StatusSeeOther {
		t.Errorf("logout = %d", rec.Code)
	}
	if rec := iw.get("/account", sess); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Errorf("account after logout = %d → %q, want a redirect to /login", rec.Code, rec.Header().Get("Location"))
	}
}

func TestLoginOpenRedirectRefused(t *testing.T) {
	iw := newIdentityWeb(t)
	rec := iw.post("/login", url.Values{"username": {"ana@example.com"}, "password": {testPassword}, "next": {"//evil.example/x"}})
	if loc := rec.Header().Get("Location"); loc != "/dashboard" {
		t.Errorf("next=//evil.example redirected to %q", loc)
	}
}

func TestOthersSessionsAreNotFound(t *testing.T) {
	iw := newIdentityWeb(t)
	ana := iw.login(t, "ana@example.com")
	bo := iw.login(t, "bo@example.com")
	sessions, _ := iw.svc.Sessions(context.Background(), iw.bo.ID)
	if len(sessions) != 1 {
		t.Fatalf("bo has %d sessions", len(sessions))
	}
	rec := iw.post("/account/sessions/"+sessions[0].IDHash+"/revoke", nil, ana)
	if rec.Code != http.StatusNotFound {
		t.Errorf("revoking another person's session = %d, want 404", rec.Code)
	}
	if rec := iw.get("/account", bo); rec.Code != http.StatusOK {
		t.Errorf("bo's session after ana's attempt = %d", rec.Code)
	}
	if rec := iw.get("/staff", ana); rec.Code != http.StatusForbidden {
		t.Errorf("resident opening the staff desk = %d, want 403", rec.Code)
	}
	if rec := iw.get("/staff/residents/"+iw.bo.ID+"?purpose=curious", ana); rec.Code != http.StatusForbidden {
		t.Errorf("resident opening another's record = %d, want 403", rec.Code)
	}
}

func TestRegistrationPagesInChinese(t *testing.T) {
	iw := newIdentityWeb(t)
	req := httptest.NewRequest(http.MethodPost, "/register", strings.NewReader("email=not-an-email&phone=28123456"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "zh-MO")
	rec := httptest.NewRecorder()
	iw.h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "請輸入電郵地址") || !strings.Contains(body, `href="#email"`) {
		t.Errorf("bad registration in Chinese = %d:\n%s", rec.Code, body)
	}
}

func TestOutboxOnlyInDemo(t *testing.T) {
	iw := newIdentityWeb(t)
	if rec := iw.get("/dev/outbox"); rec.Code != http.StatusNotFound {
		t.Errorf("/dev/outbox without demo = %d, want 404", rec.Code)
	}
}

func TestRequireLevelSendsToStepUp(t *testing.T) {
	iw := newIdentityWeb(t)
	w, err := New(Options{Directory: nil, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Identity: iw.svc})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Mount(mux)
	mux.Handle("GET /needs-two", w.withUser(w.requireLevel(identity.Level2, func(rw http.ResponseWriter, r *http.Request) {
		_, _ = rw.Write([]byte("served"))
	})))
	iw.h = mux
	ana := iw.login(t, "ana@example.com")
	rec := iw.get("/needs-two", ana)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/step-up?level=2&next=/needs-two" {
		t.Fatalf("level-1 resident on a level-2 page = %d → %q", rec.Code, rec.Header().Get("Location"))
	}
	if body := iw.get("/step-up?level=2&next=/needs-two", ana).Body.String(); !strings.Contains(body, "needs level 2") {
		t.Error("step-up page does not say which level is needed")
	}
	rec = iw.post("/staff/team", url.Values{"email": {"x@dsi.example.mo"}, "role": {"counter-agent"}, "new_password": {testPassword}}, ana)
	if rec.Code != http.StatusForbidden {
		t.Errorf("resident creating staff = %d, want 403", rec.Code)
	}
}

func TestTOTPEnrolmentShowsQRCode(t *testing.T) {
	iw := newIdentityWeb(t)
	ana := iw.login(t, "ana@example.com")
	body := iw.post("/account/totp/begin", nil, ana).Body.String()
	i := strings.Index(body, `src="data:image/png;base64,`)
	if i < 0 {
		t.Fatal("enrolment page has no QR code")
	}
	b64 := body[i+len(`src="data:image/png;base64,`):]
	b64 = b64[:strings.IndexByte(b64, '"')]
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(b64))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() != 240 {
		t.Errorf("QR code image: %v, %v", img, err)
	}
	if !strings.Contains(body, `alt="QR code that adds One Account`) {
		t.Error("QR code has no alt text")
	}
}
