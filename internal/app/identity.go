package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/notify/email"
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
	a.identity = identity.NewService(identity.Deps{Store: a.store, Hasher: hasher, Policy: password.NewPolicy(bl),
		Sender: notify.NewSender(channels...), Now: a.now, Log: a.log, WebAuthn: a.relyingParty()},
		identity.Config{Sessions: pol, SMSFallback: a.cfg.SMSFallback,
			BaseURL: strings.TrimSuffix(a.cfg.BaseURL.String(), "/")})
	return nil
}

// relyingParty is the WebAuthn relying party for passkeys: its ID is the
// host of the base URL and the only origin accepted is the base URL itself.
// A host that cannot be an RP ID (an IP address) turns passkeys off, with a
// warning, rather than stopping the service.
func (a *App) relyingParty() *webauthn.WebAuthn {
	if a.cfg.BaseURL == nil {
		return nil
	}
	u := a.cfg.BaseURL
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "OneAccount",
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		// Passkeys must verify the person (NIST SP 800-63B: UV=required)
		// and be discoverable; each ceremony asks for both as well.
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.VerificationRequired,
		},
		AttestationPreference: protocol.PreferNoAttestation,
	})
	if err != nil {
		a.log.Warn("passkeys are off: the base URL's host cannot be a WebAuthn relying party ID",
			"base_url", u.String(), "err", err)
		return nil
	}
	return wa
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
