package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/notify/email"
	"github.com/oneaccount/oneaccount/internal/passkey"
)

// buildIdentity wires the identity service: the password hasher with its
// concurrency cap, the blocklist, and the message channels.
func (a *App) buildIdentity() error {
	hasher, err := password.NewHasher(password.DefaultParams, a.cfg.HashConcurrency)
	if err != nil {
		return fmt.Errorf("password hasher: %w", err)
	}
	bl, err := password.LoadBlocklist()
	if err != nil {
		return fmt.Errorf("password blocklist: %w", err)
	}
	channels, err := a.channels()
	if err != nil {
		return err
	}
	pol := identity.DefaultSessionPolicy
	pol.Idle, pol.Absolute = a.cfg.SessionIdle, a.cfg.SessionMax
	a.sender = notify.NewSender(channels...)
	a.identity = identity.NewService(identity.Deps{Store: a.store, Hasher: hasher, Policy: password.NewPolicy(bl),
		Sender: a.sender, Now: a.now, Log: a.log, WebAuthn: a.passkeyEngine()},
		identity.Config{Sessions: pol, SMSFallback: a.cfg.SMSFallback,
			BaseURL: strings.TrimSuffix(a.cfg.BaseURL.String(), "/")})
	return nil
}

// passkeyEngine is the WebAuthn engine of the passkey relying party: its
// ID is the host of the base URL and the only origin accepted is the base
// URL itself. The engine asks every ceremony for a discoverable,
// user-verified credential. A host that cannot be an RP ID (an IP address)
// turns passkeys off, with a warning, rather than stopping the service.
func (a *App) passkeyEngine() identity.PasskeyEngine {
	if a.cfg.BaseURL == nil {
		return nil
	}
	u := a.cfg.BaseURL
	e, err := passkey.New(passkey.Config{RPID: u.Hostname(), DisplayName: "OneAccount",
		Origins: []string{u.Scheme + "://" + u.Host}})
	if err != nil {
		a.log.Warn("passkeys are off: the base URL's host cannot be a WebAuthn relying party ID",
			"base_url", u.String(), "err", err)
		return nil // a nil interface, not a nil *passkey.Engine
	}
	return e
}

// channels returns the configured delivery channels; with --demo the
// development sink takes every kind, and /dev/outbox shows it.
func (a *App) channels() ([]notify.Channel, error) {
	var out []notify.Channel
	if a.cfg.SMTPURL != nil {
		ch, err := email.New(smtpConfig(a.cfg.SMTPURL))
		if err != nil {
			return nil, fmt.Errorf("--smtp-url: %w", err)
		}
		out = append(out, ch)
	}
	sms, err := a.smsChannel()
	if err != nil {
		return nil, err
	}
	if sms != nil {
		out = append(out, sms)
	}
	if a.cfg.Demo {
		a.outbox = notify.NewDevSink(a.log, a.now)
		out = append(out, a.outbox.Channels()...)
	}
	return out, nil
}

// smtpConfig reads smtp://USER:PASS@HOST:PORT?from=ADDR&tls=MODE.
func smtpConfig(u *url.URL) email.Config {
	c := email.Config{Host: u.Hostname(), From: u.Query().Get("from"), TLS: email.TLSMode(u.Query().Get("tls"))}
	c.Port, _ = strconv.Atoi(u.Port())
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c
}
