package push

import (
	"context"
	"slices"
	"sync"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// memStore is an in-memory Store with the SQL stores' semantics (the
// conformance suite in store/storetest checks those).
type memStore struct {
	mu   sync.Mutex
	subs []Subscription // oldest first
}

func (m *memStore) AddPushSubscription(_ context.Context, s Subscription) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, old := range m.subs {
		if old.Endpoint == s.Endpoint {
			s.ID = old.ID
			m.subs = append(slices.Delete(m.subs, i, i+1), s)
			return nil
		}
	}
	m.subs = append(m.subs, s)
	return nil
}

func (m *memStore) PushSubscriptions(_ context.Context, accountID string) ([]Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Subscription
	for _, s := range m.subs {
		if s.AccountID == accountID {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *memStore) DeletePushSubscription(_ context.Context, accountID, endpoint string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.subs)
	m.subs = slices.DeleteFunc(m.subs, func(s Subscription) bool {
		return s.AccountID == accountID && s.Endpoint == endpoint
	})
	if len(m.subs) == n {
		return apperr.NotFoundf("push subscription not found")
	}
	return nil
}

func (m *memStore) DeletePushSubscriptionByEndpoint(_ context.Context, endpoint string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.subs = slices.DeleteFunc(m.subs, func(s Subscription) bool { return s.Endpoint == endpoint })
	return nil
}

// all returns every stored subscription.
func (m *memStore) all() []Subscription {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.subs)
}
