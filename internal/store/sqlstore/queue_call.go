package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/oneaccount/oneaccount/internal/queue"
)

// CallWindow bounds the waiting tickets a counter's pick chooses among:
// the first CallWindow of each class in QueuedAt order, and the first
// CallWindow appointment tickets by DueAt, beyond those other calls of
// its round or of a round in flight were given. The rule calls the first
// queued within a class, due appointments first and the longest waiting
// past the queue's bound (each the head of a class), so it chooses among
// them as it would among all; reading all would make every call cost the
// length of the queue. The margin past the head is for tickets another
// node's round holds (a call given one goes to the next round). See
// windowSizes.
const CallWindow = 4

// maxRound bounds the calls one round makes.
const maxRound = 32

// windowSizes are the numbers of waiting tickets of each class (and of
// appointment tickets) a round may read of one queue, each written into
// its own query's text so that the query is planned once: the smallest
// that leaves each call that may take from the queue CallWindow once the
// calls before it in the round, and the round in flight before it
// (maxRounds is 2), took theirs. The largest covers a full round behind a
// full round.
var windowSizes = [...]int{CallWindow, 2 * CallWindow, 4 * CallWindow, 8 * CallWindow, CallWindow + 2*maxRound}

// windowFor is the window size for n calls sharing one read.
func windowFor(n int) int {
	for _, w := range windowSizes {
		if w >= CallWindow+n-1 {
			return w
		}
	}
	return windowSizes[len(windowSizes)-1]
}

// maxCallReads bounds how often one call is tried again after another
// node's counter took the ticket it was given, or its counter changed,
// between the round's read and its write.
const maxCallReads = 20

// callTimeout bounds one round.
const callTimeout = 10 * time.Second

var errNoCounter = errors.New("ticket called without a counter")

// callReq is one call at a counter waiting for its round.
type callReq struct {
	ctx          context.Context
	code, finish string
	pick         queue.Pick
	at           time.Time
	tries        int
	done         chan callResult
}

// callResult is a call's outcome; retry asks for another round.
type callResult struct {
	called, finished queue.Ticket
	err              error
	retry            bool
}

// callLines are the calls waiting at each branch and day, and the
// rounds running there.
type callLines struct {
	mu    sync.Mutex
	lines map[string]*callLine
}

// maxRounds bounds the rounds of one branch in flight at once: while one
// writes, the next reads and plans, so that a busy branch's calls do not
// wait for each round's statement and commit in turn. SQLite's rounds
// hold the database from read to commit, so it runs one at a time.
const maxRounds = 2

// callLine is one branch's waiting calls and the rounds in flight.
type callLine struct {
	branch, day string
	pending     []*callReq
	running     int
	// busy are the counters of the rounds in flight; taken are the
	// tickets those rounds gave their calls and have not yet written.
	busy  map[string]bool
	taken map[string]string // ticket ID → queue
	// planning lets one round at a time read and give out tickets, so
	// that each sees what the one before it gave.
	planning sync.Mutex
}

// CallNext calls the counter's next ticket; see queue.Store.
//
// Calls at one branch are made in rounds: while a round reads and
// writes, the calls that arrive wait, and the next round takes them all.
// A round reads the counters and the waiting tickets once, works out
// each counter's ticket in turn (none given two, nor one an earlier
// round in flight gave), and writes every call in one statement
// (PostgreSQL) or one transaction (SQLite). A call that lost its ticket
// to another node's counter in between goes to the next round. The calls
// of a busy branch then share their reads, statements and commits
// instead of racing for the same first tickets.
func (s *Store) CallNext(ctx context.Context, branch, code, day string, pick queue.Pick, finish string, at time.Time) (queue.Ticket, queue.Ticket, error) {
	s.prepareQueue(ctx)
	r := &callReq{ctx: ctx, code: code, finish: finish, pick: pick, at: at, done: make(chan callResult, 1)}
	key := branch + "\x00" + day
	s.calls.mu.Lock()
	if s.calls.lines == nil {
		s.calls.lines = map[string]*callLine{}
	}
	l := s.calls.lines[key]
	if l == nil {
		l = &callLine{branch: branch, day: day, busy: map[string]bool{}, taken: map[string]string{}}
		s.calls.lines[key] = l
	}
	l.pending = append(l.pending, r)
	start := l.running < s.roundsInFlight()
	if start {
		l.running++
	}
	s.calls.mu.Unlock()
	if start {
		go s.callRounds(key, l)
	}
	select {
	case res := <-r.done:
		return res.called, res.finished, res.err
	case <-ctx.Done():
		// A round that already took the call may still make it: the
		// counter's page shows the ticket called.
		return queue.Ticket{}, queue.Ticket{}, ctx.Err()
	}
}

