// Package sms is the notify Channel that sends text messages through an SMS
// provider reached over HTTP.
//
// # Provider contract
//
// The channel speaks one small, provider-neutral protocol; an operator whose
// gateway speaks another puts a thin proxy in front of it that translates.
//
//	POST <URL>
//	Authorization: Bearer <Token>
//	Content-Type: application/json
//	Idempotency-Key: <reference>        (only when the message has one)
//
//	{"to": "+85366123456", "from": "<Sender>", "text": "...", "reference": "<reference>"}
//
// "to" is an E.164 number; "from" is the configured sender ID (may be
// empty: the provider's default); "text" is UTF-8 and at most MaxSegments
// segments long; "reference" is the message's dedupe key or empty. A provider
// should deliver two requests with the same Idempotency-Key once.
//
// The answer's status decides: any 2xx means accepted; 408, 425, 429 and
// 5xx mean "try again later" (apperr.Unavailable); any other 4xx means the
// request will never succeed as it is (apperr.Invalid). An error answer may
// carry {"error": "short reason"}, which ends up in the error and so in the
// logs; it must not echo the text. The channel reads at most 64 KiB of an
// answer and ignores the rest of a 2xx body.
package sms

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// DefaultTimeout bounds one request when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config configures the SMS channel.
type Config struct {
	// URL is the provider endpoint; https, or http to a loopback host only
	// (a proxy on the same machine).
	URL string
	// Token is sent as a bearer token.
	Token string
	// Sender is the sender ID or number shown to the recipient; empty
	// leaves it to the provider.
	Sender string
	// Timeout bounds one request, answer included; zero means
	// DefaultTimeout.
	Timeout time.Duration
}

// Channel sends notify.SMS messages to the provider. It is safe for
// concurrent use.
type Channel struct {
	cfg    Config
	client *http.Client
}

// New validates cfg and returns a Channel that uses client, or a client of
// its own when client is nil.
func New(cfg Config, client *http.Client) (*Channel, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("sms channel: %w", err)
	}
	if client == nil {
		// A provider API has no business redirecting a POST that carries
		// a bearer token: stop at the 3xx instead of following it.
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	return &Channel{cfg: cfg, client: client}, nil
}

func (c Config) check() error {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || u.Host == "":
		return apperr.Invalidf("sms.url", "%q is not an absolute URL", c.URL)
	case u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())):
		return apperr.Invalidf("sms.url", "the provider URL must be https (http only to a loopback host)")
	case c.Token == "":
		return apperr.Invalidf("sms.token", "no provider token")
	case c.Timeout < 0:
		return apperr.Invalidf("sms.timeout", "timeout %v is negative", c.Timeout)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Kind returns notify.SMS.
func (c *Channel) Kind() notify.Kind { return notify.SMS }

// Send posts m to the provider. A message that cannot be sent as it is (not
// an E.164 number, too long, refused with a 4xx) gives an apperr.Invalid
// error; a network failure, a timeout, 429 or 5xx gives apperr.Unavailable.
func (c *Channel) Send(ctx context.Context, m notify.Message) error {
	body, err := c.payload(m)
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := c.request(ctx, body, m.DedupeKey)
	if err != nil {
		return &apperr.Error{Code: apperr.Internal, Detail: "sms: build request", Err: err}
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return &apperr.Error{Code: apperr.Unavailable, Detail: "sms: provider unreachable", Err: err}
	}
	return checkResponse(resp)
}
