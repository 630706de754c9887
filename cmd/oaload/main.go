// Command oaload fires concurrent password sign-ins (POST /login) at a
// OneAccount server on this machine and prints what came back: status
// counts (303 with a session cookie, 429 and 503 with or without
// Retry-After, anything else), transport errors, latency percentiles and
// sign-ins per second. It only ever talks to loopback addresses
// (127.0.0.0/8, ::1, localhost), and every run is bounded by -duration and,
// optionally, -requests; in-flight requests are then given up to -timeout.
//
// The accounts are generated: PREFIX-0000@example.com to
// PREFIX-(N-1)@example.com, all with the same password. There is no admin
// API over HTTP, so they are created beforehand by opening the database
// directly with -seed-db, which migrates it like `oneaccount serve` would,
// hashes each password at the server's Argon2id parameters and exits;
// accounts already there are kept. Seed before starting the server (SQLite
// also tolerates a running server):
//
//	oaload -seed-db sqlite:/tmp/flood.db -users 500
//	oneaccount serve --addr 127.0.0.1:8080 --db sqlite:/tmp/flood.db &
//	oaload -url http://127.0.0.1:8080 -users 500 -concurrency 500 -duration 30s
//
// Each sign-in is a fresh browser: its own cookie jar, no redirects
// followed. Requests are spread over the accounts round robin, so with
// -users at least -concurrency no two in-flight requests share an account.
// They all come from one address, which matters only if some fail: the
// server allows 20 failed sign-ins an hour per address before answering 429.
//
// Exit status: 0 when every answer was 303, 429 or 503; 3 when there were
// transport errors or other statuses; 2 for bad flags; 1 for other errors.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Bounds on the flags, so that no run is unbounded.
const (
	maxDuration    = 10 * time.Minute
	maxRequests    = 1_000_000
	maxConcurrency = 5000
	maxUsers       = 100_000
)

// defaultPassword is the generated accounts' password unless -password is
// given.
const defaultPassword = "violet tram hums under harbour fog"

type options struct {
	url         string
	users       int
	concurrency int
	duration    time.Duration
	requests    int
	timeout     time.Duration
	password    string
	prefix      string
	seedDB      string
	progress    time.Duration
}

// errUnexpected says the run saw answers other than 303, 429 and 503.
var errUnexpected = errors.New("unexpected answers")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "oaload: %v\n", err)
		os.Exit(2)
	case errors.Is(err, errUnexpected):
		os.Exit(3)
	default:
		fmt.Fprintf(os.Stderr, "oaload: %v\n", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.seedDB != "" {
		return seed(ctx, o, stdout)
	}
	target, err := loopbackURL(o.url)
	if err != nil {
		return usageError{err.Error()}
	}
	res, err := load(ctx, o, target, stderr)
	if err != nil {
		return err
	}
	res.print(stdout, o, target)
	if res.unexpected() > 0 {
		return errUnexpected
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("oaload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "base URL of the server; loopback only")
	fs.IntVar(&o.users, "users", 500, "number of generated accounts to sign in as")
	fs.IntVar(&o.concurrency, "concurrency", 50, "sign-ins in flight at once")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to keep starting sign-ins (at most 10m)")
	fs.IntVar(&o.requests, "requests", 0, "stop after starting this many sign-ins (0: only -duration bounds the run)")
	fs.DurationVar(&o.timeout, "timeout", 60*time.Second, "give up on one sign-in after this long")
	fs.StringVar(&o.password, "password", defaultPassword, "the accounts' password")
	fs.StringVar(&o.prefix, "prefix", "oaload", "generated usernames are PREFIX-NNNN@example.com")
	fs.StringVar(&o.seedDB, "seed-db", "", "create the -users accounts in this database (sqlite:PATH or a loopback postgres:// URL), then exit")
	fs.DurationVar(&o.progress, "progress", 5*time.Second, "print progress to stderr this often (0: never)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return o, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case o.users < 1 || o.users > maxUsers:
		return o, usageError{fmt.Sprintf("-users: want 1 to %d", maxUsers)}
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return o, usageError{fmt.Sprintf("-concurrency: want 1 to %d", maxConcurrency)}
	case o.duration <= 0 || o.duration > maxDuration:
		return o, usageError{fmt.Sprintf("-duration: want more than 0, at most %s", maxDuration)}
	case o.requests < 0 || o.requests > maxRequests:
		return o, usageError{fmt.Sprintf("-requests: want 0 to %d", maxRequests)}
	case o.timeout <= 0 || o.timeout > maxDuration:
		return o, usageError{fmt.Sprintf("-timeout: want more than 0, at most %s", maxDuration)}
	case o.password == "":
		return o, usageError{"-password: want a password"}
	case o.prefix == "" || len(o.prefix) > 40:
		return o, usageError{"-prefix: want 1 to 40 characters"}
	case o.progress < 0:
		return o, usageError{"-progress: want 0 or more"}
	}
	return o, nil
}

// username is the i-th generated account's email address.
func username(prefix string, i int) string { return fmt.Sprintf("%s-%04d@example.com", prefix, i) }
