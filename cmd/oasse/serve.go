package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/config"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/queue"
)

// serveOptions are the serve role's flags.
type serveOptions struct {
	db, addr, control, branch, queue string
}

func parseServe(args []string, stderr io.Writer) (serveOptions, error) {
	var o serveOptions
	fs := flag.NewFlagSet("oasse serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.db, "db", "", "database: sqlite:PATH or a loopback postgres:// URL (required)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8089", "address of the platform; loopback only")
	fs.StringVar(&o.control, "control", "127.0.0.1:8090", "address of the control listener; loopback only")
	fs.StringVar(&o.branch, "branch", "DSI-HQ", "branch whose tickets /call calls")
	fs.StringVar(&o.queue, "queue", "A", "queue of that branch")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if err := checkDB(o.db); err != nil {
		return o, err
	}
	for name, a := range map[string]string{"addr": o.addr, "control": o.control} {
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			return o, usageError{fmt.Sprintf("-%s %q: want HOST:PORT", name, a)}
		}
		if err := loopbackAddr(name, host); err != nil {
			return o, err
		}
	}
	return o, nil
}

// checkDB accepts SQLite and a PostgreSQL server on this machine.
func checkDB(db string) error {
	if strings.HasPrefix(db, "sqlite:") && len(db) > len("sqlite:") {
		return nil
	}
	u, err := url.Parse(db)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return usageError{"-db: want sqlite:PATH or postgres://..."}
	}
	if h := u.Query().Get("host"); h != "" && !strings.HasPrefix(h, "/") {
		return loopbackAddr("db", h)
	}
	if u.Hostname() == "" {
		return nil // a Unix socket
	}
	return loopbackAddr("db", u.Hostname())
}

// serve runs the platform and the control listener until ctx is done.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	cfg, _, err := config.Load("serve", []string{"--db", o.db, "--addr", o.addr, "--base-url", "http://" + o.addr},
		func(string) string { return "" }, stderr)
	if err != nil {
		return err
	}
	var shift atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
	a, err := app.Open(cfg, slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), now)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Start(ctx); err != nil {
		return err
	}
	d, err := openingShift(ctx, a.Directory(), o.branch)
	if err != nil {
		return err
	}
	shift.Store(int64(d))
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	cln, err := net.Listen("tcp", o.control)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("listen on %s: %w", o.control, err)
	}
	h := &harness{app: a, branch: o.branch, queue: o.queue, current: map[string]string{}}
	csrv := &http.Server{Handler: h.mux(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = csrv.Serve(cln) }()
	defer csrv.Close()
	fmt.Fprintf(stdout, "oasse serve: pid %d, platform on http://%s, control on http://%s, clock at %s\n",
		os.Getpid(), ln.Addr(), cln.Addr(), now().In(a.Directory().Location()).Format("2006-01-02 15:04"))
	return a.Serve(ctx, ln)
}

// openingShift is how far to move the clock to reach 10:00 on branch's
// next working day.
func openingShift(ctx context.Context, dir *directory.Directory, branch string) (time.Duration, error) {
	today := directory.DateOf(time.Now().In(dir.Location()))
	cal, err := dir.Calendar(ctx, branch, today, today.AddDays(30))
	if err != nil {
		return 0, fmt.Errorf("calendar of %s: %w", branch, err)
	}
	day := today.AddDays(1)
	for !cal.IsWorkingDay(day) {
		day = day.AddDays(1)
	}
	return time.Until(day.In(dir.Location()).Add(10 * time.Hour)), nil
}

// harness answers the control listener.
type harness struct {
	app           *app.App
	branch, queue string

	mu       sync.Mutex
	counters []queue.CounterState
	next     int
	current  map[string]string // counter ID → ticket called there
}

func (h *harness) mux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("POST /take", h.take)
	m.HandleFunc("POST /ready", h.ready)
	m.HandleFunc("POST /call", h.call)
	m.HandleFunc("GET /stats", h.stats)
	m.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	m.HandleFunc("GET /debug/pprof/", pprof.Index)
	return m
}

