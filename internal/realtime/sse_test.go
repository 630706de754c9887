package realtime

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/server"
)

// sseClient reads a server-sent event stream.
type sseClient struct {
	t      testing.TB
	resp   *http.Response
	cancel context.CancelFunc
	lines  chan string
}

func dial(t testing.TB, url string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", url, err)
	}
	c := &sseClient{t: t, resp: resp, cancel: cancel, lines: make(chan string, 64)}
	t.Cleanup(c.close)
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	return c
}

func (c *sseClient) close() {
	c.cancel()
	_ = c.resp.Body.Close()
}

// next returns the next message: "data" joined by newlines, or ":comment",
// or "retry:N"; "" when the stream ended.
func (c *sseClient) next() string {
	c.t.Helper()
	var data []string
	for {
		select {
		case line, ok := <-c.lines:
			switch {
			case !ok:
				return ""
			case line == "" && data != nil:
				return strings.Join(data, "\n")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry:"):
				return line
			}
		case <-time.After(10 * time.Second):
			c.t.Fatal("no message within 10 s")
			return ""
		}
	}
}

// nextData skips comments and returns the next data message.
func (c *sseClient) nextData() string {
	c.t.Helper()
	for {
		m := c.next()
		if !strings.HasPrefix(m, ":") && !strings.HasPrefix(m, "retry:") {
			return m
		}
	}
}

func serveTopic(s SSE, snapshots *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := s.Serve(w, r, "queue."+r.PathValue("branch"), func(context.Context) ([]byte, error) {
			if r.PathValue("branch") == "nowhere" {
				return nil, errors.New("no such branch")
			}
			n := snapshots.Add(1)
			return []byte(`{"snapshot":` + string(rune('0'+n)) + `}`), nil
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
		}
	})
}

