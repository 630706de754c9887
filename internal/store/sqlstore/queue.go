package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/queue"
)

// QueueQueries are the queue tickets' statements.
//
// Queue columns: branch_code, code, entity_code, name_zh, name_pt,
// name_en, services (JSON), daily_quota, last_remote, max_wait_s.
// Counter columns: branch_code, code, entity_code, name_zh, name_pt,
// name_en, priority_share, normal_share, is_open, staff_id, turn,
// current_ticket. Ticket columns: id, branch_code, queue, prefix, day, seq,
// number, source, class, class_confirmed, account_id, phone,
// appointment_id, due_at, issued_at, queued_at, status, counter,
// called_at, recalls, done_at, outcome, and whether the near notice went (queue_ticket_near).
type QueueQueries struct {
	// DeleteQueues (branch); InsertQueue takes the queue columns; Queues
	// (branch).
	DeleteQueues, InsertQueue, Queues string
	// UpsertCounter takes (branch, code, entity, zh, pt, en, priority,
	// normal, at) and keeps the live state; CounterCodes (branch);
	// DeleteCounter (branch, code).
	UpsertCounter, CounterCodes, DeleteCounter string
	// DeleteCounterQueues (branch); InsertCounterQueue (branch, counter,
	// queue, position); CounterQueues (branch) and CounterQueuesOf
	// (branch, counter) return (counter, queue) in order.
	DeleteCounterQueues, InsertCounterQueue, CounterQueues, CounterQueuesOf string
	// Counters (branch); Counter and CounterForUpdate (branch, code), the
	// latter locking the row where the engine can.
	Counters, Counter, CounterForUpdate string
	// OpenCounter (staff, at, branch, code); CloseCounter (at, branch,
	// code) only while no ticket is called at it.
	OpenCounter, CloseCounter string
	// NextSeq takes (branch, prefix, day, remote 0/1, quota) and returns
	// the new number; its CHECK refuses a remote ticket over the quota.
	NextSeq string
	// InsertTicket takes (id, branch, queue, prefix, day, seq, number,
	// source, class, class_confirmed, account_id, phone, appointment_id,
	// due_at, issued_at, queued_at, status, active_branch, limit_branch).
	InsertTicket, Ticket, TicketForUpdate, Tickets string
	// LiveTickets (branch, day, calls) lists the day's tickets not done or
	// cancelled, the latest calls done ones by called_at (then number,
	// newest first) and each of the branch's queues' latest done one, in
	// QueuedAt order.
	LiveTickets string
	// ClosedAt (branch, at) is true while a closure of the branch covers
	// at.
	ClosedAt string
	// IssueOne, where the engine can, numbers and writes a ticket without
	// jobs or key in one statement (see the PostgreSQL queries); empty
	// elsewhere. IssueMany, where the engine can, does the same for a
	// round of tickets of one numbering sequence: (branch, prefix, day,
	// count, remote count, quota, while open, earliest and latest issue
	// times, then one array per ticket column) returning (id, seq).
	IssueOne, IssueMany string
	// TicketsOf (account, day) lists an account's tickets of a day in
	// IssuedAt order.
	TicketsOf string
	// CallCounters (branch, codes) returns the counters' columns, each
	// row followed by the queues it serves, comma-separated in order (the
	// branch's queues when it has none). A list parameter is passed
	// through List.
	CallCounters string
	// WaitingOne(n) is the query (branch, day, queue) that lists the
	// waiting tickets of a queue a round of calls chooses among: the
	// first n of each class by QueuedAt, and n appointment tickets by
	// DueAt, n written in; its columns are id, queue, prefix, seq, number,
	// source, class, due_at, issued_at, queued_at. Its parameters are
	// plain values, so that PostgreSQL plans it once (a list parameter
	// had it planned anew on every call, 1 ms each).
	WaitingOne func(n int) string
	// WaitingMany(n), where the engine can, is WaitingOne for up to
	// WaitingManySlots queues at once: (branch, day, then one parameter
	// per slot, NULL when unused), each queue's tickets in no set order
	// and an appointment ticket possibly twice; nil elsewhere.
	WaitingMany func(n int) string
	// List turns a list into the engine's parameter (an array on
	// PostgreSQL, JSON on SQLite).
	List func([]string) any
	// CallMany, where the engine can, makes a round's calls in one
	// statement (see the PostgreSQL queries); empty elsewhere. CallTicket
	// (counter, at, id) calls a waiting ticket; it changes no row when the
	// ticket is no longer waiting. SetCalled (turn, ticket, at, branch,
	// code) records the call at the counter.
	CallMany, CallTicket, SetCalled string
	// TakeCounter (ticket, at, branch, code) makes the ticket current at
	// an open, free counter; FreeCounter (at, branch, code, ticket).
	TakeCounter, FreeCounter string
	// UpdateTicket takes (status, queue, class, class_confirmed, counter,
	// called_at, recalls, done_at, outcome, active, id, old status, old
	// recalls); active keeps the one-per-branch hold.
	UpdateTicket string
	// ServiceTimes (branch, queue, n) returns (called_at, done_at), newest
	// first; MarkNear (id) inserts the ticket's near mark once.
	ServiceTimes, MarkNear string
	IdemLookup, IdemInsert string
	// UniqueViolation returns the violated constraint's name or columns;
	// CheckViolation reports a broken CHECK.
	UniqueViolation func(error) string
	CheckViolation  func(error) bool
}

