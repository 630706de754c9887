package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

const endpoint = "https://fcm.googleapis.com/fcm/send/cXyz:APA91bH"

func TestSubscribe_OK(t *testing.T) {
	store := &memStore{}
	s := newSender(t, store, nil)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	b := newBrowser(t, endpoint)
	enc := base64.URLEncoding // padded, as some browsers send
	raw := fmt.Sprintf(`{"endpoint":%q,"expirationTime":null,"keys":{"p256dh":%q,"auth":%q}}`, endpoint,
		enc.EncodeToString(b.key.PublicKey().Bytes()), enc.EncodeToString(b.auth))
	if err := s.Subscribe(t.Context(), "acct1", []byte(raw), strings.Repeat("é", 200)); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	subs := store.all()
	if len(subs) != 1 {
		t.Fatalf("stored %d subscriptions, want 1", len(subs))
	}
	got, raw64 := subs[0], base64.RawURLEncoding
	if got.ID == "" || got.AccountID != "acct1" || got.Endpoint != endpoint || !got.CreatedAt.Equal(now) ||
		got.P256dh != raw64.EncodeToString(b.key.PublicKey().Bytes()) || got.Auth != raw64.EncodeToString(b.auth) {
		t.Errorf("stored %+v, want acct1's subscription with unpadded keys at %v", got, now)
	}
	if len(got.UserAgent) > MaxUserAgent || !strings.HasPrefix(got.UserAgent, "éé") ||
		!strings.HasSuffix(got.UserAgent, "é") {
		t.Errorf("user agent kept as %q (%d bytes), want at most %d bytes of whole characters",
			got.UserAgent, len(got.UserAgent), MaxUserAgent)
	}

	// The same browser subscribing while another account is signed in.
	if err := s.Subscribe(t.Context(), "acct2", b.json(), "UA"); err != nil {
		t.Fatal(err)
	}
	if subs := store.all(); len(subs) != 1 || subs[0].AccountID != "acct2" {
		t.Errorf("after acct2 subscribed the same endpoint: %+v, want it moved to acct2", subs)
	}
}

func TestSubscribe_KeepsTheNewest(t *testing.T) {
	store := &memStore{}
	s := newSender(t, store, nil)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var first string
	for i := range MaxSubscriptions + 2 {
		s.now = func() time.Time { return now.Add(time.Duration(i) * time.Minute) }
		b := newBrowser(t, fmt.Sprintf("https://push.example.com/send/%d", i))
		if err := s.Subscribe(t.Context(), "acct1", b.json(), ""); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b.endpoint
		}
	}
	subs := store.all()
	if len(subs) != MaxSubscriptions || subs[0].Endpoint != "https://push.example.com/send/2" {
		t.Errorf("after %d subscriptions: %d kept starting with %s; want %d, the oldest two (from %s) dropped",
			MaxSubscriptions+2, len(subs), subs[0].Endpoint, MaxSubscriptions, first)
	}
}

func TestSubscribe_Refuses(t *testing.T) {
	b := newBrowser(t, endpoint)
	enc := base64.RawURLEncoding
	p256dh, auth := enc.EncodeToString(b.key.PublicKey().Bytes()), enc.EncodeToString(b.auth)
	offCurve := make([]byte, 65)
	offCurve[0], offCurve[64] = 4, 1
	sub := func(ep, p, a string) string {
		return fmt.Sprintf(`{"endpoint":%q,"keys":{"p256dh":%q,"auth":%q}}`, ep, p, a)
	}
	tests := []struct{ name, raw, field string }{
		{"HTTPEndpoint", sub("http://push.example.com/x", p256dh, auth), "endpoint"},
		{"NoEndpoint", sub("", p256dh, auth), "endpoint"},
		{"RelativeEndpoint", sub("/x", p256dh, auth), "endpoint"},
		{"IPEndpoint", sub("https://10.0.0.1/x", p256dh, auth), "endpoint"},
		{"IPv6Endpoint", sub("https://[::1]/x", p256dh, auth), "endpoint"},
		{"LocalhostEndpoint", sub("https://localhost/x", p256dh, auth), "endpoint"},
		{"SingleLabelHost", sub("https://intranet/x", p256dh, auth), "endpoint"},
		{"UserinfoEndpoint", sub("https://u:p@push.example.com/x", p256dh, auth), "endpoint"},
		{"SpaceInEndpoint", sub("https://push.example.com/a b", p256dh, auth), "endpoint"},
		{"LongEndpoint", sub("https://push.example.com/"+strings.Repeat("a", MaxEndpoint), p256dh, auth), "endpoint"},
		{"ShortP256dh", sub(endpoint, enc.EncodeToString(b.key.PublicKey().Bytes()[:64]), auth), "keys.p256dh"},
		{"CompressedP256dh", sub(endpoint, enc.EncodeToString(make([]byte, 33)), auth), "keys.p256dh"},
		{"OffCurveP256dh", sub(endpoint, enc.EncodeToString(offCurve), auth), "keys.p256dh"},
		{"NoP256dh", sub(endpoint, "", auth), "keys.p256dh"},
		{"ShortAuth", sub(endpoint, p256dh, enc.EncodeToString(b.auth[:15])), "keys.auth"},
		{"LongAuth", sub(endpoint, p256dh, enc.EncodeToString(append(b.auth, 0))), "keys.auth"},
		{"NotBase64Auth", sub(endpoint, p256dh, "!!!!!!!!!!!!!!!!!!!!!!"), "keys.auth"},
		{"Junk", `not json`, "subscription"},
		{"Empty", ``, "subscription"},
		{"Array", `[1,2]`, "subscription"},
		{"WrongTypes", `{"endpoint":1,"keys":"x"}`, "subscription"},
		{"TrailingData", sub(endpoint, p256dh, auth) + `{}`, "subscription"},
		{"Huge", `{"endpoint":"` + strings.Repeat("a", MaxSubscriptionJSON) + `"}`, "subscription"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memStore{}
			s := newSender(t, store, nil)
			err := s.Subscribe(t.Context(), "acct1", []byte(tt.raw), "UA")
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid || e.Field != tt.field || e.Key != ErrKey {
				t.Errorf("Subscribe(%.80s) = %v; want Invalid %s with key %s", tt.raw, err, tt.field, ErrKey)
			}
			if n := len(store.all()); n != 0 {
				t.Errorf("Subscribe(%.80s) stored %d subscriptions, want none", tt.raw, n)
			}
		})
	}
}

