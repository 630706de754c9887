package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/keyring"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

func testKeys(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, *sqlstore.Store){
		"RoundTrip":           testKeysRoundTrip,
		"RetireOthers":        testKeysRetireOthers,
		"PendingConflict":     testKeysPendingConflict,
		"RacingRotations":     testKeysRacingRotations,
		"DeleteRetired":       testKeysDeleteRetired,
		"DuplicateID":         testKeysDuplicateID,
		"RefusedInsertIsNoOp": testKeysRefusedInsertIsNoOp,
	}
	runEach(t, open, tests)
}

// keyNow is a fixed instant in whole seconds.
var keyNow = time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)

// testKey returns a key of alg created at created and signing from from.
// The key material is a placeholder: the store does not read it.
func testKey(id, alg string, created, from time.Time) keyring.Key {
	return keyring.Key{ID: id, Alg: alg, PublicJWK: []byte(`{"kty":"EC","kid":"` + id + `"}`),
		PrivateSealed: "v1.sealed-" + id, CreatedAt: created, ActiveFrom: from}
}

// keysByID reads every key, failing the test on error.
func keysByID(t *testing.T, s *sqlstore.Store) map[string]keyring.Key {
	t.Helper()
	keys, err := s.SigningKeys(context.Background())
	if err != nil {
		t.Fatalf("SigningKeys: %v", err)
	}
	m := map[string]keyring.Key{}
	for _, k := range keys {
		m[k.ID] = k
	}
	return m
}

func mustInsertKey(t *testing.T, s *sqlstore.Store, k keyring.Key, retireOthersAt time.Time) {
	t.Helper()
	if err := s.InsertSigningKey(context.Background(), k, retireOthersAt); err != nil {
		t.Fatalf("insert key %s: %v", k.ID, err)
	}
}

func sameKey(a, b keyring.Key) bool {
	return a.ID == b.ID && a.Alg == b.Alg && string(a.PublicJWK) == string(b.PublicJWK) &&
		a.PrivateSealed == b.PrivateSealed && a.CreatedAt.Equal(b.CreatedAt) && a.ActiveFrom.Equal(b.ActiveFrom) &&
		a.RetireAt.Equal(b.RetireAt)
}

func testKeysRoundTrip(t *testing.T, s *sqlstore.Store) {
	if got := keysByID(t, s); len(got) != 0 {
		t.Fatalf("fresh store has %d keys, want none", len(got))
	}
	in := []keyring.Key{
		testKey("es-1", keyring.ES256, keyNow, keyNow),
		testKey("rs-1", keyring.RS256, keyNow.Add(time.Second), keyNow.Add(time.Minute)),
	}
	for _, k := range in {
		mustInsertKey(t, s, k, keyNow.Add(time.Hour))
	}
	got := keysByID(t, s)
	if len(got) != 2 {
		t.Fatalf("SigningKeys = %d keys, want 2", len(got))
	}
	for _, want := range in {
		if k := got[want.ID]; !sameKey(k, want) || k.CreatedAt.Location() != time.UTC {
			t.Errorf("key read back = %+v, want %+v (in UTC)", k, want)
		}
	}
	bad := testKey("hs-1", "HS256", keyNow, keyNow)
	if err := s.InsertSigningKey(context.Background(), bad, keyNow); err == nil {
		t.Error("an HS256 key was stored; the schema should refuse it")
	}
}

// testKeysRetireOthers checks that an insert retires exactly the keys of
// its alg not yet retiring whose active_from is not after its own.
func testKeysRetireOthers(t *testing.T, s *sqlstore.Store) {
	early, retireOld := keyNow.Add(-2*time.Hour), keyNow.Add(-time.Hour+5*time.Minute)
	mustInsertKey(t, s, testKey("es-old", keyring.ES256, early, early), early)
	mustInsertKey(t, s, testKey("es-cur", keyring.ES256, keyNow.Add(-time.Hour), keyNow.Add(-time.Hour)), retireOld)
	mustInsertKey(t, s, testKey("es-later", keyring.ES256, keyNow.Add(-time.Minute), keyNow.Add(-time.Minute)),
		keyNow.Add(time.Hour))
	mustInsertKey(t, s, testKey("rs-cur", keyring.RS256, early, early), early)
	// A back-dated key (active before it was created) leaves es-later,
	// which activated after it, alone.
	retireAt := keyNow.Add(70 * time.Minute)
	mustInsertKey(t, s, testKey("es-new", keyring.ES256, keyNow, keyNow.Add(-30*time.Minute)), retireAt)

	got := keysByID(t, s)
	want := map[string]time.Time{
		"es-old":   retireOld,             // set by es-cur's insert, not moved
		"es-cur":   keyNow.Add(time.Hour), // set by es-later's insert, not moved
		"es-later": {},                    // active after es-new: not retired
		"rs-cur":   {},                    // another alg
		"es-new":   {},                    // the inserted key itself
	}
	for id, at := range want {
		if k, ok := got[id]; !ok || !k.RetireAt.Equal(at) {
			t.Errorf("%s: retire_at = %v (present %v), want %v", id, k.RetireAt, ok, at)
		}
	}

	mustInsertKey(t, s, testKey("es-next", keyring.ES256, keyNow.Add(time.Minute), keyNow.Add(11*time.Minute)), retireAt)
	got = keysByID(t, s)
	for _, id := range []string{"es-later", "es-new"} {
		if !got[id].RetireAt.Equal(retireAt) {
			t.Errorf("after a regular rotation %s retires at %v, want %v", id, got[id].RetireAt, retireAt)
		}
	}
	if !got["es-next"].RetireAt.IsZero() || !got["rs-cur"].RetireAt.IsZero() {
		t.Errorf("the new key or the other alg was retired: %+v, %+v", got["es-next"], got["rs-cur"])
	}
}

