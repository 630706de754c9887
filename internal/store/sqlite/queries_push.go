package sqlite

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const pushCols = `id, account_id, endpoint, p256dh, auth, user_agent, created_at`

var pushQueries = sqlstore.PushQueries{
	UpsertSubscription: `INSERT INTO push_subscriptions (` + pushCols + `) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (endpoint) DO UPDATE SET account_id = excluded.account_id, p256dh = excluded.p256dh,
			auth = excluded.auth, user_agent = excluded.user_agent, created_at = excluded.created_at`,
	SubscriptionsOf:    `SELECT ` + pushCols + ` FROM push_subscriptions WHERE account_id = ? ORDER BY created_at, id`,
	DeleteSubscription: `DELETE FROM push_subscriptions WHERE endpoint = ? AND account_id = ?`,
	DeleteByEndpoint:   `DELETE FROM push_subscriptions WHERE endpoint = ?`,
}
