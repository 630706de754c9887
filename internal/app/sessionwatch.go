package app

import (
	"context"

	"github.com/oneaccount/oneaccount/internal/store/postgres"
)

// watchSessions, on PostgreSQL, runs the listener that keeps this node's
// session cache in step with every node's changes (postgres.WatchSessions)
// until Close. Until it first listens the cache is off, so requests read
// their session from the database as without a cache. SQLite has one
// process, whose store forgets on its own writes.
func (a *App) watchSessions(ctx context.Context) {
	if a.cfg.Engine() != "postgres" {
		return
	}
	a.stopWatch = background(ctx, func(ctx context.Context) {
		if err := postgres.WatchSessions(ctx, a.store, a.cfg.DB, a.log, nil); err != nil {
			a.log.WarnContext(ctx, "session cache off: cannot watch other nodes' changes", "err", err)
		}
	})
}

// background runs fn in a goroutine with a context that outlives ctx's
// cancellation (but keeps its values) and returns the function that
// cancels it and waits for fn to return.
func background(ctx context.Context, fn func(context.Context)) (stop func()) {
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(bctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// stopWatching stops the session listener, if any.
func (a *App) stopWatching() {
	if a.stopWatch != nil {
		a.stopWatch()
		a.stopWatch = nil
	}
}
