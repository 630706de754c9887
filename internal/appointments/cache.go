package appointments

import (
	"context"
	"sync"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
)

// refTTL is how long a node keeps booking rules, branches and holidays:
// reference data that changes rarely. Closures are never cached: a closure
// must stop bookings at once on every node.
const refTTL = 30 * time.Second

// refCache keeps reference data for the booking path, which otherwise
// reads it on every request.
type refCache struct {
	mu       sync.Mutex
	rules    map[string]cached[Rules]
	branches map[string]cached[directory.Branch]
	holidays cached[[]directory.Holiday]
}

type cached[T any] struct {
	v   T
	exp time.Time
}

func getCached[T any](mu *sync.Mutex, m map[string]cached[T], key string, now time.Time, load func() (T, error)) (T, error) {
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
	m[key] = cached[T]{v: v, exp: now.Add(refTTL)}
	mu.Unlock()
	return v, nil
}

// rulesFor returns the rules of a service at a branch.
func (s *Service) rulesFor(ctx context.Context, branch, service string) (Rules, error) {
	return getCached(&s.cache.mu, s.cache.rules, branch+"\x00"+service, time.Now(), func() (Rules, error) {
		return s.store.AppointmentRules(ctx, branch, service)
	})
}

// branch returns a branch from the directory.
func (s *Service) branch(ctx context.Context, code string) (directory.Branch, error) {
	return getCached(&s.cache.mu, s.cache.branches, code, time.Now(), func() (directory.Branch, error) {
		return s.dir.Store().Branch(ctx, code)
	})
}

// calendar builds the calendar of [from, to] at a branch from cached
// holidays and the closures read now.
func (s *Service) calendar(ctx context.Context, branch string, from, to directory.Date) (*directory.Calendar, []directory.Closure, error) {
	loc := s.dir.Location()
	now := time.Now()
	s.cache.mu.Lock()
	hs, fresh := s.cache.holidays.v, now.Before(s.cache.holidays.exp)
	s.cache.mu.Unlock()
	if !fresh {
		today := directory.DateOf(now.In(loc))
		var err error
		if hs, err = s.dir.Store().Holidays(ctx, today.AddDays(-2), today.AddDays(400)); err != nil {
			return nil, nil, err
		}
		s.cache.mu.Lock()
		s.cache.holidays = cached[[]directory.Holiday]{v: hs, exp: now.Add(refTTL)}
		s.cache.mu.Unlock()
	}
	closures, err := s.dir.Store().Closures(ctx, branch, from.In(loc), to.AddDays(1).In(loc))
	if err != nil {
		return nil, nil, err
	}
	return directory.NewCalendar(loc, hs, closures), closures, nil
}

// forget drops cached rules after a change on this node.
func (s *Service) forget() {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	clear(s.cache.rules)
	clear(s.cache.branches)
	s.cache.holidays = cached[[]directory.Holiday]{}
}
