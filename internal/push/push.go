package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// Subscription is one browser's opt-in: where its push service takes
// messages for it, and the keys to encrypt them with (base64url).
type Subscription struct {
	ID        string
	AccountID string
	// Endpoint is the push service URL of this browser; it is unique.
	Endpoint string
	// P256dh is the browser's ECDH public key, an uncompressed P-256 point.
	P256dh string
	// Auth is the browser's 16-byte authentication secret.
	Auth      string
	UserAgent string
	CreatedAt time.Time
}

// Store keeps push subscriptions.
type Store interface {
	// AddPushSubscription stores s, or replaces the subscription with the
	// same endpoint: a browser subscribing again, perhaps while another
	// account is signed in, moves its subscription to s.AccountID.
	AddPushSubscription(ctx context.Context, s Subscription) error
	// PushSubscriptions lists an account's subscriptions, oldest first.
	PushSubscriptions(ctx context.Context, accountID string) ([]Subscription, error)
	// DeletePushSubscription removes one of the account's subscriptions;
	// an endpoint the account does not hold is NotFound.
	DeletePushSubscription(ctx context.Context, accountID, endpoint string) error
	// DeletePushSubscriptionByEndpoint removes a subscription whatever its
	// account, without error when there is none: the push service said it
	// is gone.
	DeletePushSubscriptionByEndpoint(ctx context.Context, endpoint string) error
}

// TTL is how long a push service keeps a notification for a browser that
// is offline; after that the inbox still has the message.
const TTL = 24 * time.Hour

// Sender sends Web Push notifications and keeps the subscriptions. It is
// safe for concurrent use.
type Sender struct {
	store      Store
	priv, pub  string
	subscriber string
	client     *http.Client
	now        func() time.Time
}

var _ messages.Pusher = (*Sender)(nil)

// New returns a Sender whose VAPID keys derive from kek. subscriber is the
// contact the push services see in the VAPID "sub" claim: a mailto: address
// or an https URL. client sends the notifications; nil gives a client that
// follows no redirects and connects only to public addresses (see
// newClient).
func New(store Store, kek []byte, subscriber string, client *http.Client) (*Sender, error) {
	priv, pub, err := VAPIDKeys(kek)
	if err != nil {
		return nil, err
	}
	sub, err := vapidSubscriber(subscriber)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = newClient()
	}
	return &Sender{store: store, priv: priv, pub: pub, subscriber: sub, client: client, now: time.Now}, nil
}

// vapidSubscriber checks the contact and returns it as webpush-go wants
// it: webpush-go adds "mailto:" to anything but an https URL, so a mailto:
// address loses its scheme here.
func vapidSubscriber(s string) (string, error) {
	if addr, ok := strings.CutPrefix(s, "mailto:"); ok && strings.Contains(addr, "@") {
		return addr, nil
	}
	if u, err := url.Parse(s); err == nil && u.Scheme == "https" && u.Host != "" {
		return s, nil
	}
	return "", fmt.Errorf("push: VAPID subscriber %q is neither a mailto: address nor an https URL", s)
}

// PublicKey returns the VAPID public key, unpadded base64url: the
// applicationServerKey browsers subscribe with.
func (s *Sender) PublicKey() string { return s.pub }

// Push sends n to every browser the account subscribed and returns how
// many push services accepted it. A subscription its push service calls
// gone (404, 410) is deleted. Any other failure makes Push return an
// error, after trying every subscription: the delivery job then retries
// and sends to all of them again, so a browser may get the note twice; the
// note's tag makes the second replace the first. When every failure is
// one that retrying cannot mend (a 4xx other than 408 and 429), the error
// is jobs.Permanent.
func (s *Sender) Push(ctx context.Context, accountID string, n messages.PushNote) (int, error) {
	subs, err := s.store.PushSubscriptions(ctx, accountID)
	if err != nil {
		return 0, fmt.Errorf("push: subscriptions: %w", err)
	}
	if len(subs) == 0 {
		return 0, nil
	}
	payload, err := json.Marshal(n)
	if err != nil {
		return 0, fmt.Errorf("push: encode note: %w", err)
	}
	sent, retry := 0, false
	var errs []error
	for _, sub := range subs {
		err := s.send(ctx, sub, payload)
		var f *failure
		switch {
		case err == nil:
			sent++
		case errors.As(err, &f) && f.gone():
			if err := s.store.DeletePushSubscriptionByEndpoint(ctx, sub.Endpoint); err != nil {
				errs, retry = append(errs, fmt.Errorf("delete gone subscription: %w", err)), true
			}
		default:
			errs, retry = append(errs, err), retry || !(errors.As(err, &f) && f.permanent())
		}
	}
	if len(errs) == 0 {
		return sent, nil
	}
	err = fmt.Errorf("push: %d of %d subscriptions failed: %w", len(errs), len(subs), errors.Join(errs...))
	if !retry {
		err = jobs.Permanent(err)
	}
	return sent, err
}

// failure is a push service's refusal.
type failure struct {
	host   string
	status int
	body   string
}

func (f *failure) Error() string {
	return fmt.Sprintf("push service %s answered %d %q", f.host, f.status, f.body)
}

func (f *failure) gone() bool {
	return f.status == http.StatusNotFound || f.status == http.StatusGone
}

// permanent reports whether sending again cannot help: a 4xx other than
// timeouts and throttling, such as 403 for a subscription made with
// another VAPID key, or 413 for a note too large.
func (f *failure) permanent() bool {
	return f.status >= 400 && f.status < 500 && f.status != http.StatusRequestTimeout &&
		f.status != http.StatusTooManyRequests
}

// send encrypts payload for one subscription and posts it.
func (s *Sender) send(ctx context.Context, sub Subscription, payload []byte) error {
	host := hostOf(sub.Endpoint)
	resp, err := webpush.SendNotificationWithContext(ctx, payload,
		&webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{Auth: sub.Auth, P256dh: sub.P256dh}},
		&webpush.Options{
			HTTPClient:      s.client,
			Subscriber:      s.subscriber,
			TTL:             int(TTL / time.Second),
			Urgency:         webpush.UrgencyNormal,
			VAPIDPublicKey:  s.pub,
			VAPIDPrivateKey: s.priv,
		})
	if errors.Is(err, webpush.ErrMaxPadExceeded) {
		return &failure{host: host, status: http.StatusRequestEntityTooLarge, body: "note too large"}
	}
	if err != nil {
		return fmt.Errorf("push to %s: %w", host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return &failure{host: host, status: resp.StatusCode, body: strings.TrimSpace(string(body))}
}

// hostOf names an endpoint's push service in errors; the full endpoint is
// the browser's address and stays out of logs.
func hostOf(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil {
		return u.Host
	}
	return "(bad endpoint)"
}
