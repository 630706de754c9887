package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/push"
)

// PushQueries are the Web Push subscription statements. Column order is
// fixed by scanPushSubscription.
type PushQueries struct {
	// UpsertSubscription inserts a subscription or, when its endpoint
	// exists, moves it to the new account with the new keys, keeping its ID.
	UpsertSubscription string
	SubscriptionsOf    string
	// DeleteSubscription deletes by endpoint and account; DeleteByEndpoint
	// by endpoint alone.
	DeleteSubscription, DeleteByEndpoint string
}

var _ push.Store = (*Store)(nil)

func scanPushSubscription(r scanner) (push.Subscription, error) {
	var p push.Subscription
	err := r.Scan(&p.ID, &p.AccountID, &p.Endpoint, &p.P256dh, &p.Auth, &p.UserAgent, &p.CreatedAt)
	return p, err
}

// AddPushSubscription stores a subscription, or moves the one with the
// same endpoint to p.AccountID.
func (s *Store) AddPushSubscription(ctx context.Context, p push.Subscription) error {
	_, err := s.db.ExecContext(ctx, s.q.Push.UpsertSubscription, p.ID, p.AccountID, p.Endpoint, p.P256dh, p.Auth,
		p.UserAgent, p.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("add push subscription: %w", err)
	}
	return nil
}

// PushSubscriptions lists an account's subscriptions, oldest first.
func (s *Store) PushSubscriptions(ctx context.Context, accountID string) ([]push.Subscription, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Push.SubscriptionsOf, accountID)
	if err != nil {
		return nil, fmt.Errorf("push subscriptions: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (push.Subscription, error) { return scanPushSubscription(r) })
}

// DeletePushSubscription removes one of the account's subscriptions.
func (s *Store) DeletePushSubscription(ctx context.Context, accountID, endpoint string) error {
	r, err := s.db.ExecContext(ctx, s.q.Push.DeleteSubscription, endpoint, accountID)
	if err != nil {
		return fmt.Errorf("delete push subscription: %w", err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return apperr.NotFoundf("push subscription not found")
	}
	return nil
}

// DeletePushSubscriptionByEndpoint removes the subscription of endpoint,
// if any, whatever its account.
func (s *Store) DeletePushSubscriptionByEndpoint(ctx context.Context, endpoint string) error {
	if _, err := s.db.ExecContext(ctx, s.q.Push.DeleteByEndpoint, endpoint); err != nil {
		return fmt.Errorf("delete push subscription: %w", err)
	}
	return nil
}
