package realtime

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Stream defaults.
const (
	// DefaultHeartbeat is how often an idle stream sends a comment, so
	// proxies keep it open and dead clients are noticed.
	DefaultHeartbeat = 15 * time.Second
	// DefaultWriteTimeout is how long one write may take before the
	// client is deemed stalled and the stream ends.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultRetry is the least reconnection delay hinted to clients.
	DefaultRetry = 2 * time.Second
	// DefaultResyncJitter bounds the random delay before a stream re-reads
	// the snapshot on a resync, so that thousands of streams do not read
	// it at once.
	DefaultResyncJitter = 2 * time.Second
)

// SSE streams a broker's topic to HTTP clients as server-sent events.
// Zero durations take their defaults.
type SSE struct {
	Broker       *Broker
	Heartbeat    time.Duration
	WriteTimeout time.Duration
	// Retry is the reconnection hint: each stream sends a random delay
	// between Retry and twice Retry, spreading the reconnections that
	// follow a node's shutdown.
	Retry        time.Duration
	ResyncJitter time.Duration
}

// ServeSSE streams topic from b with the default settings; see SSE.Serve.
func ServeSSE(w http.ResponseWriter, r *http.Request, b *Broker, topic string, initial func(context.Context) ([]byte, error)) error {
	return SSE{Broker: b}.Serve(w, r, topic, initial)
}

// Serve streams topic to one client. It subscribes, reads the snapshot
// with initial, then sends the snapshot and every event as a `data:`
// message (one JSON document each; no event names, so EventSource's
// onmessage gets them all), comments as heartbeats, and a `retry:` hint.
// It ends when the client goes or the broker shuts down; the client then
// reconnects and starts again from the snapshot, which is all a
// Last-Event-ID needs. At the broker's MaxSubscribers it answers ErrFull
// before writing anything, for the caller to refuse (503, so the client
// comes back later or to another node). An error from initial is returned before anything
// is written, for the caller to answer; once streaming has begun Serve
// returns nil. After Shutdown it answers only the retry hint, so clients
// reconnect, presumably to another node.
func (s SSE) Serve(w http.ResponseWriter, r *http.Request, topic string, initial func(context.Context) ([]byte, error)) error {
	s.defaults()
	sub, err := s.Broker.TrySubscribe(topic)
	if err != nil {
		return err
	}
	defer sub.Close()
	closing := s.Broker.closing()
	var snap []byte
	if !closing {
		var err error
		if snap, err = initial(r.Context()); err != nil {
			return err
		}
	}
	st := newStream(w, s.WriteTimeout)
	retry := s.Retry + rand.N(s.Retry+1)
	st.start(retry)
	if closing {
		_ = st.flush()
		return nil
	}
	st.event(snap)
	if st.flush() != nil {
		return nil
	}
	s.loop(r.Context(), st, sub, initial)
	return nil
}

func (s *SSE) defaults() {
	s.Heartbeat = orDefault(s.Heartbeat, DefaultHeartbeat)
	s.WriteTimeout = orDefault(s.WriteTimeout, DefaultWriteTimeout)
	s.Retry = orDefault(s.Retry, DefaultRetry)
	s.ResyncJitter = orDefault(s.ResyncJitter, DefaultResyncJitter)
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// loop sends events, heartbeats and resyncs until the stream ends.
func (s SSE) loop(ctx context.Context, st *stream, sub *Subscription, initial func(context.Context) ([]byte, error)) {
	tick := time.NewTicker(s.Heartbeat)
	defer tick.Stop()
	var resync <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			st.comment()
		case <-resync:
			resync = nil
			snap, err := initial(ctx)
			if err != nil {
				return // the client reconnects and reads it afresh
			}
			st.event(snap)
		case data, ok := <-sub.C:
			if !ok {
				return
			}
			if !s.take(st, sub, data, &resync) {
				continue
			}
			tick.Reset(s.Heartbeat)
		}
		if st.flush() != nil {
			return
		}
	}
}

// take writes data and whatever else waits on sub, for one flush; a
// resync marker among them schedules a snapshot instead. It reports
// whether it wrote anything.
func (s SSE) take(st *stream, sub *Subscription, data []byte, resync *<-chan time.Time) bool {
	wrote := false
	for {
		if data != nil {
			st.event(data)
			wrote = true
		} else if *resync == nil {
			*resync = time.After(rand.N(s.ResyncJitter))
		}
		if len(sub.C) == 0 {
			return wrote
		}
		data = <-sub.C // buffered, so never the close
	}
}

// stream writes server-sent events with a rolling write deadline.
type stream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	armed   bool      // the writes until the next flush are covered
	until   time.Time // the write deadline set
	err     error
}

func newStream(w http.ResponseWriter, timeout time.Duration) *stream {
	return &stream{w: w, rc: http.NewResponseController(w), timeout: timeout}
}

// start writes the headers and the retry hint. The server's read
// timeout needs nothing: net/http clears the read deadline once the
// request is read. Its write timeout is replaced by a rolling deadline.
func (st *stream) start(retry time.Duration) {
	h := st.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	st.w.WriteHeader(http.StatusOK)
	st.write([]byte("retry: " + strconv.FormatInt(retry.Milliseconds(), 10) + "\n\n"))
}

// deadline ignores ErrNotSupported (a test recorder has no connection).
func (st *stream) deadline(err error) {
	if err != nil && !errors.Is(err, http.ErrNotSupported) && st.err == nil {
		st.err = err
	}
}

var (
	dataPrefix = []byte("data: ")
	eventEnd   = []byte("\n\n")
	heartbeat  = []byte(": ping\n\n")
)

// event writes data as one message, a data: line per line of data.
func (st *stream) event(data []byte) {
	if bytes.IndexByte(data, '\n') < 0 && bytes.IndexByte(data, '\r') < 0 {
		st.write(dataPrefix)
		st.write(data)
		st.write(eventEnd)
		return
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	for line := range bytes.SplitSeq(bytes.ReplaceAll(data, []byte("\r"), []byte("\n")), []byte("\n")) {
		st.write(dataPrefix)
		st.write(line)
		st.write(eventEnd[:1])
	}
	st.write(eventEnd[:1])
}

func (st *stream) comment() { st.write(heartbeat) }

func (st *stream) write(b []byte) {
	if st.err != nil {
		return
	}
	st.arm()
	if st.err == nil {
		_, st.err = st.w.Write(b)
	}
}

// arm makes sure the writes before the next flush have at least half
// the timeout to complete, moving the deadline only when less is left
// (a deadline costs a runtime timer update; most events need none).
func (st *stream) arm() {
	if st.armed {
		return
	}
	st.armed = true
	if now := time.Now(); st.until.Sub(now) < st.timeout/2 {
		st.until = now.Add(st.timeout)
		st.deadline(st.rc.SetWriteDeadline(st.until))
	}
}

// flush sends what was written and reports the first error of the
// stream (the client has gone or stalled).
func (st *stream) flush() error {
	st.arm()
	if st.err == nil {
		st.err = st.rc.Flush()
	}
	st.armed = false
	return st.err
}
