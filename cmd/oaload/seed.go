package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/config"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// seed opens o.seedDB through the app (migrating it and loading the
// reference directory as `oneaccount serve` would) and creates the
// generated residents that are not there yet, hashing on every core.
func seed(ctx context.Context, o options, stdout io.Writer) error {
	if err := checkLocalDB(o.seedDB); err != nil {
		return usageError{err.Error()}
	}
	cfg, _, err := config.Load("serve", []string{"--db", o.seedDB}, func(string) string { return "" }, io.Discard)
	if err != nil {
		return usageError{fmt.Sprintf("-seed-db: %v", err)}
	}
	a, err := app.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Start(ctx); err != nil {
		return err
	}
	hasher, err := password.NewHasher(password.DefaultParams, 0)
	if err != nil {
		return err
	}
	st := a.Identity().Store()
	start := time.Now()
	var created, existing atomic.Int64
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= o.users || ctx.Err() != nil {
					return
				}
				made, err := createResident(ctx, st, hasher, username(o.prefix, i), o.password)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				if made {
					created.Add(1)
				} else {
					existing.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded: %d created, %d already there, in %.1f s (%s-0000@example.com to %s)\n",
		created.Load(), existing.Load(), time.Since(start).Seconds(), o.prefix, username(o.prefix, o.users-1))
	return nil
}

// createResident creates a level-1 resident with email and pw unless the
// address is taken; it reports whether it created one.
func createResident(ctx context.Context, st identity.Store, hasher *password.Hasher, email, pw string) (bool, error) {
	em, err := contact.ParseEmail(email)
	if err != nil {
		return false, err
	}
	if _, err := st.AccountByUsername(ctx, em.Key()); err == nil {
		return false, nil
	} else if apperr.CodeOf(err) != apperr.NotFound {
		return false, fmt.Errorf("look up %s: %w", email, err)
	}
	hash, err := hasher.Hash(ctx, pw)
	if err != nil {
		return false, err
	}
	now := time.Now()
	a := identity.Account{ID: identity.NewID(), Kind: identity.Resident, NameLatin: "Load Test Resident", Email: em,
		PasswordHash: hash, Assurance: identity.Level1, Lang: lang.Default, CreatedAt: now, UpdatedAt: now}
	ev := audit.Event{Action: audit.AccountCreated, Actor: "platform", Subject: a.ID, UserAgent: "oaload"}
	if _, err := st.CreateAccount(ctx, a, ev); err != nil {
		if apperr.CodeOf(err) == apperr.Conflict {
			return false, nil
		}
		return false, fmt.Errorf("create %s: %w", email, err)
	}
	return true, nil
}

// checkLocalDB refuses a postgres URL that points off this machine; a
// SQLite file is local by nature.
func checkLocalDB(db string) error {
	if strings.HasPrefix(db, "sqlite:") {
		return nil
	}
	u, err := url.Parse(db)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("-seed-db: want sqlite:PATH or postgres://USER@127.0.0.1/DB")
	}
	hosts := []string{u.Hostname()}
	if h := u.Query().Get("host"); h != "" {
		hosts = append(hosts, h)
	}
	for _, h := range hosts {
		// An empty host or a socket directory is a Unix socket on this machine.
		if h != "" && !strings.HasPrefix(h, "/") && !isLoopbackHost(h) {
			return fmt.Errorf("-seed-db: refusing database host %q; only loopback hosts are allowed", h)
		}
	}
	return nil
}
