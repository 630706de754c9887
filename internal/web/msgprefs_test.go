package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// stored returns the preferences as stored, without the defaults that
// Preferences.Enabled fills in.
func (s *msgSite) stored(t *testing.T, u *orgUser) map[messages.Category]map[messages.Channel]bool {
	t.Helper()
	p, err := s.st.Preferences(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p.On
}

func TestMessagePreferencesSave(t *testing.T) {
	s := newMsgSite(t)
	ana := s.person(t, "ana", identity.Level1)
	location(t, s.do(t, nil, "GET", "/account/messages", nil), "/login?next=/account/messages")
	body := expect(t, "preferences", s.do(t, ana, "GET", "/account/messages", nil), http.StatusOK,
		"How you receive messages", `id="pref-appointments-email" name="pref" type="checkbox" value="appointments.email" checked>`,
		`id="pref-general-sms" name="pref" type="checkbox" value="general.sms">`,
		`value="security.email" checked disabled aria-describedby="security-note">`,
		`id="security-note">Security messages always reach you by email`, "Add a mobile number")
	if strings.Contains(body, `value="general.push"`) || strings.Contains(body, "push.js") {
		t.Error("without a VAPID key the page offers browser notifications")
	}

	// Everything off but appointments by SMS: unchecked boxes are off.
	location(t, s.do(t, ana, "POST", "/account/messages", url.Values{"pref": {"appointments.sms"}}),
		"/account/messages?done=saved")
	on := s.stored(t, ana)
	for _, c := range messages.Categories() {
		for _, ch := range []messages.Channel{messages.Email, messages.SMS} {
			want := c == messages.Appointments && ch == messages.SMS
			v, ok := on[c][ch]
			switch {
			case messages.Locked(c, ch):
				if ok && !v {
					t.Errorf("%s/%s was stored off", c, ch)
				}
			case !ok || v != want:
				t.Errorf("%s/%s stored %v (set %v), want %v", c, ch, v, ok, want)
			}
		}
	}
	body = expect(t, "after saving", s.do(t, ana, "GET", "/account/messages?done=saved", nil), http.StatusOK,
		"Your preferences are saved", `value="appointments.sms" checked>`, `value="appointments.email">`,
		`value="security.email" checked disabled`)
	if strings.Contains(body, `value="queue.sms" checked`) {
		t.Error("the page still shows a box checked that was saved off")
	}
	// The push column does not exist, so nothing was written for it.
	if _, ok := on[messages.General][messages.Push]; ok {
		t.Error("a save without browser notifications wrote a push preference")
	}
}

func TestSecurityEmailCannotBeTurnedOff(t *testing.T) {
	s := newMsgSite(t)
	ana := s.person(t, "ana", identity.Level1)
	// A crafted form: the locked box absent, or sent with a value that
	// means off; neither may fail or store it off.
	for _, form := range []url.Values{{}, {"pref": {"security.email=off"}}, {"pref": {"general.email"}, "security.email": {"0"}}} {
		location(t, s.do(t, ana, "POST", "/account/messages", form), "/account/messages?done=saved")
		if v, ok := s.stored(t, ana)[messages.Security][messages.Email]; ok && !v {
			t.Fatalf("form %v stored security email off", form)
		}
	}
	p, _ := s.msgs.Preferences(context.Background(), ana.Account)
	if !p.Enabled(messages.Security, messages.Email) {
		t.Error("security messages no longer go by email")
	}
	expect(t, "page", s.do(t, ana, "GET", "/account/messages", nil), http.StatusOK, `value="security.email" checked disabled`)
}

// fakePush records push subscriptions.
type fakePush struct {
	subs map[string]string // endpoint or raw body → account
	err  error
}

func (f *fakePush) options(o *Options) {
	o.PushKey = "BPUBLICKEY-test"
	o.PushSubscribe = func(_ context.Context, accountID string, raw []byte, ua string) error {
		if f.err != nil {
			return f.err
		}
		f.subs[string(raw)] = accountID + "|" + ua
		return nil
	}
	o.PushUnsubscribe = func(_ context.Context, accountID, endpoint string) error {
		f.subs["deleted:"+endpoint] = accountID
		return nil
	}
}

func TestPushSection(t *testing.T) {
	f := &fakePush{subs: map[string]string{}}
	s := newMsgSite(t, f.options)
	ana := s.person(t, "ana", identity.Level1)
	expect(t, "preferences with push", s.do(t, ana, "GET", "/account/messages", nil), http.StatusOK,
		`value="general.push" checked>`, `<button type="button" id="push-enable"`, `data-key="BPUBLICKEY-test"`,
		`data-endpoint="/account/push"`, `data-ok="Notifications are on in this browser."`, `data-denied="`,
		`data-unsupported="`, `<p id="push-status" class="govuk-body" role="status"></p>`,
		`<script src="/static/push.js`)
	if strings.Contains(expect(t, "account", s.do(t, ana, "GET", "/account", nil), http.StatusOK), "push.js") {
		t.Error("push.js is loaded on other pages")
	}
	location(t, s.do(t, ana, "POST", "/account/messages", url.Values{"pref": {"general.email"}}), "/account/messages?done=saved")
	if v, ok := s.stored(t, ana)[messages.General][messages.Push]; !ok || v {
		t.Errorf("general push stored %v (set %v), want off", v, ok)
	}

	sub := `{"endpoint":"https://push.example/abc","keys":{"p256dh":"x","auth":"y"}}`
	if rec := s.json(t, nil, "/account/push", sub); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous subscribe: %d", rec.Code)
	}
	if rec := s.do(t, ana, "POST", "/account/push", url.Values{"endpoint": {"x"}}); rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("form subscribe: %d", rec.Code)
	}
	if rec := s.json(t, ana, "/account/push", "{not json"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad JSON: %d", rec.Code)
	}
	if rec := s.json(t, ana, "/account/push", sub); rec.Code != http.StatusNoContent || f.subs[sub] != ana.ID+"|test-agent" {
		t.Errorf("subscribe: %d, stored %v", rec.Code, f.subs)
	}
	f.err = &apperr.Error{Code: apperr.Invalid, Field: "endpoint", Key: "push.invalid"}
	if rec := s.json(t, ana, "/account/push", sub); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "subscription is not valid") {
		t.Errorf("invalid subscription: %d %s", rec.Code, rec.Body.String())
	}
	f.err = errors.New("database down")
	if rec := s.json(t, ana, "/account/push", sub); rec.Code != http.StatusInternalServerError {
		t.Errorf("failing store: %d", rec.Code)
	}

	if rec := s.json(t, ana, "/account/push/delete", `{"endpoint":"https://push.example/abc"}`); rec.Code != http.StatusNoContent ||
		f.subs["deleted:https://push.example/abc"] != ana.ID {
		t.Errorf("JSON unsubscribe: %d %v", rec.Code, f.subs)
	}
	location(t, s.do(t, ana, "POST", "/account/push/delete", url.Values{"endpoint": {"https://push.example/def"}}),
		"/account/messages?done=push-off")
	if f.subs["deleted:https://push.example/def"] != ana.ID {
		t.Error("form unsubscribe did not reach PushUnsubscribe")
	}
	expect(t, "push off banner", s.do(t, ana, "GET", "/account/messages?done=push-off", nil), http.StatusOK,
		"This browser no longer receives notifications")
}

