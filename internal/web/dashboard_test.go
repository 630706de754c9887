package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/dashboard"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// cardIDs lists the dashboard's cards in page order.
func cardIDs(body string) []string {
	var ids []string
	for _, part := range strings.Split(body, `<section class="govuk-summary-card" id="card-`)[1:] {
		id, _, _ := strings.Cut(part, `"`)
		ids = append(ids, id)
	}
	return ids
}

func TestDashboardCardsInOrder(t *testing.T) {
	reg := dashboard.New()
	// Cards of later issues, registered before New as the app would.
	reg.Register(dashboard.Card{Key: "tickets", Order: 30, Title: "dashboard.messages_title", Template: "messages",
		Load: func(context.Context, identity.Account) (any, bool, error) {
			return messagesCardData{Unread: 7}, true, nil
		}})
	reg.Register(dashboard.Card{Key: "nothing-to-say", Order: 20, Title: "dashboard.messages_title", Template: "messages",
		Load: func(context.Context, identity.Account) (any, bool, error) { return nil, false, nil }})
	s := newMsgSite(t, withRegistry(reg))
	// And one registered after New: the registry is read on every request.
	reg.Register(dashboard.Card{Key: "broken", Order: 40, Title: "dashboard.level_title", Template: "assurance",
		Load: func(context.Context, identity.Account) (any, bool, error) { return nil, false, errors.New("down") }})
	ana := s.person(t, "ana", identity.Level1)
	s.send(t, ana, messages.Message{Title: text("Your card is ready"), Body: text("Collect it.")})

	location(t, s.do(t, nil, "GET", "/dashboard", nil), "/login?next=/dashboard")
	body := expect(t, "dashboard", s.do(t, ana, "GET", "/dashboard", nil), http.StatusOK, "Your dashboard",
		"You have 1 unread message", "Your card is ready", `href="/inbox"`, "You have 7 unread messages",
		"Level 1", "To reach level 2", `href="/step-up?level=2&amp;next=/dashboard"`, `href="/entities/DSI"`,
		"This information cannot be shown right now")
	if got, want := strings.Join(cardIDs(body), ","), "messages,tickets,broken,assurance"; got != want {
		t.Errorf("cards %s, want %s", got, want)
	}
	if strings.Contains(body, "card-nothing-to-say") {
		t.Error("a card with nothing to show is shown")
	}

	// Level 2: the way to level 3 is a passkey.
	bo := s.person(t, "bo", identity.Level2)
	expect(t, "level 2", s.do(t, bo, "GET", "/dashboard", nil), http.StatusOK, "Level 2", "add a passkey",
		`href="/account#passkeys"`, `href="/step-up?level=3&amp;next=/dashboard"`, "You have no unread messages")

	// Staff have neither core card.
	staff := s.staffMember(t, "agent", "DSI", identity.CounterAgent)
	body = expect(t, "staff", s.do(t, staff, "GET", "/dashboard", nil), http.StatusOK)
	if ids := cardIDs(body); strings.Contains(strings.Join(ids, ","), "messages,") || strings.Contains(strings.Join(ids, ","), "assurance") {
		t.Errorf("staff dashboard shows the residents' cards: %v", ids)
	}
}

func TestDashboardWithoutInbox(t *testing.T) {
	s := newMsgSite(t, func(o *Options) { o.Messages = nil })
	ana := s.person(t, "ana", identity.Level1)
	body := expect(t, "dashboard", s.do(t, ana, "GET", "/dashboard", nil), http.StatusOK, "Assurance level")
	if got := strings.Join(cardIDs(body), ","); got != "assurance" {
		t.Errorf("cards %s, want only assurance", got)
	}
	if headerUnread(body) != "-" {
		t.Error("the header links an inbox that does not exist")
	}
	expect(t, "no inbox", s.do(t, ana, "GET", "/inbox", nil), http.StatusNotFound)
}

func TestSignInLandsOnTheDashboard(t *testing.T) {
	s := newMsgSite(t)
	ctx := context.Background()
	if _, err := s.svc.CreateResident(ctx, identity.Actor{Platform: true}, identity.ResidentRequest{Email: "ana@example.mo",
		Phone: "66123456", Password: testPassword, Name: "Ana"}); err != nil {
		t.Fatal(err)
	}
	for _, next := range []string{"", "/", "/login"} {
		rec := s.do(t, nil, "POST", "/login", url.Values{"username": {"ana@example.mo"}, "password": {testPassword}, "next": {next}})
		if loc := location(t, rec, "/"); loc != "/dashboard" {
			t.Errorf("sign-in with next %q went to %q, want /dashboard", next, loc)
		}
	}
	rec := s.do(t, nil, "POST", "/login", url.Values{"username": {"ana@example.mo"}, "password": {testPassword}, "next": {"/branches"}})
	if loc := location(t, rec, "/"); loc != "/branches" {
		t.Errorf("sign-in with a next page went to %q", loc)
	}

	ana := s.person(t, "ana2", identity.Level1)
	expect(t, "home, signed in", s.do(t, ana, "GET", "/", nil), http.StatusOK, `href="/dashboard">Go to your dashboard</a>`,
		"Government services")
	if strings.Contains(expect(t, "home, signed out", s.do(t, nil, "GET", "/", nil), http.StatusOK), `href="/dashboard"`) {
		t.Error("the home page links the dashboard for a visitor who is not signed in")
	}
}
