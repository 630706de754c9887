package keyring

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// memStore is an in-memory Store with the semantics the SQL stores have.
type memStore struct {
	mu    sync.Mutex
	keys  map[string]Key
	reads int // SigningKeys calls
	fail  error
	// beforeInsert, when set, runs at the start of the next insert, outside
	// the lock, then is cleared: it lets a test interleave another node.
	beforeInsert func()
}

func newMemStore() *memStore { return &memStore{keys: map[string]Key{}} }

func (m *memStore) SigningKeys(context.Context) ([]Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	if m.fail != nil {
		return nil, m.fail
	}
	out := make([]Key, 0, len(m.keys))
	for _, k := range m.keys {
		out = append(out, k)
	}
	return out, nil
}

func (m *memStore) InsertSigningKey(_ context.Context, k Key, retireOthersAt time.Time) error {
	m.mu.Lock()
	hook := m.beforeInsert
	m.beforeInsert = nil
	m.mu.Unlock()
	if hook != nil {
		hook()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.keys[k.ID]; dup {
		return apperr.New(apperr.Conflict, "duplicate key ID")
	}
	for _, o := range m.keys {
		if o.Alg == k.Alg && o.ActiveFrom.After(k.CreatedAt) {
			return apperr.New(apperr.Conflict, "a %s key is pending", k.Alg)
		}
	}
	for id, o := range m.keys {
		if o.Alg == k.Alg && o.RetireAt.IsZero() && !o.ActiveFrom.After(k.ActiveFrom) {
			o.RetireAt = retireOthersAt
			m.keys[id] = o
		}
	}
	m.keys[k.ID] = k
	return nil
}

func (m *memStore) DeleteRetiredSigningKeys(_ context.Context, now time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, k := range m.keys {
		if !k.RetireAt.IsZero() && k.RetireAt.Before(now) {
			delete(m.keys, id)
			n++
		}
	}
	return n, nil
}

func (m *memStore) readCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reads
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

var (
	start = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	kek   = bytes.Repeat([]byte{7}, 32)
)

func newRing(t *testing.T, st Store, c *clock, key []byte) *Ring {
	t.Helper()
	r, err := New(st, key, c.now, Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// setup returns an ensured ring over a fresh store at start.
func setup(t *testing.T) (*Ring, *memStore, *clock) {
	t.Helper()
	st, c := newMemStore(), &clock{t: start}
	r := newRing(t, st, c, kek)
	if err := r.Ensure(context.Background()); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	return r, st, c
}

func kidOf(t *testing.T, r *Ring, alg string) string {
	t.Helper()
	kid, _, err := r.Signer(context.Background(), alg)
	if err != nil {
		t.Fatalf("Signer(%s): %v", alg, err)
	}
	return kid
}

func published(t *testing.T, r *Ring) map[string]jose.JSONWebKey {
	t.Helper()
	set, err := r.PublicKeys(context.Background())
	if err != nil {
		t.Fatalf("PublicKeys: %v", err)
	}
	m := map[string]jose.JSONWebKey{}
	for _, k := range set.Keys {
		m[k.KeyID] = k
	}
	return m
}

func TestNew_RejectsShortKEK(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := New(newMemStore(), make([]byte, n), nil, Options{}); err == nil {
			t.Errorf("New with a %d-byte key-encryption key succeeded", n)
		}
	}
}

func TestEnsure_CreatesOneKeyPerAlg(t *testing.T) {
	r, st, c := setup(t)
	if len(st.keys) != 2 {
		t.Fatalf("Ensure stored %d keys, want 2", len(st.keys))
	}
	pub := published(t, r)
	for _, alg := range Algs {
		kid := kidOf(t, r, alg)
		k := st.keys[kid]
		if k.Alg != alg || !k.ActiveFrom.Equal(start) || !k.CreatedAt.Equal(start) || !k.RetireAt.IsZero() {
			t.Errorf("%s key = %+v; want active from %v, not retiring", alg, k, start)
		}
		if !strings.HasPrefix(k.PrivateSealed, "v1.") || len(kid) != 22 || strings.ContainsAny(kid, "+/=") {
			t.Errorf("%s key: kid %q, sealed %.10q; want 22 URL-safe characters and a v1. record", alg, kid, k.PrivateSealed)
		}
		j := pub[kid]
		if j.Algorithm != alg || j.Use != "sig" || !j.IsPublic() {
			t.Errorf("published %s JWK = alg %q use %q public %v", alg, j.Algorithm, j.Use, j.IsPublic())
		}
	}
	ec := pub[kidOf(t, r, ES256)].Key.(*ecdsa.PublicKey)
	rs := pub[kidOf(t, r, RS256)].Key.(*rsa.PublicKey)
	if ec.Curve != elliptic.P256() || rs.N.BitLen() != 2048 {
		t.Errorf("key sizes: EC curve %s, RSA %d bits; want P-256 and 2048", ec.Curve.Params().Name, rs.N.BitLen())
	}

	c.add(time.Hour)
	if err := r.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(st.keys) != 2 {
		t.Errorf("a second Ensure left %d keys, want still 2", len(st.keys))
	}
}

func TestRotate_PublishesThenSigns(t *testing.T) {
	r, st, c := setup(t)
	ctx := context.Background()
	oldKID := kidOf(t, r, ES256)
	rsKID := kidOf(t, r, RS256)
	c.add(5 * time.Minute)
	k, err := r.Rotate(ctx, ES256)
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if want := start.Add(5*time.Minute + DefaultPublishLead); !k.ActiveFrom.Equal(want) {
		t.Errorf("new key active from %v, want %v", k.ActiveFrom, want)
	}
	retireAt := k.ActiveFrom.Add(DefaultRetireAfter)
	if got := st.keys[oldKID].RetireAt; !got.Equal(retireAt) {
		t.Errorf("old key retires at %v, want %v", got, retireAt)
	}
	if !st.keys[rsKID].RetireAt.IsZero() {
		t.Error("rotating ES256 retired the RS256 key")
	}
	if _, ok := published(t, r)[k.ID]; !ok {
		t.Error("the pending key is not published")
	}
	if got := StateOf(st.keys[k.ID], r.keysForTest(), c.now()); got != Pending {
		t.Errorf("new key state = %s, want pending", got)
	}

	c.set(k.ActiveFrom.Add(-time.Nanosecond))
	if got := kidOf(t, r, ES256); got != oldKID {
		t.Errorf("just before ActiveFrom the signer is %s, want the old key %s", got, oldKID)
	}
	c.set(k.ActiveFrom)
	if got := kidOf(t, r, ES256); got != k.ID {
		t.Errorf("at ActiveFrom the signer is %s, want the new key %s", got, k.ID)
	}
	if got := kidOf(t, r, RS256); got != rsKID {
		t.Errorf("the RS256 signer changed to %s", got)
	}
	if got := StateOf(st.keys[oldKID], r.keysForTest(), c.now()); got != Retiring {
		t.Errorf("old key state after the switch = %s, want retiring", got)
	}

	c.set(retireAt)
	if n, err := r.Sweep(ctx); err != nil || n != 0 {
		t.Errorf("Sweep at RetireAt = %d, %v; want nothing removed yet", n, err)
	}
	if _, ok := published(t, r)[oldKID]; !ok {
		t.Error("the old key left the JWKS before RetireAt passed")
	}
	c.set(retireAt.Add(time.Second))
	if got := StateOf(st.keys[oldKID], r.keysForTest(), c.now()); got != Retired {
		t.Errorf("old key state after RetireAt = %s, want retired", got)
	}
	if n, err := r.Sweep(ctx); err != nil || n != 1 {
		t.Errorf("Sweep after RetireAt = %d, %v; want the old key removed", n, err)
	}
	pub := published(t, r)
	if _, ok := pub[oldKID]; ok || len(pub) != 2 {
		t.Errorf("after Sweep the JWKS holds %d keys (old key present: %v); want the 2 current ones", len(pub), ok)
	}
}

func TestRotate_RefusedWhilePending(t *testing.T) {
	r, st, c := setup(t)
	ctx := context.Background()
	k, err := r.Rotate(ctx, RS256)
	if err != nil {
		t.Fatal(err)
	}
	c.add(DefaultPublishLead - time.Second)
	_, err = r.Rotate(ctx, RS256)
	if apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("second Rotate while one is pending: %v; want a Conflict", err)
	}
	if _, err := r.Rotate(ctx, ES256); err != nil {
		t.Errorf("rotating the other alg meanwhile: %v", err)
	}
	c.set(k.ActiveFrom)
	if _, err := r.Rotate(ctx, RS256); err != nil {
		t.Errorf("Rotate once the pending key signs: %v", err)
	}
	if len(st.keys) != 5 {
		t.Errorf("stored keys = %d, want 5", len(st.keys))
	}
	_, err = r.Rotate(ctx, "HS256")
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("Rotate(HS256) = %v, want Invalid", err)
	}
}

