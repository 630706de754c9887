package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/refdata"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// published records live events.
type published struct {
	mu     sync.Mutex
	events []queue.Event
	topics []string
}

func (p *published) Publish(_ context.Context, topic string, data ...[]byte) error {
	for _, d := range data {
		var ev queue.Event
		if err := json.Unmarshal(d, &ev); err != nil {
			return err
		}
		p.mu.Lock()
		p.events, p.topics = append(p.events, ev), append(p.topics, topic)
		p.mu.Unlock()
	}
	return nil
}

func (p *published) all() []queue.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]queue.Event(nil), p.events...)
}

// texts records SMS.
type texts struct {
	mu   sync.Mutex
	sent []notify.Message
}

func (x *texts) Send(_ context.Context, m notify.Message) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sent = append(x.sent, m)
	return nil
}

// queueWorld is the queue service over a store with Macao's directory,
// DSI-HQ's derived queue (A, eight DSI counters), residents and staff.
type queueWorld struct {
	st     *sqlstore.Store
	dir    *directory.Directory
	clock  *clock
	svc    *queue.Service
	msgs   *messages.Service
	runner *jobs.Runner
	pub    *published
	sms    *texts
	people map[string]identity.Account
}

// tuesday10 is a working Tuesday, 10:00 in Macao.
func tuesday10(t testing.TB) time.Time {
	loc, err := directory.LoadLocation(directory.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
}

func newQueueWorld(t testing.TB, st *sqlstore.Store) *queueWorld {
	t.Helper()
	ctx := context.Background()
	ds, err := refdata.Macao()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(ctx, ds); err != nil {
		t.Fatal(err)
	}
	w := &queueWorld{st: st, clock: &clock{t: tuesday10(t)}, pub: &published{}, sms: &texts{}, people: map[string]identity.Account{}}
	w.dir = directory.New(st, tuesday10(t).Location(), w.clock.now)
	w.msgs = messages.New(st, w.clock.now, nil)
	w.svc = queue.New(st, w.dir, w.msgs, w.pub, w.clock.now, nil)
	w.svc.SMS = w.sms
	w.svc.Log = slog.New(slog.NewTextHandler(t.Output(), nil))
	t.Cleanup(w.svc.Flush)
	w.runner = jobs.NewRunner(st, slog.New(slog.DiscardHandler), w.clock.now)
	w.runner.Handle(queue.NearJob, w.svc.HandleNotice)
	w.runner.Handle(queue.CalledJob, w.svc.HandleNotice)
	data, err := queue.ParseData(bytes.NewReader(refdata.QueuesYAML()))
	if err != nil {
		t.Fatal(err)
	}
	data.Configure(w.svc)
	ents, svcs := map[string]directory.Entity{}, map[string]directory.Service{}
	for _, e := range ds.Entities {
		ents[e.Code] = e
	}
	for _, s := range ds.Services {
		svcs[s.Code] = s
	}
	for _, b := range ds.Branches {
		if qs, cs := data.Derive(b, ents, svcs, appointments.BookableEntities()); len(qs) > 0 {
			if err := st.SaveQueues(ctx, b.Code, qs, cs); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range []string{"ana", "bob", "carol", "dan", "eve", "fay"} {
		w.person(t, n, identity.Resident, "")
	}
	w.person(t, "agent", identity.Staff, "DSI", identity.CounterAgent)
	w.person(t, "dsat", identity.Staff, "DSAT", identity.CounterAgent)
	w.person(t, "admin", identity.Staff, "SAFP", identity.PlatformAdmin)
	return w
}

func (w *queueWorld) person(t testing.TB, name string, kind identity.Kind, entity string, roles ...identity.Role) {
	t.Helper()
	now := w.clock.now()
	a, err := w.st.CreateAccount(context.Background(), identity.Account{ID: identity.NewID(), Kind: kind, NameLatin: name,
		Email: contact.Email(name + "@example.mo"), PasswordHash: "x", Entity: entity, Roles: roles,
		Assurance: identity.Level2, Lang: lang.En, CreatedAt: now, UpdatedAt: now}, audit.Event{})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	w.people[name] = a
}

func (w *queueWorld) actor(name string) identity.Actor {
	return identity.Actor{Account: w.people[name]}
}

// take has name take a remote ticket of DSI-HQ's queue A, a minute after
// the one before.
func (w *queueWorld) take(t *testing.T, name string) queue.Ticket {
	t.Helper()
	w.clock.advance(time.Minute)
	tk, err := w.svc.TakeRemote(context.Background(), w.people[name], "DSI-HQ", "A", "")
	if err != nil {
		t.Fatalf("%s takes a ticket: %v", name, err)
	}
	return tk
}

func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Errorf("%s: err = %v, want %s", what, err, code)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: err = %v, want %v", what, err, want)
	}
}

func eachEngine(t *testing.T, f func(t *testing.T, w *queueWorld)) {
	for name, open := range storetest.Engines(t) {
		t.Run(name, func(t *testing.T) { f(t, newQueueWorld(t, open(t))) })
	}
}

func TestQueueService_TakeRemote(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		ana := w.people["ana"]
		first, err := w.svc.TakeRemote(ctx, ana, "DSI-HQ", "A", "k1")
		if err != nil || first.Number != "A001" || first.Source != queue.Remote || first.Day != "2026-12-01" {
			t.Fatalf("TakeRemote = %+v, %v; want A001", first, err)
		}
		again, err := w.svc.TakeRemote(ctx, ana, "DSI-HQ", "A", "k1")
		if err != nil || again.ID != first.ID {
			t.Errorf("a repeat with the same key = %+v, %v; want the first ticket", again, err)
		}
		_, err = w.svc.TakeRemote(ctx, ana, "DSI-HQ", "A", "")
		wantErr(t, "a second active ticket at the branch", err, queue.ErrActive)
		_, err = w.svc.TakeRemote(ctx, w.people["agent"], "DSI-HQ", "A", "")
		wantCode(t, "staff take a remote ticket", err, apperr.Forbidden)
		_, err = w.svc.TakeRemote(ctx, w.people["bob"], "DSI-HQ", "Z", "")
		wantCode(t, "an unknown queue", err, apperr.NotFound)
		for _, tc := range []struct {
			what string
			at   time.Time
		}{
			{"17:30, half an hour before closing", w.clock.now().Add(7*time.Hour + 30*time.Minute)},
			{"20:00", w.clock.now().Add(10 * time.Hour)},
			{"Saturday", w.clock.now().AddDate(0, 0, 4)},
			{"8 December, a public holiday", w.clock.now().AddDate(0, 0, 7)},
		} {
			w.clock.set(tc.at)
			_, err = w.svc.TakeRemote(ctx, w.people["bob"], "DSI-HQ", "A", "")
			wantErr(t, "a remote ticket at "+tc.what, err, queue.ErrClosed)
		}
		w.clock.set(tuesday10(t).Add(7*time.Hour + 29*time.Minute))
		if _, err := w.svc.TakeRemote(ctx, w.people["bob"], "DSI-HQ", "A", ""); err != nil {
			t.Errorf("a remote ticket at 17:29: %v", err)
		}
		// GSC-MORAIS stops remote tickets at 17:15 by the settings file.
		w.clock.set(tuesday10(t).Add(7*time.Hour + 15*time.Minute))
		_, err = w.svc.TakeRemote(ctx, w.people["carol"], "GSC-MORAIS", "A", "")
		wantErr(t, "a remote ticket at GSC-MORAIS at 17:15", err, queue.ErrClosed)
	})
}