func newSSEServer(t *testing.T, s SSE) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	mux := http.NewServeMux()
	mux.Handle("GET /b/{branch}/events", serveTopic(s, &n))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(server.Wrap(mux, server.Options{Log: log, Metrics: server.NewMetrics()}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestSSE_SnapshotThenEvents(t *testing.T) {
	b := NewBroker(Options{})
	srv, _ := newSSEServer(t, SSE{Broker: b})
	c := dial(t, srv.URL+"/b/MAC/events")
	if ct := c.resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := c.resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q", cc)
	}
	if m := c.next(); !strings.HasPrefix(m, "retry: ") {
		t.Errorf("first line %q, want the retry hint", m)
	}
	if m := c.next(); m != `{"snapshot":1}` {
		t.Errorf("first message %q, want the snapshot", m)
	}
	waitSubscribers(t, b, 1)
	_ = b.Publish(t.Context(), "queue.OTHER", []byte(`{"other":true}`))
	_ = b.Publish(t.Context(), "queue.MAC", []byte(`{"kind":"called"}`))
	_ = b.Publish(t.Context(), "queue.MAC", []byte("two\nlines"))
	if m := c.nextData(); m != `{"kind":"called"}` {
		t.Errorf("event %q, want the published one", m)
	}
	if m := c.nextData(); m != "two\nlines" {
		t.Errorf("multi-line event %q", m)
	}
	c.close()
	waitSubscribers(t, b, 0) // the handler ended and unsubscribed
}

func waitSubscribers(t *testing.T, b *Broker, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); b.Stats().Subscribers != n; {
		if time.Now().After(deadline) {
			t.Fatalf("subscribers = %d, want %d", b.Stats().Subscribers, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSSE_HeartbeatAndResync(t *testing.T) {
	b := NewBroker(Options{})
	srv, snaps := newSSEServer(t, SSE{Broker: b, Heartbeat: 20 * time.Millisecond, ResyncJitter: time.Millisecond})
	c := dial(t, srv.URL+"/b/MAC/events")
	c.next() // retry
	c.next() // snapshot
	if m := c.next(); m != ": ping" {
		t.Errorf("idle stream sent %q, want a heartbeat comment", m)
	}
	b.Resync()
	if m := c.nextData(); m != `{"snapshot":2}` {
		t.Errorf("after Resync got %q, want a fresh snapshot", m)
	}
	if n := snaps.Load(); n != 2 {
		t.Errorf("snapshots read: %d, want 2", n)
	}
}

func TestSSE_InitialError(t *testing.T) {
	b := NewBroker(Options{})
	srv, _ := newSSEServer(t, SSE{Broker: b})
	resp, err := http.Get(srv.URL + "/b/nowhere/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status %d, want the caller's 404", resp.StatusCode)
	}
	if st := b.Stats(); st.Subscribers != 0 {
		t.Errorf("a failed stream left %d subscribers", st.Subscribers)
	}
}

// TestSSE_OutlivesServerTimeouts runs a stream behind server.New-like
// timeouts far shorter than the stream and then shuts the server down
// gracefully while the stream is open.
func TestSSE_OutlivesServerTimeouts(t *testing.T) {
	b := NewBroker(Options{})
	var n atomic.Int32
	mux := http.NewServeMux()
	mux.Handle("GET /b/{branch}/events", serveTopic(SSE{Broker: b}, &n))
	srv := server.New(mux, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.ReadTimeout, srv.WriteTimeout = 50*time.Millisecond, 50*time.Millisecond
	srv.RegisterOnShutdown(b.Shutdown)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, srv, ln, 20*time.Second) }()
	c := dial(t, "http://"+ln.Addr().String()+"/b/MAC/events")
	c.nextData()
	time.Sleep(300 * time.Millisecond) // several times both timeouts
	_ = b.Publish(t.Context(), "queue.MAC", []byte("late"))
	if m := c.nextData(); m != "late" {
		t.Fatalf("after the server's timeouts the stream got %q, want the event", m)
	}
	stop()
	if m := c.nextData(); m != "" {
		t.Errorf("stream went on after shutdown: %q", m)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v, want a clean shutdown (the stream must not hold it up)", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("shutdown waited on the open stream")
	}
}

func TestSSE_AfterShutdownOnlyRetry(t *testing.T) {
	b := NewBroker(Options{})
	b.Shutdown()
	srv, snaps := newSSEServer(t, SSE{Broker: b})
	resp, err := http.Get(srv.URL + "/b/MAC/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "retry: ") || strings.Contains(string(body), "data:") {
		t.Errorf("after shutdown: %d %q, want 200 with only the retry hint", resp.StatusCode, body)
	}
	if snaps.Load() != 0 {
		t.Error("read a snapshot while shutting down")
	}
}

func TestSSE_Recorder(t *testing.T) {
	// Without a connection (a recorder), deadlines are skipped, not fatal.
	b := NewBroker(Options{})
	b.Shutdown()
	rec := httptest.NewRecorder()
	err := ServeSSE(rec, httptest.NewRequest("GET", "/", nil), b, "t", nil)
	if err != nil || !strings.HasPrefix(rec.Body.String(), "retry: ") {
		t.Errorf("ServeSSE = %v, body %q", err, rec.Body.String())
	}
}

// TestSSE_StalledClientCutOff opens a stream whose client never reads:
// once the socket buffers fill, a write misses its deadline and the
// stream ends, unsubscribing.
func TestSSE_StalledClientCutOff(t *testing.T) {
	b := NewBroker(Options{})
	srv, _ := newSSEServer(t, SSE{Broker: b, WriteTimeout: 100 * time.Millisecond})
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "GET /b/MAC/events HTTP/1.1\r\nHost: x\r\n\r\n")
	waitSubscribers(t, b, 1)
	big := []byte(strings.Repeat("x", 64<<10))
	for deadline := time.Now().Add(30 * time.Second); b.Stats().Subscribers > 0; {
		if time.Now().After(deadline) {
			t.Fatal("a client that never reads is still subscribed after 30 s")
		}
		_ = b.Publish(t.Context(), "queue.MAC", big)
		time.Sleep(time.Millisecond)
	}
}

// TestSSE_EmptySnapshot streams on when the snapshot is empty (nil is
// not the shutdown answer).
func TestSSE_EmptySnapshot(t *testing.T) {
	b := NewBroker(Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = ServeSSE(w, r, b, "t", func(context.Context) ([]byte, error) { return nil, nil })
	}))
	t.Cleanup(srv.Close)
	c := dial(t, srv.URL)
	if m := c.nextData(); m != "" {
		t.Errorf("snapshot %q, want the empty message", m)
	}
	_ = b.Publish(t.Context(), "t", []byte("after"))
	if m := c.nextData(); m != "after" {
		t.Errorf("got %q, want the event after an empty snapshot", m)
	}
}
