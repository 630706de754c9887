// Package dashboard is the registry of the resident's dashboard cards.
// Each domain that has something to show a signed-in resident (unread
// messages, the assurance level, later appointments, tickets and
// applications) registers a Card at start-up; the web layer asks every
// card, in order, whether it has anything to show and renders those that
// do. The package knows nothing of HTTP or templates beyond a template's
// name, so cards are added without editing the dashboard.
package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/oneaccount/oneaccount/internal/identity"
)

// Card is one block of the dashboard.
type Card struct {
	// Key names the card; registering a card with a key already
	// registered replaces it.
	Key string
	// Order places the card: lower first; cards of equal order are
	// sorted by key.
	Order int
	// Title is the catalogue key of the card's heading.
	Title string
	// Template names the template that renders the card's body: the web
	// layer's templates/cards/{Template}.html.
	Template string
	// Load returns what the template shows for account a, and whether the
	// card has anything to show: a card with nothing to say is left out,
	// never shown empty.
	Load func(ctx context.Context, a identity.Account) (data any, show bool, err error)
}

// Registry holds the cards. It is safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	cards map[string]Card
}

// New returns an empty registry.
func New() *Registry { return &Registry{cards: map[string]Card{}} }

// Register adds c, replacing a card with the same key. A card without a
// key, a template or a Load function is a programming error and panics.
func (r *Registry) Register(c Card) {
	if c.Key == "" || c.Template == "" || c.Load == nil {
		panic(fmt.Sprintf("dashboard: card %q needs a key, a template and a Load function", c.Key))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cards == nil {
		r.cards = map[string]Card{}
	}
	r.cards[c.Key] = c
}

// Cards returns the registered cards, sorted by Order then Key.
func (r *Registry) Cards() []Card {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Card, 0, len(r.cards))
	for _, c := range r.cards {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Card) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Key, b.Key))
	})
	return out
}
