package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/config"
	"github.com/oneaccount/oneaccount/internal/keyring"
)

// runKeys handles `keys rotate [--alg ES256|RS256]` and `keys list`.
func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" && args[0] != "list" {
		return &config.UsageError{Msg: "keys: want `keys rotate [--alg ES256|RS256]` or `keys list`"}
	}
	sub := args[0]
	alg := keyring.ES256
	var extra func(*flag.FlagSet)
	if sub == "rotate" {
		extra = func(fs *flag.FlagSet) { fs.StringVar(&alg, "alg", keyring.ES256, "signing algorithm: ES256 or RS256") }
	}
	cfg, rest, err := config.LoadWith("keys "+sub, args[1:], getenv, stdout, extra)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &config.UsageError{Msg: fmt.Sprintf("keys %s: unexpected argument %q", sub, rest[0])}
	}
	if alg != keyring.ES256 && alg != keyring.RS256 {
		return &config.UsageError{Msg: fmt.Sprintf("--alg: %q: want ES256 or RS256", alg)}
	}
	if sub == "rotate" && cfg.KeyEncryptionKey == nil {
		return &config.UsageError{Msg: "keys rotate: set --key-encryption-key (ONEACCOUNT_KEY_ENCRYPTION_KEY); " +
			"it seals the private keys in the database"}
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return withApp(cfg, log, func(a *app.App) error {
		if cfg.AutoMigrate {
			if err := a.Migrate(ctx); err != nil {
				return err
			}
		}
		if sub == "list" {
			return listKeys(ctx, a.Store(), stdout)
		}
		return rotateKey(ctx, a.Store(), cfg.KeyEncryptionKey, alg, stdout)
	})
}

// rotateKey adds a key of alg and says when it signs and when the keys it
// replaces retire.
func rotateKey(ctx context.Context, st keyring.Store, kek []byte, alg string, stdout io.Writer) error {
	ring, err := keyring.New(st, kek, time.Now, keyring.Options{})
	if err != nil {
		return err
	}
	k, err := ring.Rotate(ctx, alg)
	if err != nil {
		return fmt.Errorf("keys rotate: %w", err)
	}
	fmt.Fprintf(stdout, "new %s key %s: published now, signs from %s\n", k.Alg, k.ID, stamp(k.ActiveFrom))
	keys, err := ring.List(ctx)
	if err != nil {
		return err
	}
	replaced := 0
	for _, o := range keys {
		if o.Alg == k.Alg && o.ID != k.ID && !o.RetireAt.IsZero() && !o.RetireAt.Before(k.ActiveFrom) {
			fmt.Fprintf(stdout, "old %s key %s: retires at %s\n", o.Alg, o.ID, stamp(o.RetireAt))
			replaced++
		}
	}
	if replaced == 0 {
		fmt.Fprintf(stdout, "no older %s key to retire\n", k.Alg)
	}
	return nil
}

// listKeys prints one line per key: kid, alg, state, active from, retire
// at. It needs no key-encryption key: nothing is decrypted.
func listKeys(ctx context.Context, st keyring.Store, stdout io.Writer) error {
	keys, err := st.SigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("keys list: %w", err)
	}
	if len(keys) == 0 {
		fmt.Fprintln(stdout, "no signing keys yet: `serve` creates them on start, or run `keys rotate`")
		return nil
	}
	now := time.Now()
	for _, k := range keys {
		retire := "-"
		if !k.RetireAt.IsZero() {
			retire = stamp(k.RetireAt)
		}
		fmt.Fprintf(stdout, "%-22s  %-5s  %-8s  %-20s  %s\n", k.ID, k.Alg, keyring.StateOf(k, keys, now),
			stamp(k.ActiveFrom), retire)
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
