package appointments

import (
	"context"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/ttlcache"
)

// refTTL is how long a node keeps booking rules, branches and holidays:
// reference data that changes rarely. Closures are never cached: a closure
// must stop bookings at once on every node.
const refTTL = 30 * time.Second

// refCache keeps reference data for the booking path, which otherwise
// reads it on every request.
type refCache struct {
	rules    *ttlcache.Map[Rules]
	branches *ttlcache.Map[directory.Branch]
	holidays *ttlcache.Map[[]directory.Holiday] // one entry: the days around today
}

func newRefCache() refCache {
	return refCache{rules: ttlcache.New[Rules](refTTL), branches: ttlcache.New[directory.Branch](refTTL),
		holidays: ttlcache.New[[]directory.Holiday](refTTL)}
}

// rulesFor returns the rules of a service at a branch.
func (s *Service) rulesFor(ctx context.Context, branch, service string) (Rules, error) {
	return s.cache.rules.Get(branch+"\x00"+service, func() (Rules, error) {
		return s.store.AppointmentRules(ctx, branch, service)
	})
}

// branch returns a branch from the directory.
func (s *Service) branch(ctx context.Context, code string) (directory.Branch, error) {
	return s.cache.branches.Get(code, func() (directory.Branch, error) {
		return s.dir.Store().Branch(ctx, code)
	})
}

// calendar builds the calendar of [from, to] at a branch from cached
// holidays and the closures read now.
func (s *Service) calendar(ctx context.Context, branch string, from, to directory.Date) (*directory.Calendar, []directory.Closure, error) {
	loc := s.dir.Location()
	today := directory.DateOf(time.Now().In(loc))
	hs, err := s.cache.holidays.Get(today.String(), func() ([]directory.Holiday, error) {
		return s.dir.Store().Holidays(ctx, today.AddDays(-2), today.AddDays(400))
	})
	if err != nil {
		return nil, nil, err
	}
	closures, err := s.dir.Store().Closures(ctx, branch, from.In(loc), to.AddDays(1).In(loc))
	if err != nil {
		return nil, nil, err
	}
	return directory.NewCalendar(loc, hs, closures), closures, nil
}

// forget drops cached rules after a change on this node.
func (s *Service) forget() {
	s.cache.rules.Clear()
	s.cache.branches.Clear()
	s.cache.holidays.Clear()
}
