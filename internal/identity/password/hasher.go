// Package password stores and checks account passwords.
//
// Hasher derives Argon2id hashes in the PHC string format
// ($argon2id$v=19$m=19456,t=2,p=1$salt$hash) and caps how many run at once,
// because each one holds Params.MemoryKiB of memory for its whole run. Policy
// checks a new password against the length rules and a blocklist of common
// passwords (NIST SP 800-63B, OWASP ASVS V2.1).
//
// Passwords are compared after Unicode NFKC normalisation: Hash, Verify,
// VerifyDummy and Policy.Check all normalise the same way, so the
// full-width "ｐａｓｓ" and the ASCII "pass", or a precomposed "é" and "e"
// followed by a combining accent, are the same password. Nothing is ever
// truncated.
//
// The package does no I/O apart from reading its embedded blocklist.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// maxInputBytes bounds the raw input Hash and Verify accept, so that NFKC
// normalisation and Argon2's pre-hash stay cheap. Policy.Check refuses far
// shorter passwords.
const maxInputBytes = 16 << 10

// Hasher hashes and verifies passwords with Argon2id. It is safe for
// concurrent use; at most maxConcurrent derivations run at a time, so its
// memory use is bounded by maxConcurrent × Params.MemoryKiB.
type Hasher struct {
	params Params
	sem    chan struct{}
	// dummySalt is the salt VerifyDummy derives with.
	dummySalt []byte
	// derive computes the hash; tests replace it to observe concurrency.
	derive func(pw, salt []byte, p Params) []byte
}

// NewHasher returns a Hasher that hashes new passwords with p and runs at
// most maxConcurrent Argon2id derivations at once; maxConcurrent < 1 means
// runtime.GOMAXPROCS(0). It fails if p is outside Params.Validate's bounds.
func NewHasher(p Params, maxConcurrent int) (*Hasher, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("password hasher: %w", err)
	}
	if maxConcurrent < 1 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	salt := make([]byte, p.SaltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails (Go ≥ 1.24).
	return &Hasher{params: p, sem: make(chan struct{}, maxConcurrent), dummySalt: salt, derive: argon2id}, nil
}

// argon2id derives a key of p.KeyLen bytes.
func argon2id(pw, salt []byte, p Params) []byte {
	return argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of pw (after NFKC normalisation) under a fresh
// random salt. It waits for a free slot; if ctx ends first it returns an
// apperr.Unavailable error.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	in, err := input(pw)
	if err != nil {
		return "", err
	}
	salt := make([]byte, h.params.SaltLen)
	_, _ = rand.Read(salt)
	key, err := h.run(ctx, in, salt, h.params)
	if err != nil {
		return "", err
	}
	return phc{params: h.params, salt: salt, hash: key}.encode(), nil
}

// Verify reports whether pw (after NFKC normalisation) matches the stored PHC
// string encoded, comparing in constant time. needsRehash is true when pw
// matched but encoded was made with parameters other than the Hasher's; the
// caller should then store a fresh Hash(pw). A corrupt or out-of-bounds
// encoded string is an error, as is ctx ending while waiting for a slot
// (apperr.Unavailable).
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (ok, needsRehash bool, err error) {
	stored, err := decode(encoded)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	in, err := input(pw)
	if err != nil {
		return false, false, err
	}
	key, err := h.run(ctx, in, stored.salt, stored.params)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(key, stored.hash) != 1 {
		return false, false, nil
	}
	return true, stored.params != h.params, nil
}

// VerifyDummy does the work of a Verify against a hash made with the
// Hasher's parameters and discards the result. Call it when the account does
// not exist, so that the response takes as long as for a real account. It
// returns an error only when Verify would have (input too long, ctx ended
// while waiting).
func (h *Hasher) VerifyDummy(ctx context.Context, pw string) error {
	in, err := input(pw)
	if err != nil {
		return err
	}
	key, err := h.run(ctx, in, h.dummySalt, h.params)
	if err != nil {
		return err
	}
	subtle.ConstantTimeCompare(key, key)
	return nil
}

// run derives a key once a concurrency slot is free.
func (h *Hasher) run(ctx context.Context, pw, salt []byte, p Params) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-h.sem }()
	return h.derive(pw, salt, p), nil
}

// acquire takes a slot, or fails with apperr.Unavailable when ctx ends
// first. A ctx that has already ended never starts a derivation.
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return busy(ctx)
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return busy(ctx)
	}
}

// busy is the error for a wait that ctx cut short.
func busy(ctx context.Context) error {
	return &apperr.Error{Code: apperr.Unavailable, Key: "password.busy",
		Detail: "password hashing is at capacity", Err: context.Cause(ctx)}
}

// Normalize returns pw in Unicode NFKC, the form that is hashed and that
// Policy.Check measures.
func Normalize(pw string) string { return norm.NFKC.String(pw) }

// input normalises pw for hashing, refusing absurdly long input.
func input(pw string) ([]byte, error) {
	if len(pw) > maxInputBytes {
		return nil, &apperr.Error{Code: apperr.Invalid, Field: "password", Key: "password.too_long",
			Detail: fmt.Sprintf("password of %d bytes exceeds %d", len(pw), maxInputBytes)}
	}
	return []byte(Normalize(pw)), nil
}
