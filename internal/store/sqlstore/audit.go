package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
)

// AuditQueries are the audit log's statements. Event statements read and
// write the columns seq, occurred_at, action, actor, actor_entity,
// actor_role, org_id, subject, purpose, ip, user_agent, detail (JSON text),
// prev_hash, hash, in that order.
type AuditQueries struct {
	// AdvanceHead adds one to the head's seq, locking the head row until
	// commit, and returns the new seq and the previous event's hash.
	AdvanceHead string
	// SetHeadHash sets the head's hash (args: hash, seq).
	SetHeadHash string
	// Insert stores one event.
	Insert string
	// Head reads the head's seq and hash.
	Head string
	// Events lists events after a seq, oldest first (args: seq, limit).
	Events string
	// BySubjectAction lists a subject's events of one action, newest first
	// (args: subject, action, limit).
	BySubjectAction string
	// ByActor lists an actor's events, newest first (args: actor, limit).
	ByActor string
}

var _ audit.Store = (*Store)(nil)

// AppendAudit records one event in its own transaction. See audit.Store.
func (s *Store) AppendAudit(ctx context.Context, e audit.Event) (stored audit.Event, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		stored, err = s.appendAudit(ctx, tx, e)
		return err
	})
	return stored, err
}

// appendAudit records e inside tx, so that an action and its audit event
// commit together. It locks the audit head until tx ends, serialising every
// append on both engines: call it last in a transaction to hold the lock
// briefly and always take it after the transaction's other row locks.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, e audit.Event) (audit.Event, error) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	if err := e.Validate(); err != nil {
		return audit.Event{}, err
	}
	var seq int64
	var prev string
	err := tx.QueryRowContext(ctx, s.q.Audit.AdvanceHead).Scan(&seq, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Event{}, &apperr.Error{Code: apperr.Internal, Detail: "audit head row is missing", Err: err}
	} else if err != nil {
		return audit.Event{}, fmt.Errorf("advance audit head: %w", err)
	}
	e = audit.Seal(e, seq, prev)
	if err := s.insertAudit(ctx, tx, e); err != nil {
		return audit.Event{}, err
	}
	if err := s.setAuditHead(ctx, tx, e); err != nil {
		return audit.Event{}, err
	}
	return e, nil
}

// setAuditHead points the head, already advanced to e.Seq, at e.Hash.
func (s *Store) setAuditHead(ctx context.Context, tx *sql.Tx, e audit.Event) error {
	res, err := tx.ExecContext(ctx, s.q.Audit.SetHeadHash, e.Hash, e.Seq)
	if err != nil {
		return fmt.Errorf("set audit head: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return &apperr.Error{Code: apperr.Internal, Detail: fmt.Sprintf("audit head moved while appending %d", e.Seq), Err: err}
	}
	return nil
}

func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, e audit.Event) error {
	detail := []byte("{}")
	if e.Detail != nil {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, s.q.Audit.Insert, e.Seq, e.At, e.Action, e.Actor, e.ActorEntity, e.ActorRole,
		e.Org, e.Subject, e.Purpose, e.IP, e.UserAgent, string(detail), e.Prev, e.Hash)
	if err != nil {
		return fmt.Errorf("insert audit event %d: %w", e.Seq, err)
	}
	return nil
}

func scanAudit(r *sql.Rows) (audit.Event, error) {
	var e audit.Event
	var detail string
	err := r.Scan(&e.Seq, &e.At, &e.Action, &e.Actor, &e.ActorEntity, &e.ActorRole, &e.Org, &e.Subject,
		&e.Purpose, &e.IP, &e.UserAgent, &detail, &e.Prev, &e.Hash)
	if err != nil {
		return e, err
	}
	e.At = e.At.UTC()
	if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
		return e, fmt.Errorf("audit event %d detail: %w", e.Seq, err)
	}
	if len(e.Detail) == 0 {
		e.Detail = nil
	}
	return e, nil
}

// auditList runs a listing statement.
func (s *Store) auditList(ctx context.Context, what, query string, args ...any) ([]audit.Event, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return collect(rows, scanAudit)
}

// AuditEvents lists events after afterSeq, oldest first. See audit.Store.
func (s *Store) AuditEvents(ctx context.Context, afterSeq int64, limit int) ([]audit.Event, error) {
	return s.auditList(ctx, "audit events", s.q.Audit.Events, afterSeq, limit)
}

// AuditHead returns the newest event's seq and hash. See audit.Store.
func (s *Store) AuditHead(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	err := s.db.QueryRowContext(ctx, s.q.Audit.Head).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Head{}, nil
	}
	if err != nil {
		return audit.Head{}, fmt.Errorf("audit head: %w", err)
	}
	return h, nil
}

// AccessesTo lists staff views of subject's records, newest first. See
// audit.Store.
func (s *Store) AccessesTo(ctx context.Context, subject string, limit int) ([]audit.Event, error) {
	return s.auditList(ctx, "accesses", s.q.Audit.BySubjectAction, subject, audit.RecordViewed, limit)
}

// AuditByActor lists actor's events, newest first. See audit.Store.
func (s *Store) AuditByActor(ctx context.Context, actor string, limit int) ([]audit.Event, error) {
	return s.auditList(ctx, "audit events by actor", s.q.Audit.ByActor, actor, limit)
}
