package realtime

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// pgNode is one node: a broker relaying through PostgreSQL.
type pgNode struct {
	b  *Broker
	pg *Postgres
	db *sql.DB
}

// newPGNode starts a node on the schema url names (skipping without
// PostgreSQL, failing under CI).
func newPGNode(t *testing.T, url string) pgNode {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	pg, err := NewPostgres(t.Context(), db, url, log)
	if err != nil {
		t.Fatal(err)
	}
	b := NewBroker(Options{Relay: pg, Buffer: 256})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); pg.Listen(ctx, b) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-pg.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("LISTEN not established within 10 s")
	}
	return pgNode{b: b, pg: pg, db: db}
}

// skipMarkers returns the next event that is not a resync marker.
func skipMarkers(t *testing.T, s *Subscription) []byte {
	t.Helper()
	for {
		if d := recv(t, s); d != nil {
			return d
		}
	}
}

func TestPostgres_TwoNodes(t *testing.T) {
	url := storetest.FreshSchema(t)
	a, b := newPGNode(t, url), newPGNode(t, url)
	onA, onB := a.b.Subscribe("queue.MAC"), b.b.Subscribe("queue.MAC")
	var lat []time.Duration
	for i := range 50 {
		start := time.Now()
		if err := a.b.Publish(t.Context(), "queue.MAC", fmt.Appendf(nil, `{"n":%d}`, i)); err != nil {
			t.Fatal(err)
		}
		if got := skipMarkers(t, onB); string(got) != fmt.Sprintf(`{"n":%d}`, i) {
			t.Fatalf("node B got %s, want event %d", got, i)
		}
		lat = append(lat, time.Since(start))
		if got := skipMarkers(t, onA); string(got) != fmt.Sprintf(`{"n":%d}`, i) {
			t.Fatalf("node A got %s, want event %d", got, i)
		}
	}
	// A's own echo must not reach A again: the next thing A sees is B's.
	if err := b.b.Publish(t.Context(), "queue.MAC", []byte("from B")); err != nil {
		t.Fatal(err)
	}
	if got := skipMarkers(t, onA); string(got) != "from B" {
		t.Errorf("node A got %q, want B's event (its own came back twice?)", got)
	}
	slices.Sort(lat)
	t.Logf("publish on A to receipt on B over LISTEN/NOTIFY: p50 %v, max %v (%d events)", lat[len(lat)/2], lat[len(lat)-1], len(lat))
}

func TestPostgres_LargeEvents(t *testing.T) {
	url := storetest.FreshSchema(t)
	a, b := newPGNode(t, url), newPGNode(t, url)
	onB := b.b.Subscribe("queue.MAC")
	events := [][]byte{
		[]byte(strings.Repeat(`{"number":"A001","name":"陳大文"},`, 1500)),
		bytes.Repeat([]byte{0, 0xff, 'x'}, 5000),
		[]byte("small after large"),
	}
	for _, e := range events {
		if err := a.b.Publish(t.Context(), "queue.MAC", e); err != nil {
			t.Fatalf("Publish %d bytes: %v", len(e), err)
		}
	}
	// The same again, all in one publish (one statement).
	if err := a.b.Publish(t.Context(), "queue.MAC", events...); err != nil {
		t.Fatalf("Publish all: %v", err)
	}
	for i, e := range append(events, events...) {
		if got := skipMarkers(t, onB); !bytes.Equal(got, e) {
			t.Errorf("event %d: got %d bytes, want the %d sent", i, len(got), len(e))
		}
	}
}

func TestPostgres_Reconnects(t *testing.T) {
	url := storetest.FreshSchema(t)
	a, b := newPGNode(t, url), newPGNode(t, url)
	onB := b.b.Subscribe("queue.MAC")
	var n int
	if err := a.db.QueryRowContext(t.Context(), "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
		"oneaccount-events "+b.pg.Node()).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminate B's listener: %d, %v", n, err)
	}
	// Events published while B reconnects are lost; B's subscribers get
	// the resync marker once it listens again, then new events.
	sawMarker := false
	for deadline := time.Now().Add(30 * time.Second); ; {
		if time.Now().After(deadline) {
			t.Fatal("node B received nothing within 30 s of losing its connection")
		}
		_ = a.b.Publish(t.Context(), "queue.MAC", []byte("after"))
		select {
		case d := <-onB.C:
			if d == nil {
				sawMarker = true
				continue
			}
			if !sawMarker {
				t.Error("node B got events after reconnecting without a resync marker first")
			}
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestPostgres_SchemasApart(t *testing.T) {
	a := newPGNode(t, storetest.FreshSchema(t))
	other := newPGNode(t, storetest.FreshSchema(t))
	if a.pg.Channel() == other.pg.Channel() {
		t.Fatalf("two schemas share channel %q", a.pg.Channel())
	}
	s := other.b.Subscribe("queue.MAC")
	_ = a.b.Publish(t.Context(), "queue.MAC", []byte("x"))
	_ = other.b.Publish(t.Context(), "queue.MAC", []byte("mine"))
	if got := skipMarkers(t, s); string(got) != "mine" {
		t.Errorf("another schema's node got %q", got)
	}
}

func TestChannelName(t *testing.T) {
	if got := channelName("public"); got != "oneaccount_events" {
		t.Errorf("channelName(public) = %q", got)
	}
	if got := channelName(strings.Repeat("s", 80)); len(got) != 63 {
		t.Errorf("channelName(long) has %d bytes, want 63", len(got))
	}
}
