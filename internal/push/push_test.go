package push

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/messages"
)

const subscriber = "mailto:operator@oneaccount.example"

// browser is what a browser keeps for one push subscription.
type browser struct {
	key      *ecdh.PrivateKey
	auth     []byte
	endpoint string
}

func newBrowser(t testing.TB, endpoint string) browser {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return browser{key: k, auth: auth, endpoint: endpoint}
}

// json is the browser's PushSubscription.toJSON().
func (b browser) json() []byte {
	enc := base64.RawURLEncoding
	v := map[string]any{"endpoint": b.endpoint, "expirationTime": nil, "keys": map[string]string{
		"p256dh": enc.EncodeToString(b.key.PublicKey().Bytes()), "auth": enc.EncodeToString(b.auth)}}
	out, _ := json.Marshal(v)
	return out
}

// pushService is a fake push service: it records every request and
// answers each endpoint path with the status set for it (201 by default).
type pushService struct {
	srv    *httptest.Server
	mu     sync.Mutex
	status map[string]int
	got    []received
}

type received struct {
	path   string
	header http.Header
	body   []byte
}

func newPushService(t *testing.T) *pushService {
	p := &pushService{status: map[string]int{}}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		defer p.mu.Unlock()
		p.got = append(p.got, received{path: r.URL.Path, header: r.Header.Clone(), body: body})
		code := p.status[r.URL.Path]
		if code == 0 {
			code = http.StatusCreated
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pushService) answer(path string, code int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status[path] = code
}

func (p *pushService) requests() []received {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]received(nil), p.got...)
}

// client reaches the fake service under any name (its certificate is good
// for example.com and its subdomains), as a real push service is reached.
func (p *pushService) client() *http.Client {
	c := p.srv.Client()
	tr := c.Transport.(*http.Transport).Clone()
	addr := p.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	c.Transport = tr
	return c
}

func newSender(t testing.TB, store Store, client *http.Client) *Sender {
	t.Helper()
	s, err := New(store, testKEK(7), subscriber, client)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func subscribe(t *testing.T, s *Sender, account string, b browser) {
	t.Helper()
	if err := s.Subscribe(t.Context(), account, b.json(), "Test Browser"); err != nil {
		t.Fatalf("Subscribe(%s): %v", b.endpoint, err)
	}
}

var note = messages.PushNote{Title: "DSI — 預約已確認", Body: "Your appointment is on 3 March.",
	URL: "https://oneaccount.example/inbox/m1", Tag: "m1"}

func TestPush_EndToEnd(t *testing.T) {
	svc := newPushService(t)
	store := &memStore{}
	s := newSender(t, store, svc.client())
	b := newBrowser(t, "https://push.example.com/send/abc:def")
	subscribe(t, s, "acct1", b)
	subscribe(t, s, "acct2", newBrowser(t, "https://push.example.com/send/other"))

	start := time.Now()
	n, err := s.Push(t.Context(), "acct1", note)
	if err != nil || n != 1 {
		t.Fatalf("Push = %d, %v; want 1, nil", n, err)
	}
	reqs := svc.requests()
	if len(reqs) != 1 || reqs[0].path != "/send/abc:def" {
		t.Fatalf("push service got %d requests (%+v), want one for /send/abc:def", len(reqs), reqs)
	}
	r := reqs[0]
	for h, want := range map[string]string{"Content-Encoding": "aes128gcm", "TTL": "86400", "Urgency": "normal",
		"Content-Type": "application/octet-stream"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	checkVAPID(t, r.header.Get("Authorization"), s.PublicKey(), "https://push.example.com", start)
	var got messages.PushNote
	if err := json.Unmarshal(decrypt(t, r.body, b), &got); err != nil {
		t.Fatalf("decrypted body is not JSON: %v", err)
	}
	if diff := cmp.Diff(note, got); diff != "" {
		t.Errorf("decrypted note mismatch (-want +got):\n%s", diff)
	}
}

// checkVAPID checks an RFC 8292 Authorization header: the key is the
// sender's, and the JWT is ES256-signed by it for the push service's
// origin, expires within a day and names the subscriber.
func checkVAPID(t *testing.T, header, pub, aud string, start time.Time) {
	t.Helper()
	rest, ok := strings.CutPrefix(header, "vapid t=")
	jwt, k, ok2 := strings.Cut(rest, ", k=")
	if !ok || !ok2 {
		t.Fatalf("Authorization = %q, want vapid t=JWT, k=KEY", header)
	}
	if k != pub {
		t.Errorf("Authorization k = %s, want the VAPID public key %s", k, pub)
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("JWT %q has %d parts, want 3", jwt, len(parts))
	}
	enc := base64.RawURLEncoding
	var head struct{ Alg string }
	var claims struct {
		Aud, Sub string
		Exp      int64
	}
	h, _ := enc.DecodeString(parts[0])
	c, _ := enc.DecodeString(parts[1])
	if err := json.Unmarshal(h, &head); err != nil || head.Alg != "ES256" {
		t.Errorf("JWT header %s (%v), want alg ES256", h, err)
	}
	if err := json.Unmarshal(c, &claims); err != nil {
		t.Fatalf("JWT claims %s: %v", c, err)
	}
	if claims.Aud != aud || claims.Sub != subscriber {
		t.Errorf("JWT aud, sub = %q, %q; want %q, %q", claims.Aud, claims.Sub, aud, subscriber)
	}
	exp := time.Unix(claims.Exp, 0)
	if !exp.After(start) || exp.After(time.Now().Add(24*time.Hour)) {
		t.Errorf("JWT exp %v, want within 24 hours of %v", exp, start)
	}
	kb, _ := enc.DecodeString(pub)
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), kb)
	if err != nil {
		t.Fatalf("VAPID public key: %v", err)
	}
	sig, _ := enc.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 64 || !ecdsa.Verify(key, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Errorf("JWT signature does not verify with the VAPID public key")
	}
}

