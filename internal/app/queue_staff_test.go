package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/queue"
)

const dsi01 = "DSI-HQ.DSI-01"

func (w *queueWorld) open(t *testing.T, counters ...string) {
	t.Helper()
	for _, c := range counters {
		if _, err := w.svc.OpenCounter(context.Background(), w.actor("agent"), c); err != nil {
			t.Fatalf("open %s: %v", c, err)
		}
	}
}

// call calls next at counter once the background work of earlier
// changes is done: on PostgreSQL a call skips a ticket whose row another
// transaction holds (the near notice's flag being set), and these tests
// check the calling order.
func (w *queueWorld) call(t *testing.T, counter string) queue.Ticket {
	t.Helper()
	w.svc.Flush()
	tk, err := w.svc.CallNext(context.Background(), w.actor("agent"), counter, "")
	if err != nil {
		t.Fatalf("call next at %s: %v", counter, err)
	}
	return tk
}

func TestQueueService_StaffAccess(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		ana := w.take(t, "ana")
		for name, actor := range map[string]identity.Actor{
			"a resident":             w.actor("ana"),
			"another entity's agent": w.actor("dsat"),
		} {
			_, err := w.svc.OpenCounter(ctx, actor, dsi01)
			wantCode(t, name+" opens a DSI counter", err, apperr.Forbidden)
			_, err = w.svc.Recall(ctx, actor, ana.ID)
			wantCode(t, name+" recalls a DSI ticket", err, apperr.Forbidden)
			_, err = w.svc.Workstation(ctx, actor, dsi01)
			wantCode(t, name+" reads a DSI workstation", err, apperr.Forbidden)
			_, err = w.svc.Stats(ctx, actor, "DSI-HQ", tuesdayDate(t))
			wantCode(t, name+" reads DSI-HQ's statistics", err, apperr.Forbidden)
		}
		_, err := w.svc.OpenCounter(ctx, w.actor("agent"), "DSI-HQ.NOPE")
		wantCode(t, "an unknown counter", err, apperr.NotFound)
		_, err = w.svc.OpenCounter(ctx, w.actor("agent"), "nonsense")
		wantCode(t, "a malformed counter ID", err, apperr.NotFound)
		_, err = w.svc.Recall(ctx, w.actor("agent"), "no-such-ticket")
		wantCode(t, "an unknown ticket", err, apperr.NotFound)
		if c, err := w.svc.OpenCounter(ctx, w.actor("admin"), "DSI-HQ.DSI-02"); err != nil || !c.Open || c.StaffID != w.people["admin"].ID {
			t.Errorf("a platform admin opens a counter = %+v, %v", c, err)
		}
		_, err = w.svc.CallNext(ctx, w.actor("agent"), dsi01, "")
		wantErr(t, "call next at a closed counter", err, queue.ErrCounterClosed)
		w.open(t, dsi01)
		if got := w.call(t, dsi01); got.ID != ana.ID {
			t.Errorf("call next = %s, want ana's", got.Number)
		}
		_, err = w.svc.CallNext(ctx, w.actor("agent"), dsi01, "")
		wantErr(t, "call next with a ticket at the counter", err, queue.ErrBusy)
		_, err = w.svc.CloseCounter(ctx, w.actor("agent"), dsi01)
		wantErr(t, "close with a ticket at the counter", err, queue.ErrBusy)
		_, err = w.svc.Complete(ctx, w.actor("agent"), ana.ID, " ")
		wantCode(t, "complete without an outcome", err, apperr.Invalid)
		if d, err := w.svc.Complete(ctx, w.actor("agent"), ana.ID, "served"); err != nil || d.Status != queue.Done || d.Outcome != "served" {
			t.Errorf("complete = %+v, %v", d, err)
		}
		_, err = w.svc.CallNext(ctx, w.actor("agent"), dsi01, "")
		wantErr(t, "call next with nobody waiting", err, queue.ErrEmpty)
		if st, err := w.svc.Stats(ctx, w.actor("agent"), "DSI-HQ", tuesdayDate(t)); err != nil || len(st) != 1 || st[0].Served != 1 {
			t.Errorf("Stats = %+v, %v", st, err)
		}
	})
}

