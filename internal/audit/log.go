package audit

import (
	"context"
	"fmt"
	"time"
)

// PageSize is how many events VerifyAll reads at a time.
const PageSize = 1000

// The bounds of a list request's limit.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// Log is the audit use case: recording events and reading them back for
// residents.
type Log struct {
	store Store
	now   func() time.Time
}

// NewLog returns a Log over store; now is its clock (time.Now when nil).
func NewLog(store Store, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{store: store, now: now}
}

// Record validates and appends e, timestamping it now when At is zero. To
// record an event in the same transaction as the action it describes, use
// the store's transactional append instead.
func (l *Log) Record(ctx context.Context, e Event) (Event, error) {
	if e.At.IsZero() {
		e.At = l.now()
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	stored, err := l.store.AppendAudit(ctx, e)
	if err != nil {
		return Event{}, fmt.Errorf("record %s: %w", e.Action, err)
	}
	return stored, nil
}

// AccessesTo lists staff views of subject's records, newest first, for the
// "Who accessed my data" page. limit is clamped to 1..MaxLimit, DefaultLimit
// when not positive.
func (l *Log) AccessesTo(ctx context.Context, subject string, limit int) ([]Event, error) {
	events, err := l.store.AccessesTo(ctx, subject, clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("accesses to %s: %w", subject, err)
	}
	return events, nil
}

// ByActor lists what actor did, newest first, with limit clamped as in
// AccessesTo.
func (l *Log) ByActor(ctx context.Context, actor string, limit int) ([]Event, error) {
	events, err := l.store.AuditByActor(ctx, actor, clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("events by %s: %w", actor, err)
	}
	return events, nil
}

func clampLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// VerifyAll checks the whole stored chain, reading PageSize events at a
// time, and returns how many events it checked. A broken chain returns a
// *BrokenError naming the first bad event; other errors are the store's.
//
// It reads the head first and checks events up to it, so appends made while
// it runs are ignored; then it checks that no event lies beyond a freshly
// read head.
func VerifyAll(ctx context.Context, store Store) (checked int64, err error) {
	head, err := store.AuditHead(ctx)
	if err != nil {
		return 0, fmt.Errorf("verify audit: %w", err)
	}
	var c Chain
	if err := walk(ctx, store, &c, head.Seq); err != nil {
		return c.Last().Seq, err
	}
	if err := c.End(head); err != nil {
		return c.Last().Seq, err
	}
	return c.Last().Seq, checkTail(ctx, store, head)
}

// walk adds the stored events up to seq upTo to c, page by page.
func walk(ctx context.Context, store Store, c *Chain, upTo int64) error {
	for c.Last().Seq < upTo {
		page, err := store.AuditEvents(ctx, c.Last().Seq, PageSize)
		if err != nil {
			return fmt.Errorf("verify audit: %w", err)
		}
		for _, e := range page {
			if e.Seq > upTo {
				return nil
			}
			if err := c.Add(e); err != nil {
				return err
			}
		}
		if len(page) < PageSize {
			return nil
		}
	}
	return nil
}

// checkTail reports an event beyond the head that no append accounts for.
// Events are read before the head, so a concurrent append, which moves the
// head in the same transaction as it inserts, is always covered.
func checkTail(ctx context.Context, store Store, head Head) error {
	next, err := store.AuditEvents(ctx, head.Seq, 1)
	if err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	if len(next) == 0 {
		return nil
	}
	now, err := store.AuditHead(ctx)
	if err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	if next[0].Seq > now.Seq {
		return &BrokenError{Seq: next[0].Seq, Reason: fmt.Sprintf("event beyond the head (head is at %d)", now.Seq)}
	}
	return nil
}
