package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

func testAudit(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, *sqlstore.Store){
		"RoundTrip":         testAuditRoundTrip,
		"ChainVerifies":     testAuditChainVerifies,
		"ConcurrentAppends": testAuditConcurrent,
		"TamperedRow":       testAuditTamperedRow,
		"DeletedMiddleRow":  testAuditDeletedMiddle,
		"DeletedLastRow":    testAuditDeletedLast,
		"AccessesTo":        testAuditAccessesTo,
		"ByActor":           testAuditByActor,
		"AppendOnly":        testAuditAppendOnly,
	}
	runEach(t, open, tests)
}

func mustAppend(t *testing.T, s audit.Store, e audit.Event) audit.Event {
	t.Helper()
	got, err := s.AppendAudit(context.Background(), e)
	if err != nil {
		t.Fatalf("AppendAudit(%s): %v", e.Action, err)
	}
	return got
}

func view(staff, entity, subject, purpose string) audit.Event {
	return audit.Event{Action: audit.RecordViewed, Actor: staff, ActorEntity: entity, ActorRole: "counter",
		Subject: subject, Purpose: purpose}
}

// appendN appends n sign-ins.
func appendN(t *testing.T, s audit.Store, n int) {
	t.Helper()
	for i := range n {
		mustAppend(t, s, audit.Event{Action: audit.SignIn, Actor: fmt.Sprint("acct-", i), Purpose: "p"})
	}
}

func allEvents(t *testing.T, s audit.Store) []audit.Event {
	t.Helper()
	events, err := s.AuditEvents(context.Background(), 0, 10000)
	if err != nil {
		t.Fatalf("AuditEvents: %v", err)
	}
	return events
}

func testAuditRoundTrip(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	at := time.Date(2026, 4, 1, 17, 30, 1, 123456789, time.FixedZone("MO", 8*3600))
	in := audit.Event{At: at, Action: audit.FactorAdded, Actor: "acct-1", Org: "org-7", Subject: "acct-1",
		IP: "203.0.113.5", UserAgent: "Mozilla/5.0 \xff", Detail: map[string]string{"kind": "passkey", "名": "值"}}
	first := mustAppend(t, s, in)
	if first.Seq != 1 || first.Prev != "" || !first.At.Equal(at.Truncate(time.Microsecond)) || first.Hash == "" {
		t.Fatalf("first event: %+v", first)
	}
	if _, err := s.AppendAudit(ctx, audit.Event{Action: audit.RecordViewed}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("invalid event: err = %v, want invalid", err)
	}
	second := mustAppend(t, s, audit.Event{Action: audit.SignOut, Actor: "acct-1"})
	if second.Seq != 2 || second.Prev != first.Hash || second.At.IsZero() {
		t.Fatalf("second event (a rejected append must not use a seq): %+v", second)
	}
	if diff := cmp.Diff([]audit.Event{first, second}, allEvents(t, s)); diff != "" {
		t.Errorf("stored events differ from appended (-appended +stored):\n%s", diff)
	}
	head, err := s.AuditHead(ctx)
	if err != nil || head != (audit.Head{Seq: 2, Hash: second.Hash}) {
		t.Errorf("AuditHead = %+v, %v", head, err)
	}
	if after, _ := s.AuditEvents(ctx, 1, 10); len(after) != 1 || after[0].Seq != 2 {
		t.Errorf("AuditEvents after 1: %+v", after)
	}
}

func testAuditChainVerifies(t *testing.T, s *sqlstore.Store) {
	if n, err := audit.VerifyAll(context.Background(), s); n != 0 || err != nil {
		t.Fatalf("empty log: VerifyAll = %d, %v", n, err)
	}
	appendN(t, s, 25)
	if n, err := audit.VerifyAll(context.Background(), s); n != 25 || err != nil {
		t.Fatalf("VerifyAll = %d, %v; want 25, nil", n, err)
	}
}

// testAuditConcurrent proves appends racing on many connections neither
// share a seq nor fork the chain.
func testAuditConcurrent(t *testing.T, s *sqlstore.Store) {
	const workers, each = 20, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				e := audit.Event{Action: audit.SignIn, Actor: fmt.Sprintf("acct-%d-%d", w, i)}
				if _, err := s.AppendAudit(context.Background(), e); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent append: %v", err)
	}
	events := allEvents(t, s)
	if len(events) != workers*each {
		t.Fatalf("%d events, want %d", len(events), workers*each)
	}
	for i, e := range events {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: gap or duplicate", i+1, e.Seq)
		}
	}
	if n, err := audit.VerifyAll(context.Background(), s); n != workers*each || err != nil {
		t.Fatalf("VerifyAll = %d, %v", n, err)
	}
}

