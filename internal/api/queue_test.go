package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// queueSite is the API with the queue on, its people, and requests whose
// answers are validated against the OpenAPI document.
type queueSite struct {
	h   http.Handler
	doc documented
	p   people
}

func newQueueSite(t *testing.T) *queueSite {
	a, h, st := newTestAPIStore(t)
	return &queueSite{h: h, doc: newDocumented(t, a), p: newPeople(t, a, st)}
}

// expect sends c and fails unless the status is want; for a problem, code
// must be its code. It returns the decoded JSON object.
func (s *queueSite) expect(t *testing.T, c call, want int, code apperr.Code) map[string]any {
	t.Helper()
	rec := s.doc.send(t, s.h, c)
	if rec.Code != want {
		t.Fatalf("%s %s as %q: status %d, want %d\n%s", c.method, c.target, c.who, rec.Code, want, rec.Body)
	}
	if want >= 400 {
		checkProblem(t, rec.Header(), rec.Body.Bytes(), want, code)
		return nil
	}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
		return nil
	}
	return decode[map[string]any](t, rec.Body.Bytes())
}

// take has who take a remote ticket of DSI-HQ's queue q.
func (s *queueSite) take(t *testing.T, who, q string) map[string]any {
	t.Helper()
	return s.expect(t, call{who: who, method: "POST", target: "/api/v1/tickets",
		body: map[string]string{"branch": "DSI-HQ", "queue": q}}, http.StatusCreated, "")
}

func TestQueueAPI_TakeTicket(t *testing.T) {
	s := newQueueSite(t)
	post := func(who string, body any, header map[string]string) call {
		return call{who: who, method: "POST", target: "/api/v1/tickets", body: body, header: header}
	}
	a1 := map[string]string{"branch": "DSI-HQ", "queue": "A"}
	t.Run("OK", func(t *testing.T) {
		tk := s.expect(t, post("ana", a1, map[string]string{"Idempotency-Key": "k1"}), http.StatusCreated, "")
		if tk["number"] != "A001" || tk["status"] != "waiting" || tk["ahead"] != 0.0 || tk["branch"] != "DSI-HQ" {
			t.Fatalf("ana's ticket = %v", tk)
		}
		again := s.expect(t, post("ana", a1, map[string]string{"Idempotency-Key": "k1"}), http.StatusCreated, "")
		if again["id"] != tk["id"] || again["number"] != "A001" {
			t.Errorf("retry with the same key = %v, want %v", again, tk)
		}
		bob := s.take(t, "bob", "A")
		if bob["number"] != "A002" || bob["ahead"] != 1.0 || bob["now_serving"] != "" {
			t.Errorf("bob's ticket = %v", bob)
		}
	})
	t.Run("ErrActiveTicket", func(t *testing.T) {
		s.expect(t, post("ana", a1, nil), http.StatusConflict, codeActiveTicket)
		s.expect(t, post("ana", map[string]string{"branch": "DSI-HQ", "queue": "B"}, nil), http.StatusConflict, codeActiveTicket)
	})
	t.Run("ErrQuotaReached", func(t *testing.T) {
		s.take(t, "carol", "B")
		s.expect(t, post("dan", map[string]string{"branch": "DSI-HQ", "queue": "B"}, nil), http.StatusConflict, codeQuotaReached)
	})
	t.Run("BadInput", func(t *testing.T) {
		for name, body := range map[string]any{
			"not JSON":       "{",
			"unknown member": `{"branch":"DSI-HQ","queue":"A","class":"elderly"}`,
			"no queue":       map[string]string{"branch": "DSI-HQ"},
			"array":          "[]",
		} {
			t.Run(name, func(t *testing.T) { s.expect(t, post("dan", body, nil), http.StatusBadRequest, apperr.Invalid) })
		}
		long := map[string]string{"Idempotency-Key": strings.Repeat("k", 201)}
		s.expect(t, post("dan", a1, long), http.StatusBadRequest, apperr.Invalid)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s.expect(t, post("dan", map[string]string{"branch": "NOPE", "queue": "A"}, nil), http.StatusNotFound, apperr.NotFound)
		s.expect(t, post("dan", map[string]string{"branch": "DSI-HQ", "queue": "Z"}, nil), http.StatusNotFound, apperr.NotFound)
	})
	t.Run("ErrUnauthenticated", func(t *testing.T) {
		s.expect(t, post("", a1, nil), http.StatusUnauthorized, apperr.Unauthenticated)
	})
	t.Run("ErrStaff", func(t *testing.T) {
		s.expect(t, post("agent", a1, nil), http.StatusForbidden, apperr.Forbidden)
	})
	t.Run("Token", func(t *testing.T) {
		s.expect(t, post("", a1, map[string]string{"Authorization": "Bearer dan account:read"}), http.StatusForbidden, apperr.Forbidden)
		tk := s.expect(t, post("", a1, map[string]string{"Authorization": "Bearer dan tickets"}), http.StatusCreated, "")
		if tk["number"] != "A003" {
			t.Errorf("dan's ticket by token = %v", tk)
		}
	})
}

