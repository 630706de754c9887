// Package pglisten holds a PostgreSQL connection that LISTENs on one
// channel for as long as it is asked to, reconnecting when it fails. The
// live events between nodes (internal/realtime) and the session cache's
// changes (internal/store/postgres) each run one.
package pglisten

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Reconnection and liveness of the listening connection.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 10 * time.Second
	// pingEvery is how long the listener waits for a notification before
	// it checks that the connection is still alive.
	pingEvery = 30 * time.Second
	pingFor   = 5 * time.Second
)

// Handler is told what happens on the connection. Its functions are
// called one at a time, from the goroutine that runs Run.
type Handler struct {
	// Listening is called after each LISTEN succeeds: notifications sent
	// before it, while no connection listened, were missed.
	Listening func()
	// Notify gets each notification's payload.
	Notify func(payload string)
	// Lost is called when the connection fails, with how long Run waits
	// before it connects again.
	Lost func(err error, retryIn time.Duration)
}

// Run listens on channel through connections made with cfg until ctx is
// done. When a connection fails it connects again, waiting 100 ms
// doubling up to 10 s (with jitter) between attempts.
func Run(ctx context.Context, cfg *pgx.ConnConfig, channel string, h Handler) {
	backoff := minBackoff
	for {
		err := once(ctx, cfg, channel, h, func() { backoff = minBackoff })
		if ctx.Err() != nil {
			return
		}
		wait := backoff/2 + mrand.N(backoff/2+1)
		if h.Lost != nil {
			h.Lost(err, wait)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// once runs one connection until it fails or ctx is done.
func once(ctx context.Context, cfg *pgx.ConnConfig, channel string, h Handler, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	connected()
	if h.Listening != nil {
		h.Listening()
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, pingEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			h.Notify(n.Payload)
		case ctx.Err() != nil:
			return ctx.Err()
		case pgconn.Timeout(err):
			if err := ping(ctx, conn); err != nil {
				return err
			}
		default:
			return fmt.Errorf("wait: %w", err)
		}
	}
}

func ping(ctx context.Context, conn *pgx.Conn) error {
	pctx, cancel := context.WithTimeout(ctx, pingFor)
	defer cancel()
	if err := conn.Ping(pctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// Channel names a channel for a schema: prefix, and outside public an
// underscore and the schema, so that deployments (and tests) sharing a
// database never hear each other; at most 63 bytes (NAMEDATALEN - 1).
func Channel(prefix, schema string) string {
	name := prefix
	if schema != "public" && schema != "" {
		name += "_" + schema
	}
	if len(name) > 63 {
		name = name[:63]
	}
	return name
}
