package queue

import (
	"context"
	"slices"
	"time"
)

// placeTTL is how old a read of the branch Place counts on may be: a
// few reads of snapTTL, so that the requests arriving while the next
// read is made do not all wait for it. Only other nodes' changes can be
// missing from it.
const placeTTL = 3 * snapTTL

// Place is View for a ticket the caller already holds as a change just
// returned it (TakeRemote's, TakeKiosk's): no second read of the ticket.
// A ticket waiting today is placed among the branch's latest live status
// and this node's changes since (Ahead), without waiting for the status
// to be worked out again: at a busy branch every request would otherwise
// wait for one computation after another. Its estimate uses the service
// times of the latest status, at most one round of live events old.
func (s *Service) Place(ctx context.Context, t Ticket) (TicketView, error) {
	if t.Status != Waiting || t.Day != s.today() {
		return s.view(ctx, t)
	}
	sn, since, counters := s.latest(t.Branch)
	if sn == nil || sn.day != t.Day || time.Since(sn.read) >= placeTTL {
		return s.view(ctx, t)
	}
	qs, err := s.queues(ctx, t.Branch)
	if err != nil {
		return TicketView{}, err
	}
	lc, line := sn.lines[t.Queue], lineOf(t.Queue, counters)
	if lc == nil || line.Code != lc.counter.Code || line.PriorityShare != lc.counter.PriorityShare ||
		line.NormalShare != lc.counter.NormalShare {
		return s.view(ctx, t) // counted for another line counter
	}
	now, maxWait := s.now(), s.maxWaits(qs)
	p := newPlan(line, nil, now, s.Rule, maxWait)
	own := p.line(line, t, now, s.Rule, maxWait)
	if own != linePriority && own != lineNormal {
		return s.view(ctx, t)
	}
	qst := sn.queueStatus(t.Queue)
	serving := Ticket{Number: qst.NowServing}
	for _, c := range sn.status.Calls { // newest first
		if c.Queue == t.Queue && c.Number == qst.NowServing {
			serving.CalledAt = c.At
			break
		}
	}
	n := lc.count(own, t)
	for _, c := range since {
		if c.ID == t.ID {
			continue
		}
		if at, ok := lc.at[c.ID]; ok && (at[0] != own || before(own, lc.ts[at[1]], t)) {
			n[at[0]]-- // counted as it was; counted again below as it is
		}
		if l := p.line(line, c, now, s.Rule, maxWait); l != lineNone && (l != own || before(l, c, t)) {
			n[l]++
		}
		if c.Queue == t.Queue && isCall(c) && laterCall(c, serving) {
			serving = c
		}
	}
	v := TicketView{Ticket: t, NowServing: serving.Number, Ahead: p.ahead(own, n)}
	_, v.ETALow, v.ETAHigh = Estimate(sn.service[t.Queue], v.Ahead, qst.OpenCounters)
	return v, nil
}

// latest returns a branch's latest live status, nil if none, the
// tickets as this node's changes since left them, oldest first, and its
// counters with this node's changes since.
func (s *Service) latest(branch string) (*snapshot, []Ticket, []CounterState) {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	bl := s.live.branch(branch)
	sn := bl.snap
	if sn == nil {
		return nil, nil, nil
	}
	cs, copied := sn.counters, false
	for code, p := range bl.counters {
		i := slices.IndexFunc(cs, func(c CounterState) bool { return c.Code == code })
		if p.gen <= sn.gen || i < 0 {
			continue
		}
		if !copied {
			cs, copied = slices.Clone(cs), true // the status is shared: change a copy
		}
		cs[i].Open, cs[i].Turn = p.open, p.turn
	}
	i := len(bl.patches)
	for i > 0 && bl.patches[i-1].gen > sn.gen {
		i--
	}
	out := make([]Ticket, 0, len(bl.patches)-i)
	for _, p := range bl.patches[i:] {
		out = append(out, p.t)
	}
	return sn, out, cs
}
