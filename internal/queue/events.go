package queue

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// Topic returns the live-events topic of a branch.
func Topic(branch string) string { return "queue." + branch }

// Publisher sends live events to subscribers on every node (the realtime
// broker implements it). Publish must not block on slow subscribers.
type Publisher interface {
	// Publish sends the events of one topic, in order, at once.
	Publish(ctx context.Context, topic string, data ...[]byte) error
}

// Event is what a branch's subscribers receive after every change: what
// happened, and the branch's whole live status so a ticket page or a board
// needs no further request. Of a round of calls sent together only the
// last carries the status (see wireEvents).
type Event struct {
	// Kind is "called", "recalled" or "changed".
	Kind string `json:"kind"`
	// Call is the ticket called or recalled, for boards and the chime.
	Call   *Call        `json:"call,omitempty"`
	Status BranchStatus `json:"status"`
}

// Call is one call on the board.
type Call struct {
	Number  string    `json:"number"`
	Queue   string    `json:"queue"`
	Counter string    `json:"counter"`
	At      time.Time `json:"at"`
}

// BranchStatus is a branch's live status: what the public status page,
// the board and ticket pages show.
type BranchStatus struct {
	Branch string        `json:"branch"`
	Queues []QueueStatus `json:"queues"`
	// Calls are the latest calls, newest first (at most 10).
	Calls []Call    `json:"calls"`
	At    time.Time `json:"at"`
}

// QueueStatus is one queue's live status.
type QueueStatus struct {
	Code       string `json:"code"`
	NowServing string `json:"now_serving"`
	Waiting    int    `json:"waiting"`
	// Order lists the waiting numbers in the order they are expected to
	// be called, so a ticket page finds how many are ahead of it.
	Order        []string `json:"order"`
	OpenCounters int      `json:"open_counters"`
	// ETAMinutes is the estimated wait for a ticket taken now; ETALow and
	// ETAHigh bound it.
	ETAMinutes int `json:"eta_minutes"`
	ETALow     int `json:"eta_low"`
	ETAHigh    int `json:"eta_high"`
}

// wireEvents encodes a round of events: every call and recall as its own
// event (a board chimes for each), plain changes as one only when the
// round has no call, and the branch's status on the last event only, so a
// busy branch's round costs one status however many calls it holds.
func wireEvents(evs []Event, st BranchStatus) [][]byte {
	hasCall := slices.ContainsFunc(evs, func(e Event) bool { return e.Call != nil })
	var keep []Event
	for _, ev := range evs {
		if ev.Call != nil || !hasCall && len(keep) == 0 {
			keep = append(keep, ev)
		}
	}
	out := make([][]byte, 0, len(keep))
	for i, ev := range keep {
		w := struct {
			Kind   string        `json:"kind"`
			Call   *Call         `json:"call,omitempty"`
			Status *BranchStatus `json:"status,omitempty"`
		}{Kind: ev.Kind, Call: ev.Call}
		if i == len(keep)-1 {
			w.Status = &st
		}
		if b, err := json.Marshal(w); err == nil {
			out = append(out, b)
		}
	}
	return out
}