func testKeysPendingConflict(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustInsertKey(t, s, testKey("es-1", keyring.ES256, keyNow, keyNow), keyNow)
	mustInsertKey(t, s, testKey("rs-1", keyring.RS256, keyNow, keyNow), keyNow)
	pendingUntil := keyNow.Add(11 * time.Minute)
	mustInsertKey(t, s, testKey("es-2", keyring.ES256, keyNow.Add(time.Minute), pendingUntil), pendingUntil.Add(time.Hour))

	err := s.InsertSigningKey(ctx, testKey("es-3", keyring.ES256, keyNow.Add(2*time.Minute), keyNow.Add(12*time.Minute)),
		keyNow.Add(2*time.Hour))
	wantCode(t, "rotate while a key is pending", err, apperr.Conflict)
	justBefore := pendingUntil.Add(-time.Second)
	err = s.InsertSigningKey(ctx, testKey("es-3", keyring.ES256, justBefore, justBefore), keyNow.Add(2*time.Hour))
	wantCode(t, "insert a second before the pending key activates", err, apperr.Conflict)
	mustInsertKey(t, s, testKey("rs-2", keyring.RS256, keyNow.Add(2*time.Minute), keyNow.Add(12*time.Minute)),
		keyNow.Add(2*time.Hour))
	later := pendingUntil // es-2 signs from this instant: no longer pending
	mustInsertKey(t, s, testKey("es-4", keyring.ES256, later, later.Add(10*time.Minute)), later.Add(70*time.Minute))
	if got := keysByID(t, s); len(got) != 5 {
		t.Errorf("stored keys = %d, want 5 (es-3 refused twice)", len(got))
	}
}

// testKeysRefusedInsertIsNoOp checks that a refused insert retires nothing.
func testKeysRefusedInsertIsNoOp(t *testing.T, s *sqlstore.Store) {
	mustInsertKey(t, s, testKey("es-0", keyring.ES256, keyNow.Add(-time.Hour), keyNow.Add(-time.Hour)), keyNow)
	mustInsertKey(t, s, testKey("es-1", keyring.ES256, keyNow, keyNow.Add(time.Hour)), keyNow.Add(2*time.Hour))
	before := keysByID(t, s)
	err := s.InsertSigningKey(context.Background(), testKey("es-2", keyring.ES256, keyNow, keyNow.Add(2*time.Hour)),
		keyNow.Add(3*time.Hour))
	wantCode(t, "insert behind a pending key", err, apperr.Conflict)
	after := keysByID(t, s)
	for id, k := range before {
		if !sameKey(after[id], k) {
			t.Errorf("refused insert changed %s: %+v, was %+v", id, after[id], k)
		}
	}
	if len(after) != len(before) {
		t.Errorf("refused insert left %d keys, want %d", len(after), len(before))
	}
}

// testKeysRacingRotations races rotations of one alg: exactly one wins,
// the others are refused because its key is pending.
func testKeysRacingRotations(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	mustInsertKey(t, s, testKey("es-0", keyring.ES256, keyNow, keyNow), keyNow)
	created := keyNow.Add(time.Minute)
	var wins, conflicts atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			k := testKey(fmt.Sprintf("es-race-%d", i), keyring.ES256, created, created.Add(10*time.Minute))
			err := s.InsertSigningKey(ctx, k, created.Add(70*time.Minute))
			switch {
			case err == nil:
				wins.Add(1)
			case apperr.CodeOf(err) == apperr.Conflict:
				conflicts.Add(1)
			default:
				t.Errorf("insert %s: %v", k.ID, err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || conflicts.Load() != 7 {
		t.Errorf("8 racing rotations: %d won, %d refused; want 1 and 7", wins.Load(), conflicts.Load())
	}
	if got := keysByID(t, s); len(got) != 2 {
		t.Errorf("stored keys after the race = %d, want 2", len(got))
	}
}

func testKeysDeleteRetired(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	// Each insert retires the keys before it at the given instant.
	steps := []struct {
		id     string
		retire time.Time
	}{
		{"es-a", keyNow},
		{"es-b", keyNow.Add(-time.Second)}, // retires es-a a second ago
		{"es-c", keyNow},                   // retires es-b exactly now
		{"es-d", keyNow.Add(time.Minute)},  // retires es-c in a minute
	}
	for i, st := range steps {
		at := keyNow.Add(time.Duration(i-10) * time.Hour)
		mustInsertKey(t, s, testKey(st.id, keyring.ES256, at, at), st.retire)
	}
	mustInsertKey(t, s, testKey("rs-a", keyring.RS256, keyNow, keyNow), keyNow)
	n, err := s.DeleteRetiredSigningKeys(ctx, keyNow)
	if err != nil || n != 1 {
		t.Fatalf("DeleteRetiredSigningKeys = %d, %v; want 1 (only es-a retired before now)", n, err)
	}
	got := keysByID(t, s)
	if _, ok := got["es-a"]; ok || len(got) != 4 {
		t.Errorf("keys after sweep = %v; want es-b, es-c, es-d and rs-a", got)
	}
	if n, err := s.DeleteRetiredSigningKeys(ctx, keyNow.Add(2*time.Minute)); err != nil || n != 2 {
		t.Errorf("second sweep = %d, %v; want es-b and es-c", n, err)
	}
}

func testKeysDuplicateID(t *testing.T, s *sqlstore.Store) {
	mustInsertKey(t, s, testKey("dup", keyring.ES256, keyNow, keyNow), keyNow)
	err := s.InsertSigningKey(context.Background(), testKey("dup", keyring.RS256, keyNow, keyNow), keyNow)
	wantCode(t, "insert a second key with the same ID", err, apperr.Conflict)
}
