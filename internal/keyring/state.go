package keyring

import (
	"cmp"
	"slices"
	"time"
)

// State is where a key is in its life.
type State string

// The states of a key. Every stored key is in the JWKS: a Retired one until
// Sweep deletes it.
const (
	// Pending keys are published but do not sign until ActiveFrom.
	Pending State = "pending"
	// Active is the key that signs its alg now.
	Active State = "active"
	// Retiring keys no longer sign (or stop when their successor starts)
	// and stay published until RetireAt, for tokens they signed.
	Retiring State = "retiring"
	// Retired keys are past RetireAt and wait for Sweep.
	Retired State = "retired"
)

// StateOf returns k's state at now among keys, the whole key set (k
// included).
func StateOf(k Key, keys []Key, now time.Time) State {
	switch {
	case now.Before(k.ActiveFrom):
		return Pending
	case retired(k, now):
		return Retired
	}
	if s, ok := signingKey(keys, k.Alg, now); ok && s.ID == k.ID {
		return Active
	}
	return Retiring
}

// retired reports whether k's RetireAt has passed.
func retired(k Key, now time.Time) bool { return !k.RetireAt.IsZero() && now.After(k.RetireAt) }

// signingKey returns the key that signs alg at now. Candidates are the
// keys whose ActiveFrom has come and that are not retired; a key not
// retiring wins over one that is (so after two nodes raced to create the
// first key, both sign with the survivor), then the newest, then the
// greatest ID, so every node picks the same key.
func signingKey(keys []Key, alg string, now time.Time) (Key, bool) {
	var best Key
	found := false
	for _, k := range keys {
		if k.Alg != alg || now.Before(k.ActiveFrom) || retired(k, now) {
			continue
		}
		if !found || better(k, best) {
			best, found = k, true
		}
	}
	return best, found
}

func better(a, b Key) bool {
	if a.RetireAt.IsZero() != b.RetireAt.IsZero() {
		return a.RetireAt.IsZero()
	}
	if !a.ActiveFrom.Equal(b.ActiveFrom) {
		return a.ActiveFrom.After(b.ActiveFrom)
	}
	return a.ID > b.ID
}

// hasLive reports whether some key of alg is not retired: active,
// retiring or pending.
func hasLive(keys []Key, alg string, now time.Time) bool {
	return slices.ContainsFunc(keys, func(k Key) bool { return k.Alg == alg && !retired(k, now) })
}

// sortKeys orders keys by alg, then newest ActiveFrom first, then ID.
func sortKeys(keys []Key) {
	slices.SortFunc(keys, func(a, b Key) int {
		return cmp.Or(cmp.Compare(a.Alg, b.Alg), b.ActiveFrom.Compare(a.ActiveFrom), cmp.Compare(a.ID, b.ID))
	})
}
