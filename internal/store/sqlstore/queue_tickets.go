package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/oneaccount/oneaccount/internal/queue"
)

func scanTicket(r scanner) (queue.Ticket, error) {
	var t queue.Ticket
	var source, class, status string
	var account sql.NullString
	var due, called, done sql.NullTime
	var prefix string
	err := r.Scan(&t.ID, &t.Branch, &t.Queue, &prefix, &t.Day, &t.Seq, &t.Number, &source, &class, &t.ClassConfirmed,
		&account, &t.Phone, &t.AppointmentID, &due, &t.IssuedAt, &t.QueuedAt, &status, &t.Counter, &called, &t.Recalls,
		&done, &t.Outcome, &t.NearSent)
	t.Source, t.Class, t.Status = queue.Source(source), queue.Class(class), queue.Status(status)
	t.AccountID, t.DueAt, t.CalledAt, t.DoneAt = account.String, due.Time, called.Time, done.Time
	return t, err
}

// Ticket returns a ticket by its ID.
func (s *Store) Ticket(ctx context.Context, id string) (queue.Ticket, error) {
	t, err := scanTicket(s.hot().QueryRowContext(ctx, s.q.Queue.Ticket, id))
	if err != nil {
		return t, notFound(err, "ticket", id)
	}
	return t, nil
}

// Tickets lists a branch's tickets of a day in QueuedAt order.
func (s *Store) Tickets(ctx context.Context, branch, day string) ([]queue.Ticket, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Queue.Tickets, branch, day)
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (queue.Ticket, error) { return scanTicket(r) })
}

