package app

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/config"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// node is one running platform node serving over HTTP.
type node struct {
	app *App
	srv *httptest.Server
}

// startNodes starts n nodes on db sharing one clock, set to 10:00 on
// DSI-HQ's next working day so that its queue is open.
func startNodes(t *testing.T, db string, n int) []node {
	t.Helper()
	var shift atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
	nodes := make([]node, n)
	for i := range nodes {
		cfg, _, err := config.Load("serve", []string{"--db", db}, func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Open(cfg, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})), now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		if err := a.Start(t.Context()); err != nil {
			t.Fatalf("start node %d: %v", i, err)
		}
		t.Cleanup(a.Queue().Flush)
		srv := httptest.NewServer(a.Handler())
		t.Cleanup(srv.Close)
		nodes[i] = node{app: a, srv: srv}
	}
	dir := nodes[0].app.Directory()
	today := directory.DateOf(time.Now().In(dir.Location()))
	cal, err := dir.Calendar(t.Context(), "DSI-HQ", today, today.AddDays(30))
	if err != nil {
		t.Fatal(err)
	}
	day := today.AddDays(1)
	for !cal.IsWorkingDay(day) {
		day = day.AddDays(1)
	}
	shift.Store(int64(time.Until(day.In(dir.Location()).Add(10 * time.Hour))))
	return nodes
}

// stream is an open GET .../queue/events.
type stream struct {
	t      *testing.T
	events chan queue.Event
}

func openStream(t *testing.T, base, branch string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/branches/"+branch+"/queue/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &stream{t: t, events: make(chan queue.Event, 64)}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			var ev queue.Event
			if ok && json.Unmarshal([]byte(data), &ev) == nil {
				s.events <- ev
			}
		}
	}()
	return s
}

// next returns the next event, failing after within.
func (s *stream) next(within time.Duration) queue.Event {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatal("stream ended")
		}
		return ev
	case <-time.After(within):
		s.t.Fatalf("no event within %v", within)
		return queue.Event{}
	}
}

// callOn takes a kiosk ticket at DSI-HQ on n, opens counter i and calls
// the ticket there, returning its number and when the call returned.
func callOn(t *testing.T, n node, i int) (string, time.Time) {
	t.Helper()
	ctx, svc, staff := t.Context(), n.app.Queue(), identity.Actor{Platform: true}
	tk, err := svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, "")
	if err != nil {
		t.Fatalf("kiosk ticket: %v", err)
	}
	cs, err := svc.Counters(ctx, "DSI-HQ")
	if err != nil || len(cs) <= i {
		t.Fatalf("counters: %d, %v", len(cs), err)
	}
	if _, err := svc.OpenCounter(ctx, staff, cs[i].ID()); err != nil {
		t.Fatalf("open counter: %v", err)
	}
	called, err := svc.CallNext(ctx, staff, cs[i].ID(), "")
	if err != nil || called.Number != tk.Number {
		t.Fatalf("call next = %s, %v; want %s", called.Number, err, tk.Number)
	}
	return tk.Number, time.Now()
}

// awaitCall reads s until the call of number arrives; it returns how
// long after since. Only a generous bound is checked: the latency is
// logged, not asserted.
func awaitCall(t *testing.T, s *stream, number string, since time.Time) time.Duration {
	t.Helper()
	deadline := since.Add(5 * time.Second)
	for {
		ev := s.next(time.Until(deadline))
		if ev.Kind == "called" && ev.Call != nil && ev.Call.Number == number {
			return time.Since(since)
		}
	}
}

func TestLiveEvents_OneNode(t *testing.T) {
	nodes := startNodes(t, "sqlite:"+filepath.Join(t.TempDir(), "live.db"), 1)
	s := openStream(t, nodes[0].srv.URL, "DSI-HQ")
	if first := s.next(5 * time.Second); first.Status.Branch != "DSI-HQ" {
		t.Fatalf("first event %+v, want DSI-HQ's status", first)
	}
	number, at := callOn(t, nodes[0], 0)
	t.Logf("call to stream on one node (SQLite): %v", awaitCall(t, s, number, at))
}

// TestLiveEvents_TwoNodes is the test: a ticket called on node A
// appears on a stream connected to node B, through PostgreSQL.
func TestLiveEvents_TwoNodes(t *testing.T) {
	nodes := startNodes(t, storetest.FreshSchema(t), 2)
	onB := openStream(t, nodes[1].srv.URL, "DSI-HQ")
	onA := openStream(t, nodes[0].srv.URL, "DSI-HQ")
	onB.next(5 * time.Second) // the snapshots
	onA.next(5 * time.Second)
	for i := range 3 {
		number, at := callOn(t, nodes[0], i)
		b := awaitCall(t, onB, number, at)
		awaitCall(t, onA, number, at)
		t.Logf("call %d (%s) on node A: on node B's stream %v after the call returned", i+1, number, b)
		if b > time.Second {
			t.Logf("note: over the issue's 1 s bar on this run")
		}
	}
}

// TestLiveEvents_Shutdown serves an app with a stream open and shuts it
// down: the stream ends and shutdown completes cleanly instead of waiting
// out its grace period for the stream.
func TestLiveEvents_Shutdown(t *testing.T) {
	cfg, _, err := config.Load("serve", []string{"--db", "sqlite:" + filepath.Join(t.TempDir(), "live.db")},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if err := a.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	s := openStream(t, "http://"+ln.Addr().String(), "DSI-HQ")
	s.next(5 * time.Second)
	stop()
	select {
	case _, ok := <-s.events:
		if ok {
			t.Error("an event instead of the end of the stream")
		}
	case <-time.After(cfg.ShutdownTimeout):
		t.Error("the stream outlived the shutdown")
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v, want a clean shutdown", err)
	}
}
