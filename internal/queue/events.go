package queue

import (
	"context"
	"time"
)

// Topic returns the live-events topic of a branch.
func Topic(branch string) string { return "queue." + branch }

// Publisher sends live events to subscribers on every node (the realtime
// broker implements it). Publish must not block on slow subscribers.
type Publisher interface {
	Publish(ctx context.Context, topic string, data []byte) error
}

// Event is what a branch's subscribers receive after every change: what
// happened, and the branch's whole live status so a ticket page or a board
// needs no further request.
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
