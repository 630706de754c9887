package email

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/notify"
)

const from = "Macao One Account <noreply@gov.mo>"

// plainConfig is a clear-text config for the test server ts.
func plainConfig(ts *testServer) Config {
	return Config{Host: "127.0.0.1", Port: ts.Port, From: from, TLS: TLSNone, Timeout: 3 * time.Second}
}

func newChannel(t *testing.T, cfg Config) *Channel {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func securityMessage() notify.Message {
	return notify.Message{
		Kind:      notify.Email,
		To:        "陳大文 <chan.taiman@example.mo>",
		Subject:   "一戶通：你的驗證碼",
		Text:      "你的驗證碼是 482913，十分鐘內有效。\nO seu código é 482913.",
		Lang:      lang.ZhHant,
		Category:  "security",
		DedupeKey: "otp:acct-42:7",
	}
}

// parsed is a received message read back with the standard library.
type parsed struct {
	header mail.Header
	body   string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, raw)
	}
	var r io.Reader = msg.Body
	switch cte := strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")); cte {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "", "7bit", "8bit":
	default:
		t.Fatalf("unexpected Content-Transfer-Encoding %q", cte)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return parsed{header: msg.Header, body: strings.ReplaceAll(string(body), "\r\n", "\n")}
}

func TestSendDeliversUTF8Message(t *testing.T) {
	ts := startServer(t)
	m := securityMessage()
	if err := newChannel(t, plainConfig(ts)).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	env := ts.next(t)
	if env.From != "noreply@gov.mo" || len(env.To) != 1 || env.To[0] != "chan.taiman@example.mo" {
		t.Errorf("envelope from %q to %q", env.From, env.To)
	}
	t.Logf("raw message:\n%s", env.Data)
	p := parse(t, env.Data)
	subject, err := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("subject %q (%v), want %q", subject, err, m.Subject)
	}
	if got := strings.TrimRight(p.body, "\n"); got != m.Text {
		t.Errorf("body %q, want %q", got, m.Text)
	}
	checkAddress(t, p.header, "From", "noreply@gov.mo", "Macao One Account")
	checkAddress(t, p.header, "To", "chan.taiman@example.mo", "陳大文")
	wantHeaders := map[string]string{
		DedupeHeader:       m.DedupeKey,
		"Content-Language": "zh-Hant",
		"Auto-Submitted":   "auto-generated",
		"Mime-Version":     "1.0",
	}
	for k, want := range wantHeaders {
		if got := p.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if ct := p.header.Get("Content-Type"); !strings.Contains(ct, "text/plain") || !strings.Contains(strings.ToLower(ct), "utf-8") {
		t.Errorf("Content-Type = %q, want text/plain in UTF-8", ct)
	}
	if id := p.header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@gov.mo>") {
		t.Errorf("Message-ID = %q, want <...@gov.mo>", id)
	}
}

func checkAddress(t *testing.T, h mail.Header, key, addr, name string) {
	t.Helper()
	list, err := h.AddressList(key)
	if err != nil || len(list) != 1 || list[0].Address != addr || list[0].Name != name {
		t.Errorf("%s = %v (%v), want %s <%s>", key, list, err, name, addr)
	}
}

func TestSendWithoutDedupeKeyOmitsHeader(t *testing.T) {
	ts := startServer(t)
	m := securityMessage()
	m.DedupeKey, m.Lang = "", ""
	if err := newChannel(t, plainConfig(ts)).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	p := parse(t, ts.next(t).Data)
	for _, k := range []string{DedupeHeader, "Content-Language"} {
		if v, ok := p.header[k]; ok {
			t.Errorf("header %s = %q, want none", k, v)
		}
	}
}

func TestSendRefusedRecipient(t *testing.T) {
	ts := startServer(t, func(s *testServer) { s.refuse = "chan.taiman@example.mo" })
	err := newChannel(t, plainConfig(ts)).Send(context.Background(), securityMessage())
	if err == nil {
		t.Fatal("Send succeeded; want the 550 refusal")
	}
	if apperr.CodeOf(err) != apperr.Invalid || !notify.Permanent(err) {
		t.Errorf("err = %v; want a permanent Invalid error", err)
	}
}

func TestSendUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close() // nothing listens there now
	c := newChannel(t, Config{Host: "127.0.0.1", Port: port, From: from, TLS: TLSNone, Timeout: time.Second})
	err = c.Send(context.Background(), securityMessage())
	if apperr.CodeOf(err) != apperr.Unavailable || notify.Permanent(err) {
		t.Errorf("err = %v; want a retryable Unavailable error", err)
	}
}

func TestSendSilentServerTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	go func() { // accept and never greet
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = conn.Close() })
		}
	}()
	timeout := 300 * time.Millisecond
	c := newChannel(t, Config{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, From: from, TLS: TLSNone, Timeout: timeout})
	start := time.Now()
	err = c.Send(context.Background(), securityMessage())
	if apperr.CodeOf(err) != apperr.Unavailable {
		t.Errorf("err = %v; want Unavailable", err)
	}
	if waited := time.Since(start); waited > timeout+2*time.Second {
		t.Errorf("Send gave up after %v; the timeout is %v", waited, timeout)
	}
}

