package identity_test

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/refdata"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is one engine's identity service with its store, sink and clock.
type env struct {
	svc   *identity.Service
	store *sqlstore.Store
	sink  *notify.DevSink
	clk   *clock
}

// tiny Argon2id parameters keep tests fast; production uses the defaults.
var tiny = password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func newEnv(t *testing.T, open storetest.Opener) *env {
	t.Helper()
	st := open(t)
	ds, err := refdata.Macao()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	h, err := password.NewHasher(tiny, 4)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := password.LoadBlocklist()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sink := notify.NewDevSink(log, clk.Now)
	svc := identity.NewService(identity.Deps{Store: st, Hasher: h, Policy: password.NewPolicy(bl),
		Sender: notify.NewSender(sink.Channels()...), Now: clk.Now, Log: log}, identity.Config{SMSFallback: true})
	return &env{svc: svc, store: st, sink: sink, clk: clk}
}

// each runs fn on every engine under test.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for name, open := range storetest.Engines(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, open))
		})
	}
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// lastCode reads the newest code sent to an address.
func (e *env) lastCode(t *testing.T, to string) string {
	t.Helper()
	m, ok := e.sink.Last(to)
	if !ok {
		t.Fatalf("no message to %s", to)
	}
	c := codeRE.FindString(m.Message.Text)
	if c == "" {
		t.Fatalf("no code in %q", m.Message.Text)
	}
	return c
}

var client = identity.Client{IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"}

const goodPassword = "a sentence nobody guesses 42"

// resident makes a level-1 resident through the whole registration.
func (e *env) resident(t *testing.T, email, phone, doc string) identity.Account {
	t.Helper()
	ctx := context.Background()
	tok, err := e.svc.StartRegistration(ctx, email, phone, "en")
	if err != nil {
		t.Fatalf("StartRegistration: %v", err)
	}
	ph := "+853" + phone
	if _, err := e.svc.VerifyRegistration(ctx, tok, e.lastCode(t, email), e.lastCode(t, ph)); err != nil {
		t.Fatalf("VerifyRegistration: %v", err)
	}
	a, err := e.svc.CompleteRegistration(ctx, tok, identity.Details{NameLatin: "Test Person", DocType: "bir",
		DocNumber: doc, BirthDate: "1970-01-01", Password: goodPassword}, client)
	if err != nil {
		t.Fatalf("CompleteRegistration: %v", err)
	}
	return a
}