var _ queue.Store = (*Store)(nil)

// queueState is what a store keeps for the queue's hot paths: its
// prepared statements, and on SQLite the turn of its writers.
type queueState struct {
	writers                 sync.Mutex
	once                    sync.Once
	stmts                   map[string]*sql.Stmt
	waitingOne, waitingMany map[int]string // the queries of each window size
}

// queueTx is a transaction whose hot statements are prepared once per
// connection: a call at a counter runs the same few statements every
// time, and on SQLite parsing them again was a third of its cost.
type queueTx struct {
	*sql.Tx
	st *queueState
}

// prepare prepares the hot statements, outside any transaction: one
// prepared inside would need a second connection while holding one, and
// writers holding every connection of the pool would wait for each other.
// A statement that fails to prepare runs unprepared.
func (s *Store) prepareQueue(ctx context.Context) {
	s.queue.once.Do(func() {
		q := s.q.Queue
		s.queue.stmts = map[string]*sql.Stmt{}
		s.queue.waitingOne = map[int]string{}
		hot := []string{q.CallCounters, q.Ticket, q.CallTicket, q.SetCalled, q.Counter, q.CounterForUpdate, q.CounterQueuesOf,
			q.TicketForUpdate, q.UpdateTicket, q.FreeCounter, q.TakeCounter, q.ClosedAt, q.NextSeq, q.InsertTicket, q.IdemLookup,
			q.IdemInsert, q.MarkNear}
		s.queue.waitingMany = map[int]string{}
		for _, n := range windowSizes {
			s.queue.waitingOne[n] = q.WaitingOne(n)
			hot = append(hot, s.queue.waitingOne[n])
			if q.WaitingMany != nil {
				s.queue.waitingMany[n] = q.WaitingMany(n)
				hot = append(hot, s.queue.waitingMany[n])
			}
		}
		for _, query := range hot {
			if st, err := s.db.PrepareContext(context.WithoutCancel(ctx), query); err == nil {
				s.queue.stmts[query] = st
			}
		}
	})
}

// stmt returns query prepared for the transaction, nil if it is not.
func (tx queueTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if p := tx.st.stmts[query]; p != nil {
		return tx.StmtContext(ctx, p)
	}
	return nil
}

// ExecContext runs a prepared statement in the transaction.
func (tx queueTx) ExecContext(ctx context.Context, query string, params ...any) (sql.Result, error) {
	if st := tx.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, params...)
	}
	return tx.Tx.ExecContext(ctx, query, params...)
}

// QueryContext runs a prepared query in the transaction.
func (tx queueTx) QueryContext(ctx context.Context, query string, params ...any) (*sql.Rows, error) {
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, params...)
	}
	return tx.Tx.QueryContext(ctx, query, params...)
}

// QueryRowContext runs a prepared one-row query in the transaction.
func (tx queueTx) QueryRowContext(ctx context.Context, query string, params ...any) *sql.Row {
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, params...)
	}
	return tx.Tx.QueryRowContext(ctx, query, params...)
}

