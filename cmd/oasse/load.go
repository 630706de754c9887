package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Bounds on the flags, so that no run is unbounded.
const (
	maxStreams = 50_000
	maxCalls   = 1000
)

// loadOptions are the load role's flags.
type loadOptions struct {
	url, control, stats string
	branch              string
	streams, calls      int
	dialers             int
	every, timeout      time.Duration
}

func parseLoad(args []string, stderr io.Writer) (loadOptions, error) {
	var o loadOptions
	fs := flag.NewFlagSet("oasse load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8089", "the node the streams connect to; loopback only")
	fs.StringVar(&o.control, "control", "http://127.0.0.1:8090", "control listener of the node that calls; loopback only")
	fs.StringVar(&o.stats, "stats", "", "control listener of the node holding the streams, for its memory (default: -control)")
	fs.StringVar(&o.branch, "branch", "DSI-HQ", "branch whose events to stream")
	fs.IntVar(&o.streams, "streams", 1000, "streams to hold open")
	fs.IntVar(&o.calls, "calls", 10, "tickets to call")
	fs.IntVar(&o.dialers, "dialers", 100, "streams being opened at once")
	fs.DurationVar(&o.every, "every", time.Second, "time between calls")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up opening streams, and waiting for the last call, after this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return o, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case o.streams < 1 || o.streams > maxStreams:
		return o, usageError{fmt.Sprintf("-streams: want 1 to %d", maxStreams)}
	case o.calls < 1 || o.calls > maxCalls:
		return o, usageError{fmt.Sprintf("-calls: want 1 to %d", maxCalls)}
	case o.dialers < 1 || o.dialers > 1000:
		return o, usageError{"-dialers: want 1 to 1000"}
	case o.every <= 0 || o.timeout <= 0 || o.timeout > 10*time.Minute:
		return o, usageError{"-every and -timeout: want more than 0 (-timeout at most 10m)"}
	}
	if o.stats == "" {
		o.stats = o.control
	}
	for name, raw := range map[string]string{"url": o.url, "control": o.control, "stats": o.stats} {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return o, usageError{fmt.Sprintf("-%s %q: want http://HOST:PORT", name, raw)}
		}
		if err := loopbackAddr(name, u.Hostname()); err != nil {
			return o, err
		}
	}
	return o, nil
}

// receipt is one call's event arriving on one stream.
type receipt struct {
	number string
	at     time.Time
}

// sseStream is one open stream and what it received.
type sseStream struct {
	mu       sync.Mutex
	receipts []receipt
	err      error
}

// fleet is the load role's streams.
type fleet struct {
	client    *http.Client
	url       string
	open      atomic.Int64 // streams whose snapshot arrived
	failed    atomic.Int64
	delivered atomic.Int64 // call events received, over all streams
	streams   []*sseStream
	wg        sync.WaitGroup
}

func newClient() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip, err := netip.ParseAddr(host); err != nil || !ip.Unmap().IsLoopback() {
			return fmt.Errorf("refusing to connect to %s: not a loopback address", address)
		}
		return nil
	}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableCompression: true,
		MaxIdleConnsPerHost: 10, ResponseHeaderTimeout: 30 * time.Second}}
}

// openAll opens n streams, dialers at a time, and returns once every one
// has its snapshot or failed, or after timeout.
func (f *fleet) openAll(ctx context.Context, n, dialers int, timeout time.Duration, progress io.Writer) {
	sem := make(chan struct{}, dialers)
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	f.streams = make([]*sseStream, n)
	for i := range f.streams {
		s := &sseStream{}
		f.streams[i] = s
		sem <- struct{}{}
		f.wg.Go(func() { f.stream(ctx, s, func() { <-sem }) })
		select {
		case <-tick.C:
			fmt.Fprintf(progress, "oasse: %d streams open, %d failed\n", f.open.Load(), f.failed.Load())
		default:
		}
	}
	for f.open.Load()+f.failed.Load() < int64(n) && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
}

// stream reads one stream until ctx is done; opened is called once its
// headers have arrived (or it failed).
func (f *fleet) stream(ctx context.Context, s *sseStream, opened func()) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.url, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := f.client.Do(req)
	opened()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
		_ = resp.Body.Close()
	}
	if err != nil {
		s.err = err
		f.failed.Add(1)
		return
	}
	defer resp.Body.Close()
	err = f.read(s, bufio.NewReader(resp.Body))
	if ctx.Err() == nil {
		s.mu.Lock()
		s.err = fmt.Errorf("stream ended: %w", err)
		s.mu.Unlock()
		f.failed.Add(1)
	}
}