func TestQueueService_Quota(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		qs, err := w.st.Queues(ctx, "DSI-HQ")
		if err != nil {
			t.Fatal(err)
		}
		cs, err := w.st.Counters(ctx, "DSI-HQ")
		if err != nil {
			t.Fatal(err)
		}
		plain := make([]queue.Counter, len(cs))
		for i, c := range cs {
			plain[i] = c.Counter
		}
		qs[0].DailyQuota = 2
		if err := w.st.SaveQueues(ctx, "DSI-HQ", qs, plain); err != nil {
			t.Fatal(err)
		}
		w.svc.Forget()
		w.take(t, "ana")
		w.take(t, "bob")
		_, err = w.svc.TakeRemote(ctx, w.people["carol"], "DSI-HQ", "A", "")
		wantErr(t, "a third remote ticket with a quota of two", err, queue.ErrQuota)
		if k, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, ""); err != nil || k.Number != "A003" {
			t.Errorf("a kiosk ticket past the remote quota = %+v, %v; want A003", k, err)
		}
	})
}

func TestQueueService_TakeKiosk(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		k, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Elderly, "6612 3456")
		if err != nil || k.Phone != "+85366123456" || k.Class != queue.Elderly || k.ClassConfirmed || k.AccountID != "" || k.Source != queue.Kiosk {
			t.Fatalf("TakeKiosk = %+v, %v", k, err)
		}
		if k2, err := w.svc.TakeKiosk(ctx, "DSI-HQ", "A", "", ""); err != nil || k2.Class != queue.Normal || k2.Number != "A002" {
			t.Errorf("a kiosk ticket with no class = %+v, %v", k2, err)
		}
		_, err = w.svc.TakeKiosk(ctx, "DSI-HQ", "A", "vip", "")
		wantCode(t, "an unknown class", err, apperr.Invalid)
		_, err = w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, "2888 1234")
		wantCode(t, "a fixed line for SMS", err, apperr.Invalid)
		_, err = w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, "hello")
		wantCode(t, "a phone that is no number", err, apperr.Invalid)
		w.clock.advance(9 * time.Hour)
		_, err = w.svc.TakeKiosk(ctx, "DSI-HQ", "A", queue.Normal, "")
		wantErr(t, "a kiosk ticket at 19:00", err, queue.ErrClosed)
	})
}

