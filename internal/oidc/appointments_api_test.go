package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// accountOfBrowser loads the account a browser is signed in as.
func accountOfBrowser(t *testing.T, e *env, b *browser) identity.Account {
	t.Helper()
	a, err := e.app.Store().Account(context.Background(), accountOf(t, e, b))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// apiJSON calls the API with the browser's session cookie.
func (b *browser) apiJSON(t *testing.T, method, path string, body any, header map[string]string) (int, map[string]any, []any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, b.base.String()+path, rd)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	var obj map[string]any
	var arr []any
	if json.Unmarshal(raw, &obj) != nil {
		_ = json.Unmarshal(raw, &arr)
	}
	return resp.StatusCode, obj, arr
}

// firstSlot finds a bookable slot of DSI-BIR-RENEW at DSI-HQ.
func firstSlot(t *testing.T, b *browser) string {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Macau")
	day := time.Now().In(loc)
	for range 20 {
		day = day.AddDate(0, 0, 1)
		status, _, slots := b.apiJSON(t, http.MethodGet, "/api/v1/branches/DSI-HQ/slots?service=DSI-BIR-RENEW&date="+day.Format("2006-01-02"), nil, nil)
		if status != http.StatusOK {
			t.Fatalf("slots: %d", status)
		}
		for _, s := range slots {
			if m := s.(map[string]any); m["remaining"].(float64) > 0 {
				return m["start"].(string)
			}
		}
	}
	t.Fatal("no bookable slot in 20 days")
	return ""
}

func TestAppointmentsAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		_, b := e.resident(identity.Level2)
		start := firstSlot(t, b)
		req := map[string]string{"branch": "DSI-HQ", "service": "DSI-BIR-RENEW", "start": start}
		status, ap, _ := b.apiJSON(t, http.MethodPost, "/api/v1/appointments", req, map[string]string{"Idempotency-Key": "k1"})
		if status != http.StatusCreated || ap["reference"] == "" || ap["status"] != "booked" {
			t.Fatalf("book: %d %v", status, ap)
		}
		// The same key again: the same booking.
		if s2, again, _ := b.apiJSON(t, http.MethodPost, "/api/v1/appointments", req, map[string]string{"Idempotency-Key": "k1"}); s2 >= 300 || again["id"] != ap["id"] {
			t.Fatalf("retry: %d %v", s2, again)
		}
		// A second booking of the same service: limit_reached.
		if s3, p, _ := b.apiJSON(t, http.MethodPost, "/api/v1/appointments", req, nil); s3 != http.StatusConflict || p["code"] != "limit_reached" {
			t.Fatalf("second booking: %d %v", s3, p)
		}
		id := ap["id"].(string)
		// The booking's job sends the confirmation to the inbox.
		acct := accountOfBrowser(t, e, b)
		if _, err := e.app.Runner().RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		inbox, _, _ := e.app.Messages().Inbox(context.Background(), acct, messages.Filter{})
		if len(inbox) != 1 || inbox[0].Link != "/appointments/"+id || !strings.Contains(inbox[0].Title.En, ap["reference"].(string)) {
			t.Fatalf("confirmation: %+v", inbox)
		}
		// Another resident sees nothing of it.
		_, other := e.resident(identity.Level2)
		if s, _, _ := other.apiJSON(t, http.MethodGet, "/api/v1/appointments/"+id, nil, nil); s != http.StatusNotFound {
			t.Errorf("another resident: %d, want 404", s)
		}
		if s, _, _ := other.apiJSON(t, http.MethodPost, "/api/v1/appointments/"+id+"/cancel", nil, nil); s != http.StatusNotFound {
			t.Errorf("another resident cancels: %d, want 404", s)
		}
		_, list, _ := b.apiJSON(t, http.MethodGet, "/api/v1/appointments", nil, nil)
		if n := len(list["appointments"].([]any)); n != 1 {
			t.Errorf("my appointments: %d", n)
		}
		if s, c, _ := b.apiJSON(t, http.MethodPost, "/api/v1/appointments/"+id+"/cancel", nil, nil); s != http.StatusOK || c["status"] != "cancelled" {
			t.Fatalf("cancel: %d %v", s, c)
		}
		// A full slot: slot_full. Fill the slot's places with other residents.
		r, err := e.app.Store().AppointmentRules(context.Background(), "DSI-HQ", "DSI-BIR-RENEW")
		if err != nil {
			t.Fatal(err)
		}
		for range r.Places {
			_, p := e.resident(identity.Level2)
			if s, out, _ := p.apiJSON(t, http.MethodPost, "/api/v1/appointments", req, nil); s != http.StatusCreated {
				t.Fatalf("fill: %d %v", s, out)
			}
		}
		_, late := e.resident(identity.Level2)
		if s, p, _ := late.apiJSON(t, http.MethodPost, "/api/v1/appointments", req, nil); s != http.StatusConflict || p["code"] != "slot_full" {
			t.Fatalf("full slot: %d %v", s, p)
		}
		// A level-1 resident cannot book a level-2 service... DSI-BIR-RENEW's level decides.
		if s, p, _ := late.apiJSON(t, http.MethodPost, "/api/v1/appointments", map[string]string{"branch": "DSI-HQ",
			"service": "DSI-BIR-RENEW", "start": "2020-01-01T09:00"}, nil); s != http.StatusBadRequest {
			t.Errorf("a day in the past: %d %v", s, p)
		}
	})
}
