package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/realtime"
)

// staffCall is a POST of a staff member to path with an optional body.
func staffCall(who, path string, body any) call {
	return call{who: who, method: "POST", target: "/api/v1" + path, body: body}
}

func TestQueueAPI_CounterWorkflow(t *testing.T) {
	s := newQueueSite(t)
	const counter = "/counters/DSI-HQ.DSI-01"
	ana := s.take(t, "ana", "A")["id"].(string)
	bob := s.take(t, "bob", "A")["id"].(string)
	carol := s.take(t, "carol", "B")["id"].(string)

	s.expect(t, staffCall("agent", counter+"/call-next", nil), http.StatusConflict, codeCounterClosed)
	if c := s.expect(t, staffCall("agent", counter+"/open", nil), http.StatusOK, ""); c["open"] != true || c["id"] != "DSI-HQ.DSI-01" {
		t.Fatalf("open = %v", c)
	}
	called := s.expect(t, staffCall("agent", counter+"/call-next", nil), http.StatusOK, "")
	if called["id"] != ana || called["status"] != "called" || called["counter"] != "DSI-01" {
		t.Fatalf("first call = %v, want ana's A001", called)
	}
	s.expect(t, staffCall("agent", counter+"/call-next", nil), http.StatusConflict, codeCounterBusy)
	s.expect(t, staffCall("agent", counter+"/close", nil), http.StatusConflict, codeCounterBusy)
	// Ana sees her call; the public status shows the number now served.
	if v := s.expect(t, call{who: "ana", method: "GET", target: "/api/v1/tickets/" + ana}, http.StatusOK, ""); v["status"] != "called" || v["counter"] != "DSI-01" {
		t.Errorf("ana's view after the call = %v", v)
	}
	if r := s.expect(t, staffCall("agent", "/tickets/"+ana+"/recall", nil), http.StatusOK, ""); r["recalls"] != 1.0 {
		t.Errorf("recall = %v", r)
	}
	s.expect(t, staffCall("agent", "/tickets/"+ana+"/complete", map[string]string{}), http.StatusBadRequest, apperr.Invalid)
	if d := s.expect(t, staffCall("agent", "/tickets/"+ana+"/complete", map[string]string{"outcome": "served"}), http.StatusOK, ""); d["status"] != "done" || d["outcome"] != "served" {
		t.Errorf("complete = %v", d)
	}
	s.expect(t, staffCall("agent", "/tickets/"+ana+"/complete", map[string]string{"outcome": "served"}), http.StatusConflict, codeWrongState)

	// Bob does not come: no-show, then reinstated at his original place.
	if c := s.expect(t, staffCall("agent", counter+"/call-next", nil), http.StatusOK, ""); c["id"] != bob {
		t.Fatalf("second call = %v, want bob's", c)
	}
	if m := s.expect(t, staffCall("agent", "/tickets/"+bob+"/no-show", nil), http.StatusOK, ""); m["status"] != "missed" {
		t.Errorf("no-show = %v", m)
	}
	if w := s.expect(t, staffCall("agent", "/tickets/"+bob+"/reinstate", "{}"), http.StatusOK, ""); w["status"] != "waiting" {
		t.Errorf("reinstate = %v", w)
	}
	// Bob is called again, parked, resumed, then sent to the passport queue.
	s.expect(t, staffCall("agent", counter+"/call-next", nil), http.StatusOK, "")
	if p := s.expect(t, staffCall("agent", "/tickets/"+bob+"/park", nil), http.StatusOK, ""); p["status"] != "parked" {
		t.Errorf("park = %v", p)
	}
	s.expect(t, staffCall("agent", "/tickets/"+bob+"/resume", nil), http.StatusBadRequest, apperr.Invalid)
	if r := s.expect(t, staffCall("agent", "/tickets/"+bob+"/resume", map[string]string{"counter": "DSI-HQ.DSI-01"}), http.StatusOK, ""); r["status"] != "called" {
		t.Errorf("resume = %v", r)
	}
	s.expect(t, staffCall("agent", "/tickets/"+bob+"/transfer", map[string]string{"queue": "Z"}), http.StatusNotFound, apperr.NotFound)
	if tr := s.expect(t, staffCall("agent", "/tickets/"+bob+"/transfer", map[string]string{"queue": "B"}), http.StatusOK, ""); tr["queue"] != "B" || tr["status"] != "waiting" {
		t.Errorf("transfer = %v", tr)
	}
	// Transferred with his original issue time, Bob comes before Carol.
	if c := s.expect(t, staffCall("agent", counter+"/call-next", nil), http.StatusOK, ""); c["id"] != bob {
		t.Errorf("after the transfer, call-next = %v, want bob's", c)
	}
	s.expect(t, staffCall("agent", "/tickets/"+bob+"/complete", map[string]string{"outcome": "served"}), http.StatusOK, "")
	if c := s.expect(t, staffCall("agent", counter+"/call-next", nil), http.StatusOK, ""); c["id"] != carol {
		t.Errorf("call-next = %v, want carol's", c)
	}
	if cl := s.expect(t, staffCall("agent", "/tickets/"+carol+"/class", map[string]string{"class": "elderly"}), http.StatusOK, ""); cl["class"] != "elderly" || cl["class_confirmed"] != true {
		t.Errorf("class = %v", cl)
	}
	s.expect(t, staffCall("agent", "/tickets/"+carol+"/complete", map[string]string{"outcome": "served"}), http.StatusOK, "")
	s.expect(t, staffCall("agent", counter+"/call-next", nil), http.StatusConflict, codeQueueEmpty)
	if c := s.expect(t, staffCall("agent", counter+"/close", nil), http.StatusOK, ""); c["open"] != false {
		t.Errorf("close = %v", c)
	}
}