func tuesdayDate(t *testing.T) directory.Date { return directory.DateOf(tuesday10(t)) }

func TestQueueService_Actions(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		agent := w.actor("agent")
		ana, bob, carol := w.take(t, "ana"), w.take(t, "bob"), w.take(t, "carol")
		w.open(t, dsi01)

		// Recall up to MaxRecalls, then no more.
		w.call(t, dsi01)
		for i := 1; i <= w.svc.MaxRecalls; i++ {
			if r, err := w.svc.Recall(ctx, agent, ana.ID); err != nil || r.Recalls != i || r.Status != queue.Called {
				t.Fatalf("recall %d = %+v, %v", i, r, err)
			}
		}
		_, err := w.svc.Recall(ctx, agent, ana.ID)
		wantErr(t, "a recall past MaxRecalls", err, queue.ErrState)

		// No-show frees the counter; reinstated, ana is first again.
		if m, err := w.svc.NoShow(ctx, agent, ana.ID); err != nil || m.Status != queue.Missed {
			t.Fatalf("no-show = %+v, %v", m, err)
		}
		ws, err := w.svc.Workstation(ctx, agent, dsi01)
		if err != nil || ws.Current != nil || len(ws.Missed) != 1 || len(ws.Waiting) != 2 {
			t.Fatalf("workstation after a no-show = current %v, %d missed, %d waiting, %v", ws.Current, len(ws.Missed), len(ws.Waiting), err)
		}
		if _, err := w.svc.Reinstate(ctx, agent, ana.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.call(t, dsi01); got.ID != ana.ID {
			t.Errorf("after reinstating ana, call next = %s, want A001", got.Number)
		}
		// Park ana; bob is called; ana is resumed at a second counter.
		if p, err := w.svc.Park(ctx, agent, ana.ID); err != nil || p.Status != queue.Parked {
			t.Fatalf("park = %+v, %v", p, err)
		}
		if got := w.call(t, dsi01); got.ID != bob.ID {
			t.Errorf("after parking ana, call next = %s, want bob's", got.Number)
		}
		_, err = w.svc.Resume(ctx, agent, ana.ID, dsi01)
		wantErr(t, "resume at a busy counter", err, queue.ErrBusy)
		w.open(t, "DSI-HQ.DSI-02")
		if r, err := w.svc.Resume(ctx, agent, ana.ID, "DSI-HQ.DSI-02"); err != nil || r.Status != queue.Called || r.Counter != "DSI-02" {
			t.Errorf("resume = %+v, %v", r, err)
		}
		// Bob's class is confirmed; the class of a finished ticket is not.
		if c, err := w.svc.ConfirmClass(ctx, agent, bob.ID, queue.Elderly); err != nil || c.Class != queue.Elderly || !c.ClassConfirmed || c.Status != queue.Called {
			t.Errorf("confirm class = %+v, %v", c, err)
		}
		if _, err := w.svc.Complete(ctx, agent, bob.ID, "served"); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.ConfirmClass(ctx, agent, bob.ID, queue.Normal)
		wantErr(t, "confirm the class of a finished ticket", err, queue.ErrState)
		// Transfer keeps the original issue time.
		tr, err := w.svc.Transfer(ctx, agent, carol.ID, "A")
		if err != nil || !tr.QueuedAt.Equal(carol.QueuedAt) || tr.Status != queue.Waiting {
			t.Errorf("transfer = %+v, %v; want queued at %v", tr, err, carol.QueuedAt)
		}
		_, err = w.svc.Transfer(ctx, agent, carol.ID, "Q")
		wantCode(t, "transfer to an unknown queue", err, apperr.NotFound)
		w.sameAsRead(t)
	})
}

