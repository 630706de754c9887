// Package app is the composition root: it opens the store for the configured
// engine, migrates it, seeds the reference directory, and wires the web
// pages, the JSON API and the operational endpoints into one handler. The
// binary and the end-to-end tests both build the platform through it.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/api"
	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/config"
	"github.com/oneaccount/oneaccount/internal/demo"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/keyring"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/oidc"
	"github.com/oneaccount/oneaccount/internal/push"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/realtime"
	"github.com/oneaccount/oneaccount/internal/refdata"
	"github.com/oneaccount/oneaccount/internal/server"
	"github.com/oneaccount/oneaccount/internal/store/postgres"
	"github.com/oneaccount/oneaccount/internal/store/sqlite"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
	"github.com/oneaccount/oneaccount/internal/web"
)

// App is the running platform.
type App struct {
	cfg       config.Config
	log       *slog.Logger
	now       func() time.Time
	store     *sqlstore.Store
	dir       *directory.Directory
	identity  *identity.Service
	clients   *clients.Service
	keys      *keyring.Ring
	oidc      *oidc.Provider
	outbox    *notify.DevSink
	sender    *notify.Sender
	messages  *messages.Service
	runner    *jobs.Runner
	deliverer *messages.Deliverer
	push      *push.Sender
	// appointments books counter appointments.
	appointments *appointments.Service
	// queue issues and calls queue tickets; queueData is its settings file.
	queue     *queue.Service
	queueData queue.Data
	// events carries the queue's live events to every node (the realtime
	// broker); nil until it is built, and then no live events.
	events queue.Publisher
	// live is that broker, for the streams; stopLive stops its listening
	// for other nodes (PostgreSQL).
	live     *realtime.Broker
	stopLive func()
	// stopWatch stops the session cache's listener (PostgreSQL).
	stopWatch func()
	handler   http.Handler
}

// Open connects to the database in cfg and returns an App that has not yet
// migrated or seeded anything; see Start.
func Open(cfg config.Config, log *slog.Logger, now func() time.Time) (*App, error) {
	if now == nil {
		now = time.Now
	}
	var s *sqlstore.Store
	var err error
	if cfg.Engine() == "sqlite" {
		s, err = sqlite.Open(cfg.SQLitePath(), now)
	} else {
		s, err = postgres.Open(cfg.DB, now)
	}
	if err != nil {
		return nil, err
	}
	loc, err := directory.LoadLocation(directory.TimeZone)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	return &App{cfg: cfg, log: log, now: now, store: s, dir: directory.New(s, loc, now)}, nil
}

// Migrate applies pending migrations.
func (a *App) Migrate(ctx context.Context) error {
	if a.cfg.Engine() == "sqlite" {
		return sqlite.Migrate(ctx, a.store, a.log)
	}
	return postgres.Migrate(ctx, a.store, a.log)
}

// Start readies the app to serve: migrations (unless turned off), the
// reference directory on a fresh database, demo data with --demo, and the
// HTTP handler.
func (a *App) Start(ctx context.Context) error {
	if a.cfg.AutoMigrate {
		if err := a.Migrate(ctx); err != nil {
			return err
		}
	}
	if err := a.seed(ctx); err != nil {
		return err
	}
	if err := a.buildIdentity(); err != nil {
		return err
	}
	a.watchSessions(ctx)
	a.buildClients()
	a.buildMessages()
	if err := a.buildPush(); err != nil {
		return err
	}
	a.buildAppointments()
	if err := a.seedBookingRules(ctx); err != nil {
		return err
	}
	if err := a.buildLive(ctx); err != nil {
		return err
	}
	if err := a.buildQueue(); err != nil {
		return err
	}
	if err := a.seedQueues(ctx); err != nil {
		return err
	}
	if a.cfg.Demo {
		if err := a.loadDemo(ctx); err != nil {
			return err
		}
	}
	h, err := a.buildHandler(ctx)
	if err != nil {
		return err
	}
	a.handler = h
	return nil
}

// loadDemo adds the demo records and logs the demo credentials.
func (a *App) loadDemo(ctx context.Context) error {
	if err := demo.Load(ctx, a.dir); err != nil {
		return err
	}
	creds, err := demo.Accounts(ctx, a.identity)
	if err != nil {
		return err
	}
	for _, c := range creds {
		a.log.InfoContext(ctx, "demo account", "who", c.Who, "username", c.Email, "password", c.Password, "totp_secret", c.TOTP)
	}
	if err := demo.LoadClients(ctx, a.clients); err != nil {
		return err
	}
	a.log.InfoContext(ctx, "demo relying party", "client_id", demo.RPClientID, "client_secret", demo.RPSecret,
		"redirect_uri", demo.RPRedirectURI)
	return nil
}

// seed imports the Macao reference directory into an empty database.
func (a *App) seed(ctx context.Context) error {
	ents, err := a.store.Entities(ctx)
	if err != nil {
		return fmt.Errorf("check directory: %w", err)
	}
	if len(ents) > 0 {
		return nil
	}
	ds, err := refdata.Macao()
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	res, err := a.store.Import(ctx, ds)
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "reference directory loaded", "entities", res.Entities, "services", res.Services,
		"branches", res.Branches, "holidays", res.Holidays)
	return nil
}