// callResult is POST /call's answer.
type callResult struct {
	Number string `json:"number"`
	// At is the wall clock just before the call, in Unix nanoseconds.
	At int64 `json:"at"`
}

// take takes ?n= kiosk tickets (the load role does it before opening
// the streams, so that they are not broadcast to them).
func (h *harness) take(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 1 || n > 10_000 {
		http.Error(w, "want ?n=1 to 10000", http.StatusBadRequest)
		return
	}
	for range n {
		if _, err = h.app.Queue().TakeKiosk(r.Context(), h.branch, h.queue, queue.Normal, ""); err != nil {
			break
		}
	}
	h.answer(w, callResult{}, err)
}

// ready opens the counters the first time, then completes the ticket
// last called at the next counter (round robin), if any: a change that
// is broadcast, so the load role leaves time before the call.
func (h *harness) ready(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.answer(w, callResult{}, h.readyLocked(r.Context()))
}

// call calls the next ticket at the counter ready readied.
func (h *harness) call(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.counters == nil {
		h.answer(w, callResult{}, errors.New("POST /ready first"))
		return
	}
	c := h.counters[h.next%len(h.counters)]
	at := time.Now()
	t, err := h.app.Queue().CallNext(r.Context(), identity.Actor{Platform: true}, c.ID(), "")
	if err == nil {
		h.current[c.ID()] = t.ID
		h.next++
	}
	h.answer(w, callResult{Number: t.Number, At: at.UnixNano()}, err)
}

func (h *harness) answer(w http.ResponseWriter, res callResult, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

func (h *harness) readyLocked(ctx context.Context) error {
	svc, staff := h.app.Queue(), identity.Actor{Platform: true}
	if h.counters == nil {
		cs, err := svc.Counters(ctx, h.branch)
		if err != nil || len(cs) == 0 {
			return fmt.Errorf("counters of %s: %d, %w", h.branch, len(cs), err)
		}
		for _, c := range cs {
			if _, err := svc.OpenCounter(ctx, staff, c.ID()); err != nil {
				return fmt.Errorf("open %s: %w", c.ID(), err)
			}
		}
		h.counters = cs
	}
	c := h.counters[h.next%len(h.counters)]
	if prev := h.current[c.ID()]; prev != "" {
		if _, err := svc.Complete(ctx, staff, prev, "served"); err != nil {
			return fmt.Errorf("complete: %w", err)
		}
		delete(h.current, c.ID())
	}
	return nil
}

// serverStats is GET /stats's answer.
type serverStats struct {
	PID        int    `json:"pid"`
	RSSKiB     int64  `json:"rss_kib"`
	HeapInuse  uint64 `json:"heap_inuse"`
	StackInuse uint64 `json:"stack_inuse"`
	Goroutines int    `json:"goroutines"`
	Streams    int    `json:"streams"`
	Delivered  int64  `json:"delivered"`
	Dropped    int64  `json:"dropped"`
	// CPU is the process's user and system time so far, in seconds.
	CPU float64 `json:"cpu"`
}

func (h *harness) stats(w http.ResponseWriter, _ *http.Request) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live := h.app.Live().Stats()
	st := serverStats{PID: os.Getpid(), RSSKiB: rssKiB(), HeapInuse: ms.HeapInuse, StackInuse: ms.StackInuse,
		Goroutines: runtime.NumGoroutine(), Streams: live.Subscribers, Delivered: live.Delivered, Dropped: live.Dropped, CPU: cpuSeconds()}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(st)
}

// rssKiB reads VmRSS from /proc/self/status (Linux; 0 elsewhere).
func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// cpuSeconds reads utime and stime from /proc/self/stat (Linux; 0
// elsewhere), assuming 100 clock ticks a second.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100
}