// sameAsRead checks that the status this node built from its own changes
// is what a fresh read of the store gives.
func (w *queueWorld) sameAsRead(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	mine, err := w.svc.Status(ctx, "DSI-HQ")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := queue.New(w.st, w.dir, w.msgs, nil, w.clock.now, nil).Status(ctx, "DSI-HQ")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(mine.Queues, mine.Calls) != fmt.Sprint(fresh.Queues, fresh.Calls) {
		t.Errorf("status from this node's changes:\n%+v\n%+v\nfrom a fresh read:\n%+v\n%+v", mine.Queues, mine.Calls, fresh.Queues, fresh.Calls)
	}
}

// TestQueueService_Ratio: a counter's 1:2 ratio over confirmed priority
// tickets, through the service and the store.
func TestQueueService_Ratio(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		for range 4 {
			w.clock.advance(time.Minute)
			if _, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, ""); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			w.clock.advance(time.Minute)
			if _, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Pregnant, ""); err != nil {
				t.Fatal(err)
			}
		}
		w.open(t, dsi01)
		var got []string
		for range 6 {
			w.clock.advance(time.Minute)
			tk := w.call(t, dsi01)
			got = append(got, tk.Number)
			if _, err := w.svc.Complete(ctx, w.actor("agent"), tk.ID, "served"); err != nil {
				t.Fatal(err)
			}
		}
		// DSI's counters share 1:2: a priority ticket, two normal, ...
		if want := "A005 A001 A002 A006 A003 A004"; strings.Join(got, " ") != want {
			t.Errorf("calls = %s, want %s", strings.Join(got, " "), want)
		}
	})
}

func TestQueueService_CheckIn(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		walkIn := w.take(t, "ana")
		ap := appointments.Appointment{ID: "ap1", AccountID: w.people["bob"].ID, Branch: "DSI-HQ", Service: "DSI-PASSPORT",
			Start: w.clock.now().Add(10 * time.Minute)}
		tk, err := w.svc.CheckIn(ctx, ap)
		if err != nil || tk.Source != queue.Appointment || !tk.DueAt.Equal(ap.Start) || tk.AppointmentID != "ap1" || tk.Queue != "A" {
			t.Fatalf("CheckIn = %+v, %v", tk, err)
		}
		if again, err := w.svc.CheckIn(ctx, ap); err != nil || again.ID != tk.ID {
			t.Errorf("a second CheckIn = %+v, %v; want the same ticket", again, err)
		}
		ap.Service = "DSF-TAX-PAYMENT"
		_, err = w.svc.CheckIn(ctx, ap)
		wantCode(t, "a service with no queue at the branch", err, apperr.NotFound)
		w.open(t, dsi01)
		if got := w.call(t, dsi01); got.ID != tk.ID {
			t.Errorf("call next with an appointment due in 10 minutes = %s, want the appointment's %s before walk-in %s", got.Number, tk.Number, walkIn.Number)
		}
	})
}