// roundsInFlight is how many rounds of a branch may be in flight at once
// on this engine (SQLite's rounds hold the database, one at a time).
func (s *Store) roundsInFlight() int {
	if s.q.Queue.CallMany == "" {
		return 1
	}
	return maxRounds
}

// callRounds runs rounds at a branch until no call it may take waits.
func (s *Store) callRounds(key string, l *callLine) {
	for {
		s.calls.mu.Lock()
		round := takeRound(l)
		if len(round) == 0 {
			if l.running--; l.running == 0 && len(l.pending) == 0 {
				delete(s.calls.lines, key)
			}
			s.calls.mu.Unlock()
			return
		}
		s.calls.mu.Unlock()
		results := s.runRound(l, round)
		var again []*callReq
		for i, r := range round {
			res := results[i]
			if res.retry {
				if r.tries++; r.tries < maxCallReads {
					again = append(again, r)
					continue
				}
				res.err = fmt.Errorf("%w: other counters took its ticket %d times", queue.ErrBusy, maxCallReads)
			}
			r.done <- res
		}
		s.calls.mu.Lock()
		for _, r := range round {
			delete(l.busy, r.code)
		}
		l.pending = append(again, l.pending...)
		s.calls.mu.Unlock()
	}
}

// takeRound takes up to maxRound waiting calls, at most one per counter
// and none of a counter in a round in flight (a second call at a counter
// waits for the first's round), and drops those whose caller has gone.
// Its counters become busy.
func takeRound(l *callLine) []*callReq {
	var round, rest []*callReq
	for _, r := range l.pending {
		switch {
		case r.ctx.Err() != nil:
			r.done <- callResult{err: r.ctx.Err()}
		case l.busy[r.code] || len(round) == maxRound:
			rest = append(rest, r)
		default:
			l.busy[r.code] = true
			round = append(round, r)
		}
	}
	l.pending = rest
	return round
}

// runRound makes one round of calls, and if it fails as a whole (a
// deadlock with another node, say), each call in a round of its own, so
// that one call's failure is its own.
func (s *Store) runRound(l *callLine, round []*callReq) []callResult {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	results, err := s.callRound(ctx, l, round)
	if err == nil {
		return results
	}
	if len(round) == 1 {
		return []callResult{{err: err}}
	}
	results = make([]callResult, len(round))
	for i, r := range round {
		res, err := s.callRound(ctx, l, []*callReq{r})
		if err != nil {
			res = []callResult{{err: err}}
		}
		results[i] = res[0]
	}
	return results
}

// callRound makes one round: on SQLite in one write transaction, on
// PostgreSQL as reads and one statement, the tickets it gives out kept
// from the rounds after it until it has written. A panic in a caller's
// pick fails the round, as it would have failed the caller's request,
// instead of the process.
func (s *Store) callRound(ctx context.Context, l *callLine, round []*callReq) (_ []callResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("call round: panic: %v", p)
		}
	}()
	results := make([]callResult, len(round))
	if s.q.Queue.CallMany == "" {
		err := s.inWriteTx(ctx, func(tx queueTx) error {
			plan, err := s.planRound(ctx, tx, l.branch, l.day, round, results, nil)
			if err != nil {
				return err
			}
			return s.writeCalls(ctx, tx, l.branch, plan, results)
		})
		return results, err
	}
	plan, err := s.planInTurn(ctx, l, round, results)
	defer func() {
		s.calls.mu.Lock()
		for _, p := range plan {
			delete(l.taken, p.ticket.ID)
		}
		s.calls.mu.Unlock()
	}()
	if err != nil || len(plan) == 0 {
		return results, err
	}
	return results, s.callMany(ctx, l.branch, plan, results)
}

