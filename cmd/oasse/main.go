// Command oasse measures live queue events at scale: it holds thousands of
// server-sent event streams open on one node, calls tickets, and reports
// how long each call took to reach every stream and how much memory the
// server spent per stream. It has two roles, run as two processes on this
// machine so that neither holds more than one end of each connection:
//
//	oasse serve -db sqlite:/tmp/sse.db -addr 127.0.0.1:8089 -control 127.0.0.1:8090
//	oasse load -url http://127.0.0.1:8089 -control http://127.0.0.1:8090 -streams 10000 -calls 20
//
// serve runs the platform as `oneaccount serve` does (internal/app: the
// same handler stack, queue service, broker and SSE route), with its clock
// moved to 10:00 on the branch's next working day so that the queue is
// open, and a control listener for the load role: POST /take?n=N takes N
// kiosk tickets; POST /ready opens the counters (the first time) and
// completes the ticket last called at the next counter (round robin);
// POST /call calls the next ticket there, answering its number and the
// wall-clock time just before the call; GET /stats answers the process's
// resident memory and CPU time and, after a garbage collection, its Go
// heap and stacks, goroutines, open streams and events delivered.
//
// load takes the tickets, then opens -streams streams to
// GET /api/v1/branches/BRANCH/queue/events (each counted once its first
// event, the snapshot, has arrived), reads /stats before and after, then
// makes -calls calls -every apart, each half an interval after its
// counter completed the ticket before (a change broadcast too, but not
// measured), as a counter does. For every call it notes when the call's
// event arrived on each stream and prints the percentiles of those delays
// over all deliveries, the streams that missed a call, and the server's
// memory per stream and CPU per event delivered.
//
// With two serve processes on one PostgreSQL database, -url may name one
// node and -control the other: the calls then reach the streams through
// LISTEN/NOTIFY (-stats names the streams' node's control listener, for
// its memory). Both roles talk to loopback addresses only.
//
// Exit status: 0 when every stream received every call; 3 when some
// missed one or a stream failed; 2 for bad flags; 1 for other errors.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// errMissed says some streams missed calls or failed.
var errMissed = errors.New("some streams missed calls")

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "oasse: %v\n", err)
		os.Exit(2)
	case errors.Is(err, errMissed):
		fmt.Fprintf(os.Stderr, "oasse: %v\n", err)
		os.Exit(3)
	default:
		fmt.Fprintf(os.Stderr, "oasse: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"want a role: serve or load (see the package documentation)"}
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "load":
		return load(ctx, args[1:], stdout, stderr)
	default:
		return usageError{fmt.Sprintf("unknown role %q: want serve or load", args[0])}
	}
}

// loopbackAddr checks that a host:port or URL host is a loopback address.
func loopbackAddr(flagName, host string) error {
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil || !ip.Unmap().IsLoopback() {
		return usageError{fmt.Sprintf("-%s: %q is not a loopback address; oasse stays on this machine", flagName, host)}
	}
	return nil
}