func TestQueueService_EventsAndNotices(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		var tks []queue.Ticket
		for _, n := range []string{"ana", "bob", "carol", "dan", "eve"} {
			tks = append(tks, w.take(t, n))
		}
		w.clock.advance(time.Minute)
		kiosk, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, "+853 6612 3456")
		if err != nil {
			t.Fatal(err)
		}
		w.open(t, dsi01)
		w.svc.Flush()
		called := w.call(t, dsi01)
		w.svc.Flush()
		evs := w.pub.all()
		last := evs[len(evs)-1]
		if last.Kind != "called" || last.Call == nil || last.Call.Number != "A001" || last.Call.Counter != "DSI-01" ||
			last.Status.Queues[0].NowServing != "A001" || strings.Join(last.Status.Queues[0].Order, " ") != "A002 A003 A004 A005 A006" {
			t.Errorf("last event = %+v", last)
		}
		for _, tp := range w.pub.topics {
			if tp != queue.Topic("DSI-HQ") {
				t.Errorf("published on %q", tp)
			}
		}
		// Ana, bob and carol were near when they took their tickets; dan
		// came near with the call. Eve and the kiosk ticket are not.
		for i, tk := range tks {
			got, _ := w.st.Ticket(ctx, tk.ID)
			if want := i <= 3; got.NearSent != want {
				t.Errorf("%s NearSent = %v, want %v", tk.Number, got.NearSent, want)
			}
		}
		w.runJobs(t)
		inbox := func(name string) []messages.Message {
			ms, _, err := w.msgs.Inbox(ctx, w.people[name], messages.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return ms
		}
		if ms := inbox("bob"); len(ms) != 1 || ms[0].Category != messages.Queue || !strings.Contains(ms[0].Title.En, "A002") || ms[0].Link != "/tickets/"+tks[1].ID {
			t.Errorf("bob's inbox = %+v; want one near notice for A002", ms)
		}
		// Ana's near notice ran after her call: only the call is told.
		if ms := inbox("ana"); len(ms) != 1 || !strings.Contains(ms[0].Body.En, "called to Counter 1") {
			t.Errorf("ana's inbox = %+v; want the call notice alone", ms)
		}
		if ms := inbox("eve"); len(ms) != 0 {
			t.Errorf("eve (5th) got %d messages, want none", len(ms))
		}
		// The next calls bring eve and the kiosk ticket near: eve once,
		// the kiosk by SMS.
		if _, err := w.svc.Complete(ctx, w.actor("agent"), called.ID, "served"); err != nil {
			t.Fatal(err)
		}
		w.call(t, dsi01)
		w.svc.Flush()
		w.svc.Flush()
		w.runJobs(t)
		if ms := inbox("eve"); len(ms) != 1 {
			t.Errorf("eve's inbox after the second call = %d messages, want 1", len(ms))
		}
		if ms := inbox("bob"); len(ms) != 2 {
			t.Errorf("bob's inbox after his call = %d messages, want the near notice and the call", len(ms))
		}
		w.sms.mu.Lock()
		sent := append([]notify.Message(nil), w.sms.sent...)
		w.sms.mu.Unlock()
		if len(sent) != 0 {
			t.Errorf("the kiosk ticket (6th, position 4) got %d SMS, want none yet", len(sent))
		}
		if _, err := w.svc.Cancel(ctx, nil, kiosk.ID); err != nil {
			t.Errorf("cancel a kiosk ticket by its ID: %v", err)
		}
	})
}

// runJobs runs the due jobs until none is left.
func (w *queueWorld) runJobs(t *testing.T) {
	t.Helper()
	for range 10 {
		n, err := w.runner.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// TestQueueService_KioskSMS: a kiosk ticket with a phone gets the near
// notice and the call by SMS, in three languages.
func TestQueueService_KioskSMS(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		k, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, "6612 3456")
		if err != nil {
			t.Fatal(err)
		}
		w.svc.Flush()
		w.runJobs(t)
		w.open(t, dsi01)
		w.call(t, dsi01)
		w.svc.Flush()
		w.runJobs(t)
		w.sms.mu.Lock()
		defer w.sms.mu.Unlock()
		if len(w.sms.sent) != 2 {
			t.Fatalf("SMS sent = %+v, want the near notice and the call", w.sms.sent)
		}
		for _, m := range w.sms.sent {
			if m.To != "+85366123456" || !strings.Contains(m.Text, k.Number) || !strings.Contains(m.Text, "senha") || !strings.Contains(m.Text, "輪候") {
				t.Errorf("SMS = %+v", m)
			}
		}
	})
}

