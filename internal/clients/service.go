package clients

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// Store keeps clients and consents.
type Store interface {
	InsertClient(ctx context.Context, c Client, ev audit.Event) error
	UpdateClient(ctx context.Context, c Client, ev audit.Event) error
	Client(ctx context.Context, id string) (Client, error)
	ClientsOf(ctx context.Context, entity string) ([]Client, error)
	Consent(ctx context.Context, accountID, clientID string) (Consent, error)
	SaveConsent(ctx context.Context, c Consent, ev audit.Event) error
	ConsentsOf(ctx context.Context, accountID string) ([]Consent, error)
	// RevokeConsent deletes the consent and every grant the account gave
	// the client, so its tokens stop working at once.
	RevokeConsent(ctx context.Context, accountID, clientID string, ev audit.Event) error
}

// Service manages the client registry and consents.
type Service struct {
	store       Store
	now         func() time.Time
	pairwiseKey []byte
}

// New returns the service. pairwiseKey keys the pairwise subject
// identifiers: changing it changes every subject every entity knows.
func New(store Store, now func() time.Time, pairwiseKey []byte) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now, pairwiseKey: pairwiseKey}
}

// CanManageClients answers whether actor may register and change the
// clients of entity: its entity admins and platform admins.
func CanManageClients(actor identity.Actor, entity string) error {
	a := actor.Account
	if actor.Platform || a.HasRole(identity.PlatformAdmin) {
		return nil
	}
	if a.Kind == identity.Staff && a.HasRole(identity.EntityAdmin) && a.Entity == entity {
		return nil
	}
	return &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "not an admin of " + entity}
}

// Created is a new client with its secret, which is shown only once.
type Created struct {
	Client Client
	Secret string
}

// Create registers a client for c.Entity. A client_secret_basic client
// gets a 256-bit random secret, stored only as its SHA-256.
func (s *Service) Create(ctx context.Context, actor identity.Actor, c Client) (Created, error) {
	if err := CanManageClients(actor, c.Entity); err != nil {
		return Created{}, err
	}
	c.RedirectURIs = normalise(c.RedirectURIs)
	c.PostLogoutRedirectURIs = normalise(c.PostLogoutRedirectURIs)
	if c.Level == 0 {
		c.Level = 1
	}
	if c.AuthMethod == "" {
		c.AuthMethod = SecretBasic
	}
	if err := c.Validate(); err != nil {
		return Created{}, err
	}
	c.ID = strings.ToLower(c.Entity) + "-" + randomID(10)
	var secret string
	if c.AuthMethod == SecretBasic {
		secret = randomSecret()
		c.SecretHash = HashSecret(secret)
	}
	c.CreatedBy = actor.Account.ID
	c.CreatedAt = s.now().UTC()
	c.UpdatedAt = c.CreatedAt
	ev := audit.Event{At: c.CreatedAt, Action: "client.create", Actor: actor.Account.ID, ActorEntity: actor.Account.Entity,
		Detail: map[string]string{"client": c.ID, "entity": c.Entity, "scopes": strings.Join(c.ScopeNames(), " "),
			"level": fmt.Sprint(c.Level), "fapi": fmt.Sprint(c.FAPI)}}
	if err := s.store.InsertClient(ctx, c, ev); err != nil {
		return Created{}, fmt.Errorf("create client: %w", err)
	}
	return Created{Client: c, Secret: secret}, nil
}

// ResetSecret replaces a client's secret; the old one stops working.
func (s *Service) ResetSecret(ctx context.Context, actor identity.Actor, id string) (string, error) {
	c, err := s.store.Client(ctx, id)
	if err != nil {
		return "", err
	}
	if err := CanManageClients(actor, c.Entity); err != nil {
		return "", err
	}
	if c.AuthMethod != SecretBasic {
		return "", invalid("auth_method", "clients.invalid.auth", "the client authenticates with private_key_jwt")
	}
	secret := randomSecret()
	c.SecretHash = HashSecret(secret)
	c.UpdatedAt = s.now().UTC()
	ev := audit.Event{At: c.UpdatedAt, Action: "client.secret_reset", Actor: actor.Account.ID,
		ActorEntity: actor.Account.Entity, Detail: map[string]string{"client": c.ID}}
	if err := s.store.UpdateClient(ctx, c, ev); err != nil {
		return "", fmt.Errorf("reset secret: %w", err)
	}
	return secret, nil
}

