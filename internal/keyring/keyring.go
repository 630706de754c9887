// Package keyring keeps the OpenID provider's signing keys: one ES256 and
// one RS256 key signing at a time, each published in the JWKS before it
// signs and kept there after its successor takes over, so relying parties
// holding a cached key set never meet an unknown key ID.
//
// Keys live in a Store shared by every node. Private keys are stored as
// PKCS#8 sealed with AES-256-GCM under a key-encryption key from the
// configuration, and decrypted in memory once. A Ring caches the key set
// and re-reads the store at most every Options.Reload, so signing a token
// never waits on the database. See docs/decisions/0015-signing-keys.md.
package keyring

import (
	"context"
	"crypto"
	"crypto/cipher"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// The supported signing algorithms.
const (
	ES256 = "ES256"
	RS256 = "RS256"
)

// Algs lists the supported algorithms; Ensure creates a key for each.
var Algs = []string{ES256, RS256}

// Key is one stored signing key.
type Key struct {
	ID  string
	Alg string
	// PublicJWK is the public key as a JSON Web Key, with kid, alg and use.
	PublicJWK []byte
	// PrivateSealed is the sealed PKCS#8 private key ("v1." + base64url).
	PrivateSealed string
	// CreatedAt is when the key was made and first published.
	CreatedAt time.Time
	// ActiveFrom is when the key starts signing.
	ActiveFrom time.Time
	// RetireAt is when the key retires: after it, Sweep deletes the key and
	// so removes it from the JWKS. Zero while the key is not retiring.
	RetireAt time.Time
}

// Store holds the signing keys of every node. Both SQL engines implement
// it; the conformance suite in store/storetest checks them.
type Store interface {
	// SigningKeys returns every stored key, in any order.
	SigningKeys(ctx context.Context) ([]Key, error)
	// InsertSigningKey stores k and, in the same transaction, sets
	// RetireAt = retireOthersAt on every other key of k's alg that is not
	// yet retiring and whose ActiveFrom is not after k.ActiveFrom. It
	// refuses with an apperr Conflict, checked inside the transaction, when
	// a key of that alg is pending: its ActiveFrom is after k.CreatedAt,
	// the moment of the insert.
	InsertSigningKey(ctx context.Context, k Key, retireOthersAt time.Time) error
	// DeleteRetiredSigningKeys deletes the keys whose RetireAt is before
	// now and returns how many it deleted.
	DeleteRetiredSigningKeys(ctx context.Context, now time.Time) (int, error)
}

// Options tune a Ring; zero fields take their defaults.
type Options struct {
	// PublishLead is how long a new key is published before it signs
	// (default 10m). Relying parties re-reading the JWKS less often than
	// this may briefly meet an unknown key ID.
	PublishLead time.Duration
	// RetireAfter is how long an old key stays published after its
	// successor starts signing (default 1h). It must exceed the longest
	// lifetime of a signed token.
	RetireAfter time.Duration
	// Reload is how often the in-memory key set is re-read (default 30s).
	Reload time.Duration
}

// The default Options.
const (
	DefaultPublishLead = 10 * time.Minute
	DefaultRetireAfter = time.Hour
	DefaultReload      = 30 * time.Second
)

// ErrUnseal is wrapped by the error of a private key that does not
// decrypt: the key-encryption key is wrong or the record was altered.
var ErrUnseal = errors.New("cannot decrypt signing key: wrong key-encryption key or altered record")

// Ring signs with the current key of each algorithm and publishes the key
// set. It is safe for concurrent use.
type Ring struct {
	store Store
	aead  cipher.AEAD
	now   func() time.Time
	opt   Options

	mu      sync.Mutex               // serialises reloads and decryption
	snap    atomic.Pointer[snapshot] // the cached key set
	signers sync.Map                 // key ID → crypto.Signer, decrypted once
}

// New returns a Ring over store. kek, the key-encryption key, must be 32
// bytes; now is the clock (nil for time.Now).
func New(store Store, kek []byte, now func() time.Time, opt Options) (*Ring, error) {
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	if opt.PublishLead <= 0 {
		opt.PublishLead = DefaultPublishLead
	}
	if opt.RetireAfter <= 0 {
		opt.RetireAfter = DefaultRetireAfter
	}
	if opt.Reload <= 0 {
		opt.Reload = DefaultReload
	}
	return &Ring{store: store, aead: aead, now: now, opt: opt}, nil
}

// Ensure readies the ring on start. For each algorithm without a live key
// (one not yet retired) it creates one that signs immediately; when
// another node starting at the same moment wins the race, the losing
// insert is ignored. It then decrypts every live key, so a wrong
// key-encryption key fails here rather than at the first token.
func (r *Ring) Ensure(ctx context.Context) error {
	s, err := r.reload(ctx, true)
	if err != nil {
		return err
	}
	now := r.stamp()
	for _, alg := range Algs {
		if hasLive(s.keys, alg, now) {
			continue
		}
		k, err := r.newKey(alg, now, now)
		if err != nil {
			return err
		}
		err = r.store.InsertSigningKey(ctx, k, now.Add(r.opt.RetireAfter))
		if err != nil && apperr.CodeOf(err) != apperr.Conflict {
			return fmt.Errorf("create %s signing key: %w", alg, err)
		}
	}
	if s, err = r.reload(ctx, true); err != nil {
		return err
	}
	for _, k := range s.keys {
		if !retired(k, now) {
			if _, err := r.signer(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// PublicKeys returns the public JWK (kid, alg, use "sig") of every stored
// key, pending and retiring ones included, from the cache.
func (r *Ring) PublicKeys(ctx context.Context) (jose.JSONWebKeySet, error) {
	s, err := r.current(ctx)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	return jose.JSONWebKeySet{Keys: slices.Clone(s.jwks.Keys)}, nil
}

// Signer returns the key that signs alg now: the newest one whose
// ActiveFrom has passed (preferring, after two nodes raced in Ensure, the
// one not retiring), read from the cache. For ES256 the signer's Sign returns the JWS form
// of the signature (R || S, 64 bytes, RFC 7518 section 3.4), not ASN.1, as
// go-oidc's SignerFunc expects; for RS256 it is PKCS #1 v1.5.
func (r *Ring) Signer(ctx context.Context, alg string) (kid string, s crypto.Signer, err error) {
	if err := checkAlg(alg); err != nil {
		return "", nil, err
	}
	snap, err := r.current(ctx)
	if err != nil {
		return "", nil, err
	}
	k, ok := signingKey(snap.keys, alg, r.now())
	if !ok {
		return "", nil, &apperr.Error{Code: apperr.Unavailable,
			Detail: fmt.Sprintf("no %s signing key is active; run `oneaccount keys rotate --alg %s`", alg, alg)}
	}
	s, err = r.signer(k)
	if err != nil {
		return "", nil, err
	}
	return k.ID, s, nil
}

// Rotate creates a new key of alg that is published now and signs from
// now + PublishLead; the keys it replaces retire RetireAfter after that.
// When no key of alg signs yet, the new key signs at once. A second
// rotation while a key of alg is still pending is refused with an apperr
// Conflict.
func (r *Ring) Rotate(ctx context.Context, alg string) (Key, error) {
	if err := checkAlg(alg); err != nil {
		return Key{}, err
	}
	s, err := r.reload(ctx, true)
	if err != nil {
		return Key{}, err
	}
	now := r.stamp()
	from := now.Add(r.opt.PublishLead)
	if _, ok := signingKey(s.keys, alg, now); !ok {
		from = now
	}
	k, err := r.newKey(alg, now, from)
	if err != nil {
		return Key{}, err
	}
	if err := r.store.InsertSigningKey(ctx, k, from.Add(r.opt.RetireAfter)); err != nil {
		return Key{}, fmt.Errorf("rotate %s: %w", alg, err)
	}
	// The key is stored: a failed refresh only delays this node seeing it
	// until the next reload, so it is not reported as a failed rotation.
	_, _ = r.reload(ctx, true)
	return k, nil
}

// List returns every stored key, read from the store, sorted by alg and
// then newest first.
func (r *Ring) List(ctx context.Context) ([]Key, error) {
	keys, err := r.store.SigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	sortKeys(keys)
	return keys, nil
}

// Sweep deletes the keys whose RetireAt has passed and returns how many.
func (r *Ring) Sweep(ctx context.Context) (int, error) {
	n, err := r.store.DeleteRetiredSigningKeys(ctx, r.now())
	if err != nil {
		return 0, fmt.Errorf("sweep signing keys: %w", err)
	}
	if n > 0 {
		_, _ = r.reload(ctx, true) // as in Rotate: the next reload catches up
	}
	return n, nil
}

// stamp returns now to the second, in UTC: the times a new key is given.
// Whole seconds survive both engines and read well in `keys list`.
func (r *Ring) stamp() time.Time { return r.now().UTC().Truncate(time.Second) }

func checkAlg(alg string) error {
	if alg != ES256 && alg != RS256 {
		return apperr.Invalidf("alg", "signing algorithm %q: want ES256 or RS256", alg)
	}
	return nil
}