// inWriteTx is inTx for the writes many callers race to make at once
// (tickets issued, calls at counters), with prepared statements. On
// SQLite the writers wait in turn for the database's one write lock here,
// rather than in SQLite's busy handler: that one polls, and while it
// sleeps a writer arriving just as the lock is freed takes it, so under a
// steady stream of writes a poller can starve past busy_timeout and fail
// with SQLITE_BUSY.
func (s *Store) inWriteTx(ctx context.Context, fn func(tx queueTx) error) error {
	s.prepareQueue(ctx)
	if s.engine == "sqlite" {
		s.queue.writers.Lock()
		defer s.queue.writers.Unlock()
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return fn(queueTx{Tx: tx, st: &s.queue}) })
}

func scanQueue(r scanner) (queue.Queue, error) {
	var q queue.Queue
	var services string
	var maxWait int64
	err := r.Scan(&q.Branch, &q.Code, &q.Entity, &q.Name.ZhHant, &q.Name.Pt, &q.Name.En, &services, &q.DailyQuota,
		&q.LastRemote, &maxWait)
	if err != nil {
		return q, err
	}
	q.MaxWait = time.Duration(maxWait) * time.Second
	if err := json.Unmarshal([]byte(services), &q.Services); err != nil {
		return q, fmt.Errorf("decode services: %w", err)
	}
	return q, nil
}

func scanCounter(r scanner) (queue.CounterState, error) {
	var c queue.CounterState
	var current sql.NullString
	err := r.Scan(&c.Branch, &c.Code, &c.Entity, &c.Name.ZhHant, &c.Name.Pt, &c.Name.En, &c.PriorityShare, &c.NormalShare,
		&c.Open, &c.StaffID, &c.Turn, &current)
	c.Current = current.String
	return c, err
}

// SaveQueues replaces a branch's queues and counter profiles; see
// queue.Store.
func (s *Store) SaveQueues(ctx context.Context, branch string, qs []queue.Queue, cs []queue.Counter) error {
	return s.inWriteTx(ctx, func(tx queueTx) error {
		if err := s.saveQueueRows(ctx, tx, branch, qs); err != nil {
			return err
		}
		return s.saveCounterRows(ctx, tx, branch, cs)
	})
}

func (s *Store) saveQueueRows(ctx context.Context, tx queueTx, branch string, qs []queue.Queue) error {
	if _, err := tx.ExecContext(ctx, s.q.Queue.DeleteQueues, branch); err != nil {
		return fmt.Errorf("delete queues: %w", err)
	}
	for _, q := range qs {
		services, err := json.Marshal(append([]string{}, q.Services...))
		if err != nil {
			return fmt.Errorf("encode services: %w", err)
		}
		_, err = tx.ExecContext(ctx, s.q.Queue.InsertQueue, args([]any{branch, q.Code, q.Entity}, textArgs(q.Name),
			[]any{string(services), q.DailyQuota, q.LastRemote, int64(q.MaxWait / time.Second)})...)
		if err != nil {
			return fmt.Errorf("insert queue %s: %w", q.Code, err)
		}
	}
	return nil
}

func (s *Store) saveCounterRows(ctx context.Context, tx queueTx, branch string, cs []queue.Counter) error {
	keep := map[string]bool{}
	at := s.now().UTC()
	for _, c := range cs {
		keep[c.Code] = true
		_, err := tx.ExecContext(ctx, s.q.Queue.UpsertCounter, args([]any{branch, c.Code, c.Entity}, textArgs(c.Name),
			[]any{c.PriorityShare, c.NormalShare, at})...)
		if err != nil {
			return fmt.Errorf("save counter %s: %w", c.Code, err)
		}
	}
	rows, err := tx.QueryContext(ctx, s.q.Queue.CounterCodes, branch)
	if err != nil {
		return fmt.Errorf("counters: %w", err)
	}
	codes, err := collect(rows, func(r *sql.Rows) (string, error) {
		var c string
		return c, r.Scan(&c)
	})
	if err != nil {
		return err
	}
	for _, code := range codes {
		if keep[code] {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.q.Queue.DeleteCounter, branch, code); err != nil {
			return fmt.Errorf("delete counter %s: %w", code, err)
		}
	}
	return s.saveCounterQueues(ctx, tx, branch, cs)
}

func (s *Store) saveCounterQueues(ctx context.Context, tx queueTx, branch string, cs []queue.Counter) error {
	if _, err := tx.ExecContext(ctx, s.q.Queue.DeleteCounterQueues, branch); err != nil {
		return fmt.Errorf("delete counter queues: %w", err)
	}
	for _, c := range cs {
		for i, q := range c.Queues {
			if _, err := tx.ExecContext(ctx, s.q.Queue.InsertCounterQueue, branch, c.Code, q, i); err != nil {
				return fmt.Errorf("counter %s queue %s: %w", c.Code, q, err)
			}
		}
	}
	return nil
}