func TestQueueService_ViewAndStatus(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *queueWorld) {
		ctx := context.Background()
		ana, bob, carol := w.take(t, "ana"), w.take(t, "bob"), w.take(t, "carol")
		for i, tk := range []queue.Ticket{ana, bob, carol} {
			v, err := w.svc.View(ctx, tk.ID)
			if err != nil || v.Ahead != i || v.ETAHigh <= v.ETALow && i > 0 {
				t.Errorf("View(%s) = ahead %d, ETA %v-%v, %v; want %d ahead", tk.Number, v.Ahead, v.ETALow, v.ETAHigh, err, i)
			}
		}
		if _, err := w.svc.Mine(ctx, w.people["bob"], ana.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("bob reads ana's ticket: %v, want NotFound", err)
		}
		if _, err := w.svc.Cancel(ctx, nil, ana.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("cancel of an account's ticket without the account: %v, want NotFound", err)
		}
		st, err := w.svc.Status(ctx, "DSI-HQ")
		if err != nil || len(st.Queues) != 1 {
			t.Fatalf("Status = %+v, %v", st, err)
		}
		a := st.Queues[0]
		if a.Waiting != 3 || a.OpenCounters != 0 || len(a.Order) != 3 || a.Order[0] != "A001" || a.ETAMinutes == 0 {
			t.Errorf("queue A = %+v", a)
		}
		if _, err := w.svc.OpenCounter(ctx, w.actor("agent"), "DSI-HQ.DSI-01"); err != nil {
			t.Fatal(err)
		}
		w.svc.Flush() // see queueWorld.call
		called, err := w.svc.CallNext(ctx, w.actor("agent"), "DSI-HQ.DSI-01", "")
		if err != nil || called.ID != ana.ID {
			t.Fatalf("CallNext = %+v, %v; want ana's", called, err)
		}
		v, err := w.svc.Mine(ctx, w.people["carol"], carol.ID)
		if err != nil || v.Ahead != 1 || v.NowServing != "A001" {
			t.Errorf("carol after the call: ahead %d, now serving %q, %v", v.Ahead, v.NowServing, err)
		}
		if v, _ := w.svc.Mine(ctx, w.people["ana"], ana.ID); v.Ticket.Status != queue.Called || v.CounterName == "" {
			t.Errorf("ana after the call = %+v", v)
		}
		bobs := w.people["bob"]
		if c, err := w.svc.Cancel(ctx, &bobs, bob.ID); err != nil || c.Status != queue.Cancelled {
			t.Errorf("bob cancels = %+v, %v", c, err)
		}
		_, err = w.svc.Cancel(ctx, &bobs, bob.ID)
		wantErr(t, "a second cancel", err, queue.ErrState)
		if st, _ := w.svc.Status(ctx, "DSI-HQ"); st.Queues[0].Waiting != 1 || st.Queues[0].NowServing != "A001" || st.Queues[0].OpenCounters != 1 {
			t.Errorf("queue A after a call and a cancel = %+v", st.Queues[0])
		}
		_, err = w.svc.Status(ctx, "NOPE")
		wantCode(t, "the status of an unknown branch", err, apperr.NotFound)
	})
}

