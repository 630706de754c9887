// Command oneaccount runs the OneAccount platform: `serve` (the default),
// `migrate`, and `directory import FILE`. Run `oneaccount --help` for the
// settings.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/config"
	"github.com/oneaccount/oneaccount/internal/server"
)

// gcPercent is the garbage collector's target the server runs with
// unless GOGC is set: the heap may grow to five times what is live before
// a collection, trading memory (tens of MB live) for CPU (decision 0021).
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err and returns 2 for usage errors, 1 for others.
func exitCode(err error, stderr io.Writer) int {
	var ue *config.UsageError
	switch {
	case err == nil, errors.Is(err, config.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "oneaccount: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "oneaccount: %v\n", err)
		return 1
	}
}

// run parses the command and its settings and runs it until ctx is done.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	command := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		command, args = args[0], args[1:]
	}
	if command == "help" {
		config.PrintHelp(stdout)
		return nil
	}
	if command == "users" || command == "staff" || command == "audit" {
		return runAccounts(ctx, command, args, getenv, stdout)
	}
	if command == "clients" {
		return runClients(ctx, args, getenv, stdout)
	}
	if command == "keys" {
		return runKeys(ctx, args, getenv, stdout)
	}
	if command == "directory" {
		if len(args) == 0 || args[0] != "import" {
			return &config.UsageError{Msg: "directory: want `directory import FILE`"}
		}
		args = args[1:]
	}
	cfg, rest, err := config.Load(command, args, getenv, stdout)
	if err != nil {
		return err
	}
	log := slog.New(server.LogHandler(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel})))
	switch command {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return withApp(cfg, log, func(a *app.App) error { return a.Migrate(ctx) })
	case "directory":
		if len(rest) != 1 {
			return &config.UsageError{Msg: "directory import: want exactly one FILE"}
		}
		return importDirectory(ctx, cfg, log, rest[0], stdout)
	default:
		return &config.UsageError{Msg: fmt.Sprintf("unknown command %q (want serve, migrate, directory, users, staff, audit, clients or keys)", command)}
	}
}

func withApp(cfg config.Config, log *slog.Logger, fn func(*app.App) error) error {
	a, err := app.Open(cfg, log, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	return withApp(cfg, log, func(a *app.App) error {
		if err := a.Start(ctx); err != nil {
			return err
		}
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
		}
		return a.Serve(ctx, ln)
	})
}

func importDirectory(ctx context.Context, cfg config.Config, log *slog.Logger, path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("directory import: %w", err)
	}
	defer f.Close()
	return withApp(cfg, log, func(a *app.App) error {
		if err := a.Migrate(ctx); err != nil {
			return err
		}
		res, err := a.ImportDirectory(ctx, f)
		if err != nil {
			return fmt.Errorf("directory import %s: %w", path, err)
		}
		fmt.Fprintf(stdout, "imported %s: %d entities, %d services, %d branches, %d holidays changed; %d holidays removed\n",
			path, res.Entities, res.Services, res.Branches, res.Holidays, res.HolidaysRemoved)
		return nil
	})
}
