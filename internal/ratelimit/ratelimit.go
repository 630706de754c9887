// Package ratelimit keeps a token bucket per key on this node: how fast
// one API client, or one kiosk screen, may act.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxKeys bounds the buckets kept: past it every bucket starts afresh,
// so keys taken from requests cannot grow the map without end.
const maxKeys = 10000

// Keyed is a token bucket per key: perSecond tokens a second, up to
// burst at once.
type Keyed struct {
	mu    sync.Mutex
	m     map[string]*rate.Limiter
	per   rate.Limit
	burst int
}

// New returns buckets filling at perSecond tokens a second, holding at
// most burst.
func New(perSecond float64, burst int) *Keyed {
	return &Keyed{m: map[string]*rate.Limiter{}, per: rate.Limit(perSecond), burst: burst}
}

// Allow takes a token from key's bucket. When it is empty it takes none
// and tells how long until one is there.
func (k *Keyed) Allow(key string) (bool, time.Duration) {
	k.mu.Lock()
	lim, ok := k.m[key]
	if !ok {
		if len(k.m) >= maxKeys {
			clear(k.m)
		}
		lim = rate.NewLimiter(k.per, k.burst)
		k.m[key] = lim
	}
	k.mu.Unlock()
	res := lim.Reserve()
	if d := res.Delay(); d > 0 {
		res.Cancel()
		return false, d
	}
	return true, 0
}
