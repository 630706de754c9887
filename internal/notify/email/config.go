package email

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/mail"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// TLSMode says how the connection to the relay is protected.
type TLSMode string

// The TLS modes.
const (
	// TLSNone sends in clear text; only for a relay on the same host or a
	// trusted private link.
	TLSNone TLSMode = "none"
	// TLSStartTLS upgrades a plain connection with STARTTLS and refuses
	// to go on when the server does not offer it (port 587 by default).
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (port 465 by default).
	TLSImplicit TLSMode = "tls"
)

// DefaultTimeout bounds a whole delivery when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config configures the SMTP channel.
type Config struct {
	// Host is the relay's host name or IP address.
	Host string
	// Port is the relay's port; zero picks 25, 587 or 465 by TLS mode.
	Port int
	// Username and Password, when Username is set, authenticate with
	// AUTH PLAIN. Clear-text auth is refused except to a loopback host.
	Username, Password string
	// From is the sender, "noreply@gov.mo" or "One Account <noreply@gov.mo>".
	From string
	// TLS is the connection mode; empty means TLSStartTLS.
	TLS TLSMode
	// Timeout bounds connecting and the whole SMTP conversation; zero
	// means DefaultTimeout.
	Timeout time.Duration
	// TLSConfig, when set, replaces the default TLS settings (system roots,
	// server name Host, TLS 1.2 at least), e.g. for a private CA.
	TLSConfig *tls.Config
}

// settings is a validated Config with defaults filled in.
type settings struct {
	Config
	from *mail.Address
}

func (c Config) settle() (settings, error) {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Port == 0 {
		c.Port = defaultPort(c.TLS)
	}
	if err := c.check(); err != nil {
		return settings{}, err
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return settings{}, &apperr.Error{Code: apperr.Invalid, Field: "smtp.from",
			Detail: fmt.Sprintf("%q is not an email address", c.From), Err: err}
	}
	return settings{Config: c, from: from}, nil
}

func (c Config) check() error {
	switch {
	case c.Host == "":
		return apperr.Invalidf("smtp.host", "no SMTP host")
	case c.Port < 1 || c.Port > 65535:
		return apperr.Invalidf("smtp.port", "port %d is out of range", c.Port)
	case c.TLS != TLSNone && c.TLS != TLSStartTLS && c.TLS != TLSImplicit:
		return apperr.Invalidf("smtp.tls", "TLS mode %q is not none, starttls or tls", c.TLS)
	case c.Timeout < 0:
		return apperr.Invalidf("smtp.timeout", "timeout %v is negative", c.Timeout)
	case c.Password != "" && c.Username == "":
		return apperr.Invalidf("smtp.username", "a password without a user name")
	case c.Username != "" && c.TLS == TLSNone && !isLoopback(c.Host):
		return apperr.Invalidf("smtp.tls", "refusing to send a password in clear text to %s", c.Host)
	}
	return nil
}

func defaultPort(m TLSMode) int {
	switch m {
	case TLSImplicit:
		return 465
	case TLSStartTLS:
		return 587
	default:
		return 25
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