// Client returns a client by ID.
func (s *Service) Client(ctx context.Context, id string) (Client, error) {
	return s.store.Client(ctx, id)
}

// ClientsOf lists entity's clients for actor.
func (s *Service) ClientsOf(ctx context.Context, actor identity.Actor, entity string) ([]Client, error) {
	if err := CanManageClients(actor, entity); err != nil {
		return nil, err
	}
	return s.store.ClientsOf(ctx, entity)
}

// HashSecret is the stored form of a client secret. Secrets are 256-bit
// random values, so a fast hash is enough: there is nothing to guess.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// SecretMatches compares a presented secret with the stored hash in
// constant time.
func (c Client) SecretMatches(secret string) bool {
	if c.SecretHash == "" || secret == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(HashSecret(secret)), []byte(c.SecretHash)) == 1
}

// PairwiseSubject is the subject identifier entity receives for account:
// stable for the entity, unlinkable across entities.
func (s *Service) PairwiseSubject(entity, accountID string) string {
	m := hmac.New(sha256.New, s.pairwiseKey)
	m.Write([]byte("oneaccount pairwise sub\x00" + entity + "\x00" + accountID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Consent returns the account's consent for a client; a missing consent is
// an empty one.
func (s *Service) Consent(ctx context.Context, accountID, clientID string) (Consent, error) {
	c, err := s.store.Consent(ctx, accountID, clientID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return Consent{AccountID: accountID, ClientID: clientID}, nil
	}
	return c, err
}

// Grant records that the account released scopes to the client, adding to
// what it released before.
func (s *Service) Grant(ctx context.Context, accountID string, c Client, scopes []string) error {
	prev, err := s.Consent(ctx, accountID, c.ID)
	if err != nil {
		return err
	}
	all := slices.Clone(prev.Scopes)
	for _, sc := range scopes {
		if !slices.Contains(all, sc) {
			all = append(all, sc)
		}
	}
	slices.Sort(all)
	ev := audit.Event{At: s.now().UTC(), Action: "consent.grant", Actor: accountID, Subject: accountID,
		Detail: map[string]string{"client": c.ID, "scopes": strings.Join(all, " ")}}
	return s.store.SaveConsent(ctx, Consent{AccountID: accountID, ClientID: c.ID, Scopes: all, GrantedAt: s.now().UTC()}, ev)
}

// Consents lists the account's consents with their clients.
func (s *Service) Consents(ctx context.Context, accountID string) ([]ConsentView, error) {
	cs, err := s.store.ConsentsOf(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]ConsentView, 0, len(cs))
	for _, c := range cs {
		cl, err := s.store.Client(ctx, c.ClientID)
		if err != nil {
			return nil, err
		}
		out = append(out, ConsentView{Consent: c, Client: cl})
	}
	return out, nil
}

// Revoke withdraws the account's consent for a client and ends the
// client's tokens for the account.
func (s *Service) Revoke(ctx context.Context, accountID, clientID string) error {
	if _, err := s.store.Consent(ctx, accountID, clientID); err != nil {
		return err
	}
	ev := audit.Event{At: s.now().UTC(), Action: "consent.revoke", Actor: accountID, Subject: accountID,
		Detail: map[string]string{"client": clientID}}
	return s.store.RevokeConsent(ctx, accountID, clientID, ev)
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Seed registers c with a given ID and secret unless a client with that ID
// exists. Only the demo data uses it: real clients get random IDs and
// secrets from Create.
func (s *Service) Seed(ctx context.Context, c Client, secret string) error {
	if _, err := s.store.Client(ctx, c.ID); err == nil {
		return nil
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if secret != "" {
		c.SecretHash = HashSecret(secret)
	}
	c.CreatedAt = s.now().UTC()
	c.UpdatedAt = c.CreatedAt
	ev := audit.Event{At: c.CreatedAt, Action: "client.create", Detail: map[string]string{"client": c.ID, "entity": c.Entity}}
	return s.store.InsertClient(ctx, c, ev)
}
