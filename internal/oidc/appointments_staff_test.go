package oidc_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/messages"
)

func (e *env) staff(t *testing.T, entity string, roles ...identity.Role) identity.Actor {
	t.Helper()
	ns, err := e.app.Identity().CreateStaff(context.Background(), identity.Actor{Platform: true}, identity.StaffRequest{
		Entity: entity, Roles: roles, Email: "s" + randomString(6) + "@" + strings.ToLower(entity) + ".gov.mo",
		Password: testPassword, Name: "Staff"})
	if err != nil {
		t.Fatal(err)
	}
	return identity.Actor{Account: ns.Account}
}

func TestCounterStaff(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		acct, b := e.resident(identity.Level2)
		start := firstSlot(t, b)
		status, ap, _ := b.apiJSON(t, http.MethodPost, "/api/v1/appointments",
			map[string]string{"branch": "DSI-HQ", "service": "DSI-BIR-RENEW", "start": start}, nil)
		if status != http.StatusCreated {
			t.Fatalf("book: %d %v", status, ap)
		}
		st, _ := time.Parse(time.RFC3339, ap["start"].(string))
		day := directory.DateOf(st.In(e.app.Directory().Location()))
		svc := e.app.Appointments()
		agent := e.staff(t, "DSI", identity.CounterAgent)
		got, err := svc.BranchDay(ctx, agent, "DSI-HQ", day)
		if err != nil || len(got) != 1 || got[0].ID != ap["id"] {
			t.Fatalf("day view: %v %v", err, got)
		}
		if _, err := svc.BranchDay(ctx, e.staff(t, "DSAT", identity.CounterAgent), "DSI-HQ", day); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("DSAT staff saw DSI-HQ's bookings: %v", err)
		}
		ref := strings.ToLower(strings.ReplaceAll(ap["reference"].(string), "-", ""))
		if in, err := svc.CheckIn(ctx, agent, "DSI-HQ", ref); err != nil || in.Status != appointments.CheckedIn {
			t.Fatalf("check in by typed reference: %v %v", err, in.Status)
		}
		if _, err := svc.CheckIn(ctx, agent, "DSI-HQ", ref); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("second check-in: %v", err)
		}
		if _, err := svc.CheckIn(ctx, agent, "DSI-HQ", "ZZZZ-ZZZZ"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("unknown reference: %v", err)
		}
		_ = acct
	})
}

func TestClosuresAndTyphoon(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		acct, b := e.resident(identity.Level2)
		start := firstSlot(t, b)
		_, ap, _ := b.apiJSON(t, http.MethodPost, "/api/v1/appointments",
			map[string]string{"branch": "DSI-HQ", "service": "DSI-BIR-RENEW", "start": start}, nil)
		st, _ := time.Parse(time.RFC3339, ap["start"].(string))
		svc := e.app.Appointments()
		// A counter agent may not close the branch; its supervisor may.
		c := appointments.Closure{Branch: "DSI-HQ", From: st.Add(-time.Hour), To: st.Add(time.Hour), Reason: appointments.BlackRainReason}
		if _, err := svc.Close(ctx, e.staff(t, "DSI", identity.CounterAgent), c); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("counter agent closed the branch: %v", err)
		}
		n, err := svc.Close(ctx, e.staff(t, "DSI", identity.Supervisor), c)
		if err != nil || n != 1 {
			t.Fatalf("close: %d %v", n, err)
		}
		got, _ := svc.Get(ctx, acct, ap["id"].(string))
		if got.Status != appointments.Cancelled {
			t.Fatalf("booking in a closure: %s", got.Status)
		}
		inbox, _, _ := e.app.Messages().Inbox(ctx, acct, messages.Filter{})
		if len(inbox) < 1 || !strings.HasPrefix(inbox[0].Link, "/book/DSI-HQ/DSI-BIR-RENEW") {
			t.Errorf("no message with a link to book again: %+v", inbox)
		}
		day := directory.DateOf(st.In(e.app.Directory().Location()))
		slots, _, err := svc.DaySlots(ctx, "DSI-HQ", "DSI-BIR-RENEW", day)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range slots {
			if s.Start.Before(c.To) && s.End.After(c.From) {
				t.Errorf("a slot is offered inside the closure: %s", s.Start)
			}
		}
		// Signal 8 raised at 08:00, lowered at 10:00 on a later day: closed
		// until 14:30 everywhere; a morning booking there is cancelled.
		start2 := firstSlotAfter(t, b, day.AddDays(1))
		_, ap2, _ := b.apiJSON(t, http.MethodPost, "/api/v1/appointments",
			map[string]string{"branch": "DSI-HQ", "service": "DSI-BIR-RENEW", "start": start2}, nil)
		st2, _ := time.Parse(time.RFC3339, ap2["start"].(string))
		loc := e.app.Directory().Location()
		d2 := directory.DateOf(st2.In(loc)).In(loc)
		if _, err := svc.Signal8(ctx, e.staff(t, "DSI", identity.EntityAdmin), d2.Add(8*time.Hour), d2.Add(10*time.Hour)); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("an entity admin declared a typhoon closure: %v", err)
		}
		// Raised at 08:00 and still up: closed until midnight, no afternoon
		// slots; once lowered at 10:00, the afternoon reopens at 14:30.
		if _, err := svc.Signal8(ctx, identity.Actor{Platform: true}, d2.Add(8*time.Hour), time.Time{}); err != nil {
			t.Fatal(err)
		}
		if slots, _, _ := svc.DaySlots(ctx, "DSI-HQ", "DSI-BIR-RENEW", directory.DateOf(d2)); len(slots) != 0 {
			t.Errorf("%d slots offered while signal 8 is up", len(slots))
		}
		if _, err := svc.Signal8(ctx, identity.Actor{Platform: true}, d2.Add(8*time.Hour), d2.Add(10*time.Hour)); err != nil {
			t.Fatal(err)
		}
		after, _, _ := svc.DaySlots(ctx, "DSI-HQ", "DSI-BIR-RENEW", directory.DateOf(d2))
		if len(after) == 0 || after[0].Start.Before(d2.Add(14*time.Hour+30*time.Minute)) {
			t.Errorf("after lowering at 10:00, first slot %v; want slots from 14:30", after)
		}
		got2, _ := svc.Get(ctx, acct, ap2["id"].(string))
		if st2.Before(d2.Add(14*time.Hour+30*time.Minute)) != (got2.Status == appointments.Cancelled) {
			t.Errorf("booking at %s after signal 8 lowered at 10:00: %s", st2.In(loc), got2.Status)
		}
	})
}

