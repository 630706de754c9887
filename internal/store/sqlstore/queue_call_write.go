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

// waitingOne reads the waiting tickets of one queue a round's counters
// may call: the first n of each class, and n appointment tickets by
// DueAt; n is one of WindowSizes. The tickets carry what the calling
// rule needs (ID, queue, number, source, class, due, issue and queue
// times), not their holder or history.
func (s *Store) waitingOne(ctx context.Context, q querier, branch, day, code string, n int) ([]waitingTicket, error) {
	rows, err := q.QueryContext(ctx, s.queue.waitingOne[n], branch, day, code)
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
