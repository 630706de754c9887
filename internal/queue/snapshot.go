package queue

import (
	"context"
	"maps"
	"slices"
	"sort"
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
	read time.Time
	// tickets are the day's tickets still in play (waiting, called,
	// parked, missed) when read, and any this node changed since.
	tickets []Ticket
	// settled sums up the day's finished tickets (done, cancelled), which
	// never change again, for the calls and numbers now served.
	settled  settled
	counters []CounterState
	place    map[string]int // waiting ticket ID → tickets ahead
	// lines count each queue's waiting tickets in the rule's lines of its
	// line counter, for Place.
	lines   map[string]*lineCount
	orders  map[string][]int
	service map[string][]time.Duration // recent service times per queue
}

// settled is what the finished tickets of a day add to the status.
type settled struct {
	calls   []Ticket          // the latest calls, newest first
	serving map[string]Ticket // each queue's latest call
}

// finished reports whether a ticket's status is final.
func finished(t Ticket) bool { return t.Status == Done || t.Status == Cancelled }

// settle splits a day's tickets into those in play and a summary of the
// finished ones.
func settle(ts []Ticket) ([]Ticket, settled) {
	var live, done []Ticket
	for _, t := range ts {
		if finished(t) {
			done = append(done, t)
		} else {
			live = append(live, t)
		}
	}
	st := settled{calls: latestCalls(done), serving: map[string]Ticket{}}
	for _, t := range done {
		if isCall(t) && laterCall(t, st.serving[t.Queue]) {
			st.serving[t.Queue] = t
		}
	}
	return live, st
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
	ts, err := s.store.LiveTickets(ctx, branch, day, maxCalls)
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
	live, st := settle(ts)
	return s.buildSnapshot(ctx, branch, day, read, live, st, service)
}

// deriveSnapshot is base with this node's later changes applied to its
// tickets in play, and the counters read again: no read of the day's
// tickets, and no work for the finished ones.
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
	return s.buildSnapshot(ctx, base.status.Branch, base.day, base.read, ts, base.settled, service)
}

// buildSnapshot reads the counters and works out each queue's calling
// order, now serving and estimate from the tickets in play and the
// finished ones' summary.
func (s *Service) buildSnapshot(ctx context.Context, branch, day string, read time.Time, ts []Ticket, st settled,
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
	calls := latestCalls(ts)
	for _, c := range st.calls {
		// A ticket changed here since the read may be among both.
		if !slices.ContainsFunc(ts, func(t Ticket) bool { return t.ID == c.ID }) {
			calls = append(calls, c)
		}
	}
	calls = latestCalls(calls)
	sn := &snapshot{day: day, read: read, tickets: ts, settled: st, counters: cs, place: map[string]int{},
		orders: map[string][]int{}, service: service, lines: map[string]*lineCount{},
		status: BranchStatus{Branch: branch, Queues: []QueueStatus{}, Calls: asCalls(calls), At: now.UTC()}}
	for _, q := range qs {
		order := Order(lineOf(q.Code, cs), ts, now, s.Rule, s.maxWaits(qs))
		sn.orders[q.Code] = order
		qst := QueueStatus{Code: q.Code, NowServing: nowServing(ts, st.serving[q.Code], q.Code), Waiting: len(order),
			Order: make([]string, len(order)), OpenCounters: openServing(cs, q.Code)}
		for i, k := range order {
			qst.Order[i] = ts[k].Number
			sn.place[ts[k].ID] = i
		}
		sn.lines[q.Code] = countLines(lineOf(q.Code, cs), ts, order, now, s.Rule, s.maxWaits(qs))
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

// isCall reports whether t is a call a board shows: called, and not
// back in line or cancelled since.
func isCall(t Ticket) bool {
	return !t.CalledAt.IsZero() && t.Status != Waiting && t.Status != Cancelled
}

// laterCall orders calls newest first, then by number.
func laterCall(a, b Ticket) bool {
	if c := a.CalledAt.Compare(b.CalledAt); c != 0 {
		return c > 0
	}
	return a.Number > b.Number
}

// nowServing is the number of the queue's latest call, among ts and the
// finished tickets' latest.
func nowServing(ts []Ticket, finished Ticket, code string) string {
	latest := finished
	for _, t := range ts {
		if t.Queue == code && isCall(t) && laterCall(t, latest) {
			latest = t
		}
	}
	return latest.Number
}

// latestCalls are the latest maxCalls calls among ts, newest first.
func latestCalls(ts []Ticket) []Ticket {
	var out []Ticket
	for _, t := range ts {
		if !isCall(t) || len(out) == maxCalls && !laterCall(t, out[maxCalls-1]) {
			continue
		}
		i, _ := slices.BinarySearchFunc(out, t, func(a, b Ticket) int {
			if laterCall(a, b) {
				return -1
			}
			return 1
		})
		out = slices.Insert(out, i, t)
		if len(out) > maxCalls {
			out = out[:maxCalls]
		}
	}
	return out
}

func asCalls(ts []Ticket) []Call {
	out := make([]Call, 0, len(ts))
	for _, t := range ts {
		out = append(out, Call{Number: t.Number, Queue: t.Queue, Counter: t.Counter, At: t.CalledAt.UTC()})
	}
	return out
}

// minutes rounds a duration up to whole minutes.
func minutes(d time.Duration) int { return int((d + time.Minute - 1) / time.Minute) }

// lineCount is a queue's waiting tickets in the rule's lines of its line
// counter at one time: each line in its calling order, and the line of
// each ticket.
type lineCount struct {
	counter CounterState
	ts      []Ticket
	lines   [lineNone][]int   // indexes into ts
	at      map[string][2]int // ticket ID → its line and index into ts
}

// countLines sorts the tickets of order (indexes into ts, the queue's
// calling order) into their lines.
func countLines(c CounterState, ts []Ticket, order []int, now time.Time, r Rule, maxWait func(string) time.Duration) *lineCount {
	p := newPlan(c, nil, now, r, maxWait)
	lc := &lineCount{counter: c, ts: ts, at: make(map[string][2]int, len(order))}
	for _, k := range order {
		l := p.line(c, ts[k], now, r, maxWait)
		if l == lineNone {
			continue
		}
		lc.lines[l] = append(lc.lines[l], k)
		lc.at[ts[k].ID] = [2]int{l, k}
	}
	return lc
}

// count returns how many tickets of each line are called before t's line
// reaches t, t waiting in line own.
func (lc *lineCount) count(own int, t Ticket) [lineNone]int {
	var n [lineNone]int
	for l, ks := range lc.lines {
		n[l] = len(ks)
	}
	ks := lc.lines[own]
	n[own] = sort.Search(len(ks), func(i int) bool { return !before(own, lc.ts[ks[i]], t) })
	return n
}