// TestQueueService_ConcurrentCalls: eight counters call through 200
// tickets at once; each is called exactly once.
func TestQueueService_ConcurrentCalls(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		const tickets, counters = 200, 8
		for range tickets {
			if _, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, ""); err != nil {
				t.Fatal(err)
			}
		}
		var ids []string
		for i := 1; i <= counters; i++ {
			ids = append(ids, fmt.Sprintf("DSI-HQ.DSI-%02d", i))
		}
		w.open(t, ids...)
		var mu sync.Mutex
		seen := map[string]string{}
		var wg sync.WaitGroup
		for _, c := range ids {
			wg.Go(func() {
				for {
					tk, err := w.svc.CallNext(ctx, w.actor("agent"), c, "")
					if err != nil {
						if err != queue.ErrEmpty {
							t.Errorf("%s: %v", c, err)
						}
						return
					}
					mu.Lock()
					if other, dup := seen[tk.ID]; dup {
						t.Errorf("%s called at %s and %s", tk.Number, other, c)
					}
					seen[tk.ID] = c
					mu.Unlock()
					if _, err := w.svc.Complete(ctx, w.actor("agent"), tk.ID, "served"); err != nil {
						t.Errorf("complete %s: %v", tk.Number, err)
						return
					}
				}
			})
		}
		wg.Wait()
		if len(seen) != tickets {
			t.Errorf("%d tickets called, want %d", len(seen), tickets)
		}
		w.sameAsRead(t)
	})
}

// TestQueueService_TwoNodes: a node sees its own changes at once and
// another node's within a second of reading.
func TestQueueService_TwoNodes(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		other := queue.New(w.st, w.dir, w.msgs, nil, w.clock.now, nil)
		w.take(t, "ana")
		if st, err := other.Status(ctx, "DSI-HQ"); err != nil || st.Queues[0].Waiting != 1 {
			t.Fatalf("the other node's status = %+v, %v; want ana waiting", st, err)
		}
		bob := w.take(t, "bob")
		if v, err := other.View(ctx, bob.ID); err != nil || v.Ahead != 1 {
			t.Errorf("the other node places bob's new ticket %d ahead (%v), want 1 (after the waiting it read)", v.Ahead, err)
		}
		time.Sleep(1100 * time.Millisecond) // past the other node's read
		if st, err := other.Status(ctx, "DSI-HQ"); err != nil || strings.Join(st.Queues[0].Order, " ") != "A001 A002" {
			t.Errorf("the other node's status a second later = %+v, %v", st.Queues, err)
		}
	})
}

// TestQueueService_PlaceIsView: the place a ticket is given as it is
// taken (from the latest status and this node's changes since) is the
// place a fresh view gives it, through calls, cancellations and every
// class; only its estimate may lag, by the service times of one round.
func TestQueueService_PlaceIsView(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		w.open(t, dsi01)
		classes := []queue.Class{queue.Normal, queue.Elderly, queue.Normal, queue.Pregnant, queue.Normal, queue.Disability}
		var taken []queue.Ticket
		deep := false
		for i := range 30 {
			w.clock.advance(20 * time.Second)
			tk, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", classes[i%len(classes)], "")
			if err != nil {
				t.Fatal(err)
			}
			placed, err := w.svc.Place(ctx, tk)
			if err != nil {
				t.Fatal(err)
			}
			viewed, err := w.svc.View(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			// The estimate may use service times one round older.
			if placed.Ahead != viewed.Ahead || placed.NowServing != viewed.NowServing || placed.ETAHigh <= 0 {
				t.Fatalf("ticket %d (%s): placed %d ahead, serving %q, ETA %v; viewed %d, %q", i, tk.Class,
					placed.Ahead, placed.NowServing, placed.ETAHigh, viewed.Ahead, viewed.NowServing)
			}
			deep = deep || placed.Ahead > 3
			taken = append(taken, tk)
			switch i % 7 {
			case 3:
				if _, err := w.svc.CallNext(ctx, w.actor("agent"), dsi01, "served"); err != nil && !errors.Is(err, queue.ErrBusy) {
					t.Fatal(err)
				}
			case 5:
				if _, err := w.svc.Cancel(ctx, nil, taken[i-2].ID); err != nil && !errors.Is(err, queue.ErrState) {
					t.Fatal(err)
				}
			}
		}
		if !deep {
			t.Fatal("no ticket was placed deeper than 3: the test needs a longer queue")
		}
	})
}