func TestUnsubscribe(t *testing.T) {
	store := &memStore{}
	s := newSender(t, store, nil)
	mine, theirs := newBrowser(t, "https://push.example.com/mine"), newBrowser(t, "https://push.example.com/theirs")
	subscribe(t, s, "acct1", mine)
	subscribe(t, s, "acct2", theirs)
	for range 2 { // idempotent
		if err := s.Unsubscribe(t.Context(), "acct1", mine.endpoint); err != nil {
			t.Fatalf("Unsubscribe: %v", err)
		}
	}
	if err := s.Unsubscribe(t.Context(), "acct1", theirs.endpoint); err != nil {
		t.Errorf("Unsubscribe of another account's endpoint = %v, want nil (and nothing done)", err)
	}
	if subs := store.all(); len(subs) != 1 || subs[0].AccountID != "acct2" {
		t.Errorf("after unsubscribing: %+v, want only acct2's", subs)
	}
}

// FuzzSubscribe feeds Subscribe arbitrary bodies: it must not panic, must
// refuse with Invalid, and must store only subscriptions that are valid
// by an independent check.
func FuzzSubscribe(f *testing.F) {
	b := newBrowser(f, endpoint)
	f.Add(b.json())
	f.Add([]byte(`{"endpoint":"https://push.example.com/x","keys":{"p256dh":"","auth":""}}`))
	f.Add([]byte(`{"endpoint":"http://a.b/","keys":{}}`))
	f.Add([]byte(`{"keys":{"p256dh":null}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`"\u0000"`))
	store := &memStore{}
	s := newSender(f, store, nil)
	f.Fuzz(func(t *testing.T, raw []byte) {
		store.subs = nil
		err := s.Subscribe(t.Context(), "acct1", raw, "UA")
		subs := store.all()
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid || len(subs) != 0 {
				t.Fatalf("Subscribe(%q) = %v with %d stored; want Invalid and nothing stored", raw, err, len(subs))
			}
			return
		}
		if len(subs) != 1 {
			t.Fatalf("Subscribe(%q) stored %d subscriptions, want 1", raw, len(subs))
		}
		if why := invalidSubscription(subs[0]); why != "" {
			t.Fatalf("Subscribe(%q) stored an invalid subscription %+v: %s", raw, subs[0], why)
		}
	})
}

// invalidSubscription says what is wrong with a stored subscription, "" if
// nothing: the rules restated without Subscribe's code.
func invalidSubscription(s Subscription) string {
	u, err := url.Parse(s.Endpoint)
	switch {
	case len(s.Endpoint) > MaxEndpoint || err != nil || u.Scheme != "https" || u.Hostname() == "":
		return "endpoint is not a short https URL"
	case strings.ContainsAny(s.Endpoint, " \t\r\n"):
		return "endpoint has white space"
	}
	if _, err := netip.ParseAddr(u.Hostname()); err == nil {
		return "endpoint host is an IP address"
	}
	p, err := base64.RawURLEncoding.DecodeString(s.P256dh)
	if err != nil || len(p) != 65 {
		return "p256dh is not 65 bytes of base64url"
	}
	if _, err := ecdh.P256().NewPublicKey(p); err != nil {
		return "p256dh is not a P-256 point"
	}
	if a, err := base64.RawURLEncoding.DecodeString(s.Auth); err != nil || len(a) != 16 {
		return "auth is not 16 bytes of base64url"
	}
	return ""
}