// firstSlotAfter finds a bookable DSI-BIR-RENEW slot at DSI-HQ from day on.
func firstSlotAfter(t *testing.T, b *browser, day directory.Date) string {
	t.Helper()
	for range 20 {
		status, _, slots := b.apiJSON(t, http.MethodGet, "/api/v1/branches/DSI-HQ/slots?service=DSI-BIR-RENEW&date="+day.String(), nil, nil)
		if status != http.StatusOK {
			t.Fatalf("slots: %d", status)
		}
		for _, s := range slots {
			if m := s.(map[string]any); m["remaining"].(float64) > 0 {
				return m["start"].(string)
			}
		}
		day = day.AddDays(1)
	}
	t.Fatal("no slot")
	return ""
}

func TestNoShowJob(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		acct, b := e.resident(identity.Level2)
		_, ap, _ := b.apiJSON(t, http.MethodPost, "/api/v1/appointments",
			map[string]string{"branch": "DSI-HQ", "service": "DSI-BIR-RENEW", "start": firstSlot(t, b)}, nil)
		st, _ := time.Parse(time.RFC3339, ap["start"].(string))
		j, err := jobs.New(appointments.NoShowJob, "test", appointments.JobRef{AccountID: acct.ID, ID: ap["id"].(string), Start: st}, st)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.app.Appointments().HandleNoShow(ctx, j); err != nil {
			t.Fatal(err)
		}
		got, _ := e.app.Appointments().Get(ctx, acct, ap["id"].(string))
		if got.Status != appointments.NoShow {
			t.Fatalf("status after the no-show job: %s", got.Status)
		}
		// The hold on the service ends: the resident may book again.
		if s, p, _ := b.apiJSON(t, http.MethodPost, "/api/v1/appointments",
			map[string]string{"branch": "DSI-HQ", "service": "DSI-BIR-RENEW", "start": firstSlot(t, b)}, nil); s != http.StatusCreated {
			t.Errorf("booking after a no-show: %d %v", s, p)
		}
	})
}

func TestBookingRulesByEntityAdmin(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/rules.db")
	ctx := context.Background()
	svc := e.app.Appointments()
	r, err := svc.Rules(ctx, "DSI-HQ", "DSI-BIR-RENEW")
	if err != nil {
		t.Fatal(err)
	}
	r.Places = 9
	if err := svc.SetRules(ctx, e.staff(t, "DSAT", identity.EntityAdmin), r); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("a DSAT admin changed DSI's rules: %v", err)
	}
	if err := svc.SetRules(ctx, e.staff(t, "DSI", identity.EntityAdmin), r); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Rules(ctx, "DSI-HQ", "DSI-BIR-RENEW"); got.Places != 9 {
		t.Errorf("places after the change: %d (a stale cache?)", got.Places)
	}
	r.SlotMinutes = 1
	if err := svc.SetRules(ctx, e.staff(t, "DSI", identity.EntityAdmin), r); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("a 1-minute slot: %v", err)
	}
}
