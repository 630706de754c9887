package identity

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// Sender delivers a message to a contact.
type Sender interface {
	Send(ctx context.Context, m notify.Message) error
}

// Config holds the identity policies an operator may set.
type Config struct {
	Sessions SessionPolicy
	// SMSFallback lets residents use SMS codes as a second factor; policy
	// can switch it off.
	SMSFallback bool
	// Issuer names the service in authenticator apps.
	Issuer string
	// HashWait bounds how long a sign-in queues for a free password
	// hasher; then it fails with Unavailable (503 and Retry-After).
	HashWait time.Duration
	// BaseURL is the site's public URL without a trailing slash, for links
	// in messages.
	BaseURL string
}

// Service runs the identity use cases.
type Service struct {
	store  Store
	hasher *password.Hasher
	policy password.Policy
	send   Sender
	now    func() time.Time
	cfg    Config
	log    *slog.Logger
	// wa runs the WebAuthn ceremonies; nil turns passkeys off.
	wa PasskeyEngine
}

// Deps are the Service's collaborators.
type Deps struct {
	Store  Store
	Hasher *password.Hasher
	Policy password.Policy
	Sender Sender
	Now    func() time.Time
	Log    *slog.Logger
	// WebAuthn is the protocol engine of the passkey relying party
	// (internal/passkey); nil turns passkeys off.
	WebAuthn PasskeyEngine
}

// NewService returns a Service.
func NewService(d Deps, cfg Config) *Service {
	if cfg.Issuer == "" {
		cfg.Issuer = "OneAccount"
	}
	if cfg.HashWait == 0 {
		cfg.HashWait = 10 * time.Second
	}
	if cfg.Sessions == (SessionPolicy{}) {
		cfg.Sessions = DefaultSessionPolicy
	}
	return &Service{store: d.Store, hasher: d.Hasher, policy: d.Policy, send: d.Sender, now: d.Now, cfg: cfg, log: d.Log,
		wa: d.WebAuthn}
}

// Config returns the service's policies.
func (s *Service) Config() Config { return s.cfg }

// Store returns the store.
func (s *Service) Store() Store { return s.store }

// Client describes where a request came from, for sessions and the audit
// log.
type Client struct {
	IP        string
	UserAgent string
	// Device is the device cookie's token, "" when the browser has none.
	Device string
}

// record appends an audit event, logging (not failing) when it cannot.
func (s *Service) record(ctx context.Context, e audit.Event) {
	if _, err := s.store.AppendAudit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit append failed", "action", e.Action, "err", err)
	}
}

func event(action string, c Client) audit.Event {
	return audit.Event{Action: action, IP: c.IP, UserAgent: c.UserAgent}
}

// hashPassword checks the policy and hashes.
func (s *Service) hashPassword(ctx context.Context, pw string) (string, error) {
	if err := s.policy.Check(pw); err != nil {
		return "", err
	}
	h, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// errSignIn is the one answer to a wrong username or password.
var errSignIn = &apperr.Error{Code: apperr.Unauthenticated, Key: "signin.failed", Detail: "wrong username or password"}
