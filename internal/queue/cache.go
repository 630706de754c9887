package queue

import (
	"context"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/ttlcache"
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
	queues   *ttlcache.Map[[]Queue]
	counters *ttlcache.Map[[]CounterState] // for their profiles only
	branches *ttlcache.Map[directory.Branch]
	holidays *ttlcache.Map[[]directory.Holiday] // by local day
	closures *ttlcache.Map[[]directory.Closure] // by branch and local day
}

func newRefCache() refCache {
	return refCache{queues: ttlcache.New[[]Queue](refTTL), counters: ttlcache.New[[]CounterState](refTTL),
		branches: ttlcache.New[directory.Branch](refTTL), holidays: ttlcache.New[[]directory.Holiday](refTTL),
		closures: ttlcache.New[[]directory.Closure](closureTTL)}
}

// queues returns a branch's queues (none for a branch without).
func (s *Service) queues(ctx context.Context, branch string) ([]Queue, error) {
	return s.cache.queues.Get(branch, func() ([]Queue, error) {
		return s.store.Queues(ctx, branch)
	})
}

// profiles returns a branch's counters as a recent read saw them: for
// their profiles (entity, queues), never their live state.
func (s *Service) profiles(ctx context.Context, branch string) ([]CounterState, error) {
	return s.cache.counters.Get(branch, func() ([]CounterState, error) {
		return s.store.Counters(ctx, branch)
	})
}

// branch returns a branch from the directory.
func (s *Service) branch(ctx context.Context, code string) (directory.Branch, error) {
	return s.cache.branches.Get(code, func() (directory.Branch, error) {
		return s.dir.Store().Branch(ctx, code)
	})
}

// openStatus tells whether branch b is open at now: its hours, the
// holidays (cached per day) and its closures (cached closureTTL).
func (s *Service) openStatus(ctx context.Context, b directory.Branch, now time.Time) (directory.Status, error) {
	loc := s.dir.Location()
	today := directory.DateOf(now.In(loc))
	hs, err := s.cache.holidays.Get(today.String(), func() ([]directory.Holiday, error) {
		return s.dir.Store().Holidays(ctx, today, today.AddDays(1))
	})
	if err != nil {
		return directory.Status{}, err
	}
	cs, err := s.cache.closures.Get(b.Code+" "+today.String(), func() ([]directory.Closure, error) {
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
	s.cache.queues.Clear()
	s.cache.counters.Clear()
	s.cache.branches.Clear()
	s.cache.holidays.Clear()
	s.cache.closures.Clear()
}
