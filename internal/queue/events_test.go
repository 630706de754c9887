package queue

import (
	"encoding/json"
	"testing"
)

// TestWireEvents: a round sends every call, one change only when it has
// no call, and the status on its last event only.
func TestWireEvents(t *testing.T) {
	st := BranchStatus{Branch: "DSI-HQ", Queues: []QueueStatus{{Code: "A", NowServing: "A003"}}}
	call := func(n string) Event {
		return Event{Kind: "called", Call: &Call{Number: n, Queue: "A", Counter: "DSI-01"}}
	}
	change := Event{Kind: "changed"}
	for name, tc := range map[string]struct {
		in    []Event
		calls []string // the call of each event sent, "" for a change
	}{
		"calls and changes": {[]Event{change, call("A001"), change, call("A002"), call("A003")}, []string{"A001", "A002", "A003"}},
		"changes only":      {[]Event{change, change}, []string{""}},
		"one call":          {[]Event{call("A001")}, []string{"A001"}},
	} {
		out := wireEvents(tc.in, st)
		if len(out) != len(tc.calls) {
			t.Fatalf("%s: %d events sent, want %d", name, len(out), len(tc.calls))
		}
		for i, b := range out {
			var ev struct {
				Kind   string        `json:"kind"`
				Call   *Call         `json:"call"`
				Status *BranchStatus `json:"status"`
			}
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatal(err)
			}
			if got := ""; ev.Call != nil {
				got = ev.Call.Number
				if got != tc.calls[i] {
					t.Errorf("%s: event %d calls %q, want %q", name, i, got, tc.calls[i])
				}
			} else if tc.calls[i] != "" {
				t.Errorf("%s: event %d has no call, want %q", name, i, tc.calls[i])
			}
			last := i == len(out)-1
			if (ev.Status != nil) != last || last && ev.Status.Queues[0].NowServing != "A003" {
				t.Errorf("%s: event %d status %+v (last %v)", name, i, ev.Status, last)
			}
		}
	}
}
