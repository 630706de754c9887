// Package email is the notify Channel that delivers email through an SMTP
// relay, using github.com/wneessen/go-mail for the SMTP conversation and for
// MIME encoding (UTF-8 subjects and bodies, so Chinese and Portuguese text
// arrive intact).
//
// Each Send opens a connection, delivers one plain-text message and closes
// it. The relay does the rest: queueing, retries towards the recipient's
// domain, DKIM signing if the operator configures it there.
package email

import (
	"context"
	"fmt"

	mail "github.com/wneessen/go-mail"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// Channel delivers notify.Email messages over SMTP. It is safe for
// concurrent use.
type Channel struct {
	cfg  settings
	opts []mail.Option
}

// New validates cfg and returns a Channel. It does not connect.
func New(cfg Config) (*Channel, error) {
	s, err := cfg.settle()
	if err != nil {
		return nil, fmt.Errorf("email channel: %w", err)
	}
	c := &Channel{cfg: s, opts: clientOptions(s)}
	// Build one client now so that an option go-mail rejects fails at
	// start-up rather than on the first message.
	if _, err := c.client(); err != nil {
		return nil, fmt.Errorf("email channel: %w", err)
	}
	return c, nil
}

// Kind returns notify.Email.
func (c *Channel) Kind() notify.Kind { return notify.Email }

// Send delivers m to m.To. A malformed message or a recipient the relay
// refuses for good gives an apperr.Invalid error; anything else (the relay
// is unreachable, slow or answers 4xx) gives apperr.Unavailable.
func (c *Channel) Send(ctx context.Context, m notify.Message) error {
	msg, err := c.build(m)
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	client, err := c.client()
	if err != nil {
		return &apperr.Error{Code: apperr.Unavailable, Detail: "email: SMTP client", Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(err)
	}
	return nil
}

// client returns a fresh go-mail client; a client per delivery keeps
// concurrent sends apart.
func (c *Channel) client() (*mail.Client, error) {
	return mail.NewClient(c.cfg.Host, c.opts...)
}

func clientOptions(s settings) []mail.Option {
	opts := []mail.Option{
		mail.WithPort(s.Port),
		mail.WithTimeout(s.Timeout),
	}
	switch s.TLS {
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	}
	if s.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(s.TLSConfig))
	}
	if s.Username != "" {
		auth := mail.SMTPAuthPlain
		if s.TLS == TLSNone { // settle allowed it only to a loopback host
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth),
			mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	return opts
}