// json posts a JSON body as u.
func (s *msgSite) json(t *testing.T, u *orgUser, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "test-agent")
	if u != nil {
		req.AddCookie(&http.Cookie{Name: "session", Value: u.cookie})
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

func TestPushOffWithoutKey(t *testing.T) {
	s := newMsgSite(t)
	ana := s.person(t, "ana", identity.Level1)
	if rec := s.json(t, ana, "/account/push", `{"endpoint":"https://push.example/abc"}`); rec.Code != http.StatusNotFound {
		t.Errorf("subscribe without push: %d", rec.Code)
	}
}

func TestServiceWorker(t *testing.T) {
	s := newMsgSite(t)
	if _, ok := s.web.static.files["sw.js"]; !ok {
		s.web.static.files["sw.js"] = &asset{raw: []byte("self.addEventListener('push', () => {});\n"), hash: "abc123"}
	}
	want := string(s.web.static.files["sw.js"].raw)
	rec := s.do(t, nil, "GET", "/sw.js", nil)
	h := rec.Header()
	if rec.Code != http.StatusOK || rec.Body.String() != want {
		t.Fatalf("GET /sw.js = %d %q", rec.Code, rec.Body.String())
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") || h.Get("Cache-Control") != "no-cache" {
		t.Errorf("GET /sw.js: Content-Type %q, Cache-Control %q", h.Get("Content-Type"), h.Get("Cache-Control"))
	}
	if rec := s.do(t, nil, "GET", "/sw.js", nil, "If-None-Match", h.Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", rec.Code)
	}
}