func TestRotate_FirstKeySignsAtOnce(t *testing.T) {
	st, c := newMemStore(), &clock{t: start}
	r := newRing(t, st, c, kek)
	k, err := r.Rotate(context.Background(), ES256)
	if err != nil {
		t.Fatal(err)
	}
	if !k.ActiveFrom.Equal(start) || kidOf(t, r, ES256) != k.ID {
		t.Errorf("first key active from %v, want %v and signing now", k.ActiveFrom, start)
	}
	if _, _, err := r.Signer(context.Background(), RS256); apperr.CodeOf(err) != apperr.Unavailable {
		t.Errorf("Signer(RS256) with no RS256 key = %v, want Unavailable", err)
	}
}

func TestWrongKEK(t *testing.T) {
	_, st, c := setup(t)
	other := newRing(t, st, c, bytes.Repeat([]byte{8}, 32))
	kid, _, err := other.Signer(context.Background(), ES256)
	if err == nil || !errors.Is(err, ErrUnseal) {
		t.Fatalf("Signer under the wrong key = %q, %v; want ErrUnseal", kid, err)
	}
	var id string
	for _, k := range st.keys {
		if k.Alg == ES256 {
			id = k.ID
		}
	}
	if !strings.Contains(err.Error(), id) {
		t.Errorf("error %q does not name the key %s", err, id)
	}
	if err := other.Ensure(context.Background()); !errors.Is(err, ErrUnseal) {
		t.Errorf("Ensure under the wrong key = %v; want it to fail with ErrUnseal", err)
	}
}

