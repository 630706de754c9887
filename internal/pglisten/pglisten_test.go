package pglisten

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestChannel(t *testing.T) {
	for _, c := range []struct{ schema, want string }{
		{"public", "p"}, {"", "p"}, {"test_1", "p_test_1"},
	} {
		if got := Channel("p", c.schema); got != c.want {
			t.Errorf("Channel(p, %q) = %q, want %q", c.schema, got, c.want)
		}
	}
	if got := Channel("p", strings.Repeat("s", 80)); len(got) != 63 {
		t.Errorf("a long channel has %d bytes, want 63", len(got))
	}
}

// TestRunBacksOff runs against a server that is not there: each failure
// is reported with a growing wait, nothing is heard, and Run returns once
// its context is done.
func TestRunBacksOff(t *testing.T) {
	cfg, err := pgx.ParseConfig("postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var waits []time.Duration
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, cfg, "c", Handler{
			Listening: func() { t.Error("listening without a server") },
			Notify:    func(string) { t.Error("a notification without a server") },
			Lost: func(err error, wait time.Duration) {
				if err == nil {
					t.Error("a lost connection without an error")
				}
				if waits = append(waits, wait); len(waits) == 4 {
					cancel()
				}
			},
		})
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context was done")
	}
	for i, w := range waits {
		lo, hi := minBackoff<<i/2, minBackoff<<i
		if w < lo || w > hi {
			t.Errorf("wait %d = %v, want within [%v, %v]", i+1, w, lo, hi)
		}
	}
}