// decrypt opens an RFC 8291 message (aes128gcm, RFC 8188, one record) as
// the browser b does.
func decrypt(t *testing.T, body []byte, b browser) []byte {
	t.Helper()
	if len(body) < 21 || len(body) < 21+int(body[20]) {
		t.Fatalf("body of %d bytes is too short for an aes128gcm header", len(body))
	}
	salt, rs, idLen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	keyID, ct := body[21:21+idLen], body[21+idLen:]
	if len(ct) > int(rs) || rs < 18 {
		t.Fatalf("record size %d, ciphertext %d bytes: want a single record", rs, len(ct))
	}
	asPub, err := ecdh.P256().NewPublicKey(keyID)
	if err != nil {
		t.Fatalf("key id is not the sender's P-256 public key: %v", err)
	}
	secret, err := b.key.ECDH(asPub)
	if err != nil {
		t.Fatal(err)
	}
	info := "WebPush: info\x00" + string(b.key.PublicKey().Bytes()) + string(keyID)
	ikm := mustKey(t, secret, b.auth, info, 32)
	cek := mustKey(t, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	nonce := mustKey(t, ikm, salt, "Content-Encoding: nonce\x00", 12)
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	pt, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	end := len(pt) - 1
	for end >= 0 && pt[end] == 0 {
		end--
	}
	if end < 0 || pt[end] != 2 {
		t.Fatalf("plaintext lacks the last-record delimiter 0x02")
	}
	return pt[:end]
}

func mustKey(t *testing.T, secret, salt []byte, info string, n int) []byte {
	t.Helper()
	k, err := hkdf.Key(sha256.New, secret, salt, info, n)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPush_GoneDeletesSubscription(t *testing.T) {
	for _, code := range []int{http.StatusGone, http.StatusNotFound} {
		svc := newPushService(t)
		store := &memStore{}
		s := newSender(t, store, svc.client())
		subscribe(t, s, "acct1", newBrowser(t, "https://push.example.com/send/gone"))
		subscribe(t, s, "acct1", newBrowser(t, "https://push.example.com/send/ok"))
		svc.answer("/send/gone", code)
		n, err := s.Push(t.Context(), "acct1", note)
		if err != nil || n != 1 {
			t.Errorf("Push with one subscription answering %d = %d, %v; want 1, nil", code, n, err)
		}
		if subs := store.all(); len(subs) != 1 || subs[0].Endpoint != "https://push.example.com/send/ok" {
			t.Errorf("after %d: subscriptions %+v, want only /send/ok", code, subs)
		}
	}
}

func TestPush_Failures(t *testing.T) {
	tests := []struct {
		name      string
		code      int
		permanent bool
	}{
		{"ServerError", http.StatusInternalServerError, false},
		{"Throttled", http.StatusTooManyRequests, false},
		{"WrongVAPIDKey", http.StatusForbidden, true},
		{"TooLarge", http.StatusRequestEntityTooLarge, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newPushService(t)
			store := &memStore{}
			s := newSender(t, store, svc.client())
			subscribe(t, s, "acct1", newBrowser(t, "https://push.example.com/send/bad"))
			subscribe(t, s, "acct1", newBrowser(t, "https://push.example.com/send/ok"))
			svc.answer("/send/bad", tt.code)
			n, err := s.Push(t.Context(), "acct1", note)
			if err == nil || n != 1 {
				t.Fatalf("Push with one subscription answering %d = %d, %v; want 1 and an error", tt.code, n, err)
			}
			if got := errors.As(err, new(jobs.PermanentError)); got != tt.permanent {
				t.Errorf("Push error %v: permanent %v, want %v", err, got, tt.permanent)
			}
			if len(svc.requests()) != 2 || len(store.all()) != 2 {
				t.Errorf("got %d requests, %d subscriptions kept; want both tried and kept",
					len(svc.requests()), len(store.all()))
			}
			if strings.Contains(err.Error(), "/send/bad") {
				t.Errorf("error %q shows the endpoint; want only its host", err)
			}
		})
	}
}

func TestPush_NoSubscriptions(t *testing.T) {
	svc := newPushService(t)
	s := newSender(t, &memStore{}, svc.client())
	if n, err := s.Push(t.Context(), "acct1", note); n != 0 || err != nil {
		t.Errorf("Push without subscriptions = %d, %v; want 0, nil", n, err)
	}
	if len(svc.requests()) != 0 {
		t.Errorf("push service got %d requests, want none", len(svc.requests()))
	}
}

// TestPush_DefaultClientStaysOffPrivateAddresses: endpoints come from
// browsers, so the default client must not reach the operator's network.
func TestPush_DefaultClientStaysOffPrivateAddresses(t *testing.T) {
	for _, v := range []string{"HTTPS_PROXY", "https_proxy"} {
		if os.Getenv(v) != "" {
			t.Skipf("%s is set: the default client leaves address checks to the proxy", v)
		}
	}
	svc := newPushService(t)
	store := &memStore{}
	b := newBrowser(t, "")
	enc := base64.RawURLEncoding
	// Stored directly: Subscribe refuses IP-address endpoints already.
	_ = store.AddPushSubscription(t.Context(), Subscription{ID: "s1", AccountID: "acct1", Endpoint: svc.srv.URL + "/x",
		P256dh: enc.EncodeToString(b.key.PublicKey().Bytes()), Auth: enc.EncodeToString(b.auth)})
	s := newSender(t, store, nil)
	if n, err := s.Push(t.Context(), "acct1", note); err == nil || n != 0 {
		t.Errorf("Push to a loopback endpoint = %d, %v; want 0 and an error", n, err)
	}
	if len(svc.requests()) != 0 {
		t.Errorf("the loopback service got %d requests, want none", len(svc.requests()))
	}
}

func TestNew_Subscriber(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"mailto:operator@oneaccount.example", true},
		{"https://oneaccount.example/contact", true},
		{"operator@oneaccount.example", false},
		{"mailto:", false},
		{"http://oneaccount.example", false},
		{"", false},
	} {
		if _, err := New(&memStore{}, testKEK(1), tt.in, nil); (err == nil) != tt.ok {
			t.Errorf("New(subscriber %q) error = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}
