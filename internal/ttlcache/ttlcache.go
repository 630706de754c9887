// Package ttlcache keeps values read from storage for a while: the
// reference data (queues, branches, holidays, booking rules) a node reads
// on its hot paths and may serve a little stale.
package ttlcache

import (
	"sync"
	"time"
)

// maxEntries bounds a Map: past it the Map starts afresh, so keys taken
// from requests cannot grow it without end.
const maxEntries = 10000

// Map keeps values by key for a fixed time after they were loaded. Its
// zero value is not usable; make one with New.
type Map[V any] struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]entry[V]
}

type entry[V any] struct {
	v   V
	exp time.Time
}

// New returns a Map keeping each value for ttl.
func New[V any](ttl time.Duration) *Map[V] {
	return &Map[V]{ttl: ttl, m: map[string]entry[V]{}}
}

// Get returns the value of key, calling load when it has none younger
// than the Map's ttl. A failed load is returned and not kept. Concurrent
// callers missing the same key each load it.
func (c *Map[V]) Get(key string, load func() (V, error)) (V, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Before(e.exp) {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if len(c.m) >= maxEntries {
		clear(c.m)
	}
	c.m[key] = entry[V]{v: v, exp: now.Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}

// Clear forgets every value, after the data behind them changed.
func (c *Map[V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