func TestQueueAPI_StaffOnly(t *testing.T) {
	s := newQueueSite(t)
	ana := s.take(t, "ana", "A")["id"].(string)
	const open = "/counters/DSI-HQ.DSI-01/open"
	t.Run("ErrResident", func(t *testing.T) {
		s.expect(t, staffCall("ana", open, nil), http.StatusForbidden, apperr.Forbidden)
		s.expect(t, staffCall("ana", "/tickets/"+ana+"/recall", nil), http.StatusForbidden, apperr.Forbidden)
	})
	t.Run("ErrOtherEntity", func(t *testing.T) {
		s.expect(t, staffCall("dsat", open, nil), http.StatusForbidden, apperr.Forbidden)
		s.expect(t, staffCall("agent", open, nil), http.StatusOK, "")
		s.expect(t, staffCall("agent", "/counters/DSI-HQ.DSI-01/call-next", nil), http.StatusOK, "")
		s.expect(t, staffCall("dsat", "/tickets/"+ana+"/complete", map[string]string{"outcome": "served"}), http.StatusForbidden, apperr.Forbidden)
	})
	t.Run("ErrToken", func(t *testing.T) {
		c := staffCall("", open, nil)
		c.header = map[string]string{"Authorization": "Bearer agent tickets"}
		s.expect(t, c, http.StatusForbidden, apperr.Forbidden)
	})
	t.Run("ErrUnauthenticated", func(t *testing.T) {
		s.expect(t, staffCall("", open, nil), http.StatusUnauthorized, apperr.Unauthenticated)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s.expect(t, staffCall("agent", "/counters/DSI-HQ.NOPE/open", nil), http.StatusNotFound, apperr.NotFound)
		s.expect(t, staffCall("agent", "/counters/nonsense/open", nil), http.StatusNotFound, apperr.NotFound)
		s.expect(t, staffCall("agent", "/tickets/no-such-ticket/recall", nil), http.StatusNotFound, apperr.NotFound)
	})
	t.Run("BadBody", func(t *testing.T) {
		for name, body := range map[string]any{
			"not JSON":       "{",
			"unknown member": map[string]string{"outcome": "served", "note": "x"},
			"not a string":   `{"outcome":1}`,
			"null":           "null",
		} {
			t.Run(name, func(t *testing.T) {
				s.expect(t, staffCall("agent", "/tickets/"+ana+"/complete", body), http.StatusBadRequest, apperr.Invalid)
			})
		}
		s.expect(t, staffCall("agent", "/tickets/"+ana+"/recall", `{"queue":"B"}`), http.StatusBadRequest, apperr.Invalid)
	})
}