// ImportDirectory loads a directory data file.
func (a *App) ImportDirectory(ctx context.Context, r io.Reader) (directory.ImportResult, error) {
	ds, err := directory.ParseDataset(r)
	if err != nil {
		return directory.ImportResult{}, err
	}
	return a.store.Import(ctx, ds)
}

func (a *App) buildHandler(ctx context.Context) (http.Handler, error) {
	var w *web.Web
	if err := a.buildOIDC(ctx, func() *web.Web { return w }); err != nil {
		return nil, err
	}
	opts := web.Options{Directory: a.dir, Log: a.log, Demo: a.cfg.Demo, Secure: a.cfg.Secure(),
		Identity: a.identity, Outbox: a.outbox, OIDC: a.oidc, Clients: a.clients,
		Messages: a.messages, Jobs: a.store, Appointments: a.appointments, Queue: a.queue}
	if a.push != nil {
		opts.PushKey, opts.PushSubscribe, opts.PushUnsubscribe = a.push.PublicKey(), a.push.Subscribe, a.push.Unsubscribe
	}
	w, err := web.New(opts)
	if err != nil {
		return nil, err
	}
	metrics := server.NewMetrics()
	a.liveMetrics(metrics.Registry())
	a.sessionMetrics(metrics.Registry())
	mux := http.NewServeMux()
	server.Health(mux, a.store, a.log)
	metrics.Mount(mux)
	jsonAPI := api.New(a.dir, a.log)
	jsonAPI.SetAuthenticator(w.Authenticator())
	jsonAPI.SetTokenVerifier(a.tokenVerifier())
	jsonAPI.SetMessaging(api.Messaging{Service: a.messages, PerSecond: a.cfg.MessagesRate})
	jsonAPI.SetAppointments(a.appointments)
	jsonAPI.SetQueue(a.queue)
	jsonAPI.SetLive(a.live)
	jsonAPI.SetAccountLoader(func(r *http.Request, id string) (identity.Account, error) {
		return a.store.Account(r.Context(), id)
	})
	jsonAPI.Mount(mux)
	if a.oidc != nil {
		a.oidc.Mount(mux)
	}
	w.Mount(mux)
	onError := func(rw http.ResponseWriter, r *http.Request, status int) {
		if strings.HasPrefix(r.URL.Path, api.Prefix) {
			code := apperr.Internal
			if status == http.StatusForbidden {
				code = apperr.Forbidden
			}
			api.WriteProblem(rw, r, status, code, http.StatusText(status))
			return
		}
		w.Error(rw, r, status)
	}
	return server.Wrap(mux, server.Options{Log: a.log, Metrics: metrics, Secure: a.cfg.Secure(), OnError: onError}), nil
}

// Handler returns the HTTP handler; Start must have succeeded.
func (a *App) Handler() http.Handler { return a.handler }

// Identity returns the identity service; Start must have succeeded.
func (a *App) Identity() *identity.Service { return a.identity }

// Outbox returns the development message sink, nil without --demo.
func (a *App) Outbox() *notify.DevSink { return a.outbox }

// Store returns the database store.
func (a *App) Store() *sqlstore.Store { return a.store }

// Directory returns the directory service.
func (a *App) Directory() *directory.Directory { return a.dir }

// sweepEvery is how often Serve deletes expired sessions and codes.
const sweepEvery = 10 * time.Minute

// sweep deletes expired identity records until ctx is done. Every node
// sweeps; the deletes are idempotent, so nodes need not coordinate.
func (a *App) sweep(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r, err := a.identity.Sweep(ctx)
			if err != nil {
				a.log.WarnContext(ctx, "sweep failed", "err", err)
				continue
			}
			a.log.InfoContext(ctx, "swept expired records", "sessions", r.Sessions, "codes", r.Codes,
				"registrations", r.Registrations, "throttles", r.Throttles)
			a.sweepOIDC(ctx)
			a.sweepJobs(ctx)
		}
	}
}

// Serve serves on ln until ctx is done, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	go a.sweep(ctx)
	go a.runner.Run(ctx)
	srv := server.New(a.handler, a.log)
	srv.RegisterOnShutdown(a.live.Shutdown) // live streams end, so shutdown does not wait on them
	a.log.InfoContext(ctx, "serving", "addr", ln.Addr().String(), "base_url", a.cfg.BaseURL.String(),
		"engine", a.cfg.Engine(), "demo", a.cfg.Demo)
	return server.Serve(ctx, srv, ln, a.cfg.ShutdownTimeout)
}

// Close ends the live streams and closes the database.
func (a *App) Close() error {
	a.stopWatching()
	a.closeLive()
	if a.queue != nil {
		a.queue.Flush() // live events and notices of the last changes, before the database goes
	}
	return a.store.Close()
}
