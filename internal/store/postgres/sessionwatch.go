package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oneaccount/oneaccount/internal/pglisten"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// sessionChannelPrefix names the NOTIFY channel of migration 00012's
// triggers (with the schema after it outside public).
const sessionChannelPrefix = "oneaccount_auth"

// WatchSessions keeps st's session cache in step with the changes every
// node makes to sessions, accounts, roles and passkeys, until ctx is
// done. It listens on its own connection to url (st's database and
// schema): while it listens the cache is on, and each notification
// forgets one account; when the connection fails the cache is off until
// it listens again, empty. ready, if set, is called after each LISTEN.
func WatchSessions(ctx context.Context, st *sqlstore.Store, url string, log *slog.Logger, ready func()) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("watch sessions: postgres url: %w", err)
	}
	cfg.RuntimeParams["application_name"] = "oneaccount-sessions"
	var schema string
	if err := st.DB().QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("watch sessions: read schema: %w", err)
	}
	defer st.SessionCacheOn(false)
	pglisten.Run(ctx, cfg, pglisten.Channel(sessionChannelPrefix, schema), pglisten.Handler{
		Listening: func() {
			// Every change committed from now on is heard; what the cache
			// held before may be stale, so it starts empty.
			st.SessionCacheOn(true)
			if ready != nil {
				ready()
			}
		},
		Notify: st.ForgetAccount,
		Lost: func(err error, wait time.Duration) {
			st.SessionCacheOn(false)
			log.WarnContext(ctx, "session cache off: lost the connection that hears other nodes' changes",
				"err", err, "retry_in", wait.String())
		},
	})
	return nil
}
