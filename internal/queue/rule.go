package queue

import (
	"slices"
	"time"
)

// Next is the calling rule: which of the waiting tickets counter c calls
// now, and the counter's turn afterwards. It returns -1 and c.Turn when
// none of them is for c (a ticket is for c when it is Waiting and in one
// of c.Queues; all queues when c has none). In order:
//
//  1. An appointment ticket that is due comes first, the earliest DueAt
//     first. It is due once the early window opened (now ≥ DueAt−Early)
//     if its holder checked in no later than the late window's end
//     (QueuedAt ≤ DueAt+Late); a later arrival waits as a walk-in.
//  2. Then aging: a ticket that has waited its queue's maximum
//     (maxWait(queue), r.MaxWait when maxWait is nil; 0 turns aging off)
//     is called before anything else, the oldest first, so no ticket
//     waits past the maximum while later ones are called.
//  3. Then priority and normal tickets interleave in the counter's
//     ratio: of every PriorityShare+NormalShare calls, the first
//     PriorityShare of the cycle go to priority tickets. When the class
//     whose turn it is has nobody waiting, the other class is called and
//     the turn stays, so the ratio applies only while both wait.
//  4. Within a class, first queued first called (QueuedAt; a transfer
//     keeps it).
//
// Only step 3 advances the turn. Next is pure.
func Next(c CounterState, waiting []Ticket, now time.Time, r Rule, maxWait func(queue string) time.Duration) (index, turn int) {
	p := newPlan(c, waiting, now, r, maxWait)
	i, ok := p.take()
	if !ok {
		return -1, c.Turn
	}
	return i, p.turn
}

// Order returns the indexes of the waiting tickets for c in the order
// repeated calls of Next at now would call them: what a ticket page shows
// as the people ahead.
func Order(c CounterState, waiting []Ticket, now time.Time, r Rule, maxWait func(queue string) time.Duration) []int {
	p := newPlan(c, waiting, now, r, maxWait)
	var out []int
	for {
		i, ok := p.take()
		if !ok {
			return out
		}
		out = append(out, i)
	}
}

// Candidate is a ticket a counter may call (its index in the waiting
// list) and the counter's turn once it has.
type Candidate struct{ Index, Turn int }

// Candidates lists the waiting tickets for c in the order a counter that
// loses each one to another counter before it can call it falls back on:
// the first is what Next calls, the second what Next calls once the first
// is gone, and so on, each with the turn Next returns for it. A counter
// offers the database the whole list at once and takes the first still
// free.
func Candidates(c CounterState, waiting []Ticket, now time.Time, r Rule, maxWait func(queue string) time.Duration) []Candidate {
	p := newPlan(c, waiting, now, r, maxWait)
	out := make([]Candidate, 0, len(p.due)+len(p.aged)+len(p.priority)+len(p.normal))
	add := func(l []int, turn int) {
		for _, i := range l {
			out = append(out, Candidate{Index: i, Turn: turn})
		}
	}
	add(p.due, p.turn)
	add(p.aged, p.turn)
	if p.cycle == 0 {
		add(p.normal, p.turn)
		return out
	}
	wanted, other := p.normal, p.priority
	if p.turn < p.share {
		wanted, other = other, wanted
	}
	// Only a ticket of the class whose turn it is advances the turn.
	add(wanted, (p.turn+1)%p.cycle)
	add(other, p.turn)
	return out
}

// plan holds the candidates of one counter in the rule's four lists,
// each sorted and disjoint, and the counter's turn.
type plan struct {
	due, aged, priority, normal []int
	// share is the priority share and cycle the ratio's length; with no
	// ratio (cycle 0) every class waits in normal, first queued first.
	share, cycle int
	turn         int
}

func newPlan(c CounterState, ts []Ticket, now time.Time, r Rule, maxWait func(string) time.Duration) *plan {
	if maxWait == nil {
		maxWait = func(string) time.Duration { return r.MaxWait }
	}
	p := &plan{share: max(0, c.PriorityShare), cycle: max(0, c.PriorityShare) + max(0, c.NormalShare)}
	if p.cycle > 0 {
		p.turn = ((c.Turn % p.cycle) + p.cycle) % p.cycle
	}
	for i, t := range ts {
		switch p.line(c, t, now, r, maxWait) {
		case lineDue:
			p.due = append(p.due, i)
		case lineAged:
			p.aged = append(p.aged, i)
		case linePriority:
			p.priority = append(p.priority, i)
		case lineNormal:
			p.normal = append(p.normal, i)
		}
	}
	fifo := func(a, b int) int { return queued(ts[a], ts[b], a, b) }
	slices.SortStableFunc(p.due, func(a, b int) int {
		if c := ts[a].DueAt.Compare(ts[b].DueAt); c != 0 {
			return c
		}
		return fifo(a, b)
	})
	slices.SortStableFunc(p.aged, fifo)
	slices.SortStableFunc(p.priority, fifo)
	slices.SortStableFunc(p.normal, fifo)
	return p
}

