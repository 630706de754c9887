package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"

	"github.com/oneaccount/oneaccount/internal/dashboard"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// The resident's dashboard: the cards of the dashboard.Registry, in order,
// each a summary card whose body is a template of templates/cards/. The
// web layer registers the cards of the services it has itself (New calls
// setUpDashboard); other domains register theirs in the same registry,
// from the app, with a template added under templates/cards/. Orders
// leave room between the core cards for them:
//
//	10  unread messages          (here)
//	20  upcoming appointments    (later)
//	30  live queue tickets       (later)
//	40  applications             (later)
//	90  assurance level          (here)
const (
	orderMessages  = 10
	orderAssurance = 90
)

// setUpDashboard parses the card templates and registers the core cards.
func (w *Web) setUpDashboard() error {
	t, err := template.New("cards").Funcs(w.funcs()).ParseFS(templateFS, "templates/cards/*.html")
	if err != nil {
		return fmt.Errorf("card templates: %w", err)
	}
	w.cards = t
	if w.opt.Dashboard == nil {
		w.opt.Dashboard = dashboard.New()
	}
	if w.opt.Identity != nil {
		registerCoreCards(w.opt.Dashboard, w.opt.Messages)
	}
	return nil
}

// registerCoreCards adds the unread-messages card (when there is an
// inbox) and the assurance-level card. Both are for residents only.
func registerCoreCards(reg *dashboard.Registry, m *messages.Service) {
	if m != nil {
		reg.Register(dashboard.Card{Key: "messages", Order: orderMessages, Title: "dashboard.messages_title",
			Template: "messages", Load: messagesCard(m)})
	}
	reg.Register(dashboard.Card{Key: "assurance", Order: orderAssurance, Title: "dashboard.level_title",
		Template: "assurance", Load: assuranceCard})
}

// messagesCardData is the unread-messages card: the count and the three
// newest messages of the inbox.
type messagesCardData struct {
	Unread int
	Latest []messages.Message
}

func messagesCard(m *messages.Service) func(context.Context, identity.Account) (any, bool, error) {
	return func(ctx context.Context, a identity.Account) (any, bool, error) {
		if a.Kind != identity.Resident {
			return nil, false, nil
		}
		n, err := m.Unread(ctx, a)
		if err != nil {
			return nil, false, err
		}
		latest, _, err := m.Inbox(ctx, a, messages.Filter{Limit: 3})
		if err != nil {
			return nil, false, err
		}
		return messagesCardData{Unread: n, Latest: latest}, true, nil
	}
}

// assuranceCardData is the assurance-level card.
type assuranceCardData struct {
	Level   identity.Level
	Passkey bool
}

func assuranceCard(_ context.Context, a identity.Account) (any, bool, error) {
	if a.Kind != identity.Resident {
		return nil, false, nil
	}
	return assuranceCardData{Level: a.EffectiveLevel(), Passkey: a.Passkeys > 0}, true, nil
}

// dashCard is a card as the page shows it: its body rendered already.
type dashCard struct {
	Key, Title string
	Body       template.HTML
	// Failed replaces the body with an apology when the card could not
	// load.
	Failed bool
}

// cardView is what a card template receives.
type cardView struct {
	L       *Locale
	Account identity.Account
	Data    any
}

// dashboard shows the cards that have something to show, in order. A card
// that fails says so without taking the rest of the page down.
func (w *Web) dashboard(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	l := w.cat.Locale(w.language(r))
	var cards []dashCard
	for _, c := range w.opt.Dashboard.Cards() {
		dc := dashCard{Key: c.Key, Title: l.T(c.Title)}
		data, show, err := c.Load(r.Context(), u.Account)
		if err == nil && !show {
			continue
		}
		if err == nil {
			var buf bytes.Buffer
			err = w.cards.ExecuteTemplate(&buf, c.Template+".html", cardView{L: l, Account: u.Account, Data: data})
			dc.Body = template.HTML(buf.String()) // html/template's own output, escaped in context
		}
		if err != nil {
			w.opt.Log.ErrorContext(r.Context(), "dashboard card", "card", c.Key, "err", err)
			dc.Body, dc.Failed = "", true
		}
		cards = append(cards, dc)
	}
	p := w.newPage(r, "", cards)
	p.Title = p.L.T("dashboard.title")
	w.render(rw, r, http.StatusOK, "dashboard", p)
}

// landing is where a sign-in without a next page goes: residents to their
// dashboard, staff to their account.
func landing(a identity.Account) string {
	if a.Kind == identity.Resident {
		return "/dashboard"
	}
	return "/account"
}
