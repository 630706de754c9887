package queue

import (
	"context"
	"sync"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
)

// refTTL is how long a node keeps a branch's queue definitions, the
// branch and the holidays: reference data that changes rarely.
const refTTL = 30 * time.Second

// closureTTL is how long a node keeps a branch's closures. The store
// refuses a ticket while a closure covers its time (NewTicket.WhileOpen),
// so a new closure stops tickets at once on every node; what may lag this
// long is the closing time a node reckons with (the last remote ticket
// before it).
const closureTTL = time.Second

// refCache keeps reference data for the ticket path.
type refCache struct {
	mu       sync.Mutex
	queues   map[string]cached[[]Queue]
	counters map[string]cached[[]CounterState] // for their profiles only
	branches map[string]cached[directory.Branch]
	holidays map[string]cached[[]directory.Holiday] // by local day
	closures map[string]cached[[]directory.Closure] // by branch and local day
}

type cached[T any] struct {
	v   T
	exp time.Time
}

func newRefCache() refCache {
	return refCache{queues: map[string]cached[[]Queue]{}, counters: map[string]cached[[]CounterState]{}, branches: map[string]cached[directory.Branch]{},
		holidays: map[string]cached[[]directory.Holiday]{}, closures: map[string]cached[[]directory.Closure]{}}
}

func getCached[T any](mu *sync.Mutex, m map[string]cached[T], key string, load func() (T, error)) (T, error) {
	return getCachedFor(mu, m, key, refTTL, load)
}

// getCachedFor is getCached keeping the value for ttl.
func getCachedFor[T any](mu *sync.Mutex, m map[string]cached[T], key string, ttl time.Duration, load func() (T, error)) (T, error) {
	now := time.Now()
	mu.Lock()
	c, ok := m[key]
	mu.Unlock()
	if ok && now.Before(c.exp) {
		return c.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	mu.Lock()
	if len(m) > 10000 {
		clear(m)
	}
	m[key] = cached[T]{v: v, exp: now.Add(ttl)}
	mu.Unlock()
	return v, nil
}

// queues returns a branch's queues (none for a branch without).
func (s *Service) queues(ctx context.Context, branch string) ([]Queue, error) {
	return getCached(&s.cache.mu, s.cache.queues, branch, func() ([]Queue, error) {
		return s.store.Queues(ctx, branch)
	})
}

// profiles returns a branch's counters as a recent read saw them: for
// their profiles (entity, queues), never their live state.
func (s *Service) profiles(ctx context.Context, branch string) ([]CounterState, error) {
	return getCached(&s.cache.mu, s.cache.counters, branch, func() ([]CounterState, error) {
		return s.store.Counters(ctx, branch)
	})
}

// branch returns a branch from the directory.
func (s *Service) branch(ctx context.Context, code string) (directory.Branch, error) {
	return getCached(&s.cache.mu, s.cache.branches, code, func() (directory.Branch, error) {
		return s.dir.Store().Branch(ctx, code)
	})
}

// openStatus tells whether branch b is open at now: its hours, the
// holidays (cached per day) and its closures (cached closureTTL).
func (s *Service) openStatus(ctx context.Context, b directory.Branch, now time.Time) (directory.Status, error) {
	loc := s.dir.Location()
	today := directory.DateOf(now.In(loc))
	hs, err := getCached(&s.cache.mu, s.cache.holidays, today.String(), func() ([]directory.Holiday, error) {
		return s.dir.Store().Holidays(ctx, today, today.AddDays(1))
	})
	if err != nil {
		return directory.Status{}, err
	}
	cs, err := getCachedFor(&s.cache.mu, s.cache.closures, b.Code+" "+today.String(), closureTTL, func() ([]directory.Closure, error) {
		return s.dir.Store().Closures(ctx, b.Code, today.In(loc), today.AddDays(2).In(loc))
	})
	if err != nil {
		return directory.Status{}, err
	}
	return directory.NewCalendar(loc, hs, cs).StatusAt(b, now), nil
}

// Forget drops this node's cached queue definitions, branches and
// holidays, after they changed (other nodes forget them within refTTL).
func (s *Service) Forget() {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	clear(s.cache.queues)
	clear(s.cache.counters)
	clear(s.cache.branches)
	clear(s.cache.holidays)
	clear(s.cache.closures)
}
