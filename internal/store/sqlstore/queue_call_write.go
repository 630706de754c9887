package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/queue"
)

// callCounters reads the live state and the queues of the round's
// counters (the CallCounters query), by code.
func (s *Store) callCounters(ctx context.Context, q querier, branch string, round []*callReq) (map[string]queue.CounterState, error) {
	codes := make([]string, len(round))
	for i, r := range round {
		codes[i] = r.code
	}
	rows, err := q.QueryContext(ctx, s.q.Queue.CallCounters, branch, s.q.Queue.List(codes))
	if err != nil {
		return nil, fmt.Errorf("counters: %w", err)
	}
	cs, err := collect(rows, func(r *sql.Rows) (queue.CounterState, error) {
		var served string
		c, err := scanCounter(withLead{r, nil, []any{&served}})
		if served != "" {
			c.Queues = strings.Split(served, ",")
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("counters: %w", err)
	}
	out := make(map[string]queue.CounterState, len(cs))
	for _, c := range cs {
		out[c.Code] = c
	}
	return out, nil
}

// readLines reads the waiting tickets of every queue the round's
// counters serve, each queue once, enough of each for the calls that
// may take from it (calls, by queue): where the engine can, up to
// WaitingManySlots queues in one query, else one query a queue.
func (s *Store) readLines(ctx context.Context, q querier, branch, day string, round []*callReq,
	counters map[string]queue.CounterState, calls map[string]int) (map[string][]waitingTicket, error) {
	var codes []string
	seen := map[string]bool{}
	for _, r := range round {
		for _, code := range counters[r.code].Queues {
			if !seen[code] {
				seen[code] = true
				codes = append(codes, code)
			}
		}
	}
	lines := make(map[string][]waitingTicket, len(codes))
	for len(codes) > 0 {
		chunk := codes
		if s.q.Queue.WaitingMany == nil {
			chunk = codes[:1]
		} else if len(chunk) > WaitingManySlots {
			chunk = codes[:WaitingManySlots]
		}
		codes = codes[len(chunk):]
		most := 0
		for _, code := range chunk {
			most = max(most, calls[code])
		}
		query := s.queue.waitingOne[windowFor(most)]
		args := []any{branch, day, chunk[0]}
		if s.q.Queue.WaitingMany != nil {
			query, args = s.queue.waitingMany[windowFor(most)], []any{branch, day}
			for i := range WaitingManySlots {
				if i < len(chunk) {
					args = append(args, chunk[i])
				} else {
					args = append(args, nil)
				}
			}
		}
		ws, err := s.waiting(ctx, q, query, branch, day, args)
		if err != nil {
			return nil, err
		}
		dup := map[string]bool{} // an appointment ticket is read by its class and by its slot
		for _, w := range ws {
			if !dup[w.ID] {
				dup[w.ID] = true
				lines[w.Queue] = append(lines[w.Queue], w)
			}
		}
	}
	return lines, nil
}

// WaitingManySlots is how many queues one WaitingMany query reads.
const WaitingManySlots = 8

// waiting runs a WaitingOne or WaitingMany query. The tickets carry what
// the calling rule needs (ID, queue, number, source, class, due, issue and
// queue times), not their holder or history.
func (s *Store) waiting(ctx context.Context, q querier, query, branch, day string, args []any) ([]waitingTicket, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("waiting tickets: %w", err)
	}
	ts, err := collect(rows, func(r *sql.Rows) (waitingTicket, error) {
		w := waitingTicket{Ticket: queue.Ticket{Branch: branch, Day: day, Status: queue.Waiting}}
		var source, class string
		var due sql.NullTime
		err := r.Scan(&w.ID, &w.Queue, &w.prefix, &w.Seq, &w.Number, &source, &class, &due, &w.IssuedAt, &w.QueuedAt)
		w.Source, w.Class, w.DueAt = queue.Source(source), queue.Class(class), due.Time
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("waiting tickets: %w", err)
	}
	return ts, nil
}

// writeCalls makes a round's calls in the write transaction that read
// them (SQLite), which holds the database: each completes the ticket at
// its counter when it has an outcome, calls its ticket and moves the
// counter on.
func (s *Store) writeCalls(ctx context.Context, tx queueTx, branch string, plan []plannedCall, results []callResult) error {
	for _, p := range plan {
		res := &results[p.i]
		at := p.req.at.UTC()
		if cur := p.counter.Current; cur != "" {
			var err error
			res.finished, err = s.transition(ctx, tx, cur, []queue.Status{queue.Called},
				queue.Change{Status: queue.Done, Outcome: p.req.finish, At: p.req.at})
			if err != nil {
				return err
			}
		}
		id := p.ticket.ID
		r, err := tx.ExecContext(ctx, s.q.Queue.CallTicket, p.counter.Code, at, id)
		if err != nil {
			return fmt.Errorf("call ticket: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("call ticket %s: %w", id, queue.ErrState) // the write transaction holds the database
		}
		if _, err := tx.ExecContext(ctx, s.q.Queue.SetCalled, p.turn, id, at, branch, p.counter.Code); err != nil {
			return fmt.Errorf("counter call: %w", err)
		}
		// The round read only what the rule needs; the caller gets the
		// whole ticket (its holder, to tell them).
		if res.called, err = scanTicket(tx.QueryRowContext(ctx, s.q.Queue.Ticket, id)); err != nil {
			return fmt.Errorf("called ticket %s: %w", id, err)
		}
	}
	return nil
}

// callMany makes a round's calls in one statement (the CallMany query,
// PostgreSQL): each counter still as read is locked, its ticket taken if
// still waiting and not locked by another node's counter (SKIP LOCKED),
// the ticket at the counter completed and the counter moved on. A call
// whose counter changed or whose ticket was taken goes to the next round.
func (s *Store) callMany(ctx context.Context, branch string, plan []plannedCall, results []callResult) error {
	n := len(plan)
	codes, currents, finishes, picks := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	turns, pickTurns, ats := make([]int64, n), make([]int64, n), make([]time.Time, n)
	for i, p := range plan {
		codes[i], currents[i], finishes[i], picks[i] = p.counter.Code, p.counter.Current, p.req.finish, p.ticket.ID
		turns[i], pickTurns[i], ats[i] = int64(p.counter.Turn), int64(p.turn), p.req.at.UTC()
	}
	rows, err := s.db.QueryContext(ctx, s.q.Queue.CallMany, branch, codes, turns, currents, finishes, picks, pickTurns, ats)
	if err != nil {
		return fmt.Errorf("call: %w", err)
	}
	var kind string // 'done' or 'called'
	changed, err := collect(rows, func(r *sql.Rows) (queue.Ticket, error) {
		return scanTicket(withLead{r, []any{&kind}, nil})
	})
	if err != nil {
		return fmt.Errorf("call: %w", err)
	}
	byCounter := map[string]*callResult{}
	for _, p := range plan {
		byCounter[p.counter.Code] = &results[p.i]
	}
	for _, t := range changed {
		res := byCounter[t.Counter]
		if res == nil {
			return fmt.Errorf("call: ticket %s changed at counter %s, not in the round", t.ID, t.Counter)
		}
		if t.Status == queue.Called {
			res.called = t
		} else {
			res.finished = t
		}
	}
	for _, p := range plan {
		if results[p.i].called.ID == "" {
			results[p.i] = callResult{retry: true}
		}
	}
	return nil
}

// withLead scans a row whose first columns go to lead, the last to
// tail, and the rest to what the wrapped scan asks for.
type withLead struct {
	r          scanner
	lead, tail []any
}

// Scan scans the lead columns, dest, then the tail columns.
func (w withLead) Scan(dest ...any) error {
	all := append(append(append([]any{}, w.lead...), dest...), w.tail...)
	return w.r.Scan(all...)
}