// tamper runs stmt as an attacker with direct database access would: on
// SQLite after dropping the append-only triggers, on PostgreSQL with the
// maintenance setting on for the transaction.
func tamper(t *testing.T, s *sqlstore.Store, stmt string) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	setup := map[string][]string{
		"sqlite":   {"DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"},
		"postgres": {"SET LOCAL oneaccount.audit_maintenance = 'on'"},
	}[s.Engine()]
	for _, q := range append(setup, stmt) {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func wantBrokenAt(t *testing.T, s audit.Store, seq int64) {
	t.Helper()
	_, err := audit.VerifyAll(context.Background(), s)
	var b *audit.BrokenError
	if !errors.As(err, &b) || b.Seq != seq {
		t.Fatalf("VerifyAll = %v, want a broken chain at event %d", err, seq)
	}
}

func testAuditTamperedRow(t *testing.T, s *sqlstore.Store) {
	appendN(t, s, 5)
	tamper(t, s, "UPDATE audit_events SET purpose = 'curiosity' WHERE seq = 3")
	wantBrokenAt(t, s, 3)
}

func testAuditDeletedMiddle(t *testing.T, s *sqlstore.Store) {
	appendN(t, s, 5)
	tamper(t, s, "DELETE FROM audit_events WHERE seq = 3")
	wantBrokenAt(t, s, 4)
}

func testAuditDeletedLast(t *testing.T, s *sqlstore.Store) {
	appendN(t, s, 5)
	tamper(t, s, "DELETE FROM audit_events WHERE seq = 5")
	wantBrokenAt(t, s, 5)
}

func testAuditAccessesTo(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	a1 := mustAppend(t, s, view("staff-1", "DSI", "res-a", "renew ID card"))
	mustAppend(t, s, view("staff-1", "DSI", "res-b", "renew ID card"))
	mustAppend(t, s, audit.Event{Action: audit.SignIn, Actor: "res-a", Subject: "res-a"})
	mustAppend(t, s, audit.Event{Action: audit.IdentityVerified, Actor: "staff-2", ActorEntity: "DSAL", Subject: "res-a"})
	a2 := mustAppend(t, s, view("staff-2", "DSAL", "res-a", "pension claim"))
	got, err := s.AccessesTo(ctx, "res-a", 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]audit.Event{a2, a1}, got); diff != "" {
		t.Errorf("AccessesTo(res-a) (-want +got):\n%s", diff)
	}
	if got, _ := s.AccessesTo(ctx, "res-a", 1); len(got) != 1 || got[0].Seq != a2.Seq {
		t.Errorf("AccessesTo with limit 1: %+v", got)
	}
	if got, _ := s.AccessesTo(ctx, "nobody", 10); len(got) != 0 {
		t.Errorf("AccessesTo(nobody): %+v", got)
	}
}

func testAuditByActor(t *testing.T, s *sqlstore.Store) {
	first := mustAppend(t, s, audit.Event{Action: audit.SignIn, Actor: "res-a"})
	mustAppend(t, s, audit.Event{Action: audit.SignIn, Actor: "res-b"})
	second := mustAppend(t, s, audit.Event{Action: audit.SignOut, Actor: "res-a"})
	got, err := s.AuditByActor(context.Background(), "res-a", 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]audit.Event{second, first}, got); diff != "" {
		t.Errorf("AuditByActor(res-a) (-want +got):\n%s", diff)
	}
}

// testAuditAppendOnly proves the database itself refuses to change history.
func testAuditAppendOnly(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	appendN(t, s, 3)
	for _, q := range []string{
		"UPDATE audit_events SET purpose = 'curiosity' WHERE seq = 2",
		"DELETE FROM audit_events WHERE seq = 3",
		"UPDATE audit_head SET seq = 2 WHERE id = 1",
		"DELETE FROM audit_head",
	} {
		if _, err := s.DB().ExecContext(ctx, q); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
	if n, err := audit.VerifyAll(ctx, s); n != 3 || err != nil {
		t.Fatalf("VerifyAll = %d, %v", n, err)
	}
}