func TestQueueAPI_TicketOfItsHolder(t *testing.T) {
	s := newQueueSite(t)
	ana := s.take(t, "ana", "A")
	id := ana["id"].(string)
	get := call{who: "ana", method: "GET", target: "/api/v1/tickets/" + id}
	if got := s.expect(t, get, http.StatusOK, ""); got["number"] != "A001" || got["status"] != "waiting" {
		t.Errorf("GET own ticket = %v", got)
	}
	for _, c := range []call{
		{who: "bob", method: "GET", target: "/api/v1/tickets/" + id},
		{who: "bob", method: "POST", target: "/api/v1/tickets/" + id + "/cancel"},
		{who: "agent", method: "GET", target: "/api/v1/tickets/" + id},
		{who: "ana", method: "GET", target: "/api/v1/tickets/no-such-ticket"},
	} {
		s.expect(t, c, http.StatusNotFound, apperr.NotFound)
	}
	s.expect(t, call{method: "GET", target: "/api/v1/tickets/" + id}, http.StatusUnauthorized, apperr.Unauthenticated)
	cancel := call{who: "ana", method: "POST", target: "/api/v1/tickets/" + id + "/cancel"}
	if got := s.expect(t, cancel, http.StatusOK, ""); got["status"] != "cancelled" {
		t.Errorf("cancel = %v", got)
	}
	s.expect(t, cancel, http.StatusConflict, codeWrongState)
	// The place is given up: ana may take another ticket at the branch.
	if again := s.take(t, "ana", "A"); again["number"] != "A002" || again["ahead"] != 0.0 {
		t.Errorf("after cancelling, ana's new ticket = %v", again)
	}
}

func TestQueueAPI_BranchStatus(t *testing.T) {
	s := newQueueSite(t)
	s.take(t, "ana", "A")
	s.take(t, "bob", "A")
	st := s.expect(t, call{method: "GET", target: "/api/v1/branches/DSI-HQ/queue"}, http.StatusOK, "")
	qs := st["queues"].([]any)
	if len(qs) != 2 {
		t.Fatalf("queues = %v", qs)
	}
	a := qs[0].(map[string]any)
	if a["code"] != "A" || a["waiting"] != 2.0 || a["now_serving"] != "" {
		t.Errorf("queue A = %v", a)
	}
	s.expect(t, call{method: "GET", target: "/api/v1/branches/NOPE/queue"}, http.StatusNotFound, apperr.NotFound)
	s.expect(t, call{method: "GET", target: "/api/v1/branches/dsi-hq/queue"}, http.StatusNotFound, apperr.NotFound)
}

// TestProblemCodesDocumented fails when the API can answer with a code the
// document's Problem schema does not list.
func TestProblemCodesDocumented(t *testing.T) {
	code := obj(t, obj(t, obj(t, obj(t, loadDoc(t), "components"), "schemas"), "Problem"), "properties")["code"].(map[string]any)
	listed := map[string]bool{}
	for _, c := range code["enum"].([]any) {
		listed[c.(string)] = true
	}
	for c := range statuses {
		if !listed[string(c)] {
			t.Errorf("code %s is not in the Problem schema", c)
		}
	}
}