func TestSealedKeyIsBoundToItsID(t *testing.T) {
	r, st, c := setup(t)
	fresh := newRing(t, st, c, kek)
	es, rs := kidOf(t, r, ES256), kidOf(t, r, RS256)
	k := st.keys[rs]
	k.PrivateSealed = st.keys[es].PrivateSealed
	st.keys[rs] = k
	if _, _, err := fresh.Signer(context.Background(), RS256); !errors.Is(err, ErrUnseal) || !strings.Contains(err.Error(), rs) {
		t.Errorf("Signer with another key's sealed record = %v; want ErrUnseal naming %s", err, rs)
	}
	k.PrivateSealed = "v2.whatever"
	st.keys[rs] = k
	if _, _, err := fresh.Signer(context.Background(), RS256); err == nil || !strings.Contains(err.Error(), rs) {
		t.Errorf("Signer with an unknown record version = %v; want an error naming %s", err, rs)
	}
}

// opaque signs the way go-oidc uses a SignerFunc: it hashes the payload
// and hands the digest to the crypto.Signer.
type opaque struct {
	kid, alg string
	s        crypto.Signer
}

func (o opaque) Public() *jose.JSONWebKey {
	return &jose.JSONWebKey{KeyID: o.kid, Key: o.s.Public(), Algorithm: o.alg}
}

func (o opaque) Algs() []jose.SignatureAlgorithm {
	return []jose.SignatureAlgorithm{jose.SignatureAlgorithm(o.alg)}
}

func (o opaque) SignPayload(payload []byte, _ jose.SignatureAlgorithm) ([]byte, error) {
	d := sha256.Sum256(payload)
	return o.s.Sign(rand.Reader, d[:], crypto.SHA256)
}

func TestSignaturesVerifyWithPublishedKeys(t *testing.T) {
	r, _, _ := setup(t)
	for _, alg := range Algs {
		t.Run(alg, func(t *testing.T) {
			kid, s, err := r.Signer(context.Background(), alg)
			if err != nil {
				t.Fatal(err)
			}
			sa := jose.SignatureAlgorithm(alg)
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: sa, Key: opaque{kid, alg, s}},
				(&jose.SignerOptions{}).WithHeader(jose.HeaderKey("kid"), kid))
			if err != nil {
				t.Fatal(err)
			}
			jws, err := signer.Sign([]byte(`{"sub":"resident-1"}`))
			if err != nil {
				t.Fatal(err)
			}
			compact, err := jws.CompactSerialize()
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := jose.ParseSigned(compact, []jose.SignatureAlgorithm{sa})
			if err != nil {
				t.Fatal(err)
			}
			jwk := published(t, r)[parsed.Signatures[0].Header.KeyID]
			got, err := parsed.Verify(jwk)
			if err != nil || string(got) != `{"sub":"resident-1"}` {
				t.Errorf("verify with the published key %s: %q, %v", jwk.KeyID, got, err)
			}
			if other := published(t, r)[kidOf(t, r, otherAlg(alg))]; other.Key != nil {
				if _, err := parsed.Verify(other); err == nil {
					t.Error("the signature verified with the other algorithm's key")
				}
			}
		})
	}
}

func otherAlg(alg string) string {
	if alg == ES256 {
		return RS256
	}
	return ES256
}

