package queue

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// snapTTL is how long a node reuses a branch's live status when nothing
// changed on this node; changes on other nodes show within it.
const snapTTL = time.Second

// maxCalls is how many of the latest calls a status lists.
const maxCalls = 10

// snapshot is a branch's live status as computed at one time: the
// status, and every waiting ticket's place, for ticket pages and the
// near notices.
type snapshot struct {
	status   BranchStatus
	day      string
	gen      uint64
	computed time.Time // wall clock, for snapTTL
	tickets  []Ticket  // the day's tickets
	counters []CounterState
	place    map[string]int // waiting ticket ID → tickets ahead
	orders   map[string][]int
	service  map[string][]time.Duration // recent service times per queue
}

// queueStatus returns the status of queue code in the snapshot.
func (sn *snapshot) queueStatus(code string) QueueStatus {
	for _, q := range sn.status.Queues {
		if q.Code == code {
			return q
		}
	}
	return QueueStatus{Code: code}
}

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
	snap      *snapshot
	computing chan struct{} // closed when the computation in flight ends
	compGen   uint64
	pending   []Event
	called    []Ticket        // tickets called or recalled, to notify
	running   bool            // a drain goroutine publishes pending
	near      map[string]bool // tickets this node marked near
}

func (l *live) branch(code string) *branchLive {
	b := l.branches[code]
	if b == nil {
		b = &branchLive{near: map[string]bool{}}
		l.branches[code] = b
	}
	return b
}

// snapshot returns a branch's live status, computed after every change
// this node made to it and at most snapTTL old. Concurrent callers share
// one computation: under load a branch's status is read once for many
// requests, not once for each.
func (s *Service) snapshot(ctx context.Context, branch string) (*snapshot, error) {
	day := s.today()
	for {
		s.live.mu.Lock()
		bl := s.live.branch(branch)
		want := bl.gen
		if sn := bl.snap; sn != nil && sn.gen >= want && sn.day == day && time.Since(sn.computed) < snapTTL {
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
		bl.computing, bl.compGen = ch, want
		s.live.mu.Unlock()
		sn, err := s.computeSnapshot(ctx, branch, day)
		s.live.mu.Lock()
		bl.computing = nil
		if err == nil {
			sn.gen = want
			if bl.snap == nil || bl.snap.gen <= want {
				bl.snap = sn
			}
		}
		close(ch)
		s.live.mu.Unlock()
		return sn, err
	}
}

// computeSnapshot reads a branch's queues, counters and the day's tickets
// and works out each queue's calling order, now serving and estimate.
func (s *Service) computeSnapshot(ctx context.Context, branch, day string) (*snapshot, error) {
	computed, now := time.Now(), s.now()
	qs, err := s.queues(ctx, branch)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.Counters(ctx, branch)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.Tickets(ctx, branch, day)
	if err != nil {
		return nil, err
	}
	sn := &snapshot{day: day, computed: computed, tickets: ts, counters: cs, place: map[string]int{},
		orders: map[string][]int{}, service: map[string][]time.Duration{},
		status: BranchStatus{Branch: branch, Queues: []QueueStatus{}, Calls: latestCalls(ts), At: now.UTC()}}
	for _, q := range qs {
		st, err := s.store.ServiceTimes(ctx, branch, q.Code, ServiceHistory)
		if err != nil {
			return nil, err
		}
		sn.service[q.Code] = st
		order := Order(lineOf(q.Code, cs), ts, now, s.Rule, s.maxWaits(qs))
		sn.orders[q.Code] = order
		qst := QueueStatus{Code: q.Code, NowServing: nowServing(ts, q.Code), Waiting: len(order),
			Order: make([]string, len(order)), OpenCounters: openServing(cs, q.Code)}
		for i, k := range order {
			qst.Order[i] = ts[k].Number
			sn.place[ts[k].ID] = i
		}
		mid, low, high := Estimate(st, len(order), qst.OpenCounters)
		qst.ETAMinutes, qst.ETALow, qst.ETAHigh = minutes(mid), minutes(low), minutes(high)
		sn.status.Queues = append(sn.status.Queues, qst)
	}
	return sn, nil
}

// lineOf is the counter whose ratio orders queue code: the first open
// counter serving it, else the first serving it, else a 1:2 default. Its
// queues are only code, so the order is the queue's own.
func lineOf(code string, cs []CounterState) CounterState {
	line := CounterState{Counter: Counter{PriorityShare: 1, NormalShare: 2}}
	found := false
	for _, c := range cs {
		if slices.Contains(c.Queues, code) && (!found || c.Open && !line.Open) {
			line, found = c, true
		}
	}
	line.Queues = []string{code}
	return line
}

func openServing(cs []CounterState, code string) int {
	n := 0
	for _, c := range cs {
		if c.Open && slices.Contains(c.Queues, code) {
			n++
		}
	}
	return n
}

// nowServing is the number of the queue's latest call.
func nowServing(ts []Ticket, code string) string {
	var latest Ticket
	for _, t := range ts {
		if t.Queue == code && !t.CalledAt.IsZero() && t.Status != Waiting && t.Status != Cancelled && t.CalledAt.After(latest.CalledAt) {
			latest = t
		}
	}
	return latest.Number
}

// latestCalls are the day's latest calls, newest first.
func latestCalls(ts []Ticket) []Call {
	var called []Ticket
	for _, t := range ts {
		if !t.CalledAt.IsZero() && t.Status != Waiting && t.Status != Cancelled {
			called = append(called, t)
		}
	}
	slices.SortFunc(called, func(a, b Ticket) int { return cmp.Or(b.CalledAt.Compare(a.CalledAt), cmp.Compare(b.Number, a.Number)) })
	out := []Call{}
	for _, t := range called[:min(len(called), maxCalls)] {
		out = append(out, Call{Number: t.Number, Queue: t.Queue, Counter: t.Counter, At: t.CalledAt.UTC()})
	}
	return out
}

// minutes rounds a duration up to whole minutes.
func minutes(d time.Duration) int { return int((d + time.Minute - 1) / time.Minute) }

// changed records a change to a branch on this node: status read from
// now on is recomputed, and the event goes out with the branch's status
// (computed once for all events pending) in the background, followed by
// the near notices the new order calls for. The request that made the
// change does not wait for either.
func (s *Service) changed(branch string, ev Event, called ...Ticket) {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	bl := s.live.branch(branch)
	bl.gen++
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

// drain publishes a branch's pending events until none is left.
func (s *Service) drain(branch string, bl *branchLive) {
	defer s.live.wg.Done()
	for {
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
	}
}

// publish sends evs with the branch's status and then the near notices.
// A batch of plain changes goes out as one event; every call does.
func (s *Service) publish(ctx context.Context, branch string, evs []Event) {
	sn, err := s.snapshot(ctx, branch)
	if err != nil {
		s.logf(ctx, "queue: live status not computed", "branch", branch, "err", err)
		return
	}
	if s.pub != nil {
		hasCall := slices.ContainsFunc(evs, func(e Event) bool { return e.Call != nil })
		plainSent := false
		for _, ev := range evs {
			if ev.Call == nil {
				if hasCall || plainSent {
					continue // a call's event carries the same status
				}
				plainSent = true
			}
			ev.Status = sn.status
			b, err := json.Marshal(ev)
			if err == nil {
				err = s.pub.Publish(ctx, Topic(branch), b)
			}
			if err != nil {
				s.logf(ctx, "queue: live event not published", "branch", branch, "err", err)
			}
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