// planInTurn plans a PostgreSQL round once the round before it has
// planned, giving out no ticket a round in flight gave, and marks the
// tickets it gave out as taken.
func (s *Store) planInTurn(ctx context.Context, l *callLine, round []*callReq, results []callResult) ([]plannedCall, error) {
	l.planning.Lock()
	defer l.planning.Unlock()
	s.calls.mu.Lock()
	others := maps.Clone(l.taken)
	s.calls.mu.Unlock()
	plan, err := s.planRound(ctx, s.db, l.branch, l.day, round, results, others)
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	for _, p := range plan {
		l.taken[p.ticket.ID] = p.ticket.Queue
	}
	return plan, err
}

// plannedCall is a call of a round with the ticket it is to make.
type plannedCall struct {
	i       int // the call's index in the round
	req     *callReq
	counter queue.CounterState
	ticket  queue.Ticket
	turn    int
}

// planRound reads the round's counters and the waiting tickets of their
// queues, refuses the calls their counters cannot make (closed, busy
// without an outcome, nothing left for it), and gives each other call,
// in the round's order, the first of its pick's candidates that no call
// before it was given, nor one in others (given by rounds in flight).
// Refusals go into results; the plan is the rest.
func (s *Store) planRound(ctx context.Context, q querier, branch, day string, round []*callReq, results []callResult,
	others map[string]string) ([]plannedCall, error) {
	counters, err := s.callCounters(ctx, q, branch, round)
	if err != nil {
		return nil, err
	}
	// Each queue is read once, for every call that may take from it.
	calls := map[string]int{}
	for _, q := range others {
		calls[q]++
	}
	for _, r := range round {
		for _, q := range counters[r.code].Queues {
			calls[q]++
		}
	}
	lines, err := s.readLines(ctx, q, branch, day, round, counters, calls)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for id := range others {
		taken[id] = true
	}
	var plan []plannedCall
	for i, r := range round {
		c, ok := counters[r.code]
		switch {
		case !ok:
			results[i].err = notFound(sql.ErrNoRows, "counter", branch+"."+r.code)
			continue
		case !c.Open:
			results[i].err = queue.ErrCounterClosed
			continue
		case c.Current != "" && r.finish == "":
			results[i].err = queue.ErrBusy
			continue
		}
		var waiting []waitingTicket
		for _, code := range c.Queues {
			for _, w := range lines[code] {
				if !taken[w.ID] {
					waiting = append(waiting, w)
				}
			}
		}
		ts := inQueueOrder(waiting)
		cands := r.pick(c, ts)
		if len(cands) == 0 {
			results[i].err = queue.ErrEmpty
			continue
		}
		t := ts[cands[0].Index]
		taken[t.ID] = true
		plan = append(plan, plannedCall{i: i, req: r, counter: c, ticket: t, turn: cands[0].Turn})
	}
	return plan, nil
}

// waitingTicket is a waiting ticket with its numbering prefix, the
// queue order's tie-break.
type waitingTicket struct {
	queue.Ticket
	prefix string
}

// inQueueOrder returns the tickets of several queues' lines in
// QueuedAt order, as a counter serving them all sees them.
func inQueueOrder(ws []waitingTicket) []queue.Ticket {
	slices.SortFunc(ws, func(a, b waitingTicket) int {
		return cmp.Or(a.QueuedAt.Compare(b.QueuedAt), cmp.Compare(a.prefix, b.prefix), cmp.Compare(a.Seq, b.Seq))
	})
	ts := make([]queue.Ticket, len(ws))
	for i, w := range ws {
		ts[i] = w.Ticket
	}
	return ts
}