func TestSendAuthenticates(t *testing.T) {
	ts := startServer(t, func(s *testServer) { s.user, s.pass = "relay-user", "s3cret" })
	cfg := plainConfig(ts)
	cfg.Username, cfg.Password = "relay-user", "s3cret"
	if err := newChannel(t, cfg).Send(context.Background(), securityMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if env := ts.next(t); env.User != "relay-user" {
		t.Errorf("authenticated as %q, want relay-user", env.User)
	}

	cfg.Password = "wrong"
	if err := newChannel(t, cfg).Send(context.Background(), securityMessage()); apperr.CodeOf(err) != apperr.Unavailable {
		t.Errorf("Send with a wrong password = %v; want Unavailable", err)
	}
}

func TestSendStartTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	ts := startServer(t, func(s *testServer) { s.tls = serverTLS; s.user, s.pass = "u", "p" })
	cfg := plainConfig(ts)
	cfg.TLS, cfg.TLSConfig, cfg.Username, cfg.Password = TLSStartTLS, clientTLS, "u", "p"
	if err := newChannel(t, cfg).Send(context.Background(), securityMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	ts.next(t)
}

func TestSendImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	ts := startServer(t, func(s *testServer) { s.tls, s.implicit = serverTLS, true })
	cfg := plainConfig(ts)
	cfg.TLS, cfg.TLSConfig = TLSImplicit, clientTLS
	if err := newChannel(t, cfg).Send(context.Background(), securityMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	ts.next(t)
}

func TestStartTLSIsMandatory(t *testing.T) {
	ts := startServer(t) // offers no STARTTLS
	cfg := plainConfig(ts)
	cfg.TLS = TLSStartTLS
	err := newChannel(t, cfg).Send(context.Background(), securityMessage())
	if err == nil {
		t.Fatal("Send went on without TLS")
	}
	select {
	case env := <-ts.received:
		t.Errorf("server received %q in clear text", env.Data)
	default:
	}
}

func TestSendRejectsBadMessages(t *testing.T) {
	c := newChannel(t, Config{Host: "127.0.0.1", Port: 1, From: from, TLS: TLSNone})
	good := securityMessage()
	tests := map[string]func(*notify.Message){
		"wrong kind":       func(m *notify.Message) { m.Kind = notify.SMS },
		"no recipient":     func(m *notify.Message) { m.To = "" },
		"not an address":   func(m *notify.Message) { m.To = "chan at example" },
		"no text":          func(m *notify.Message) { m.Text = "" },
		"subject CRLF":     func(m *notify.Message) { m.Subject = "hi\r\nBcc: x@evil.example" },
		"dedupe key space": func(m *notify.Message) { m.DedupeKey = "a b" },
		"dedupe key CRLF":  func(m *notify.Message) { m.DedupeKey = "a\r\nBcc: x@evil.example" },
		"dedupe key long":  func(m *notify.Message) { m.DedupeKey = strings.Repeat("k", maxDedupeKey+1) },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			m := good
			mutate(&m)
			err := c.Send(context.Background(), m)
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("err = %v; want Invalid", err)
			}
		})
	}
}

func TestNewValidatesConfig(t *testing.T) {
	ok := Config{Host: "smtp.gov.mo", From: "noreply@gov.mo"}
	tests := map[string]func(*Config){
		"no host":             func(c *Config) { c.Host = "" },
		"bad port":            func(c *Config) { c.Port = 70000 },
		"bad mode":            func(c *Config) { c.TLS = "ssl" },
		"bad from":            func(c *Config) { c.From = "not an address" },
		"empty from":          func(c *Config) { c.From = "" },
		"negative timeout":    func(c *Config) { c.Timeout = -time.Second },
		"password, no user":   func(c *Config) { c.Password = "x" },
		"clear-text password": func(c *Config) { c.TLS, c.Username, c.Password = TLSNone, "u", "p" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			mutate(&cfg)
			if _, err := New(cfg); apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("New(%+v) = %v; want Invalid", cfg, err)
			}
		})
	}
	if _, err := New(ok); err != nil {
		t.Errorf("New(%+v) = %v", ok, err)
	}
}

func TestDefaults(t *testing.T) {
	for mode, port := range map[TLSMode]int{"": 587, TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465} {
		s, err := Config{Host: "h", From: "a@b.mo", TLS: mode}.settle()
		if err != nil || s.Port != port || s.Timeout != DefaultTimeout {
			t.Errorf("mode %q: port %d timeout %v (%v); want %d, %v", mode, s.Port, s.Timeout, err, port, DefaultTimeout)
		}
	}
}

func TestContextCancelled(t *testing.T) {
	ts := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := newChannel(t, plainConfig(ts)).Send(ctx, securityMessage())
	if !errors.Is(err, context.Canceled) || apperr.CodeOf(err) != apperr.Unavailable {
		t.Errorf("err = %v; want Unavailable wrapping context.Canceled", err)
	}
}
