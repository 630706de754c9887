package audit

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// memStore is an in-memory Store.
type memStore struct {
	mu     sync.Mutex
	events []Event
	head   Head
}

func (m *memStore) AppendAudit(_ context.Context, e Event) (Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e = Seal(e, m.head.Seq+1, m.head.Hash)
	m.events = append(m.events, e)
	m.head = Head{Seq: e.Seq, Hash: e.Hash}
	return e, nil
}

func (m *memStore) AuditEvents(_ context.Context, after int64, limit int) ([]Event, error) {
	var out []Event
	for _, e := range m.events {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memStore) AuditHead(context.Context) (Head, error) { return m.head, nil }

func (m *memStore) AccessesTo(_ context.Context, subject string, limit int) ([]Event, error) {
	return m.newest(func(e Event) bool { return e.Action == RecordViewed && e.Subject == subject }, limit), nil
}

func (m *memStore) AuditByActor(_ context.Context, actor string, limit int) ([]Event, error) {
	return m.newest(func(e Event) bool { return e.Actor == actor }, limit), nil
}

func (m *memStore) newest(keep func(Event) bool, limit int) []Event {
	var out []Event
	for _, e := range slices.Backward(m.events) {
		if keep(e) && len(out) < limit {
			out = append(out, e)
		}
	}
	return out
}

func TestLogRecordAndVerifyAll(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	log := NewLog(store, func() time.Time { return now })
	const n = 2*PageSize + 17
	for i := range n {
		e := Event{Action: SignIn, Actor: "acct-1"}
		if i%3 == 0 {
			e = Event{Action: RecordViewed, Actor: "staff", ActorEntity: "DSI", Subject: "acct-1", Purpose: "p"}
		}
		if _, err := log.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if store.events[0].At != now {
		t.Errorf("At = %v, want the log's clock %v", store.events[0].At, now)
	}
	checked, err := VerifyAll(ctx, store)
	if err != nil || checked != n {
		t.Fatalf("VerifyAll = %d, %v; want %d, nil", checked, err, n)
	}
	views, _ := log.AccessesTo(ctx, "acct-1", 0)
	if len(views) != DefaultLimit || views[0].Seq <= views[1].Seq || views[0].Action != RecordViewed {
		t.Errorf("AccessesTo: %d events, first %d %s", len(views), views[0].Seq, views[0].Action)
	}
	if _, err := log.Record(ctx, Event{Action: RecordViewed}); err == nil {
		t.Error("Record accepted a RecordViewed without purpose")
	}

	store.events[PageSize+5].Purpose = "tampered"
	_, err = VerifyAll(ctx, store)
	wantBroken(t, err, PageSize+6)

	store.events = store.events[:PageSize+5] // tampered row and everything after gone
	_, err = VerifyAll(ctx, store)
	wantBroken(t, err, PageSize+6)
}

func TestVerifyAllFindsRowsBeyondHead(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	for range 3 {
		_, _ = store.AppendAudit(ctx, Event{Action: SignIn})
	}
	store.head = Head{} // head row deleted
	_, err := VerifyAll(ctx, store)
	wantBroken(t, err, 1)
}
