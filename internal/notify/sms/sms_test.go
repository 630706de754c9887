package sms

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// request is what the fake provider saw.
type request struct {
	Method, Auth, Key, Type string
	Body                    payload
}

// provider starts a fake provider that records requests on got and answers
// with handle.
func provider(t *testing.T, handle http.HandlerFunc) (*httptest.Server, chan request) {
	t.Helper()
	got := make(chan request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p payload
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			t.Errorf("provider: bad JSON: %v", err)
		}
		got <- request{Method: r.Method, Auth: r.Header.Get("Authorization"),
			Key: r.Header.Get("Idempotency-Key"), Type: r.Header.Get("Content-Type"), Body: p}
		handle(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func newChannel(t *testing.T, url string, timeout time.Duration) *Channel {
	t.Helper()
	c, err := New(Config{URL: url, Token: "tok-123", Sender: "GovMacao", Timeout: timeout}, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func codeMessage() notify.Message {
	return notify.Message{Kind: notify.SMS, To: "+85366123456", Text: "一戶通驗證碼 482913",
		Lang: lang.ZhHant, Category: "security", DedupeKey: "otp:acct-42:7"}
}

func TestSendSuccess(t *testing.T) {
	srv, got := provider(t, answer(http.StatusAccepted, `{"id":"p-1"}`))
	m := codeMessage()
	if err := newChannel(t, srv.URL, time.Second).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	want := request{Method: "POST", Auth: "Bearer tok-123", Key: m.DedupeKey, Type: "application/json",
		Body: payload{To: m.To, From: "GovMacao", Text: m.Text, Reference: m.DedupeKey}}
	if r != want {
		t.Errorf("provider saw %+v,\nwant %+v", r, want)
	}
}

func TestSendWithoutDedupeKey(t *testing.T) {
	srv, got := provider(t, answer(http.StatusOK, ""))
	m := codeMessage()
	m.DedupeKey = ""
	if err := newChannel(t, srv.URL, time.Second).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r := <-got; r.Key != "" || r.Body.Reference != "" {
		t.Errorf("Idempotency-Key %q, reference %q; want neither", r.Key, r.Body.Reference)
	}
}

func TestSendProviderErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   apperr.Code
		reason string
	}{
		{"bad request", 400, `{"error":"unknown destination"}`, apperr.Invalid, "unknown destination"},
		{"unauthorized", 401, ``, apperr.Invalid, ""},
		{"rate limited", 429, `{"error":"slow down"}`, apperr.Unavailable, "slow down"},
		{"unavailable", 503, `<html>down</html>`, apperr.Unavailable, ""},
		{"server error", 500, `{"error":"line1\nline2"}`, apperr.Unavailable, "line1line2"},
		{"huge body", 502, strings.Repeat("x", 1<<20), apperr.Unavailable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := provider(t, answer(tt.status, tt.body))
			err := newChannel(t, srv.URL, time.Second).Send(context.Background(), codeMessage())
			if apperr.CodeOf(err) != tt.want {
				t.Fatalf("err = %v; want code %s", err, tt.want)
			}
			if notify.Permanent(err) != (tt.want == apperr.Invalid) {
				t.Errorf("Permanent(%v) = %v", err, notify.Permanent(err))
			}
			if tt.reason != "" && !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("err = %v; want the provider's reason %q", err, tt.reason)
			}
		})
	}
}

func TestSendTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, _ := provider(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	timeout := 200 * time.Millisecond
	start := time.Now()
	err := newChannel(t, srv.URL, timeout).Send(context.Background(), codeMessage())
	if apperr.CodeOf(err) != apperr.Unavailable || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v; want Unavailable wrapping a deadline", err)
	}
	if waited := time.Since(start); waited > timeout+2*time.Second {
		t.Errorf("Send gave up after %v; the timeout is %v", waited, timeout)
	}
}

func TestSendRefusesBadMessagesWithoutCalling(t *testing.T) {
	srv, got := provider(t, answer(http.StatusOK, ""))
	c := newChannel(t, srv.URL, time.Second)
	tests := map[string]func(*notify.Message){
		"no plus":       func(m *notify.Message) { m.To = "85366123456" },
		"local number":  func(m *notify.Message) { m.To = "66123456" },
		"letters":       func(m *notify.Message) { m.To = "+8536612345a" },
		"too short":     func(m *notify.Message) { m.To = "+8536612" },
		"too long":      func(m *notify.Message) { m.To = "+8536612345678901" },
		"spaces":        func(m *notify.Message) { m.To = "+853 6612 3456" },
		"wrong kind":    func(m *notify.Message) { m.Kind = notify.Email },
		"empty text":    func(m *notify.Message) { m.Text = "" },
		"over 10 UCS-2": func(m *notify.Message) { m.Text = strings.Repeat("碼", 671) },
		"over 10 GSM-7": func(m *notify.Message) { m.Text = strings.Repeat("a", 1531) },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			m := codeMessage()
			mutate(&m)
			if err := c.Send(context.Background(), m); apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("err = %v; want Invalid", err)
			}
		})
	}
	select {
	case r := <-got:
		t.Errorf("the provider was called with %+v", r)
	default:
	}
}

func TestSendUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	err := newChannel(t, url, time.Second).Send(context.Background(), codeMessage())
	if apperr.CodeOf(err) != apperr.Unavailable {
		t.Errorf("err = %v; want Unavailable", err)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	tests := map[string]Config{
		"no URL":            {Token: "t"},
		"relative URL":      {URL: "/send", Token: "t"},
		"plain http remote": {URL: "http://sms.example.mo/send", Token: "t"},
		"no token":          {URL: "https://sms.example.mo/send"},
		"negative timeout":  {URL: "https://sms.example.mo/send", Token: "t", Timeout: -1},
	}
	for name, cfg := range tests {
		if _, err := New(cfg, nil); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%s: New = %v; want Invalid", name, err)
		}
	}
	for _, u := range []string{"https://sms.example.mo/send", "http://127.0.0.1:8025/send", "http://localhost/send"} {
		if _, err := New(Config{URL: u, Token: "t"}, nil); err != nil {
			t.Errorf("New(%s) = %v", u, err)
		}
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	srv, got := provider(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	err := newChannel(t, srv.URL, time.Second).Send(context.Background(), codeMessage())
	if err == nil {
		t.Fatal("Send accepted a redirect as success")
	}
	<-got
	select {
	case r := <-got:
		t.Errorf("the redirect was followed: %+v", r)
	default:
	}
}
