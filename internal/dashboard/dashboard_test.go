package dashboard

import (
	"context"
	"slices"
	"testing"

	"github.com/oneaccount/oneaccount/internal/identity"
)

func load(context.Context, identity.Account) (any, bool, error) { return nil, true, nil }

func TestCardsSortedByOrderThenKey(t *testing.T) {
	r := New()
	r.Register(Card{Key: "tickets", Order: 30, Template: "t", Load: load})
	r.Register(Card{Key: "b", Order: 10, Template: "t", Load: load})
	r.Register(Card{Key: "a", Order: 10, Template: "t", Load: load})
	r.Register(Card{Key: "messages", Order: 5, Template: "t", Load: load})
	var keys []string
	for _, c := range r.Cards() {
		keys = append(keys, c.Key)
	}
	if want := []string{"messages", "a", "b", "tickets"}; !slices.Equal(keys, want) {
		t.Errorf("Cards() = %v, want %v", keys, want)
	}
}

func TestRegisterReplacesTheSameKey(t *testing.T) {
	r := New()
	r.Register(Card{Key: "x", Order: 1, Template: "old", Load: load})
	r.Register(Card{Key: "x", Order: 2, Template: "new", Load: load})
	cs := r.Cards()
	if len(cs) != 1 || cs[0].Template != "new" || cs[0].Order != 2 {
		t.Errorf("Cards() = %+v, want only the second card", cs)
	}
}

func TestRegisterRefusesIncompleteCards(t *testing.T) {
	for _, c := range []Card{{Template: "t", Load: load}, {Key: "k", Load: load}, {Key: "k", Template: "t"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%+v) did not panic", c)
				}
			}()
			New().Register(c)
		}()
	}
}

func TestZeroRegistryWorks(t *testing.T) {
	var r Registry
	r.Register(Card{Key: "k", Template: "t", Load: load})
	if len(r.Cards()) != 1 {
		t.Error("a zero Registry lost its card")
	}
}
