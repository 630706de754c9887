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
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = postgres.WatchSessions(wctx, a.store, a.cfg.DB, a.log, nil)
	}()
	a.stopWatch = func() {
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