// Queues lists a branch's queues by code.
func (s *Store) Queues(ctx context.Context, branch string) ([]queue.Queue, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Queue.Queues, branch)
	if err != nil {
		return nil, fmt.Errorf("queues: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (queue.Queue, error) { return scanQueue(r) })
}

// Counters lists a branch's counters by code with their live state.
func (s *Store) Counters(ctx context.Context, branch string) ([]queue.CounterState, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Queue.Counters, branch)
	if err != nil {
		return nil, fmt.Errorf("counters: %w", err)
	}
	cs, err := collect(rows, func(r *sql.Rows) (queue.CounterState, error) { return scanCounter(r) })
	if err != nil {
		return nil, err
	}
	served, err := s.counterQueues(ctx, s.db, s.q.Queue.CounterQueues, branch)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		cs[i].Queues = served[cs[i].Code]
	}
	return cs, nil
}

// counterQueues reads (counter, queue) rows into each counter's queues.
func (s *Store) counterQueues(ctx context.Context, q querier, query string, params ...any) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, query, params...)
	if err != nil {
		return nil, fmt.Errorf("counter queues: %w", err)
	}
	pairs, err := collect(rows, func(r *sql.Rows) ([2]string, error) {
		var p [2]string
		return p, r.Scan(&p[0], &p[1])
	})
	out := map[string][]string{}
	for _, p := range pairs {
		out[p[0]] = append(out[p[0]], p[1])
	}
	return out, err
}

// counter reads one counter with its queues, through query (Counter or
// CounterForUpdate).
func (s *Store) counter(ctx context.Context, q querier, query, branch, code string) (queue.CounterState, error) {
	c, err := scanCounter(q.QueryRowContext(ctx, query, branch, code))
	if err != nil {
		return c, notFound(err, "counter", branch+"."+code)
	}
	served, err := s.counterQueues(ctx, q, s.q.Queue.CounterQueuesOf, branch, code)
	c.Queues = served[code]
	return c, err
}

// SetCounter opens or closes a counter; see queue.Store.
func (s *Store) SetCounter(ctx context.Context, branch, code string, open bool, staffID string, at time.Time) (queue.CounterState, error) {
	var c queue.CounterState
	err := s.inWriteTx(ctx, func(tx queueTx) error {
		var res sql.Result
		var err error
		if open {
			res, err = tx.ExecContext(ctx, s.q.Queue.OpenCounter, staffID, at.UTC(), branch, code)
		} else {
			res, err = tx.ExecContext(ctx, s.q.Queue.CloseCounter, at.UTC(), branch, code)
		}
		if err != nil {
			return fmt.Errorf("set counter: %w", err)
		}
		if c, err = s.counter(ctx, tx, s.q.Queue.Counter, branch, code); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return queue.ErrBusy
		}
		return nil
	})
	return c, err
}

// ServiceTimes returns the service durations of the queue's last n
// completed tickets, newest first.
func (s *Store) ServiceTimes(ctx context.Context, branch, queueCode string, n int) ([]time.Duration, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Queue.ServiceTimes, branch, queueCode, n)
	if err != nil {
		return nil, fmt.Errorf("service times: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (time.Duration, error) {
		var called, done time.Time
		err := r.Scan(&called, &done)
		return done.Sub(called), err
	})
}

// MarkNear sets NearSent once and enqueues js when it did.
func (s *Store) MarkNear(ctx context.Context, id string, js []jobs.Job) (bool, error) {
	var marked bool
	err := s.inWriteTx(ctx, func(tx queueTx) error {
		res, err := tx.ExecContext(ctx, s.q.Queue.MarkNear, id)
		if err != nil {
			return fmt.Errorf("mark near: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		marked = true
		return s.insertJobs(ctx, tx.Tx, js)
	})
	return marked, err
}

// uniqueOn reports whether err broke a unique constraint whose name or
// columns contain part.
func (s *Store) uniqueOn(err error, part string) bool {
	if err == nil || s.q.Queue.UniqueViolation == nil {
		return false
	}
	v := s.q.Queue.UniqueViolation(err)
	return v != "" && strings.Contains(v, part)
}

// nullTime is NULL for the zero time, else t in UTC.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// nullString is NULL for "".
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
