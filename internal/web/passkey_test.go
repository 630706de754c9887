package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/passkey"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

const pkTestPassword = "a sentence nobody guesses 42"

// newPasskeyWeb is the web layer over SQLite with one resident; passkeys
// on when on is set.
func newPasskeyWeb(t *testing.T, on bool) http.Handler {
	t.Helper()
	st := storetest.SQLite(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	if err != nil {
		t.Fatal(err)
	}
	d := identity.Deps{Store: st, Hasher: h, Policy: password.NewPolicy(password.NewBlocklist(nil)),
		Sender: notify.NewSender(notify.NewDevSink(log, time.Now).Channels()...), Now: time.Now, Log: log}
	if on {
		e, err := passkey.New(passkey.Config{RPID: "localhost", DisplayName: "OneAccount",
			Origins: []string{"http://localhost:8080"}})
		if err != nil {
			t.Fatal(err)
		}
		d.WebAuthn = e
	}
	svc := identity.NewService(d, identity.Config{})
	hash, _ := h.Hash(context.Background(), pkTestPassword)
	now := time.Now()
	if _, err := st.CreateAccount(context.Background(), identity.Account{ID: "acct1", Kind: identity.Resident,
		NameLatin: "Ana", Email: contact.Email("ana@example.com"), PasswordHash: hash, Assurance: identity.Level1,
		Lang: "en", CreatedAt: now, UpdatedAt: now}, audit.Event{}); err != nil {
		t.Fatal(err)
	}
	w, err := New(Options{Log: log, Identity: svc})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Mount(mux)
	return mux
}

type pkAnswer struct {
	Ceremony string `json:"ceremony"`
	Options  struct {
		PublicKey map[string]any `json:"publicKey"`
	} `json:"options"`
	Redirect string `json:"redirect"`
	Error    struct {
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func pkPost(t *testing.T, h http.Handler, path, ctype, body string, cookies ...*http.Cookie) (*httptest.ResponseRecorder, pkAnswer) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var a pkAnswer
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
			t.Fatalf("%s: answer %q is not JSON: %v", path, rec.Body.String(), err)
		}
	}
	return rec, a
}

func TestPasskeyPagesAndEndpoints(t *testing.T) {
	off := newPasskeyWeb(t, false)
	if body := get(t, off, "/login").Body.String(); strings.Contains(body, "data-passkey") || strings.Contains(body, "passkey.js") {
		t.Error("/login offers passkeys although they are off")
	}
	_, a := pkPost(t, off, "/login/passkey/begin", "application/json", `{}`)
	if a.Error.Message != "Passkeys are not available on this service." {
		t.Errorf("begin with passkeys off: %+v", a)
	}

	h := newPasskeyWeb(t, true)
	login := get(t, h, "/login").Body.String()
	if !strings.Contains(login, `data-passkey="signin"`) || !strings.Contains(login, `<script src="/static/passkey.js?v=`) {
		t.Error("/login has no passkey sign-in or does not load passkey.js")
	}
	if js := get(t, h, "/static/passkey.js"); js.Code != http.StatusOK || !strings.Contains(js.Header().Get("Content-Type"), "javascript") {
		t.Errorf("/static/passkey.js: %d %s", js.Code, js.Header().Get("Content-Type"))
	}

	rec, a := pkPost(t, h, "/login/passkey/begin", "application/json", ``)
	if rec.Code != http.StatusOK || a.Ceremony == "" || a.Options.PublicKey["userVerification"] != "required" ||
		a.Options.PublicKey["challenge"] == nil || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("begin passwordless: %d %s", rec.Code, rec.Body.String())
	}

	// Errors come in the person's language.
	lang := func(tag string) *http.Cookie { return &http.Cookie{Name: "lang", Value: tag} }
	rec, a = pkPost(t, h, "/login/passkey/finish", "application/x-www-form-urlencoded", "ceremony=x", lang("pt"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(a.Error.Message, "pedido") {
		t.Errorf("finish as a form (pt): %d %+v", rec.Code, a)
	}
	rec, a = pkPost(t, h, "/login/passkey/finish", "application/json", `{"ceremony":"made-up","credential":{}}`, lang("zh-Hant"))
	if rec.Code != http.StatusUnprocessableEntity || a.Error.Message != "操作逾時或請求已使用。請再試一次。" {
		t.Errorf("finish an unknown ceremony (zh-Hant): %d %+v", rec.Code, a)
	}

	// Without a (pending) session the browser is sent to sign in.
	if rec, a = pkPost(t, h, "/account/passkeys/begin", "application/json", `{}`); rec.Code != http.StatusUnauthorized ||
		a.Redirect != "/login?next=/account" {
		t.Errorf("enrol without a session: %d %+v", rec.Code, a)
	}
	if rec, a = pkPost(t, h, "/login/passkey/mfa/begin", "application/json", `{}`); rec.Code != http.StatusUnauthorized ||
		a.Redirect != "/login" {
		t.Errorf("second factor without a pending session: %d %+v", rec.Code, a)
	}

	// Signed in: enrolling needs the current password, named on the
	// page's field.
	signIn := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"username": {"ana@example.com"},
		"password": {pkTestPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(signIn, req)
	var session *http.Cookie
	for _, c := range signIn.Result().Cookies() {
		if c.Name == "session" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("no session cookie after signing in: %d", signIn.Code)
	}
	account := get(t, h, "/account", "Cookie", "session="+session.Value).Body.String()
	if !strings.Contains(account, `data-passkey="register"`) || !strings.Contains(account, `id="passkeys"`) {
		t.Error("/account has no passkey section")
	}
	rec, a = pkPost(t, h, "/account/passkeys/begin", "application/json", `{"current_password":"wrong"}`, session)
	if rec.Code != http.StatusUnauthorized || a.Error.Field != "current_password_pk" ||
		a.Error.Message != "The current password is not right" {
		t.Errorf("enrol with a wrong password: %d %s", rec.Code, rec.Body.String())
	}
	rec, a = pkPost(t, h, "/account/passkeys/begin", "application/json", `{"current_password":"`+pkTestPassword+`"}`, session)
	if rec.Code != http.StatusOK || a.Ceremony == "" || a.Options.PublicKey["user"] == nil {
		t.Errorf("enrol with the password: %d %s", rec.Code, rec.Body.String())
	}

	// Removing asks which passkey; the form page answers, no script needed.
	form := url.Values{"current_password_pkrm": {pkTestPassword}}.Encode()
	req = httptest.NewRequest(http.MethodPost, "/account/passkeys/remove", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(session)
	rm := httptest.NewRecorder()
	h.ServeHTTP(rm, req)
	if rm.Code != http.StatusUnprocessableEntity || !strings.Contains(rm.Body.String(), "Choose the passkey to remove") {
		t.Errorf("remove without choosing: %d", rm.Code)
	}
}
