package audit

import "context"

// Store keeps the audit log. Implementations append atomically: the event
// and the new Head are written in one transaction, and concurrent appends
// never share a Seq or fork the chain.
type Store interface {
	// AppendAudit validates e, assigns its Seq, Prev and Hash (with Seal),
	// sets At to now when zero, stores it and advances the head. It returns
	// the event as stored.
	AppendAudit(ctx context.Context, e Event) (Event, error)
	// AuditEvents returns up to limit events with Seq > afterSeq, in Seq
	// order, as stored (a tampered row reads back tampered).
	AuditEvents(ctx context.Context, afterSeq int64, limit int) ([]Event, error)
	// AuditHead returns the stored head; the empty Head when the log is
	// empty or the head row is missing.
	AuditHead(ctx context.Context) (Head, error)
	// AccessesTo returns up to limit RecordViewed events whose Subject is
	// subject, newest first.
	AccessesTo(ctx context.Context, subject string, limit int) ([]Event, error)
	// AuditByActor returns up to limit events whose Actor is actor, newest
	// first: a person's own sign-in and security history.
	AuditByActor(ctx context.Context, actor string, limit int) ([]Event, error)
}
