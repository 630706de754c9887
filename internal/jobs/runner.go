package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Handler does the work of one kind of job. An error marks the attempt
// failed; a Permanent error kills the job at once.
type Handler func(ctx context.Context, j Job) error

// PermanentError marks a failure that no retry can fix (a malformed
// address, a recipient who no longer exists).
type PermanentError struct{ Err error }

// Error implements error.
func (e PermanentError) Error() string { return "permanent: " + e.Err.Error() }

// Unwrap returns the cause.
func (e PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError.
func Permanent(err error) error { return PermanentError{Err: err} }

// Runner claims due jobs and runs their handlers. Every node runs one;
// the claim makes sure each job runs on one node at a time.
type Runner struct {
	store    Store
	handlers map[string]Handler
	log      *slog.Logger
	now      func() time.Time
	// Lease is how long a claimed job is reserved for its worker.
	Lease time.Duration
	// Batch is how many jobs one claim takes, and how many run at once.
	Batch int
	// Poll is how long the runner sleeps when there is nothing to do;
	// Wake cuts the sleep short.
	Poll time.Duration
	wake chan struct{}
}

// NewRunner returns a runner over store.
func NewRunner(store Store, log *slog.Logger, now func() time.Time) *Runner {
	if now == nil {
		now = time.Now
	}
	return &Runner{store: store, handlers: map[string]Handler{}, log: log, now: now,
		Lease: 2 * time.Minute, Batch: 32, Poll: time.Second, wake: make(chan struct{}, 1)}
}

// Handle registers the handler of a kind of job.
func (r *Runner) Handle(kind string, h Handler) { r.handlers[kind] = h }

// Wake tells the runner that jobs were just enqueued.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx is done.
func (r *Runner) Run(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := r.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.WarnContext(ctx, "job runner", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		t := time.NewTimer(r.Poll)
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// RunOnce claims one batch and runs it, returning how many jobs ran.
func (r *Runner) RunOnce(ctx context.Context) (int, error) {
	js, err := r.store.ClaimJobs(ctx, r.now(), r.Lease, r.Batch)
	if err != nil {
		return 0, fmt.Errorf("claim jobs: %w", err)
	}
	var wg sync.WaitGroup
	for _, j := range js {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.run(ctx, j)
		}()
	}
	wg.Wait()
	return len(js), nil
}

func (r *Runner) run(ctx context.Context, j Job) {
	h, ok := r.handlers[j.Kind]
	var err error
	if !ok {
		err = Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	} else {
		jctx, cancel := context.WithTimeout(ctx, r.Lease/2)
		err = h(jctx, j)
		cancel()
	}
	now := r.now()
	if err == nil {
		if err := r.store.CompleteJob(ctx, j.ID, now); err != nil {
			r.log.ErrorContext(ctx, "complete job", "job", j.ID, "err", err)
		}
		return
	}
	var perm PermanentError
	dead := errors.As(err, &perm) || j.Attempts >= j.MaxAttempts
	retryAt := now.Add(Backoff(j.Attempts))
	r.log.WarnContext(ctx, "job failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "dead", dead, "err", err)
	if ferr := r.store.FailJob(ctx, j.ID, err.Error(), retryAt, dead, now); ferr != nil {
		r.log.ErrorContext(ctx, "record job failure", "job", j.ID, "err", ferr)
	}
}