var (
	dataCalled = []byte(`data: {"kind":"called"`)
	callNumber = []byte(`"call":{"number":"`)
)

// read notes the arrival of each call event. Only a line's first buffer
// is looked at: the call's number comes first in the event.
func (f *fleet) read(s *sseStream, br *bufio.Reader) error {
	snapshot := false
	for {
		line, err := br.ReadSlice('\n')
		at := time.Now()
		if errors.Is(err, bufio.ErrBufferFull) {
			err = skipLine(br)
		}
		if err != nil {
			return err
		}
		if !snapshot && bytes.HasPrefix(line, []byte("data: ")) {
			snapshot = true
			f.open.Add(1)
			continue
		}
		if !bytes.HasPrefix(line, dataCalled) {
			continue
		}
		if _, rest, ok := bytes.Cut(line, callNumber); ok {
			if number, _, ok := bytes.Cut(rest, []byte(`"`)); ok {
				s.mu.Lock()
				s.receipts = append(s.receipts, receipt{number: string(number), at: at})
				s.mu.Unlock()
				f.delivered.Add(1)
			}
		}
	}
}

// skipLine discards the rest of a line longer than the reader's buffer.
func skipLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// getJSON decodes GET or POST url's JSON answer into v.
func getJSON(ctx context.Context, c *http.Client, method, u string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, method, u, nil)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, bytes.TrimSpace(b))
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// load runs the load role.
func load(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseLoad(args, stderr)
	if err != nil {
		return err
	}
	ctrl := &http.Client{Timeout: 30 * time.Second}
	var r report
	if err := getJSON(ctx, ctrl, http.MethodGet, o.stats+"/stats", &r.before); err != nil {
		return fmt.Errorf("server stats: %w", err)
	}
	var none callResult
	if err := getJSON(ctx, ctrl, http.MethodPost, fmt.Sprintf("%s/take?n=%d", o.control, o.calls), &none); err != nil {
		return fmt.Errorf("take tickets: %w", err)
	}
	sctx, stop := context.WithCancel(ctx)
	f := &fleet{client: newClient(), url: o.url + "/api/v1/branches/" + url.PathEscape(o.branch) + "/queue/events"}
	start := time.Now()
	f.openAll(sctx, o.streams, o.dialers, o.timeout, stderr)
	r.connect, r.open = time.Since(start), f.open.Load()
	if err := getJSON(ctx, ctrl, http.MethodGet, o.stats+"/stats", &r.connected); err != nil {
		stop()
		return fmt.Errorf("server stats: %w", err)
	}
	r.calls, err = makeCalls(ctx, ctrl, o, f)
	if err == nil {
		err = getJSON(ctx, ctrl, http.MethodGet, o.stats+"/stats", &r.after)
	}
	stop()
	f.wg.Wait()
	if err != nil {
		return err
	}
	r.tally(o, f)
	r.print(stdout, o)
	if r.missed > 0 || r.failed > 0 {
		return errMissed
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// makeCalls calls o.calls tickets o.every apart, then waits for every
// open stream to receive all of them (or o.timeout).
func makeCalls(ctx context.Context, c *http.Client, o loadOptions, f *fleet) ([]callResult, error) {
	var calls []callResult
	var res callResult
	for i := range o.calls {
		if err := getJSON(ctx, c, http.MethodPost, o.control+"/ready", &res); err != nil {
			return calls, fmt.Errorf("ready %d: %w", i+1, err)
		}
		if err := sleep(ctx, o.every/2); err != nil {
			return calls, err
		}
		if err := getJSON(ctx, c, http.MethodPost, o.control+"/call", &res); err != nil {
			return calls, fmt.Errorf("call %d: %w", i+1, err)
		}
		calls = append(calls, res)
		if err := sleep(ctx, o.every/2); err != nil {
			return calls, err
		}
	}
	want := f.open.Load() * int64(len(calls))
	for deadline := time.Now().Add(o.timeout); f.delivered.Load() < want && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	return calls, nil
}
