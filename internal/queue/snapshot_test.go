package queue

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestLatestCalls: the top calls kept while scanning, and those of the
// finished tickets merged with the ones in play, are the top of a full
// sort of every call.
func TestLatestCalls(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	statuses := []Status{Waiting, Called, Parked, Missed, Done, Cancelled}
	for round := range 200 {
		var ts []Ticket
		for i := range rng.IntN(40) {
			tk := Ticket{ID: fmt.Sprint(i), Number: fmt.Sprintf("A%03d", i), Queue: []string{"A", "B"}[rng.IntN(2)],
				Status: statuses[rng.IntN(len(statuses))]}
			if rng.IntN(4) > 0 {
				tk.CalledAt = t0.Add(time.Duration(rng.IntN(20)) * time.Minute)
			}
			ts = append(ts, tk)
		}
		var want []Ticket
		for _, tk := range ts {
			if isCall(tk) {
				want = append(want, tk)
			}
		}
		slices.SortFunc(want, func(a, b Ticket) int {
			if laterCall(a, b) {
				return -1
			}
			return 1
		})
		want = want[:min(len(want), maxCalls)]
		if got := latestCalls(ts); !slices.EqualFunc(got, want, func(a, b Ticket) bool { return a.ID == b.ID }) {
			t.Fatalf("round %d: latestCalls = %v, want %v", round, numbers(got), numbers(want))
		}
		live, st := settle(ts)
		merged := append(latestCalls(live), st.calls...)
		if got := latestCalls(merged); !slices.EqualFunc(got, want, func(a, b Ticket) bool { return a.ID == b.ID }) {
			t.Fatalf("round %d: merged calls = %v, want %v", round, numbers(got), numbers(want))
		}
		for _, q := range []string{"A", "B"} {
			if got, full := nowServing(live, st.serving[q], q), nowServing(ts, Ticket{}, q); got != full {
				t.Fatalf("round %d: now serving %s = %q from the settled split, %q from all", round, q, got, full)
			}
		}
	}
}

func numbers(ts []Ticket) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Number)
	}
	return out
}

func TestRoundGap(t *testing.T) {
	for _, c := range []struct{ took, want time.Duration }{
		{0, drainGap},
		{5 * time.Millisecond, drainGap},
		{20 * time.Millisecond, 200 * time.Millisecond},
		{time.Second, maxDrainGap},
	} {
		if got := roundGap(c.took); got != c.want {
			t.Errorf("roundGap(%v) = %v, want %v", c.took, got, c.want)
		}
	}
}
