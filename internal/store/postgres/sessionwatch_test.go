package postgres_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/store/postgres"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// openNode opens a store on url, as one node of several.
func openNode(t *testing.T, url string) *sqlstore.Store {
	t.Helper()
	s, err := postgres.Open(url, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// eventually polls check until it is true, failing after five seconds
// (half the session cache's lifetime, so an entry that merely expired
// does not pass).
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if check() {
			return
		}
	}
	t.Errorf("%s: not seen by the other node", what)
}

// TestWatchSessions has two nodes on one schema: node A caches sessions
// with its listener running; changes made through node B, and by hand in
// SQL, reach A; a change that fires no trigger does not (so A's answers
// came from its cache); and once the listener stops A reads the database.
func TestWatchSessions(t *testing.T) {
	url := storetest.FreshSchema(t)
	a, b := openNode(t, url), openNode(t, url)
	ctx := context.Background()
	if err := postgres.Migrate(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	ready, done := make(chan struct{}, 1), make(chan struct{})
	go func() {
		defer close(done)
		_ = postgres.WatchSessions(wctx, a, url, slog.New(slog.DiscardHandler), func() { ready <- struct{}{} })
	}()
	defer func() { stop(); <-done }()
	<-ready

	t0 := time.Now().UTC().Truncate(time.Second)
	acct, err := b.CreateAccount(ctx, identity.Account{ID: identity.NewID(), Kind: identity.Resident, NameLatin: "Ana",
		Email: contact.Email("ana@example.mo"), PasswordHash: "x", Assurance: identity.Level2, Lang: "en",
		CreatedAt: t0, UpdatedAt: t0}, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"h1", "h2"} {
		err := b.CreateSession(ctx, identity.Session{IDHash: h, AccountID: acct.ID, State: identity.StateActive,
			CreatedAt: t0, AuthAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
	name := func(h string) string {
		_, got, err := a.SessionAccount(ctx, h)
		if err != nil {
			return "error: " + err.Error()
		}
		return got.NameLatin
	}
	if got := name("h1"); got != "Ana" {
		t.Fatalf("node A reads %q", got)
	}

	// Without a trigger (replication role), no node hears of a change.
	unannounced(t, b, acct.ID, "Unheard")
	if got := name("h1"); got != "Ana" {
		t.Errorf("node A read %q at once after an unannounced change: its cache was not used", got)
	}

	// An operator's change by hand, and node B's sign-out, reach node A.
	if _, err := b.DB().Exec("UPDATE accounts SET name_latin = 'Operator' WHERE id = $1", acct.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "an account changed in SQL", func() bool { return name("h1") == "Operator" })
	name("h2")
	if err := b.DeleteSession(ctx, "h2"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a session ended on node B", func() bool {
		_, _, err := a.SessionAccount(ctx, "h2")
		return apperr.CodeOf(err) == apperr.NotFound
	})

	// A lost connection: the cache is off until the listener is back,
	// then it hears changes again.
	var n int
	err = b.DB().QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query LIKE 'LISTEN %' || current_schema() || '%'`).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("terminate node A's listener: %d, %v", n, err)
	}
	<-ready
	name("h1")
	if _, err := b.DB().Exec("UPDATE accounts SET name_latin = 'Again' WHERE id = $1", acct.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a change after the listener reconnected", func() bool { return name("h1") == "Again" })

	// With the listener stopped, node A no longer trusts its memory.
	stop()
	<-done
	unannounced(t, b, acct.ID, "Later")
	if got := name("h1"); got != "Later" {
		t.Errorf("with its listener stopped node A reads %q, want the database's", got)
	}
}

// unannounced renames an account with the triggers off (replication
// role), so that no node is told.
func unannounced(t *testing.T, s *sqlstore.Store, id, name string) {
	t.Helper()
	tx, err := s.DB().BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec("SET LOCAL session_replication_role = replica"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("UPDATE accounts SET name_latin = $1 WHERE id = $2", name, id); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
