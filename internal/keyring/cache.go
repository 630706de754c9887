package keyring

import (
	"context"
	"crypto"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// snapshot is the key set as last read from the store. It is never
// modified once published; a reload replaces it whole.
type snapshot struct {
	keys   []Key // sorted by sortKeys
	jwks   jose.JSONWebKeySet
	loaded time.Time // when the keys were read
	next   time.Time // when to read them again
}

// current returns the cached snapshot, re-reading the store when it is
// due. The common path is one atomic load and one clock read.
func (r *Ring) current(ctx context.Context) (*snapshot, error) {
	if s := r.snap.Load(); s != nil && r.now().Before(s.next) {
		return s, nil
	}
	return r.reload(ctx, false)
}

// reload re-reads the store: always when force is set, otherwise only if
// no other caller did while this one waited for the lock. When the store
// fails, a snapshot younger than PublishLead is still served (no key can
// start signing without having been published that long) and the store is
// tried again after Reload.
func (r *Ring) reload(ctx context.Context, force bool) (*snapshot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.snap.Load()
	now := r.now()
	if !force && old != nil && now.Before(old.next) {
		return old, nil
	}
	keys, err := r.store.SigningKeys(ctx)
	if err != nil {
		if old != nil && !force && now.Sub(old.loaded) < r.opt.PublishLead {
			stale := *old
			stale.next = now.Add(r.opt.Reload)
			r.snap.Store(&stale)
			return &stale, nil
		}
		return nil, fmt.Errorf("load signing keys: %w", err)
	}
	s, err := newSnapshot(keys, now, r.opt.Reload)
	if err != nil {
		return nil, err
	}
	r.signers.Range(func(kid, _ any) bool {
		if !s.has(kid.(string)) {
			r.signers.Delete(kid)
		}
		return true
	})
	r.snap.Store(s)
	return s, nil
}

func newSnapshot(keys []Key, now time.Time, every time.Duration) (*snapshot, error) {
	keys = append([]Key(nil), keys...)
	sortKeys(keys)
	s := &snapshot{keys: keys, loaded: now, next: now.Add(every)}
	for _, k := range keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(k.PublicJWK); err != nil {
			return nil, fmt.Errorf("signing key %s: public JWK: %w", k.ID, err)
		}
		if jwk.KeyID != k.ID || jwk.Algorithm != k.Alg || !jwk.IsPublic() {
			return nil, fmt.Errorf("signing key %s: public JWK does not match the key (kid %q, alg %q)",
				k.ID, jwk.KeyID, jwk.Algorithm)
		}
		s.jwks.Keys = append(s.jwks.Keys, jwk)
	}
	return s, nil
}

func (s *snapshot) has(kid string) bool {
	for _, k := range s.keys {
		if k.ID == kid {
			return true
		}
	}
	return false
}

// signer returns k's decrypted private key, decrypting it on first use.
func (r *Ring) signer(k Key) (crypto.Signer, error) {
	if s, ok := r.signers.Load(k.ID); ok {
		return s.(crypto.Signer), nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.signers.Load(k.ID); ok {
		return s.(crypto.Signer), nil
	}
	s, err := r.unseal(k)
	if err != nil {
		return nil, err
	}
	r.signers.Store(k.ID, s)
	return s, nil
}
