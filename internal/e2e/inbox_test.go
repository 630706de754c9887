package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/demo"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// inboxTitle is the title of the message sent in TestInboxShowsAnAPIMessage.
const inboxTitle = "Your vehicle licence is ready"

// sendThroughAPI sends a message to the account as DSAT's back office
// would: a client-credentials token with messages:send, then POST
// /api/v1/messages to the pairwise subject DSAT knows the resident by. It
// returns the message's ID.
func sendThroughAPI(t *testing.T, a *app.App, base, accountID string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	created, err := a.Clients().Create(ctx, identity.Actor{Platform: true}, clients.Client{Entity: "DSAT",
		Name: "Vehicle licensing back office", Level: 1, Grants: []clients.GrantType{clients.ClientCredentials},
		Scopes: []clients.ScopePurpose{{Scope: clients.ScopeMessagesSend,
			Purpose: lang.Text{ZhHant: "通知車主", Pt: "Avisar os proprietários", En: "To notify vehicle owners"}}}})
	if err != nil {
		t.Fatalf("register DSAT's back office: %v", err)
	}
	// DSAT knows the resident by the subject its e-service received when
	// the resident signed in to it; record it as that sign-in would.
	sub := a.Clients().PairwiseSubject("DSAT", accountID)
	if err := a.Store().RecordSubject(ctx, "DSAT", sub, accountID, time.Now()); err != nil {
		t.Fatalf("record DSAT's subject: %v", err)
	}
	tok, err := (&clientcredentials.Config{ClientID: created.Client.ID, ClientSecret: created.Secret,
		TokenURL: base + "/oidc/token", Scopes: []string{clients.ScopeMessagesSend}}).Token(ctx)
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	body, _ := json.Marshal(map[string]any{"subject": sub, "category": "general",
		"title": map[string]string{"en": inboxTitle, "zh-Hant": "您的車輛牌照已備妥", "pt": "A sua licença de veículo está pronta"},
		"body":  map[string]string{"en": "Collect it at the Areia Preta centre.\n\nBring your identity card."},
		"link":  "/inbox", "dedupe_key": "e2e-licence-1",
		"attachments": []map[string]any{{"name": "licence notice.pdf", "content_type": "application/pdf",
			"data": []byte("%PDF-1.7 e2e")}}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/messages", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /api/v1/messages: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusAccepted || out.ID == "" {
		t.Fatalf("POST /api/v1/messages = %d, id %q (%v)", resp.StatusCode, out.ID, err)
	}
	return out.ID
}

// inboxText reads the text of the first element matching sel.
func inboxText(f *accountFlow, sel string) string {
	f.t.Helper()
	return strings.TrimSpace(accountRead(f, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// TestInboxShowsAnAPIMessage follows a message an entity sends through
// the API into the resident's browser: the unread count in the header,
// the dashboard card, the inbox, the message with its attachment, and the
// archive.
func TestInboxShowsAnAPIMessage(t *testing.T) {
	browser := newBrowser(t)
	a, base := startAccountSite(t)
	acct, err := a.Identity().Store().AccountByUsername(context.Background(), identity.NormaliseUsername(signedInResident))
	if err != nil {
		t.Fatal(err)
	}
	before, err := a.Messages().Unread(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	id := sendThroughAPI(t, a, base, acct.ID)
	f := &accountFlow{t: t, tab: newTab(t, browser), base: base, app: a}

	// Sign in: residents land on their dashboard.
	f.open("/login", "/login")
	f.fill("#username", signedInResident)
	f.fill("#password", demo.Password)
	f.submit("sign in", `form[action="/login"] button[type=submit]`)
	f.expectPath("/dashboard")
	want := before + 1
	inboxLink := `nav a.govuk-service-navigation__link[href="/inbox"]`
	if got := inboxText(f, inboxLink); !strings.Contains(got, "Inbox ("+strconv.Itoa(want)+")") {
		t.Errorf("header inbox link %q, want the count %d", got, want)
	}
	if got := inboxText(f, "#card-messages"); !strings.Contains(got, inboxTitle) || !strings.Contains(got, "unread message") {
		t.Errorf("dashboard messages card %q lacks the new message", got)
	}
	f.axe("/dashboard")

	// The inbox lists it first, in bold, with the sender's name.
	f.open("/inbox", "/inbox")
	row := `main tbody tr:first-child`
	if got := inboxText(f, row); !strings.Contains(got, inboxTitle) || !strings.Contains(got, "Transport Bureau") {
		t.Errorf("first inbox row %q, want the new message from the Transport Bureau", got)
	}
	if n := accountEval[int](f, "count unread marks", `document.querySelectorAll('main tbody tr:first-child a .govuk-visually-hidden').length`); n != 1 {
		t.Errorf("the new message is not marked unread (%d marks)", n)
	}
	f.axe("/inbox")

	// Opening it marks it read: the count drops on the page it opens.
	f.submit("open the message", `main a[href="/inbox/`+id+`"]`)
	f.expectPath("/inbox/" + id)
	if got := inboxText(f, "h1"); got != inboxTitle {
		t.Errorf("message heading %q, want %q", got, inboxTitle)
	}
	if got := inboxText(f, "main article"); !strings.Contains(got, "Collect it at the Areia Preta centre.") ||
		!strings.Contains(got, "Bring your identity card.") {
		t.Errorf("message body %q", got)
	}
	wantNav := "Inbox"
	if before > 0 {
		wantNav = "Inbox (" + strconv.Itoa(before) + ")"
	}
	if got := inboxText(f, inboxLink); !strings.HasPrefix(got, wantNav) || (before == 0 && strings.Contains(got, "(")) {
		t.Errorf("after opening, the header says %q, want %q", got, wantNav)
	}
	if got, _ := a.Messages().Unread(context.Background(), acct); got != before {
		t.Errorf("after opening, %d unread, want %d", got, before)
	}
	disposition := accountEval[string](f, "download the attachment",
		`fetch(document.querySelector('main a[href*="/attachments/"]').href).then(r => r.status + ' ' + r.headers.get('content-disposition'))`,
		chromedp.EvalAwaitPromise)
	if want := `200 attachment; filename="licence_notice.pdf"; filename*=UTF-8''licence%20notice.pdf`; disposition != want {
		t.Errorf("attachment download: %q, want %q", disposition, want)
	}
	f.axe("/inbox/{id}")

	// Archive it: back to the inbox with a banner; it is in the archive.
	f.submit("archive", `form[action="/inbox/`+id+`/archive"] button[type=submit]`)
	u := f.expectPath("/inbox")
	if u.Query().Get("done") != "archived" {
		t.Errorf("after archiving the URL is %s", u.RequestURI())
	}
	if got := inboxText(f, ".govuk-notification-banner--success"); !strings.Contains(got, "Message archived") {
		t.Errorf("banner %q", got)
	}
	f.open("/inbox?archived=1", "/inbox")
	if got := inboxText(f, "main table"); !strings.Contains(got, inboxTitle) {
		t.Errorf("archive %q lacks the message", got)
	}
	msgs, _, err := a.Messages().Inbox(context.Background(), acct, messages.Filter{Archived: true})
	if err != nil || len(msgs) != 1 || msgs[0].ID != id {
		t.Errorf("archive in the store: %v %d", err, len(msgs))
	}
}

// sendInboxMessage sends the account a platform message with a link and
// an attachment, in the three languages, and returns its ID.
func sendInboxMessage(t *testing.T, a *app.App, accountID string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := a.Messages().Send(ctx, messages.Message{AccountID: accountID, Sender: messages.Platform, Category: messages.General,
		Title: lang.Text{ZhHant: "新裝置登入", Pt: "Entrada num novo dispositivo", En: "Sign-in on a new device"},
		Body: lang.Text{ZhHant: "你的帳戶剛在新裝置登入。\n\n如不是你本人，請立即更改密碼。",
			Pt: "A sua conta acabou de entrar num novo dispositivo.\n\nSe não foi o próprio, mude já a palavra-passe.",
			En: "Your account was just signed in to on a new device.\n\nIf it was not you, change your password now."},
		Link:        "/account#sessions",
		Attachments: []messages.Attachment{{Name: "sign-in.txt", ContentType: "text/plain", Data: []byte("sign-in record")}}})
	if err != nil {
		t.Fatalf("send a message: %v", err)
	}
	return m.ID
}
