package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/dashboard"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/refdata"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// msgSite is the web layer with accounts and the inbox over SQLite, with
// the Macao entities as senders.
type msgSite struct {
	*orgSite
	web  *Web
	msgs *messages.Service
}

// newMsgSite builds the site; change, when given, adjusts the options
// before New.
func newMsgSite(t *testing.T, change ...func(*Options)) *msgSite {
	t.Helper()
	st := storetest.SQLite(t)
	ctx := context.Background()
	ds, _ := refdata.Macao()
	if _, err := st.Import(ctx, ds); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := password.LoadBlocklist()
	if err != nil {
		t.Fatal(err)
	}
	sink := notify.NewDevSink(log, time.Now)
	svc := identity.NewService(identity.Deps{Store: st, Hasher: h, Policy: password.NewPolicy(bl),
		Sender: notify.NewSender(sink.Channels()...), Now: time.Now, Log: log}, identity.Config{})
	loc, err := directory.LoadLocation(directory.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	ms := messages.New(st, time.Now, nil)
	o := Options{Directory: directory.New(st, loc, time.Now), Log: log, Identity: svc, Messages: ms, Jobs: st}
	for _, c := range change {
		c(&o)
	}
	w, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Mount(mux)
	return &msgSite{orgSite: &orgSite{h: mux, svc: svc, st: st, sink: sink}, web: w, msgs: ms}
}

// account stores a and opens a session for it.
func (s *msgSite) account(t *testing.T, a identity.Account) *orgUser {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	a.ID, a.CreatedAt, a.UpdatedAt, a.PasswordHash, a.Lang = identity.NewID(), now, now, "x", lang.En
	a, err := s.st.CreateAccount(ctx, a, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	token := identity.NewToken()
	err = s.st.CreateSession(ctx, identity.Session{IDHash: identity.HashToken(token), AccountID: a.ID,
		State: identity.StateActive, AMR: []string{"pwd"}, CreatedAt: now, AuthAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return &orgUser{Account: a, cookie: token}
}

// staffMember stores a signed-in staff member of entity with roles.
func (s *msgSite) staffMember(t *testing.T, name, entity string, roles ...identity.Role) *orgUser {
	return s.account(t, identity.Account{Kind: identity.Staff, NameLatin: name, Email: contact.Email(name + "@gov.example.mo"),
		Entity: entity, Roles: roles, TOTPSecret: "JBSWY3DPEHPK3PXP"})
}

// send sends m to u through the service, from DSI unless m names a sender.
func (s *msgSite) send(t *testing.T, u *orgUser, m messages.Message) messages.Message {
	t.Helper()
	m.AccountID = u.ID
	if m.Sender == "" {
		m.Sender = "DSI"
	}
	if m.Category == "" {
		m.Category = messages.General
	}
	sent, err := s.msgs.Send(context.Background(), m)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return sent
}

// store writes m straight to the store, skipping the service's checks:
// what a buggy or hostile sender might have left there.
func (s *msgSite) store(t *testing.T, u *orgUser, m messages.Message) messages.Message {
	t.Helper()
	m.ID, m.AccountID, m.CreatedAt = messages.NewID(), u.ID, time.Now().UTC()
	if m.Sender == "" {
		m.Sender = "DSI"
	}
	if m.Category == "" {
		m.Category = messages.General
	}
	for i := range m.Attachments {
		m.Attachments[i].ID, m.Attachments[i].MessageID, m.Attachments[i].Size = messages.NewID(), m.ID, len(m.Attachments[i].Data)
	}
	saved, _, err := s.st.SaveMessage(context.Background(), m, nil)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

func text(en string) lang.Text { return lang.Text{En: en} }

var pdf = []byte("%PDF-1.4\n%fake\n")

func TestInboxOnlyTheRecipient(t *testing.T) {
	s := newMsgSite(t)
	ana := s.person(t, "ana", identity.Level1)
	bo := s.person(t, "bo", identity.Level1)
	m := s.send(t, ana, messages.Message{Title: text("Your card is ready"), Body: text("Collect it at DSI."),
		Attachments: []messages.Attachment{{Name: "notice.pdf", ContentType: "application/pdf", Data: pdf}}})
	att := "/inbox/" + m.ID + "/attachments/" + m.Attachments[0].ID

	location(t, s.do(t, nil, "GET", "/inbox", nil), "/login?next=/inbox")
	location(t, s.do(t, nil, "GET", "/inbox/"+m.ID, nil), "/login")
	location(t, s.do(t, nil, "GET", att, nil), "/login")

	expect(t, "another's message", s.do(t, bo, "GET", "/inbox/"+m.ID, nil), http.StatusNotFound, "Page not found")
	expect(t, "another's attachment", s.do(t, bo, "GET", att, nil), http.StatusNotFound)
	expect(t, "another's archive", s.do(t, bo, "POST", "/inbox/"+m.ID+"/archive", url.Values{}), http.StatusNotFound)
	if body := expect(t, "another's inbox", s.do(t, bo, "GET", "/inbox", nil), http.StatusOK, "You have no messages yet"); strings.Contains(body, m.ID) {
		t.Error("bo's inbox lists ana's message")
	}
	if got, _ := s.msgs.Unread(context.Background(), ana.Account); got != 1 {
		t.Errorf("after bo's tries, ana has %d unread, want 1 (bo must not mark it read)", got)
	}
	// The attachment is reached only through its own message.
	other := s.send(t, ana, messages.Message{Title: text("Other"), Body: text("Other")})
	expect(t, "attachment under another message", s.do(t, ana, "GET", "/inbox/"+other.ID+"/attachments/"+m.Attachments[0].ID, nil),
		http.StatusNotFound)
	expect(t, "unknown message", s.do(t, ana, "GET", "/inbox/nope", nil), http.StatusNotFound)

	rec := s.do(t, ana, "GET", att, nil)
	if rec.Code != http.StatusOK || rec.Body.String() != string(pdf) {
		t.Fatalf("recipient's attachment: %d %q", rec.Code, rec.Body.String())
	}
}

func TestAttachmentHeaders(t *testing.T) {
	s := newMsgSite(t)
	ana := s.person(t, "ana", identity.Level1)
	m := s.store(t, ana, messages.Message{Title: text("Files"), Body: text("Two files."), Attachments: []messages.Attachment{
		{Name: "a\"b\r\n.pdf", ContentType: "application/pdf", Data: pdf},
		{Name: "通知書 2026.png", ContentType: "image/png", Data: []byte("\x89PNG")},
		{Name: "page.html", ContentType: "text/html", Data: []byte("<script>alert(1)</script>")},
	}})
	for _, tt := range []struct {
		i                  int
		ctype, disposition string
	}{
		{0, "application/pdf", `attachment; filename="a_b.pdf"; filename*=UTF-8''a%22b.pdf`},
		{1, "image/png", `attachment; filename="____2026.png"; filename*=UTF-8''%E9%80%9A%E7%9F%A5%E6%9B%B8%202026.png`},
		{2, "application/octet-stream", `attachment; filename="page.html"; filename*=UTF-8''page.html`},
	} {
		rec := s.do(t, ana, "GET", "/inbox/"+m.ID+"/attachments/"+m.Attachments[tt.i].ID, nil)
		h := rec.Header()
		if rec.Code != http.StatusOK {
			t.Fatalf("attachment %d: status %d", tt.i, rec.Code)
		}
		if got := h.Get("Content-Disposition"); got != tt.disposition {
			t.Errorf("attachment %d: Content-Disposition %q, want %q", tt.i, got, tt.disposition)
		}
		if got := h.Get("Content-Type"); got != tt.ctype {
			t.Errorf("attachment %d: Content-Type %q, want %q", tt.i, got, tt.ctype)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "private, no-store" {
			t.Errorf("attachment %d: nosniff %q, Cache-Control %q", tt.i, h.Get("X-Content-Type-Options"), h.Get("Cache-Control"))
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("attachment %d: CSP %q, want a sandbox", tt.i, h.Get("Content-Security-Policy"))
		}
	}
	// The message page lists them by name, escaped.
	body := expect(t, "message page", s.do(t, ana, "GET", "/inbox/"+m.ID, nil), http.StatusOK, "Attachments",
		`href="/inbox/`+m.ID+`/attachments/`+m.Attachments[1].ID+`"`, "通知書 2026.png", "(PNG, 4 bytes)")
	if strings.Contains(body, `a"b`) {
		t.Error("the message page shows a raw quote of a file name")
	}
}

func TestContentDisposition(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"report.pdf", `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`},
		{"a b;c=d.pdf", `attachment; filename="a_b_c_d.pdf"; filename*=UTF-8''a%20b%3Bc%3Dd.pdf`},
		{"../../etc/passwd", `attachment; filename="....etcpasswd"; filename*=UTF-8''....etcpasswd`},
		{"\r\n", `attachment; filename="attachment"; filename*=UTF-8''attachment`},
		{"é\x00'.txt", `attachment; filename="__.txt"; filename*=UTF-8''%C3%A9%27.txt`},
	} {
		got := contentDisposition(tt.name)
		if got != tt.want {
			t.Errorf("contentDisposition(%q) = %q, want %q", tt.name, got, tt.want)
		}
		if strings.ContainsAny(got, "\r\n\x00") {
			t.Errorf("contentDisposition(%q) has a control character", tt.name)
		}
	}
}

var unreadRE = regexp.MustCompile(`href="/inbox">Inbox(?: <span aria-hidden="true">\((\d+)\)</span>)?`)

// headerUnread reads the unread count from the header's inbox link: "" for
// none, "-" when there is no inbox link.
func headerUnread(body string) string {
	m := unreadRE.FindStringSubmatch(body)
	if m == nil {
		return "-"
	}
	return m[1]
}

func TestUnreadCountInHeader(t *testing.T) {
	s := newMsgSite(t)
	ana := s.person(t, "ana", identity.Level1)
	first := s.send(t, ana, messages.Message{Title: text("First"), Body: text("One.")})
	s.send(t, ana, messages.Message{Title: text("Second"), Body: text("Two.")})

	for _, path := range []string{"/", "/account", "/branches", "/inbox", "/dashboard"} {
		body := expect(t, path, s.do(t, ana, "GET", path, nil), http.StatusOK)
		if got := headerUnread(body); got != "2" {
			t.Errorf("%s: header unread count %q, want 2", path, got)
		}
		if !strings.Contains(body, `<span class="govuk-visually-hidden"> (2 unread messages)</span>`) {
			t.Errorf("%s: the count has no words for screen readers", path)
		}
	}
	// Opening a message marks it read: the page it opens already counts 1.
	body := expect(t, "open", s.do(t, ana, "GET", "/inbox/"+first.ID, nil), http.StatusOK, "First", "One.")
	if got := headerUnread(body); got != "1" {
		t.Errorf("after opening: header unread count %q, want 1", got)
	}
	body = expect(t, "inbox", s.do(t, ana, "GET", "/inbox", nil), http.StatusOK)
	if got := headerUnread(body); got != "1" {
		t.Errorf("inbox after opening: header unread count %q, want 1", got)
	}
	if strings.Count(body, `<span class="govuk-visually-hidden">Unread: </span>`) != 1 {
		t.Error("the inbox should mark exactly one message unread")
	}
	// Archiving the read message leaves the count as it was.
	location(t, s.do(t, ana, "POST", "/inbox/"+first.ID+"/archive", url.Values{}), "/inbox?done=archived")
	body = expect(t, "inbox after archiving", s.do(t, ana, "GET", "/inbox?done=archived", nil), http.StatusOK,
		"Message archived", "1 message")
	if got := headerUnread(body); got != "1" {
		t.Errorf("after archiving a read message: header %q, want 1", got)
	}
	expect(t, "archive", s.do(t, ana, "GET", "/inbox?archived=1", nil), http.StatusOK, "Archived messages", "First",
		`href="/inbox"`)

	// Staff have no inbox link; signed-out visitors neither.
	staff := s.staffMember(t, "agent", "DSI", identity.CounterAgent)
	if got := headerUnread(expect(t, "staff", s.do(t, staff, "GET", "/account", nil), http.StatusOK)); got != "-" {
		t.Errorf("staff header has an inbox link (%q)", got)
	}
	if got := headerUnread(expect(t, "anonymous", s.do(t, nil, "GET", "/", nil), http.StatusOK)); got != "-" {
		t.Errorf("anonymous header has an inbox link (%q)", got)
	}
}

func TestInboxListSearchAndPages(t *testing.T) {
	s := newMsgSite(t)
	ana := s.person(t, "ana", identity.Level1)
	for i := range 23 {
		s.send(t, ana, messages.Message{Title: text("Notice " + string(rune('A'+i))), Body: text("Routine.")})
	}
	s.send(t, ana, messages.Message{Sender: messages.Platform, Title: lang.Text{En: "Welcome aboard", ZhHant: "歡迎使用"},
		Body: text("Hello.")})
	s.send(t, ana, messages.Message{Sender: "DSAT", Title: text("Vehicle tax due"), Body: text("Pay by Friday.")})

	body := expect(t, "page 1", s.do(t, ana, "GET", "/inbox", nil), http.StatusOK, "25 messages",
		"Vehicle tax due", "Transport Bureau", "Welcome aboard", "One Account", `href="/inbox?page=2"`, "Page 1 of 2",
		`role="search"`, `name="q"`, `<option value="DSAT">`)
	if n := strings.Count(body, `<a class="govuk-link" href="/inbox/`); n != inboxPageSize {
		t.Errorf("page 1 lists %d messages, want %d", n, inboxPageSize)
	}
	body = expect(t, "page 2", s.do(t, ana, "GET", "/inbox?page=2", nil), http.StatusOK, "Page 2 of 2", `href="/inbox"`)
	if n := strings.Count(body, `<a class="govuk-link" href="/inbox/`); n != 5 {
		t.Errorf("page 2 lists %d messages, want 5", n)
	}
	expect(t, "page far away", s.do(t, ana, "GET", "/inbox?page=9", nil), http.StatusOK, "Go to the first page")

	body = expect(t, "search", s.do(t, ana, "GET", "/inbox?q=vehicle+TAX", nil), http.StatusOK, "1 message",
		"Vehicle tax due", `value="vehicle TAX"`, "Clear search")
	if strings.Contains(body, "Notice A") {
		t.Error("the search lists a message that does not match")
	}
	body = expect(t, "sender", s.do(t, ana, "GET", "/inbox?sender=ONEACCOUNT", nil), http.StatusOK, "1 message",
		"Welcome aboard", `<option value="ONEACCOUNT" selected>`)
	if strings.Contains(body, "Vehicle tax due") {
		t.Error("the sender filter lists another sender's message")
	}
	expect(t, "no match", s.do(t, ana, "GET", "/inbox?q=zzzz", nil), http.StatusOK, "0 messages", "No message matches")
	expect(t, "unknown sender ignored", s.do(t, ana, "GET", "/inbox?sender=NOPE", nil), http.StatusOK, "25 messages")
	expect(t, "empty archive", s.do(t, ana, "GET", "/inbox?archived=1", nil), http.StatusOK, "You have no archived messages")

	zh := expect(t, "zh", s.do(t, ana, "GET", "/inbox?sender=ONEACCOUNT", nil, "Cookie", "lang=zh-Hant"), http.StatusOK,
		"歡迎使用", "一戶通")
	if strings.Contains(zh, "Welcome aboard") {
		t.Error("the Chinese inbox shows the English title although a Chinese one exists")
	}
	// A title only in English is marked as English on a Chinese page.
	expect(t, "zh fallback", s.do(t, ana, "GET", "/inbox?sender=DSAT", nil, "Cookie", "lang=zh-Hant"), http.StatusOK,
		`<span lang="en">Vehicle tax due</span>`, "交通事務局")
}

func TestMessagePageIsPlainText(t *testing.T) {
	s := newMsgSite(t)
	ana := s.person(t, "ana", identity.Level1)
	m := s.send(t, ana, messages.Message{Title: text("Hi <b>there</b>"), Link: "/branches/DSI-HQ",
		Body: text("First line\nsecond line <script>alert(1)</script>\n\nNew paragraph.")})
	body := expect(t, "message", s.do(t, ana, "GET", "/inbox/"+m.ID, nil), http.StatusOK,
		"Hi &lt;b&gt;there&lt;/b&gt;", "First line<br>second line &lt;script&gt;alert(1)&lt;/script&gt;</p>",
		`<p class="govuk-body">New paragraph.</p>`, "Identification Services Bureau", `<a class="govuk-link" href="/branches/DSI-HQ">Go to the related page</a>`,
		`action="/inbox/`+m.ID+`/archive"`)
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>there") {
		t.Error("the message page lets the sender's markup through")
	}
	ext := s.send(t, ana, messages.Message{Title: text("Pay online"), Body: text("Pay."), Link: "https://www.dsf.gov.mo/pay?x=1"})
	expect(t, "external link", s.do(t, ana, "GET", "/inbox/"+ext.ID, nil), http.StatusOK,
		`href="https://www.dsf.gov.mo/pay?x=1" rel="noreferrer noopener">Open www.dsf.gov.mo (another website)</a>`)
	for _, link := range []string{"javascript:alert(1)", "//evil.example/x", "http://plain.example/", "/\\evil.example"} {
		bad := s.store(t, ana, messages.Message{Title: text("Bad link"), Body: text("Bad."), Link: link})
		body := expect(t, "bad link "+link, s.do(t, ana, "GET", "/inbox/"+bad.ID, nil), http.StatusOK)
		if strings.Contains(body, "Go to the related page") || strings.Contains(body, "another website") {
			t.Errorf("a %q link is shown", link)
		}
	}
	// Archiving from the page: back to the inbox with a banner; the page
	// then says the message is archived and offers no button.
	location(t, s.do(t, ana, "POST", "/inbox/"+m.ID+"/archive", url.Values{}), "/inbox?done=archived")
	body = expect(t, "archived message", s.do(t, ana, "GET", "/inbox/"+m.ID, nil), http.StatusOK,
		"This message is in your archive", `href="/inbox?archived=1"`)
	if strings.Contains(body, "/archive\"") {
		t.Error("an archived message still offers the archive button")
	}
}

func TestParagraphs(t *testing.T) {
	got := paragraphs("a\r\nb\n\n\n\nc  \n\n \n")
	if len(got) != 2 || strings.Join(got[0], "|") != "a|b" || strings.Join(got[1], "|") != "c" {
		t.Errorf("paragraphs = %q", got)
	}
}

// withRegistry is an Options change that gives the web layer reg.
func withRegistry(reg *dashboard.Registry) func(*Options) {
	return func(o *Options) { o.Dashboard = reg }
}
