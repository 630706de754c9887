package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oneaccount/oneaccount/internal/realtime"
)

// listenWait bounds how long Start waits for the first LISTEN.
const listenWait = 10 * time.Second

// buildLive makes the broker that carries live events (the queue's) to
// the server-sent event streams: in this process on SQLite (one node);
// on PostgreSQL also to and from the other nodes through LISTEN/NOTIFY,
// listening until Close. Start waits for the first LISTEN, so that a
// node opens no stream before it hears the others; if the database does
// not answer in time it goes on and the relay keeps retrying.
func (a *App) buildLive(ctx context.Context) error {
	if a.cfg.Engine() == "sqlite" {
		a.live = realtime.NewBroker(realtime.Options{MaxSubscribers: a.cfg.MaxStreams})
		a.events = a.live
		return nil
	}
	pg, err := realtime.NewPostgres(ctx, a.store.DB(), a.cfg.DB, a.log)
	if err != nil {
		return err
	}
	a.live = realtime.NewBroker(realtime.Options{Relay: pg, MaxSubscribers: a.cfg.MaxStreams})
	a.events = a.live
	a.stopLive = background(ctx, func(ctx context.Context) { pg.Listen(ctx, a.live) })
	select {
	case <-pg.Ready():
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(listenWait):
		a.log.WarnContext(ctx, "live events: not yet listening for other nodes; retrying in the background")
	}
	return nil
}

// closeLive ends the live streams and stops listening for other nodes.
func (a *App) closeLive() {
	if a.live != nil {
		a.live.Shutdown()
	}
	if a.stopLive != nil {
		a.stopLive()
		a.stopLive = nil
	}
}

// liveMetrics adds the broker's subscribers and dropped events to reg.
func (a *App) liveMetrics(reg *prometheus.Registry) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "oneaccount_live_subscribers",
			Help: "Open live event streams (server-sent events) on this node.",
		}, func() float64 { return float64(a.live.Stats().Subscribers) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "oneaccount_live_dropped_total",
			Help: "Live events dropped because a stream's buffer was full (the stream fell behind).",
		}, func() float64 { return float64(a.live.Stats().Dropped) }),
	)
}

// sessionMetrics adds the session cache's state and counts to reg
// (decision 0023): an operator sees a node whose cache is off because it
// does not hear the other nodes.
func (a *App) sessionMetrics(reg *prometheus.Registry) {
	stats := a.store.SessionCacheStats
	on := func() float64 {
		if stats().On {
			return 1
		}
		return 0
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "oneaccount_session_cache_on",
			Help: "1 while this node answers session checks from memory (on PostgreSQL: while it hears every node's changes), else 0.",
		}, on),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "oneaccount_session_cache_entries",
			Help: "Sessions this node holds in memory.",
		}, func() float64 { return float64(stats().Entries) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "oneaccount_session_cache_hits_total",
			Help: "Session checks answered from memory.",
		}, func() float64 { return float64(stats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "oneaccount_session_cache_misses_total",
			Help: "Session checks read from the database while the cache was on.",
		}, func() float64 { return float64(stats().Misses) }),
	)
}

// Live returns the live events broker; Start must have succeeded.
func (a *App) Live() *realtime.Broker { return a.live }
