package queue

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"
)

// maxCalls is how many of the latest calls a status lists.
const maxCalls = 10

// snapshot is a branch's live status at one time: the status, and what
// ticket pages and the near notices need besides.
type snapshot struct {
	status BranchStatus
	day    string
	gen    uint64
	// read is when the day's tickets were read from the store (wall
	// clock): a snapshot derived from that read by this node's own
	// changes keeps it, so other nodes' changes show within snapTTL.
	read     time.Time
	tickets  []Ticket // the day's tickets
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

// patch is a ticket as one of this node's changes left it.
type patch struct {
	gen uint64
	t   Ticket
}

// readSnapshot reads a branch's day from the store: its queues, counters,
// tickets and recent service times.
func (s *Service) readSnapshot(ctx context.Context, branch, day string) (*snapshot, error) {
	read := time.Now()
	ts, err := s.store.Tickets(ctx, branch, day)
	if err != nil {
		return nil, err
	}
	qs, err := s.queues(ctx, branch)
	if err != nil {
		return nil, err
	}
	service := map[string][]time.Duration{}
	for _, q := range qs {
		if service[q.Code], err = s.store.ServiceTimes(ctx, branch, q.Code, ServiceHistory); err != nil {
			return nil, err
		}
	}
	return s.buildSnapshot(ctx, branch, day, read, ts, service)
}

// deriveSnapshot is base with this node's later changes applied to its
// tickets, and the counters read again: no read of the day's tickets.
func (s *Service) deriveSnapshot(ctx context.Context, base *snapshot, ps []patch) (*snapshot, error) {
	ts := slices.Clone(base.tickets)
	at := make(map[string]int, len(ts))
	for i, t := range ts {
		at[t.ID] = i
	}
	done := map[string]bool{}
	for _, p := range ps {
		if p.t.Day != base.day {
			continue
		}
		if i, ok := at[p.t.ID]; ok {
			ts[i] = p.t
		} else {
			at[p.t.ID] = len(ts)
			ts = append(ts, p.t)
		}
		if p.t.Status == Done {
			done[p.t.Queue] = true // its service times changed
		}
	}
	service := base.service
	if len(done) > 0 {
		service = maps.Clone(base.service)
		for q := range done {
			var err error
			if service[q], err = s.store.ServiceTimes(ctx, base.status.Branch, q, ServiceHistory); err != nil {
				return nil, err
			}
		}
	}
	return s.buildSnapshot(ctx, base.status.Branch, base.day, base.read, ts, service)
}

// buildSnapshot reads the counters and works out each queue's calling
// order, now serving and estimate from the tickets.
func (s *Service) buildSnapshot(ctx context.Context, branch, day string, read time.Time, ts []Ticket,
	service map[string][]time.Duration) (*snapshot, error) {
	now := s.now()
	qs, err := s.queues(ctx, branch)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.Counters(ctx, branch)
	if err != nil {
		return nil, err
	}
	sn := &snapshot{day: day, read: read, tickets: ts, counters: cs, place: map[string]int{},
		orders: map[string][]int{}, service: service,
		status: BranchStatus{Branch: branch, Queues: []QueueStatus{}, Calls: latestCalls(ts), At: now.UTC()}}
	for _, q := range qs {
		order := Order(lineOf(q.Code, cs), ts, now, s.Rule, s.maxWaits(qs))
		sn.orders[q.Code] = order
		qst := QueueStatus{Code: q.Code, NowServing: nowServing(ts, q.Code), Waiting: len(order),
			Order: make([]string, len(order)), OpenCounters: openServing(cs, q.Code)}
		for i, k := range order {
			qst.Order[i] = ts[k].Number
			sn.place[ts[k].ID] = i
		}
		mid, low, high := Estimate(service[q.Code], len(order), qst.OpenCounters)
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
