package oidc_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// queueEngines runs fn on SQLite and, when configured, on PostgreSQL, with
// DSI-HQ open.
func queueEngines(t *testing.T, fn func(t *testing.T, e *queueEnv)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newQueueEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "queue.db"))) })
	t.Run("postgres", func(t *testing.T) { fn(t, newQueueEnv(t, storetest.FreshSchema(t))) })
}

// TestQueueAPI runs a remote ticket through the platform on both engines:
// taken (once per Idempotency-Key), hidden from others, shown on the
// public status and its event stream, called and completed by DSI staff
// and by nobody else.
func TestQueueAPI(t *testing.T) {
	queueEngines(t, func(t *testing.T, e *queueEnv) {
		_, ana := e.person(t, identity.Resident, "")
		_, bob := e.person(t, identity.Resident, "")
		_, agent := e.person(t, identity.Staff, "DSI", identity.CounterAgent)
		_, dsat := e.person(t, identity.Staff, "DSAT", identity.CounterAgent)
		events := openEvents(t, e.issuer+"/api/v1/branches/DSI-HQ/queue/events")

		take := map[string]string{"branch": "DSI-HQ", "queue": "A"}
		key := map[string]string{"Idempotency-Key": "k1"}
		status, tk, _ := ana.apiJSON(t, http.MethodPost, "/api/v1/tickets", take, key)
		if status != http.StatusCreated || tk["number"] != "A001" || tk["status"] != "waiting" {
			t.Fatalf("take: %d %v", status, tk)
		}
		id := tk["id"].(string)
		if s, again, _ := ana.apiJSON(t, http.MethodPost, "/api/v1/tickets", take, key); s != http.StatusCreated || again["id"] != id {
			t.Errorf("retry: %d %v", s, again)
		}
		if s, p, _ := ana.apiJSON(t, http.MethodPost, "/api/v1/tickets", take, nil); s != http.StatusConflict || p["code"] != "active_ticket" {
			t.Errorf("second ticket: %d %v", s, p)
		}
		for _, path := range []string{"/api/v1/tickets/" + id, "/api/v1/tickets/" + id + "/cancel"} {
			method := map[bool]string{true: http.MethodPost, false: http.MethodGet}[strings.HasSuffix(path, "/cancel")]
			if s, _, _ := bob.apiJSON(t, method, path, nil, nil); s != http.StatusNotFound {
				t.Errorf("bob %s %s: %d, want 404", method, path, s)
			}
		}
		if s, st, _ := bob.apiJSON(t, http.MethodGet, "/api/v1/branches/DSI-HQ/queue", nil, nil); s != http.StatusOK ||
			!strings.Contains(jsonString(st), `"code":"A"`) || !strings.Contains(jsonString(st), `"waiting":1`) {
			t.Errorf("public status: %d %v", s, st)
		}

		counter := "/api/v1/counters/DSI-HQ.DSI-01"
		for name, b := range map[string]*browser{"resident": ana, "DSAT staff": dsat} {
			if s, p, _ := b.apiJSON(t, http.MethodPost, counter+"/open", nil, nil); s != http.StatusForbidden {
				t.Errorf("%s opens a DSI counter: %d %v", name, s, p)
			}
		}
		if s, c, _ := agent.apiJSON(t, http.MethodPost, counter+"/open", nil, nil); s != http.StatusOK || c["open"] != true {
			t.Fatalf("open: %d %v", s, c)
		}
		if s, c, _ := agent.apiJSON(t, http.MethodPost, counter+"/call-next", nil, nil); s != http.StatusOK || c["id"] != id {
			t.Fatalf("call next: %d %v", s, c)
		}
		if ev := waitFor(t, events, `"kind":"called"`); !strings.Contains(ev, `"number":"A001"`) {
			t.Errorf("called event: %s", ev)
		}
		if s, v, _ := ana.apiJSON(t, http.MethodGet, "/api/v1/tickets/"+id, nil, nil); s != http.StatusOK || v["status"] != "called" || v["counter"] != "DSI-01" {
			t.Errorf("ana's ticket once called: %d %v", s, v)
		}
		if s, p, _ := dsat.apiJSON(t, http.MethodPost, "/api/v1/tickets/"+id+"/complete", map[string]string{"outcome": "served"}, nil); s != http.StatusForbidden {
			t.Errorf("DSAT staff completes: %d %v", s, p)
		}
		if s, d, _ := agent.apiJSON(t, http.MethodPost, "/api/v1/tickets/"+id+"/complete", map[string]string{"outcome": "served"}, nil); s != http.StatusOK || d["status"] != "done" {
			t.Errorf("complete: %d %v", s, d)
		}
		if s, p, _ := agent.apiJSON(t, http.MethodPost, counter+"/call-next", nil, nil); s != http.StatusConflict || p["code"] != "queue_empty" {
			t.Errorf("call next on an empty queue: %d %v", s, p)
		}
	})
}

// openEvents subscribes to an event stream and returns its data lines.
func openEvents(t *testing.T, url string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("events: %d", resp.StatusCode)
	}
	ch := make(chan string, 64)
	go func() {
		defer resp.Body.Close()
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				select {
				case ch <- data:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return ch
}

// waitFor returns the first event containing s, failing after 10 seconds
// without one (a bound against hanging, not a timing assertion).
func waitFor(t *testing.T, events <-chan string, s string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the stream ended before an event with %s", s)
			}
			if strings.Contains(ev, s) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event with %s", s)
		}
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