// TestAppQueueWiring: Start seeds every open branch's queues from the
// directory, and a check-in at the counter hands the visitor to the
// queue covering the service.
func TestAppQueueWiring(t *testing.T) {
	a := startBench(t, "sqlite:"+t.TempDir()+"/oa.db")
	ctx := context.Background()
	qs, err := a.Queue().Queues(ctx, "GSC-MORAIS")
	if err != nil || len(qs) != 6 || qs[0].Code != "A" || qs[0].Entity != "DSI" || qs[0].LastRemote != "17:15" {
		t.Fatalf("GSC-MORAIS queues = %+v, %v", qs, err)
	}
	if qs, _ := a.Queue().Queues(ctx, "GSC-AREIA-PRETA"); len(qs) != 0 {
		t.Errorf("the closed centre got %d queues", len(qs))
	}
	if a.Queue().NearAt != 3 || a.Queue().Rule.Early != 15*time.Minute {
		t.Errorf("settings not applied: near %d, rule %+v", a.Queue().NearAt, a.Queue().Rule)
	}
	now := time.Now()
	mk := func(kind identity.Kind, entity string, roles ...identity.Role) identity.Account {
		acct, err := a.store.CreateAccount(ctx, identity.Account{ID: identity.NewID(), Kind: kind, NameLatin: "x",
			Email: contact.Email(identity.NewID() + "@example.mo"), PasswordHash: "x", Entity: entity, Roles: roles,
			Assurance: identity.Level2, Lang: lang.En, CreatedAt: now, UpdatedAt: now}, audit.Event{})
		if err != nil {
			t.Fatal(err)
		}
		return acct
	}
	resident, agent := mk(identity.Resident, ""), mk(identity.Staff, "DSI", identity.CounterAgent)
	start := now.Add(10 * time.Minute).Truncate(time.Minute)
	ap := appointments.Appointment{ID: "ap-wiring", Reference: "K7QM-4XRA", AccountID: resident.ID, Branch: "DSI-HQ",
		Service: "DSI-PASSPORT", Start: start, End: start.Add(20 * time.Minute), Status: appointments.Booked, CreatedAt: now, UpdatedAt: now}
	if _, _, err := a.store.Book(ctx, appointments.NewBooking{Appointment: ap, Capacity: 3,
		Day: directory.DateOf(start.In(a.dir.Location())).String()}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Appointments().CheckIn(ctx, identity.Actor{Account: agent}, "DSI-HQ", "k7qm4xra"); err != nil {
		t.Fatalf("check in: %v", err)
	}
	day := directory.DateOf(now.In(a.dir.Location())).String()
	ts, err := a.store.Tickets(ctx, "DSI-HQ", day)
	if err != nil || len(ts) != 1 {
		t.Fatalf("DSI-HQ's tickets after the check-in = %+v, %v; want the appointment's", ts, err)
	}
	tk := ts[0]
	if tk.Source != queue.Appointment || tk.AppointmentID != ap.ID || !tk.DueAt.Equal(start) || tk.Number != "A001" {
		t.Errorf("the check-in's ticket = %+v", tk)
	}
	if again, err := a.Queue().CheckIn(ctx, ap); err != nil || again.ID != tk.ID {
		t.Errorf("looking the ticket up = %+v, %v; want %s", again, err, tk.ID)
	}
	a.Queue().Flush()
}
