package push

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// Limits on what a browser may send.
const (
	// MaxEndpoint is the longest endpoint URL accepted.
	MaxEndpoint = 2000
	// MaxSubscriptionJSON bounds the PushSubscription JSON.
	MaxSubscriptionJSON = 4 << 10
	// MaxUserAgent is how much of the User-Agent is kept.
	MaxUserAgent = 256
	// MaxSubscriptions is how many browsers one account keeps; subscribing
	// one more drops the oldest.
	MaxSubscriptions = 10
)

// ErrKey is the Key of the apperr.Invalid error a subscription that does
// not validate gives.
const ErrKey = "push.invalid"

// subscriptionJSON is the browser's PushSubscription.toJSON().
type subscriptionJSON struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// Subscribe validates the browser's PushSubscription JSON and stores it for
// the account, replacing any subscription of the same browser. A body that
// does not validate is an apperr.Invalid error with Key ErrKey.
func (s *Sender) Subscribe(ctx context.Context, accountID string, raw []byte, userAgent string) error {
	sub, err := parseSubscription(raw)
	if err != nil {
		return err
	}
	sub.ID, sub.AccountID, sub.UserAgent = identity.NewID(), accountID, clip(userAgent, MaxUserAgent)
	sub.CreatedAt = s.now().UTC()
	if err := s.store.AddPushSubscription(ctx, sub); err != nil {
		return fmt.Errorf("push: subscribe: %w", err)
	}
	return s.trim(ctx, accountID)
}

// trim drops the account's oldest subscriptions beyond MaxSubscriptions.
func (s *Sender) trim(ctx context.Context, accountID string) error {
	subs, err := s.store.PushSubscriptions(ctx, accountID)
	if err != nil {
		return fmt.Errorf("push: subscriptions: %w", err)
	}
	for i := 0; i < len(subs)-MaxSubscriptions; i++ {
		err := s.store.DeletePushSubscription(ctx, accountID, subs[i].Endpoint)
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return fmt.Errorf("push: drop oldest subscription: %w", err)
		}
	}
	return nil
}

// Unsubscribe removes the account's subscription of endpoint. It is
// idempotent: an endpoint the account does not hold is no error.
func (s *Sender) Unsubscribe(ctx context.Context, accountID, endpoint string) error {
	err := s.store.DeletePushSubscription(ctx, accountID, endpoint)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return fmt.Errorf("push: unsubscribe: %w", err)
	}
	return nil
}

// parseSubscription reads and checks a PushSubscription, returning it with
// its keys in canonical unpadded base64url.
func parseSubscription(raw []byte) (Subscription, error) {
	if len(raw) > MaxSubscriptionJSON {
		return Subscription{}, invalid("subscription", "subscription JSON over %d bytes", MaxSubscriptionJSON)
	}
	var in subscriptionJSON
	d := json.NewDecoder(bytes.NewReader(raw))
	if err := d.Decode(&in); err != nil {
		return Subscription{}, invalid("subscription", "subscription is not JSON: %v", err)
	}
	if d.More() {
		return Subscription{}, invalid("subscription", "data after the subscription JSON")
	}
	if err := checkEndpoint(in.Endpoint); err != nil {
		return Subscription{}, err
	}
	p256dh, err := key(in.Keys.P256dh, "keys.p256dh", 65)
	if err != nil {
		return Subscription{}, err
	}
	if _, err := ecdh.P256().NewPublicKey(p256dh); err != nil {
		return Subscription{}, invalid("keys.p256dh", "not an uncompressed P-256 point")
	}
	auth, err := key(in.Keys.Auth, "keys.auth", 16)
	if err != nil {
		return Subscription{}, err
	}
	enc := base64.RawURLEncoding
	return Subscription{Endpoint: in.Endpoint, P256dh: enc.EncodeToString(p256dh), Auth: enc.EncodeToString(auth)}, nil
}

// checkEndpoint accepts an absolute ASCII https URL with a dotted host name
// (push services have names; an IP address or localhost is someone
// probing).
func checkEndpoint(e string) error {
	if e == "" || len(e) > MaxEndpoint {
		return invalid("endpoint", "endpoint empty or over %d bytes", MaxEndpoint)
	}
	if strings.ContainsFunc(e, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return invalid("endpoint", "endpoint has spaces, controls or non-ASCII")
	}
	u, err := url.Parse(e)
	if err != nil || u.Scheme != "https" || u.Opaque != "" || u.User != nil || u.Fragment != "" {
		return invalid("endpoint", "endpoint is not an https URL")
	}
	h := strings.ToLower(u.Hostname())
	if _, err := netip.ParseAddr(h); err == nil || h == "" || h == "localhost" || strings.HasSuffix(h, ".localhost") ||
		!strings.Contains(h, ".") {
		return invalid("endpoint", "endpoint host %q is not a push service", h)
	}
	return nil
}

// key decodes a base64url key (padded or not) of n bytes.
func key(s, field string, n int) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(b) != n {
		return nil, invalid(field, "want %d bytes in base64url", n)
	}
	return b, nil
}

func invalid(field, format string, args ...any) error {
	e := apperr.Invalidf(field, format, args...)
	e.Key = ErrKey
	return e
}

// clip shortens s to at most n bytes of valid UTF-8.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