// The rule's lines, in the order they are called, and lineNone for a
// ticket not for the counter.
const (
	lineDue = iota
	lineAged
	linePriority
	lineNormal
	lineNone
)

// line returns the line t waits in at counter c at now.
func (p *plan) line(c CounterState, t Ticket, now time.Time, r Rule, maxWait func(string) time.Duration) int {
	if t.Status != Waiting || (len(c.Queues) > 0 && !slices.Contains(c.Queues, t.Queue)) {
		return lineNone
	}
	switch bound := maxWait(t.Queue); {
	case isDue(t, now, r):
		return lineDue
	case bound > 0 && now.Sub(t.QueuedAt) >= bound:
		return lineAged
	case t.Class.Priority() && p.cycle > 0:
		return linePriority
	}
	return lineNormal
}

// Ahead returns how many of the waiting tickets for c Order would call
// before t if t were among them (t is not in waiting): the place of a
// ticket just taken, counted without sorting the queue.
func Ahead(c CounterState, waiting []Ticket, t Ticket, now time.Time, r Rule, maxWait func(queue string) time.Duration) int {
	if maxWait == nil {
		maxWait = func(string) time.Duration { return r.MaxWait }
	}
	p := newPlan(c, nil, now, r, maxWait)
	own := p.line(c, t, now, r, maxWait)
	if own == lineNone {
		return 0
	}
	var n [lineNone]int // per line, those called before t's line reaches it
	for _, w := range waiting {
		l := p.line(c, w, now, r, maxWait)
		if l == lineNone || l == own && !before(l, w, t) {
			continue
		}
		n[l]++
	}
	return p.ahead(own, n)
}

// ahead is Ahead from the tickets in each line (n), those of t's own
// line counted only when before it.
func (p *plan) ahead(own int, n [lineNone]int) int {
	switch {
	case own == lineDue:
		return n[lineDue]
	case own == lineAged:
		return n[lineDue] + n[lineAged]
	case p.cycle == 0:
		return n[lineDue] + n[lineAged] + n[lineNormal]
	}
	other := linePriority + lineNormal - own
	return n[lineDue] + n[lineAged] + p.interleave(own == linePriority, n[own], n[other])
}

// before reports whether w comes before t in line l (t last on a tie).
func before(l int, w, t Ticket) bool {
	if l == lineDue {
		if c := w.DueAt.Compare(t.DueAt); c != 0 {
			return c < 0
		}
	}
	return queued(w, t, 0, 1) < 0
}

// interleave counts the calls take makes before it reaches a ticket with
// mine tickets of its class before it and other tickets of the other
// class waiting: the class whose turn it is first, the other when that
// one has nobody (the turn then stays).
func (p *plan) interleave(priority bool, mine, other int) int {
	calls, turn := 0, p.turn
	for {
		wantsMine := (turn < p.share) == priority
		switch {
		case wantsMine && mine == 0:
			return calls
		case wantsMine:
			mine--
		case other > 0:
			other--
		case mine == 0:
			return calls
		default:
			mine--
			calls++
			continue
		}
		calls++
		turn = (turn + 1) % p.cycle
	}
}

// isDue reports whether an appointment ticket is in its window at now.
func isDue(t Ticket, now time.Time, r Rule) bool {
	return t.Source == Appointment && !t.DueAt.IsZero() &&
		!now.Before(t.DueAt.Add(-r.Early)) && !t.QueuedAt.After(t.DueAt.Add(r.Late))
}

// queued orders two tickets first queued first; ties go by issue time,
// then by number, then by their place in the list.
func queued(a, b Ticket, i, j int) int {
	if c := a.QueuedAt.Compare(b.QueuedAt); c != 0 {
		return c
	}
	if c := a.IssuedAt.Compare(b.IssuedAt); c != 0 {
		return c
	}
	if a.Seq != b.Seq {
		return a.Seq - b.Seq
	}
	return i - j
}

// take removes and returns the next ticket by the rule.
func (p *plan) take() (int, bool) {
	if i, ok := pop(&p.due); ok {
		return i, true
	}
	if i, ok := pop(&p.aged); ok {
		return i, true
	}
	if p.cycle == 0 {
		// No ratio set: newPlan put every class in one line.
		return pop(&p.normal)
	}
	wanted, other := &p.normal, &p.priority
	if p.turn < p.share {
		wanted, other = other, wanted
	}
	if i, ok := pop(wanted); ok {
		p.turn = (p.turn + 1) % p.cycle
		return i, true
	}
	return pop(other)
}

func pop(l *[]int) (int, bool) {
	if len(*l) == 0 {
		return -1, false
	}
	i := (*l)[0]
	*l = (*l)[1:]
	return i, true
}
