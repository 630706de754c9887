package postgres

import (
	"context"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// sessionChannel names the NOTIFY channel of migration 00012's triggers
// for a schema.
func sessionChannel(schema string) string {
	name := "oneaccount_auth"
	if schema != "public" && schema != "" {
		name += "_" + schema
	}
	if len(name) > 63 { // NAMEDATALEN - 1
		name = name[:63]
	}
	return name
}

// Reconnection and liveness of the watching connection.
const (
	watchMinBackoff = 100 * time.Millisecond
	watchMaxBackoff = 10 * time.Second
	watchPingEvery  = 30 * time.Second
	watchPingFor    = 5 * time.Second
)

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
	defer st.SessionCacheOn(false)
	backoff := watchMinBackoff
	for {
		err := watchOnce(ctx, st, cfg, func() {
			backoff = watchMinBackoff
			if ready != nil {
				ready()
			}
		})
		st.SessionCacheOn(false)
		if ctx.Err() != nil {
			return nil
		}
		wait := backoff/2 + mrand.N(backoff/2+1)
		log.WarnContext(ctx, "session cache off: lost the connection that hears other nodes' changes",
			"err", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		backoff = min(2*backoff, watchMaxBackoff)
	}
}

// watchOnce runs one listening connection until it fails or ctx is done.
func watchOnce(ctx context.Context, st *sqlstore.Store, cfg *pgx.ConnConfig, listening func()) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{sessionChannel(schema)}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// Every change committed from now on is heard; what the cache held
	// before may be stale, so it starts empty.
	st.SessionCacheOn(true)
	listening()
	for {
		wctx, cancel := context.WithTimeout(ctx, watchPingEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			st.ForgetAccount(n.Payload)
		case ctx.Err() != nil:
			return ctx.Err()
		case pgconn.Timeout(err):
			pctx, cancel := context.WithTimeout(ctx, watchPingFor)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return fmt.Errorf("ping: %w", err)
			}
		default:
			return fmt.Errorf("wait: %w", err)
		}
	}
}
