package messages_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/notify/email"
	"github.com/oneaccount/oneaccount/internal/notify/smtpsink"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// world is a store, an SMTP sink and the services over them.
type world struct {
	store  *sqlstore.Store
	sink   *smtpsink.Sink
	clock  *clock
	svc    *messages.Service
	runner *jobs.Runner
}

func engines(t *testing.T, fn func(t *testing.T, w *world)) {
	for name, open := range storetest.Engines(t) {
		t.Run(name, func(t *testing.T) { fn(t, newWorld(t, open(t))) })
	}
}

func newWorld(t testing.TB, st *sqlstore.Store) *world {
	sink := smtpsink.Start(t)
	ch, err := email.New(email.Config{Host: sink.Host, Port: sink.Port, From: "noreply@gov.mo", TLS: email.TLSNone,
		Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	w := &world{store: st, sink: sink, clock: c}
	w.runner = jobs.NewRunner(st, slog.New(slog.NewTextHandler(io.Discard, nil)), c.Now)
	w.svc = messages.New(st, c.Now, nil)
	d := &messages.Deliverer{Store: st, Accounts: st, Sender: notify.NewSender(ch), BaseURL: "https://one.gov.mo",
		SenderName: func(_ context.Context, code string) lang.Text {
			return lang.Text{ZhHant: code + "局", Pt: "Direcção " + code, En: code + " Bureau"}
		}}
	w.runner.Handle(messages.JobKind, d.Handle)
	return w
}

func (w *world) resident(t testing.TB, l lang.Tag) identity.Account {
	t.Helper()
	a := identity.Account{ID: identity.NewID(), Kind: identity.Resident, NameLatin: "Resident",
		Email: contact.Email(identity.NewID()[:8] + "@example.mo"), PasswordHash: "x", Assurance: identity.Level1,
		Lang: l, CreatedAt: w.clock.Now(), UpdatedAt: w.clock.Now()}
	a, err := w.store.CreateAccount(context.Background(), a, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func note(to identity.Account, cat messages.Category) messages.Message {
	return messages.Message{AccountID: to.ID, Sender: "DSAT", Category: cat,
		Title: lang.Text{ZhHant: "駕駛執照續期", Pt: "Renovação da carta", En: "Licence renewal"},
		Body:  lang.Text{ZhHant: "您的駕駛執照已續期。", Pt: "A sua carta foi renovada.", En: "Your licence was renewed."},
		Link:  "/inbox"}
}

// drain runs the runner until nothing is due.
func (w *world) drain(t testing.TB) {
	t.Helper()
	for {
		n, err := w.runner.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func TestEmailInTheResidentsLanguage(t *testing.T) {
	engines(t, func(t *testing.T, w *world) {
		want := map[lang.Tag][]string{
			lang.ZhHant: {"您的駕駛執照已續期。", "在「一戶通」收件箱閱讀", "DSAT局"},
			lang.Pt:     {"A sua carta foi renovada.", "caixa de mensagens da Conta Única", "Direcção DSAT"},
			lang.En:     {"Your licence was renewed.", "OneAccount inbox", "DSAT Bureau"},
		}
		for l, words := range want {
			a := w.resident(t, l)
			if _, err := w.svc.Send(context.Background(), note(a, messages.General)); err != nil {
				t.Fatal(err)
			}
			w.drain(t)
			mails := w.sink.Mails()
			if len(mails) == 0 {
				t.Fatalf("%s: no email", l)
			}
			got := decodeMail(t, mails[len(mails)-1].Data)
			for _, word := range words {
				if !strings.Contains(got, word) {
					t.Errorf("%s email lacks %q:\n%s", l, word, got)
				}
			}
			if mails[len(mails)-1].To[0] != string(a.Email) {
				t.Errorf("%s email went to %v", l, mails[len(mails)-1].To)
			}
		}
	})
}

func TestNotLostWhenKilledBetweenCommitAndSend(t *testing.T) {
	engines(t, func(t *testing.T, w *world) {
		a := w.resident(t, lang.En)
		if _, err := w.svc.Send(context.Background(), note(a, messages.General)); err != nil {
			t.Fatal(err)
		}
		// A node claims the email job and dies before sending.
		claimed, err := w.store.ClaimJobs(context.Background(), w.clock.Now(), w.runner.Lease, 10)
		if err != nil || len(claimed) == 0 {
			t.Fatalf("claim: %v %d", err, len(claimed))
		}
		// Another node finds nothing while the lease holds...
		if n, _ := w.runner.RunOnce(context.Background()); n != 0 {
			t.Fatalf("a leased job ran again at once (%d)", n)
		}
		// ...and takes the job over when it expires.
		w.clock.Add(w.runner.Lease + time.Second)
		w.drain(t)
		if got := w.sink.Count(); got != 1 {
			t.Fatalf("emails after the takeover: %d, want 1", got)
		}
	})
}

func TestRetryWithBackoffSendsOnce(t *testing.T) {
	engines(t, func(t *testing.T, w *world) {
		a := w.resident(t, lang.En)
		w.sink.FailNext(1)
		m := note(a, messages.General)
		m.Dedupe = "licence-2026-0042"
		if _, err := w.svc.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		again, err := w.svc.Send(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if w.sink.Count() != 0 {
			t.Fatal("delivered although the relay refused")
		}
		// The retry waits for its backoff.
		w.clock.Add(5 * time.Second)
		w.drain(t)
		if w.sink.Count() != 0 {
			t.Fatal("retried before the backoff ended")
		}
		w.clock.Add(jobs.Backoff(1) + time.Second)
		w.drain(t)
		if got := w.sink.Count(); got != 1 {
			t.Fatalf("emails after the retry: %d, want exactly 1", got)
		}
		list, total, err := w.svc.Inbox(context.Background(), a, messages.Filter{})
		if err != nil || total != 1 || list[0].ID != again.ID {
			t.Fatalf("the repeated message made a second inbox item: %d %v", total, err)
		}
	})
}

func TestDeadLetterAndRetry(t *testing.T) {
	engines(t, func(t *testing.T, w *world) {
		a := w.resident(t, lang.En)
		w.sink.FailAll(true)
		if _, err := w.svc.Send(context.Background(), note(a, messages.General)); err != nil {
			t.Fatal(err)
		}
		for range jobs.DefaultMaxAttempts + 2 {
			w.drain(t)
			w.clock.Add(7 * time.Hour)
		}
		dead, err := w.store.DeadJobs(context.Background(), 10)
		if err != nil || len(dead) != 1 {
			t.Fatalf("dead jobs: %v %d", err, len(dead))
		}
		if dead[0].Attempts != jobs.DefaultMaxAttempts || !strings.Contains(dead[0].LastError, "451") {
			t.Errorf("dead job: %d attempts, reason %q", dead[0].Attempts, dead[0].LastError)
		}
		w.sink.FailAll(false)
		if err := w.store.RetryJob(context.Background(), dead[0].ID, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if w.sink.Count() != 1 {
			t.Fatal("the retried dead letter was not delivered")
		}
		if err := w.store.RetryJob(context.Background(), dead[0].ID, w.clock.Now()); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("retrying a job that is not dead: %v", err)
		}
	})
}

func TestPreferencesAndSecurity(t *testing.T) {
	engines(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		a := w.resident(t, lang.En)
		if err := w.svc.SetPreference(ctx, a, messages.General, messages.Email, false); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.SetPreference(ctx, a, messages.Security, messages.Email, false); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("security email switched off: %v", err)
		}
		// Even a stored "off" for security email (an old row, a bug) is ignored.
		if err := w.store.SetPreference(ctx, a.ID, messages.Security, messages.Email, false); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Send(ctx, note(a, messages.General)); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if w.sink.Count() != 0 {
			t.Fatal("an email went out for a category the resident switched off")
		}
		if _, err := w.svc.Send(ctx, note(a, messages.Security)); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if w.sink.Count() != 1 {
			t.Fatal("a security message did not go by email")
		}
		if n, _ := w.svc.Unread(ctx, a); n != 2 {
			t.Errorf("the inbox has %d unread, want both messages", n)
		}
	})
}

func TestEntitiesKeepToTheirOwnSubjects(t *testing.T) {
	engines(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		a := w.resident(t, lang.En)
		if err := w.store.RecordSubject(ctx, "DSAT", "sub-dsat-1", a.ID, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		m := note(a, messages.General)
		m.AccountID = ""
		if _, err := w.svc.SendAsEntity(ctx, messages.EntitySend{Entity: "DSI", ClientID: "dsi-x", Subject: "sub-dsat-1", Message: m}); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("DSI addressed a DSAT subject: %v", err)
		}
		sent, err := w.svc.SendAsEntity(ctx, messages.EntitySend{Entity: "DSAT", ClientID: "dsat-x", Subject: "sub-dsat-1", Message: m})
		if err != nil || sent.Sender != "DSAT" || sent.AccountID != a.ID {
			t.Fatalf("DSAT to its own subject: %v %+v", err, sent)
		}
		other := w.resident(t, lang.En)
		if _, err := w.svc.Open(ctx, other, sent.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("another resident opened the message: %v", err)
		}
	})
}

func TestBadMessagesAreRefused(t *testing.T) {
	st := storetest.SQLite(t)
	svc := messages.New(st, nil, nil)
	base := messages.Message{AccountID: "a", Sender: "DSAT", Category: messages.General,
		Title: lang.Text{En: "t"}, Body: lang.Text{En: "b"}}
	bad := map[string]func(*messages.Message){
		"category":     func(m *messages.Message) { m.Category = "spam" },
		"no title":     func(m *messages.Message) { m.Title = lang.Text{} },
		"long title":   func(m *messages.Message) { m.Title.En = strings.Repeat("x", messages.MaxTitle+1) },
		"js link":      func(m *messages.Message) { m.Link = "javascript:alert(1)" },
		"http link":    func(m *messages.Message) { m.Link = "http://evil.example/" },
		"slashes link": func(m *messages.Message) { m.Link = "//evil.example/" },
		"attachment type": func(m *messages.Message) {
			m.Attachments = []messages.Attachment{{Name: "a.html", ContentType: "text/html", Data: []byte("<script>")}}
		},
		"attachment name": func(m *messages.Message) {
			m.Attachments = []messages.Attachment{{Name: "a\r\n.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}}
		},
	}
	for name, mod := range bad {
		m := base
		mod(&m)
		if _, err := svc.Send(context.Background(), m); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
}

// decodeMail returns a message's text with quoted-printable and base64
// bodies decoded, enough to search it.
func decodeMail(t *testing.T, raw []byte) string {
	t.Helper()
	s, err := readMail(raw)
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	return s
}
