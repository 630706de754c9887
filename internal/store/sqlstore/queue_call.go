package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneaccount/oneaccount/internal/queue"
)

// CallWindow bounds the waiting tickets CallNext reads and passes to
// pick: the first CallWindow of each class in QueuedAt order, and the
// first CallWindow appointment tickets by DueAt (the Waiting query has it
// written in). A rule that calls first queued first within a class, and
// due appointments first, chooses among them as it would among all;
// reading all would make every call cost the length of the queue.
const CallWindow = 16

// maxCallReads bounds how often one call reads the waiting tickets again
// after other counters took every candidate, or the counter changed,
// between its read and its write.
const maxCallReads = 20

var errNoCounter = errors.New("ticket called without a counter")

// CallNext calls the counter's next ticket; see queue.Store. On
// PostgreSQL a call is a read and one statement, neither holding a lock
// while the other runs (callOne); on SQLite, one write transaction.
func (s *Store) CallNext(ctx context.Context, branch, code, day string, pick queue.Pick, finish string, at time.Time) (queue.Ticket, queue.Ticket, error) {
	if s.q.Queue.CallOne != "" {
		return s.callOne(ctx, branch, code, day, pick, finish, at)
	}
	var called, finished queue.Ticket
	err := s.inWriteTx(ctx, func(tx queueTx) error {
		c, waiting, err := s.callWindow(ctx, tx, branch, code, day, finish)
		if err != nil {
			return err
		}
		cands := pick(c, waiting)
		if len(cands) == 0 {
			return queue.ErrEmpty
		}
		if c.Current != "" {
			finished, err = s.transition(ctx, tx, c.Current, []queue.Status{queue.Called},
				queue.Change{Status: queue.Done, Outcome: finish, At: at})
			if err != nil {
				return err
			}
		}
		next := cands[0]
		called = waiting[next.Index]
		res, err := tx.ExecContext(ctx, s.q.Queue.CallTicket, c.Code, at.UTC(), called.ID)
		if err != nil {
			return fmt.Errorf("call ticket: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("call ticket %s: %w", called.ID, queue.ErrState) // the write transaction holds the database
		}
		if _, err := tx.ExecContext(ctx, s.q.Queue.SetCalled, next.Turn, called.ID, at.UTC(), branch, code); err != nil {
			return fmt.Errorf("counter call: %w", err)
		}
		called.Status, called.Counter, called.CalledAt = queue.Called, code, at
		return nil
	})
	return called, finished, err
}

// callOne is CallNext on PostgreSQL: the counter and the waiting tickets
// read, the candidates worked out, and the first still free called in
// one statement (the CallOne query), which takes no lock another counter
// waits for. When the statement changed nothing (the counter moved on, or
// others took every candidate) it reads again.
func (s *Store) callOne(ctx context.Context, branch, code, day string, pick queue.Pick, finish string, at time.Time) (queue.Ticket, queue.Ticket, error) {
	for range maxCallReads {
		c, waiting, err := s.callWindow(ctx, s.db, branch, code, day, finish)
		if err != nil {
			return queue.Ticket{}, queue.Ticket{}, err
		}
		cands := pick(c, waiting)
		if len(cands) == 0 {
			return queue.Ticket{}, queue.Ticket{}, queue.ErrEmpty
		}
		ids, turns := make([]string, len(cands)), make([]int64, len(cands))
		for i, k := range cands {
			ids[i], turns[i] = waiting[k.Index].ID, int64(k.Turn)
		}
		rows, err := s.db.QueryContext(ctx, s.q.Queue.CallOne, branch, code, c.Turn, nullString(c.Current), finish, at.UTC(),
			ids, turns)
		if err != nil {
			return queue.Ticket{}, queue.Ticket{}, fmt.Errorf("call: %w", err)
		}
		var kind string // 'done' or 'called', as the ticket's status says too
		changed, err := collect(rows, func(r *sql.Rows) (queue.Ticket, error) {
			return scanTicket(withLead{r, []any{&kind}})
		})
		if err != nil {
			return queue.Ticket{}, queue.Ticket{}, fmt.Errorf("call: %w", err)
		}
		var called, finished queue.Ticket
		for _, t := range changed {
			if t.Status == queue.Called {
				called = t
			} else {
				finished = t
			}
		}
		if called.ID != "" {
			return called, finished, nil
		}
	}
	return queue.Ticket{}, queue.Ticket{}, fmt.Errorf("%w: other counters took every ticket %d times", queue.ErrBusy, maxCallReads)
}

// callWindow reads the counter's live state and the waiting tickets it
// may call (the Waiting query), and refuses a closed counter
// (ErrCounterClosed), one still holding a ticket when finish is unset
// (ErrBusy) and an empty window (ErrEmpty). The counter's queues are
// left unset: the query read only tickets of the queues it serves.
func (s *Store) callWindow(ctx context.Context, q querier, branch, code, day, finish string) (queue.CounterState, []queue.Ticket, error) {
	var open sql.NullBool
	var turn, ps, ns sql.NullInt64
	var current sql.NullString
	rows, err := q.QueryContext(ctx, s.q.Queue.Waiting, branch, day, code)
	if err != nil {
		return queue.CounterState{}, nil, fmt.Errorf("waiting tickets: %w", err)
	}
	waiting, err := collect(rows, func(r *sql.Rows) (queue.Ticket, error) {
		return scanTicket(withLead{r, []any{&open, &turn, &ps, &ns, &current}})
	})
	if err != nil {
		return queue.CounterState{}, nil, fmt.Errorf("waiting tickets: %w", err)
	}
	c := queue.CounterState{Counter: queue.Counter{Branch: branch, Code: code, PriorityShare: int(ps.Int64),
		NormalShare: int(ns.Int64)}, Open: open.Bool, Turn: int(turn.Int64), Current: current.String}
	if !open.Valid {
		// Nothing waits (or no such counter): the counter's own row
		// tells which error is the caller's.
		if c, err = s.counter(ctx, q, s.q.Queue.Counter, branch, code); err != nil {
			return c, nil, err
		}
	}
	switch {
	case !c.Open:
		return c, nil, queue.ErrCounterClosed
	case c.Current != "" && finish == "":
		return c, nil, queue.ErrBusy
	case len(waiting) == 0:
		return c, nil, queue.ErrEmpty
	}
	return c, waiting, nil
}

// withLead scans a row whose first columns go to lead and the rest to
// what the wrapped scan asks for.
type withLead struct {
	r    scanner
	lead []any
}

// Scan scans the lead columns, then dest.
func (w withLead) Scan(dest ...any) error { return w.r.Scan(append(w.lead, dest...)...) }
