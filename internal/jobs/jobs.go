// Package jobs is the durable job queue: work enqueued in the same
// transaction as the change that causes it (a message to deliver, later a
// reminder), kept in the database so it survives restarts, run by a Runner
// on every node, retried with exponential backoff, and kept as a dead
// letter with its reason when it keeps failing. An operator can retry a
// dead job. A job's dedupe key makes enqueueing the same work twice a
// no-op.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// Status is where a job is in its life.
type Status string

// The statuses.
const (
	Queued  Status = "queued"
	Running Status = "running"
	Done    Status = "done"
	Dead    Status = "dead"
)

// Job is one unit of durable work.
type Job struct {
	ID   string
	Kind string
	// DedupeKey names the work: a second job with the same key is not
	// enqueued, and channels pass it on so a retry is recognisable.
	DedupeKey   string
	Payload     json.RawMessage
	Status      Status
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LockedUntil time.Time
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// New returns a queued job of kind with payload v, due at runAt.
func New(kind, dedupeKey string, v any, runAt time.Time) (Job, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Job{}, fmt.Errorf("job payload: %w", err)
	}
	return Job{ID: newID(), Kind: kind, DedupeKey: dedupeKey, Payload: b, Status: Queued,
		MaxAttempts: DefaultMaxAttempts, RunAt: runAt.UTC(), CreatedAt: runAt.UTC(), UpdatedAt: runAt.UTC()}, nil
}

// DefaultMaxAttempts is how often a job is tried before it is dead: with
// Backoff, retries span about 30 hours (a relay down overnight and most of
// the next day does not lose a message).
const DefaultMaxAttempts = 16

// Backoff is the wait before attempt n+1 after n failed attempts:
// 10 s, 20 s, 40 s, ... doubling, capped at 6 hours, with up to 10%
// random jitter so that jobs failing together do not retry together.
func Backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := 10 * time.Second
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 6*time.Hour)
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

// Store keeps jobs. Enqueueing happens inside other stores' transactions
// (each domain store takes the jobs to write with its own change); this
// interface is what the runner and the operator pages need.
type Store interface {
	// ClaimJobs marks up to n due jobs running until now+lease and
	// returns them: queued jobs whose time has come, and running jobs
	// whose lease expired (their worker died). Each job is claimed by one
	// caller only.
	ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, n int) ([]Job, error)
	// CompleteJob marks a job done.
	CompleteJob(ctx context.Context, id string, now time.Time) error
	// FailJob records a failed attempt: queued again at retryAt, or dead
	// when dead is true.
	FailJob(ctx context.Context, id, reason string, retryAt time.Time, dead bool, now time.Time) error
	// DeadJobs lists dead jobs, newest first.
	DeadJobs(ctx context.Context, limit int) ([]Job, error)
	// RetryJob queues a dead job again with a fresh set of attempts.
	RetryJob(ctx context.Context, id string, now time.Time) error
	// EnqueueJobs adds jobs on their own, skipping any whose dedupe key
	// exists.
	EnqueueJobs(ctx context.Context, js []Job) error
	// DeleteDoneJobs removes finished jobs older than before.
	DeleteDoneJobs(ctx context.Context, before time.Time) (int, error)
}

func newID() string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 20)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}
