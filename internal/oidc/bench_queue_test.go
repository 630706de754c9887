package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// Queue benchmarks through the HTTP API, beside pgbench -N in
// scripts/bench-queue.sh:
//
//	go test ./internal/oidc -run XXX -bench 'Queue' -benchtime 3000x

// benchWorkers is how many clients send requests at once.
const benchWorkers = 64

// benchCounters is how many counters call at once.
const benchCounters = 16

// BenchmarkQueueTickets measures remote tickets through POST
// /api/v1/tickets with 64 concurrent clients. Each ticket is taken by a
// different resident with their own session (one active ticket per
// person and branch), spread over eight queues of DSI-HQ or all in one
// queue; the daily quota is lifted so that every request issues.
func BenchmarkQueueTickets(b *testing.B) {
	for _, hot := range []bool{false, true} {
		name := map[bool]string{false: "spread", true: "hot"}[hot]
		b.Run(name+"/sqlite", func(b *testing.B) {
			benchTickets(b, newQueueEnv(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db")), hot)
		})
		b.Run(name+"/postgres", func(b *testing.B) { benchTickets(b, newQueueEnv(b, storetest.FreshSchema(b)), hot) })
	}
}

// BenchmarkQueueCalls measures calls through the HTTP API: 16 counters of
// one queue, each with its own staff member, call concurrently through
// tickets issued beforehand; each call is one POST call-next with an
// outcome, which completes the ticket at the counter and calls the next,
// as staff do all day.
//
// Hot, every counter serves the one queue and they race for its head;
// spread, the tickets are in eight queues and each counter serves one of
// them (two counters a queue), as at a branch with several lines.
func BenchmarkQueueCalls(b *testing.B) {
	for _, hot := range []bool{true, false} {
		name := map[bool]string{false: "spread", true: "hot"}[hot]
		b.Run(name+"/sqlite", func(b *testing.B) {
			benchCalls(b, newQueueEnv(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db")), hot)
		})
		b.Run(name+"/postgres", func(b *testing.B) { benchCalls(b, newQueueEnv(b, storetest.FreshSchema(b)), hot) })
	}
}

// benchQueues gives DSI-HQ n queues (A, B, ...) without a quota and
// benchCounters counters serving them all, or with own, counter i only
// queue i mod n.
func benchQueues(b *testing.B, e *queueEnv, n int, own bool) []string {
	var qs []queue.Queue
	var codes []string
	for i := range n {
		code := queue.Letters[i : i+1]
		codes = append(codes, code)
		qs = append(qs, queue.Queue{Branch: "DSI-HQ", Code: code, Entity: "DSI", Name: lang.Text{ZhHant: code, Pt: code, En: code},
			Services: []string{"DSI-BIR-RENEW"}, MaxWait: 45 * time.Minute})
	}
	var cs []queue.Counter
	for i := range benchCounters {
		code := fmt.Sprintf("DSI-%02d", i+1)
		cs = append(cs, queue.Counter{Branch: "DSI-HQ", Code: code, Entity: "DSI", Name: lang.Text{ZhHant: code, Pt: code, En: code},
			Queues: codes, PriorityShare: 1, NormalShare: 2})
		if own {
			cs[i].Queues = []string{codes[i%n]}
		}
	}
	if err := e.app.Store().SaveQueues(context.Background(), "DSI-HQ", qs, cs); err != nil {
		b.Fatal(err)
	}
	e.app.Queue().Forget()
	return codes
}

func benchTickets(b *testing.B, e *queueEnv, hot bool) {
	codes := benchQueues(b, e, 8, false)
	if hot {
		codes = codes[:1]
	}
	c := benchClient()
	sessions := make([]*http.Cookie, b.N)
	for i := range sessions {
		sessions[i] = e.session(b, identity.Resident, "")
	}
	bodies := make([][]byte, len(codes))
	for i, q := range codes {
		bodies[i], _ = json.Marshal(map[string]string{"branch": "DSI-HQ", "queue": q})
	}
	run(b, "tickets/s", func(i int) bool {
		return sendPost(c, sessions[i], e.issuer+"/api/v1/tickets", bodies[i%len(bodies)]) == http.StatusCreated
	})
}

func benchCalls(b *testing.B, e *queueEnv, hot bool) {
	n := 8
	if hot {
		n = 1
	}
	codes := benchQueues(b, e, n, !hot)
	ctx := context.Background()
	svc := e.app.Queue()
	// Spread, each queue gets half as many again as its share of the
	// calls, so none runs dry when its counters happen to call more.
	tickets := b.N
	if !hot {
		tickets = n * (b.N/n + b.N/(2*n) + benchCounters)
	}
	for i := range tickets {
		if _, err := svc.TakeKiosk(ctx, "DSI-HQ", codes[i%n], queue.Normal, ""); err != nil {
			b.Fatal(err)
		}
	}
	analyze(b, e)
	c := benchClient()
	staff := make([]*http.Cookie, benchCounters)
	for i := range staff {
		staff[i] = e.session(b, identity.Staff, "DSI", identity.CounterAgent)
		url := fmt.Sprintf("%s/api/v1/counters/DSI-HQ.DSI-%02d/open", e.issuer, i+1)
		if s := sendPost(c, staff[i], url, nil); s != http.StatusOK {
			b.Fatalf("open counter %d: %d", i+1, s)
		}
	}
	var worker atomic.Int64
	served, _ := json.Marshal(map[string]string{"outcome": "served"})
	runWith(b, "calls/s", benchCounters, func() func(int) bool {
		n := int(worker.Add(1) - 1)
		session := staff[n]
		next := fmt.Sprintf("%s/api/v1/counters/DSI-HQ.DSI-%02d/call-next", e.issuer, n+1)
		var body []byte // the first call finds the counter free
		return func(int) bool {
			ok := sendPost(c, session, next, body) == http.StatusOK
			body = served
			return ok
		}
	})
}

// analyze has PostgreSQL gather statistics on the tickets just issued, as
// autovacuum does in service within a minute of a change that large: the
// benchmark issues its thousands of tickets in seconds and calls at once,
// and without statistics the planner reads every waiting ticket for each
// call's window of the first few.
func analyze(b *testing.B, e *queueEnv) {
	if st := e.app.Store(); st.Engine() == "postgres" {
		if _, err := st.DB().ExecContext(context.Background(), "ANALYZE queue_tickets"); err != nil {
			b.Fatal(err)
		}
	}
}

// run times b.N requests, request(i) for i in 0..b.N-1, sent by 64
// concurrent workers, and reports their rate as unit.
func run(b *testing.B, unit string, request func(i int) bool) {
	runWith(b, unit, benchWorkers, func() func(int) bool { return request })
}

// runWith is run with workers workers, each with its own function from
// newWorker.
func runWith(b *testing.B, unit string, workers int, newWorker func() func(int) bool) {
	var next, failed atomic.Int64
	fns := make([]func(int) bool, workers)
	for i := range fns {
		fns[i] = newWorker()
	}
	b.ResetTimer()
	t0 := time.Now()
	done := make(chan struct{}, workers)
	for _, fn := range fns {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				if !fn(int(i)) {
					failed.Add(1)
				}
			}
		}()
	}
	for range workers {
		<-done
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), unit)
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d failed", f, b.N)
	}
}

// sendPost sends a JSON body with a session cookie and returns the status,
// draining the answer.
func sendPost(c *http.Client, session *http.Cookie, url string, body []byte) int {
	return postJSON(c, session, url, body, nil)
}

// postJSON is sendPost that decodes a 200 answer into out, if set.
func postJSON(c *http.Client, session *http.Cookie, url string, body []byte, out any) int {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(session)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