func TestCache_ReadsTheStoreOnlyWhenDue(t *testing.T) {
	r, st, c := setup(t)
	reads := st.readCount()
	for range 100 {
		kidOf(t, r, ES256)
		published(t, r)
	}
	if n := st.readCount() - reads; n != 0 {
		t.Errorf("100 Signer and PublicKeys calls read the store %d times, want 0", n)
	}
	c.add(DefaultReload - time.Nanosecond)
	kidOf(t, r, ES256)
	if n := st.readCount() - reads; n != 0 {
		t.Errorf("a call before Reload elapsed read the store %d times, want 0", n)
	}
	c.add(time.Nanosecond)
	for range 10 {
		kidOf(t, r, RS256)
	}
	if n := st.readCount() - reads; n != 1 {
		t.Errorf("calls once Reload elapsed read the store %d times, want 1", n)
	}
}

func TestCache_SeesOtherNodesRotationAfterReload(t *testing.T) {
	r, st, c := setup(t)
	other := newRing(t, st, c, kek)
	k, err := other.Rotate(context.Background(), ES256)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := published(t, r)[k.ID]; ok {
		t.Error("the cache re-read the store before Reload elapsed")
	}
	c.add(DefaultReload)
	if _, ok := published(t, r)[k.ID]; !ok {
		t.Error("another node's new key is not published after Reload")
	}
}

func TestCache_ServesStaleKeysWhileTheStoreIsDown(t *testing.T) {
	r, st, c := setup(t)
	kid := kidOf(t, r, ES256)
	st.mu.Lock()
	st.fail = errors.New("database down")
	st.mu.Unlock()
	c.add(DefaultReload)
	if got, _, err := r.Signer(context.Background(), ES256); err != nil || got != kid {
		t.Errorf("Signer with the store down, cache fresh enough = %q, %v; want the cached key", got, err)
	}
	c.add(DefaultPublishLead)
	if _, _, err := r.Signer(context.Background(), ES256); err == nil {
		t.Error("Signer kept serving keys older than PublishLead with the store down")
	}
}

// TestEnsure_TwoNodesStartingTogether interleaves two nodes' Ensure: the
// second node's insert lands after the first node created both keys.
func TestEnsure_TwoNodesStartingTogether(t *testing.T) {
	ctx := context.Background()
	for _, skew := range []time.Duration{0, 2 * time.Second} {
		t.Run(fmt.Sprintf("skew %v", skew), func(t *testing.T) {
			st := newMemStore()
			ca, cb := &clock{t: start.Add(skew)}, &clock{t: start}
			a, b := newRing(t, st, ca, kek), newRing(t, st, cb, kek)
			var errA error
			st.beforeInsert = func() { errA = a.Ensure(ctx) }
			if err := b.Ensure(ctx); err != nil {
				t.Fatalf("second node's Ensure: %v", err)
			}
			if errA != nil {
				t.Fatalf("first node's Ensure: %v", errA)
			}
			ca.add(DefaultReload + skew)
			cb.add(DefaultReload + skew)
			for _, alg := range Algs {
				ka, kb := kidOf(t, a, alg), kidOf(t, b, alg)
				if ka != kb || !st.keys[ka].RetireAt.IsZero() {
					t.Errorf("%s: nodes sign with %s and %s; want the same key, not retiring", alg, ka, kb)
				}
				live := 0
				for _, k := range st.keys {
					if k.Alg == alg && k.RetireAt.IsZero() {
						live++
					}
				}
				if live != 1 {
					t.Errorf("%s: %d keys not retiring, want 1", alg, live)
				}
			}
		})
	}
}

func TestStateOf(t *testing.T) {
	k := func(id string, from, retire time.Duration) Key {
		var r time.Time
		if retire != 0 {
			r = start.Add(retire)
		}
		return Key{ID: id, Alg: ES256, ActiveFrom: start.Add(from), RetireAt: r}
	}
	keys := []Key{k("old", -2*time.Hour, -time.Minute), k("prev", -time.Hour, time.Hour), k("cur", -time.Minute, 0),
		k("next", time.Minute, 0), {ID: "rs", Alg: RS256, ActiveFrom: start.Add(-time.Hour)}}
	want := map[string]State{"old": Retired, "prev": Retiring, "cur": Active, "next": Pending, "rs": Active}
	for _, key := range keys {
		if got := StateOf(key, keys, start); got != want[key.ID] {
			t.Errorf("StateOf(%s) = %s, want %s", key.ID, got, want[key.ID])
		}
	}
	// While its successor is pending, a retiring key still signs.
	if got := StateOf(keys[1], keys[1:2], start); got != Active {
		t.Errorf("StateOf(prev) alone = %s, want active", got)
	}
}

// keysForTest returns the cached keys.
func (r *Ring) keysForTest() []Key { return r.snap.Load().keys }