// LiveTickets lists what a branch's live status needs of a day's tickets;
// see queue.Store.
func (s *Store) LiveTickets(ctx context.Context, branch, day string, calls int) ([]queue.Ticket, error) {
	rows, err := s.hot().QueryContext(ctx, s.q.Queue.LiveTickets, branch, day, calls)
	if err != nil {
		return nil, fmt.Errorf("live tickets: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (queue.Ticket, error) { return scanTicket(r) })
}

// TicketsOf lists an account's tickets of a day in IssuedAt order.
func (s *Store) TicketsOf(ctx context.Context, accountID, day string) ([]queue.Ticket, error) {
	rows, err := s.hot().QueryContext(ctx, s.q.Queue.TicketsOf, accountID, day)
	if err != nil {
		return nil, fmt.Errorf("tickets of account: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (queue.Ticket, error) { return scanTicket(r) })
}

// IssueTicket numbers and writes a ticket with its jobs in one
// transaction; see queue.Store. The number comes from an upsert that
// increments the sequence row of the branch, prefix and day, so two
// tickets never share one; the row's CHECK enforces the quota and a
// unique index the one active ticket per person and branch.
func (s *Store) IssueTicket(ctx context.Context, nt queue.NewTicket) (queue.Ticket, bool, error) {
	t := nt.Ticket
	t.Status, t.QueuedAt = queue.Waiting, cmp.Or(t.QueuedAt, t.IssuedAt)
	idem := nt.IdempotencyKey != "" && t.AccountID != ""
	if !idem && len(nt.Jobs) == 0 {
		t, err := s.issueInRounds(ctx, nt, t)
		return t, err == nil, err
	}
	var existing string
	err := s.inWriteTx(ctx, func(tx queueTx) error {
		existing = ""
		if idem {
			var err error
			if existing, err = s.claimTicketKey(ctx, tx, t, nt.IdempotencyKey); err != nil || existing != "" {
				return err
			}
		}
		if err := s.insertJobs(ctx, tx.Tx, nt.Jobs); err != nil {
			return err
		}
		var err error
		t, err = s.insertTicket(ctx, tx, nt, t)
		return err
	})
	if errors.Is(err, errIdemRace) {
		existing, err = s.ticketKey(ctx, s.db, t.AccountID, nt.IdempotencyKey)
	}
	if err != nil {
		return t, false, err
	}
	if existing != "" {
		first, err := s.Ticket(ctx, existing)
		return first, false, err
	}
	return t, true, nil
}

// claimTicketKey returns the ticket an Idempotency-Key already issued, or
// stores the key for t ("" returned); a key stored concurrently is
// errIdemRace.
func (s *Store) claimTicketKey(ctx context.Context, tx queueTx, t queue.Ticket, key string) (string, error) {
	id, err := s.ticketKey(ctx, tx, t.AccountID, key)
	if err != nil || id != "" {
		return id, err
	}
	if _, err := tx.ExecContext(ctx, s.q.Queue.IdemInsert, t.AccountID, key, t.ID, t.IssuedAt.UTC()); err != nil {
		if s.uniqueOn(err, "") {
			return "", errIdemRace
		}
		return "", fmt.Errorf("idempotency key: %w", err)
	}
	return "", nil
}

func (s *Store) ticketKey(ctx context.Context, q querier, account, key string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, s.q.Queue.IdemLookup, account, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("idempotency key: %w", err)
	}
	return id, nil
}

// issueAlone is IssueTicket for a ticket without jobs or an
// Idempotency-Key: on PostgreSQL in one statement, on SQLite in one
// write transaction.
func (s *Store) issueAlone(ctx context.Context, nt queue.NewTicket, t queue.Ticket) (queue.Ticket, error) {
	if s.q.Queue.IssueOne == "" {
		err := s.inWriteTx(ctx, func(tx queueTx) error {
			var err error
			t, err = s.insertTicket(ctx, tx, nt, t)
			return err
		})
		return t, err
	}
	prefix := cmp.Or(nt.Prefix, t.Queue)
	remote := 0
	if t.Source == queue.Remote {
		remote = 1
	}
	var limit any
	if nt.OnePerBranch && t.AccountID != "" {
		limit = t.Branch
	}
	t.Class = cmp.Or(t.Class, queue.Normal)
	err := s.db.QueryRowContext(ctx, s.q.Queue.IssueOne, t.ID, t.Branch, t.Queue, prefix, t.Day, string(t.Source),
		string(t.Class), t.ClassConfirmed, nullString(t.AccountID), t.Phone, t.AppointmentID, nullTime(t.DueAt),
		t.IssuedAt.UTC(), t.QueuedAt.UTC(), limit, remote, nt.Quota, nt.WhileOpen).Scan(&t.Seq)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return t, queue.ErrClosed // a closure covers the issue time
	case err != nil && s.q.Queue.CheckViolation(err):
		return t, queue.ErrQuota
	case s.uniqueOn(err, "active"):
		return t, queue.ErrActive
	case err != nil:
		return t, fmt.Errorf("issue ticket: %w", err)
	}
	t.Number = fmt.Sprintf("%s%03d", prefix, t.Seq)
	return t, nil
}

// insertTicket takes the next number and writes the ticket.
func (s *Store) insertTicket(ctx context.Context, tx queueTx, nt queue.NewTicket, t queue.Ticket) (queue.Ticket, error) {
	prefix := cmp.Or(nt.Prefix, t.Queue)
	remote := 0
	if t.Source == queue.Remote {
		remote = 1
	}
	if nt.WhileOpen {
		var closed bool
		if err := tx.QueryRowContext(ctx, s.q.Queue.ClosedAt, t.Branch, t.IssuedAt.UTC()).Scan(&closed); err != nil {
			return t, fmt.Errorf("closures: %w", err)
		}
		if closed {
			return t, queue.ErrClosed
		}
	}
	err := tx.QueryRowContext(ctx, s.q.Queue.NextSeq, t.Branch, prefix, t.Day, remote, nt.Quota).Scan(&t.Seq)
	if err != nil && s.q.Queue.CheckViolation(err) {
		return t, queue.ErrQuota
	}
	if err != nil {
		return t, fmt.Errorf("next number: %w", err)
	}
	t.Number = fmt.Sprintf("%s%03d", prefix, t.Seq)
	var limit any
	if nt.OnePerBranch && t.AccountID != "" {
		limit = t.Branch
	}
	_, err = tx.ExecContext(ctx, s.q.Queue.InsertTicket, t.ID, t.Branch, t.Queue, prefix, t.Day, t.Seq, t.Number,
		string(t.Source), string(cmp.Or(t.Class, queue.Normal)), t.ClassConfirmed, nullString(t.AccountID), t.Phone,
		t.AppointmentID, nullTime(t.DueAt), t.IssuedAt.UTC(), t.QueuedAt.UTC(), string(t.Status), limit, limit)
	if s.uniqueOn(err, "active") {
		return t, queue.ErrActive
	}
	if err != nil {
		return t, fmt.Errorf("insert ticket: %w", err)
	}
	t.Class = cmp.Or(t.Class, queue.Normal)
	return t, nil
}

// Transition changes a ticket's status conditionally; see queue.Store.
// Leaving Called frees the counter; entering Called takes an open, free
// counter (ErrCounterClosed, ErrBusy).
func (s *Store) Transition(ctx context.Context, id string, from []queue.Status, ch queue.Change) (queue.Ticket, error) {
	var n queue.Ticket
	err := s.inWriteTx(ctx, func(tx queueTx) error {
		var err error
		n, err = s.transition(ctx, tx, id, from, ch)
		return err
	})
	return n, err
}

// transition is Transition in the transaction tx.
func (s *Store) transition(ctx context.Context, tx queueTx, id string, from []queue.Status, ch queue.Change) (queue.Ticket, error) {
	t, err := scanTicket(tx.QueryRowContext(ctx, s.q.Queue.TicketForUpdate, id))
	if err != nil {
		return t, notFound(err, "ticket", id)
	}
	if !slices.Contains(from, t.Status) || ch.Recall && t.Recalls >= ch.MaxRecalls {
		return t, queue.ErrState
	}
	n := applyChange(t, ch)
	if n.Status == queue.Called && n.Counter == "" {
		return t, fmt.Errorf("%w: %w", queue.ErrState, errNoCounter)
	}
	if err := s.moveCounter(ctx, tx, t, n, ch.At); err != nil {
		return t, err
	}
	return n, s.updateTicket(ctx, tx, t, n)
}

// applyChange returns t after ch.
func applyChange(t queue.Ticket, ch queue.Change) queue.Ticket {
	n := t
	n.Status = cmp.Or(ch.Status, t.Status)
	n.Counter = cmp.Or(ch.Counter, t.Counter)
	n.Queue = cmp.Or(ch.Queue, t.Queue)
	n.Outcome = cmp.Or(ch.Outcome, t.Outcome)
	if ch.Class != "" {
		n.Class, n.ClassConfirmed = ch.Class, ch.Confirmed
	} else if ch.Confirmed {
		n.ClassConfirmed = true
	}
	if ch.Recall {
		n.Recalls++
	}
	if n.Status == queue.Called && (t.Status == queue.Waiting || t.CalledAt.IsZero()) {
		n.CalledAt = ch.At
	}
	switch {
	case n.Status.Active():
		n.DoneAt = time.Time{}
	case n.Status != t.Status:
		n.DoneAt = ch.At
	}
	return n
}

// moveCounter frees the counter t was called at and takes the one n is
// called at, when they differ.
func (s *Store) moveCounter(ctx context.Context, tx queueTx, t, n queue.Ticket, at time.Time) error {
	was, now := calledAt(t), calledAt(n)
	if was == now {
		return nil
	}
	if was != "" {
		if _, err := tx.ExecContext(ctx, s.q.Queue.FreeCounter, at.UTC(), t.Branch, was, t.ID); err != nil {
			return fmt.Errorf("free counter: %w", err)
		}
	}
	if now == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, s.q.Queue.TakeCounter, t.ID, at.UTC(), t.Branch, now)
	if err != nil {
		return fmt.Errorf("take counter: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 1 {
		return nil
	}
	c, err := s.counter(ctx, tx, s.q.Queue.Counter, t.Branch, now)
	switch {
	case err != nil:
		return err
	case !c.Open:
		return queue.ErrCounterClosed
	}
	return queue.ErrBusy
}

// calledAt is the counter a ticket is called at, "" when not called.
func calledAt(t queue.Ticket) string {
	if t.Status == queue.Called {
		return t.Counter
	}
	return ""
}

// updateTicket writes n over t if t is unchanged.
func (s *Store) updateTicket(ctx context.Context, tx queueTx, t, n queue.Ticket) error {
	res, err := tx.ExecContext(ctx, s.q.Queue.UpdateTicket, string(n.Status), n.Queue, string(n.Class), n.ClassConfirmed,
		n.Counter, nullTime(n.CalledAt), n.Recalls, nullTime(n.DoneAt), n.Outcome, n.Status.Active(), t.ID,
		string(t.Status), t.Recalls)
	switch {
	case s.uniqueOn(err, "active"):
		return queue.ErrActive
	case s.uniqueOn(err, "counter"):
		return queue.ErrBusy
	case err != nil:
		return fmt.Errorf("update ticket: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return queue.ErrState
	}
	return nil
}
