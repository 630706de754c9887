package queue

import (
	"context"
	"slices"
	"sync"
	"time"
)

// snapTTL is how long a node goes without reading a branch's tickets
// again: this node's own changes are applied to what it read, and other
// nodes' changes show within it.
const snapTTL = time.Second

// maxPatches bounds the changes applied to one read before reading again.
const maxPatches = 5000

// live is the per-branch state of live status: a generation counter
// bumped by every change on this node, the latest snapshot, the
// computation in flight, and the events waiting to be published.
type live struct {
	mu       sync.Mutex
	branches map[string]*branchLive
	wg       sync.WaitGroup
}

type branchLive struct {
	gen       uint64
	snap      *snapshot     // the latest
	base      *snapshot     // the latest read from the store
	patches   []patch       // this node's changes since
	computing chan struct{} // closed when the computation in flight ends
	pending   []Event
	called    []Ticket        // tickets called or recalled, to notify
	running   bool            // a drain goroutine publishes pending
	near      map[string]bool // tickets this node marked near
	// counters are this node's latest changes to counters (open or
	// closed, the turn after a call), by code, for Place.
	counters map[string]counterPatch
}

// counterPatch is a counter as one of this node's changes left it.
type counterPatch struct {
	gen  uint64
	open bool
	turn int
}

func (l *live) branch(code string) *branchLive {
	b := l.branches[code]
	if b == nil {
		b = &branchLive{near: map[string]bool{}, counters: map[string]counterPatch{}}
		l.branches[code] = b
	}
	return b
}

// snapshot returns a branch's live status, including every change this
// node made to it, and read from the store at most snapTTL ago. Between
// reads this node's changes are applied to the last read. Concurrent
// callers share one computation.
func (s *Service) snapshot(ctx context.Context, branch string) (*snapshot, error) {
	day := s.today()
	for {
		s.live.mu.Lock()
		bl := s.live.branch(branch)
		want := bl.gen
		if sn := bl.snap; sn != nil && sn.gen >= want && sn.day == day && time.Since(sn.read) < snapTTL {
			s.live.mu.Unlock()
			return sn, nil
		}
		if ch := bl.computing; ch != nil {
			s.live.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		ch := make(chan struct{})
		bl.computing = ch
		base, ps := bl.base, slices.Clone(bl.patches)
		s.live.mu.Unlock()
		full := base == nil || base.day != day || time.Since(base.read) >= snapTTL || len(ps) > maxPatches
		var sn *snapshot
		var err error
		if full {
			sn, err = s.readSnapshot(ctx, branch, day)
		} else {
			sn, err = s.deriveSnapshot(ctx, base, ps)
		}
		s.live.mu.Lock()
		bl.computing = nil
		if err == nil {
			sn.gen = want
			if full {
				// The read saw every change up to want; later ones
				// may be in it or not, and are applied again.
				bl.base = sn
				bl.patches = slices.DeleteFunc(bl.patches, func(p patch) bool { return p.gen <= want })
			}
			if bl.snap == nil || bl.snap.gen <= want || full {
				bl.snap = sn
			}
		}
		close(ch)
		s.live.mu.Unlock()
		return sn, err
	}
}

// changed records a change to a branch on this node, with the tickets
// as it left them: status read from now on includes it, and the event
// goes out with the branch's status (computed once for all events
// pending) in the background, followed by the near notices the new order
// calls for. The request that made the change does not wait for either.
func (s *Service) changed(branch string, ev Event, ts ...Ticket) { s.record(branch, ev, ts, nil) }

// calledOut is changed for a call or recall of t: its holder is told.
func (s *Service) calledOut(branch string, ev Event, t Ticket) {
	s.record(branch, ev, []Ticket{t}, []Ticket{t})
}

// counterChanged records that counter code of branch is now open or
// closed and at turn, for the places of tickets taken before the next
// status.
func (s *Service) counterChanged(branch, code string, open bool, turn int) {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	bl := s.live.branch(branch)
	bl.gen++
	bl.counters[code] = counterPatch{gen: bl.gen, open: open, turn: turn}
}

func (s *Service) record(branch string, ev Event, ts, called []Ticket) {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	bl := s.live.branch(branch)
	bl.gen++
	for _, t := range ts {
		bl.patches = append(bl.patches, patch{gen: bl.gen, t: t})
	}
	if len(bl.patches) > maxPatches {
		bl.base, bl.patches, bl.snap = nil, nil, nil // nobody read for long: read afresh
	}
	if s.pub == nil && s.NearAt <= 0 && len(called) == 0 {
		return
	}
	bl.pending = append(bl.pending, ev)
	bl.called = append(bl.called, called...)
	if !bl.running {
		bl.running = true
		s.live.wg.Add(1)
		go s.drain(branch, bl)
	}
}

// drainTimeout bounds one round of publishing and near notices.
const drainTimeout = 10 * time.Second

// drainGap is the least time between two rounds of a branch's events: a
// busy branch's changes then go out at most ten times a second, each
// round with the status worked out once for all of them, instead of once
// per change. The first change after a quiet spell goes out at once.
const drainGap = 100 * time.Millisecond

// drainCost and maxDrainGap widen drainGap for a branch whose rounds are
// costly; see roundGap.
const (
	drainCost   = 10
	maxDrainGap = 500 * time.Millisecond
)

// drain publishes a branch's pending events until none is left.
func (s *Service) drain(branch string, bl *branchLive) {
	defer s.live.wg.Done()
	var last time.Time
	gap := drainGap
	for {
		if wait := gap - time.Since(last); !last.IsZero() && wait > 0 {
			time.Sleep(wait)
		}
		last = time.Now()
		s.live.mu.Lock()
		evs, called := bl.pending, bl.called
		bl.pending, bl.called = nil, nil
		if len(evs) == 0 {
			bl.running = false
			s.live.mu.Unlock()
			return
		}
		s.live.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
		s.notifyCalled(ctx, called)
		s.publish(ctx, branch, evs)
		cancel()
		gap = roundGap(time.Since(last))
	}
}

// roundGap is the least time from a round that took d to the next: a
// round whose status is costly to work out (thousands waiting) waits
// drainCost times as long as it took, so that one branch's live status
// takes at most about a tenth of a CPU however busy it is, and never
// longer than maxDrainGap, so that calls still reach the boards within a
// second.
func roundGap(d time.Duration) time.Duration {
	return min(max(drainGap, drainCost*d), maxDrainGap)
}

// publish sends evs with the branch's status, all at once, and then the
// near notices.
func (s *Service) publish(ctx context.Context, branch string, evs []Event) {
	sn, err := s.snapshot(ctx, branch)
	if err != nil {
		s.logf(ctx, "queue: live status not computed", "branch", branch, "err", err)
		return
	}
	if s.pub != nil {
		if err := s.pub.Publish(ctx, Topic(branch), wireEvents(evs, sn.status)...); err != nil {
			s.logf(ctx, "queue: live events not published", "branch", branch, "err", err)
		}
	}
	s.markNear(ctx, branch, sn)
}

// notifyCalled schedules the notices of calls.
func (s *Service) notifyCalled(ctx context.Context, called []Ticket) {
	js := s.calledJobs(called)
	if len(js) == 0 {
		return
	}
	if err := s.store.EnqueueJobs(ctx, js); err != nil {
		s.logf(ctx, "queue: call notices not scheduled", "err", err)
		return
	}
	s.wake()
}

// Flush waits until the live events and near notices of the changes made
// so far have gone out: for tests, and before shutting down.
func (s *Service) Flush() { s.live.wg.Wait() }