func TestQueueAPI_Events(t *testing.T) {
	s := newQueueSite(t)
	srv := httptest.NewServer(s.h)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/branches/DSI-HQ/queue/events", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := sseEvents(ctx, resp.Body)
	first := <-events
	if first.Status.Branch != "DSI-HQ" || len(first.Status.Queues) != 2 {
		t.Fatalf("first event = %+v, want DSI-HQ's status", first)
	}
	s.take(t, "ana", "A")
	s.expect(t, staffCall("agent", "/counters/DSI-HQ.DSI-01/open", nil), http.StatusOK, "")
	s.expect(t, staffCall("agent", "/counters/DSI-HQ.DSI-01/call-next", nil), http.StatusOK, "")
	for ev := range events {
		if ev.Kind == "called" {
			if ev.Call == nil || ev.Call.Number != "A001" || ev.Status.Queues[0].NowServing != "A001" {
				t.Errorf("called event = %+v", ev)
			}
			return
		}
	}
	t.Fatal("the stream ended before the call was announced")
}

// sseEvents decodes the data lines of a server-sent event stream until it
// ends or ctx is done.
func sseEvents(ctx context.Context, body io.Reader) <-chan queue.Event {
	ch := make(chan queue.Event)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var ev queue.Event
			if json.Unmarshal([]byte(data), &ev) != nil {
				continue
			}
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// TestQueueAPI_NextCompletes: call-next with an outcome completes the
// ticket at the counter and calls the next in one request; with nobody
// waiting it changes nothing.
func TestQueueAPI_NextCompletes(t *testing.T) {
	s := newQueueSite(t)
	const counter = "/counters/DSI-HQ.DSI-01"
	ana := s.take(t, "ana", "A")["id"].(string)
	bob := s.take(t, "bob", "A")["id"].(string)
	served := map[string]string{"outcome": "served"}
	s.expect(t, staffCall("agent", counter+"/open", nil), http.StatusOK, "")
	if c := s.expect(t, staffCall("agent", counter+"/call-next", served), http.StatusOK, ""); c["id"] != ana {
		t.Fatalf("next at a free counter = %v, want ana's", c)
	}
	s.expect(t, staffCall("agent", counter+"/call-next", map[string]string{"outcome": ""}), http.StatusConflict, codeCounterBusy)
	s.expect(t, staffCall("agent", counter+"/call-next", map[string]string{"queue": "A"}), http.StatusBadRequest, apperr.Invalid)
	s.expect(t, staffCall("agent", counter+"/call-next", map[string]string{"outcome": strings.Repeat("x", 201)}), http.StatusBadRequest, apperr.Invalid)
	if c := s.expect(t, staffCall("agent", counter+"/call-next", served), http.StatusOK, ""); c["id"] != bob || c["status"] != "called" {
		t.Fatalf("next = %v, want bob's called", c)
	}
	if v := s.expect(t, call{who: "ana", method: "GET", target: "/api/v1/tickets/" + ana}, http.StatusOK, ""); v["status"] != "done" {
		t.Errorf("ana's ticket after next = %v, want done", v)
	}
	s.expect(t, staffCall("agent", counter+"/call-next", served), http.StatusConflict, codeQueueEmpty)
	if v := s.expect(t, call{who: "bob", method: "GET", target: "/api/v1/tickets/" + bob}, http.StatusOK, ""); v["status"] != "called" {
		t.Errorf("bob's ticket after an empty next = %v, want still called", v)
	}
}

// TestQueueAPI_EventsFull: a node at its bound of live streams refuses
// one more with 503 and Retry-After, before streaming anything.
func TestQueueAPI_EventsFull(t *testing.T) {
	a, h, _ := newTestAPIStore(t)
	live := realtime.NewBroker(realtime.Options{MaxSubscribers: 1})
	t.Cleanup(live.Shutdown)
	a.SetLive(live)
	held, err := live.TrySubscribe("queue.DSI-HQ")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/branches/DSI-HQ/queue/events", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("at the bound: %d, Retry-After %q\n%s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	checkProblem(t, rec.Header(), rec.Body.Bytes(), http.StatusServiceUnavailable, apperr.Unavailable)
}
