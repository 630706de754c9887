package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneaccount/oneaccount/internal/jobs"
)

// JobQueries are the job queue's statements. Job columns: id, kind,
// dedupe_key, payload, status, attempts, max_attempts, run_at,
// locked_until, last_error, created_at, updated_at.
type JobQueries struct {
	// InsertJob skips a job whose dedupe key exists; InsertJobs is the same
	// for many rows in one statement.
	InsertJob  string
	InsertJobs MultiInsert
	// ClaimJobs takes (lockedUntil, now, limit) and returns the
	// claimed jobs' columns; each due job goes to one caller.
	ClaimJobs                                string
	CompleteJob, FailJob, DeadJobs, RetryJob string
	DeleteDoneJobs, JobByID, QueuedCount     string
}

var _ jobs.Store = (*Store)(nil)

func scanJob(r scanner) (jobs.Job, error) {
	var j jobs.Job
	var payload, status string
	var locked sql.NullTime
	err := r.Scan(&j.ID, &j.Kind, &j.DedupeKey, &payload, &status, &j.Attempts, &j.MaxAttempts, &j.RunAt, &locked,
		&j.LastError, &j.CreatedAt, &j.UpdatedAt)
	j.Payload, j.Status, j.LockedUntil = []byte(payload), jobs.Status(status), locked.Time
	return j, err
}

// insertJobs writes jobs in tx, skipping any whose dedupe key exists.
// Every store that causes work calls it in its own transaction.
func (s *Store) insertJobs(ctx context.Context, tx *sql.Tx, js []jobs.Job) error {
	if len(js) > 1 && s.q.Job.InsertJobs.Columns > 0 {
		args := make([]any, 0, len(js)*9)
		for _, j := range js {
			args = append(args, j.ID, j.Kind, j.DedupeKey, string(j.Payload), string(jobs.Queued), j.MaxAttempts,
				j.RunAt.UTC(), j.CreatedAt.UTC(), j.UpdatedAt.UTC())
		}
		if _, err := tx.ExecContext(ctx, s.q.Job.InsertJobs.sql(len(js)), args...); err != nil {
			return fmt.Errorf("enqueue %d jobs: %w", len(js), err)
		}
		return nil
	}
	for _, j := range js {
		_, err := tx.ExecContext(ctx, s.q.Job.InsertJob, j.ID, j.Kind, j.DedupeKey, string(j.Payload), string(jobs.Queued),
			j.MaxAttempts, j.RunAt.UTC(), j.CreatedAt.UTC(), j.UpdatedAt.UTC())
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", j.Kind, err)
		}
	}
	return nil
}

// EnqueueJobs adds jobs in their own transaction.
func (s *Store) EnqueueJobs(ctx context.Context, js []jobs.Job) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.insertJobs(ctx, tx, js) })
}

// ClaimJobs claims up to n due jobs; see jobs.Store.
func (s *Store) ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, n int) ([]jobs.Job, error) {
	var out []jobs.Job
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q.Job.ClaimJobs, now.Add(lease).UTC(), now.UTC(), n)
		if err != nil {
			return fmt.Errorf("claim jobs: %w", err)
		}
		out, err = collect(rows, func(r *sql.Rows) (jobs.Job, error) { return scanJob(r) })
		return err
	})
	return out, err
}

// CompleteJob marks a job done.
func (s *Store) CompleteJob(ctx context.Context, id string, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.q.Job.CompleteJob, now.UTC(), id); err != nil {
		return fmt.Errorf("complete job: %w", err)
	}
	return nil
}

// FailJob records a failed attempt.
func (s *Store) FailJob(ctx context.Context, id, reason string, retryAt time.Time, dead bool, now time.Time) error {
	status := jobs.Queued
	if dead {
		status = jobs.Dead
	}
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	if _, err := s.db.ExecContext(ctx, s.q.Job.FailJob, string(status), reason, retryAt.UTC(), now.UTC(), id); err != nil {
		return fmt.Errorf("fail job: %w", err)
	}
	return nil
}

// DeadJobs lists dead jobs, newest first.
func (s *Store) DeadJobs(ctx context.Context, limit int) ([]jobs.Job, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Job.DeadJobs, limit)
	if err != nil {
		return nil, fmt.Errorf("dead jobs: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (jobs.Job, error) { return scanJob(r) })
}

// RetryJob queues a dead job again with fresh attempts.
func (s *Store) RetryJob(ctx context.Context, id string, now time.Time) error {
	res, err := s.db.ExecContext(ctx, s.q.Job.RetryJob, now.UTC(), now.UTC(), id)
	if err != nil {
		return fmt.Errorf("retry job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(sql.ErrNoRows, "dead job", id)
	}
	return nil
}

// Job returns one job.
func (s *Store) Job(ctx context.Context, id string) (jobs.Job, error) {
	j, err := scanJob(s.db.QueryRowContext(ctx, s.q.Job.JobByID, id))
	if err != nil {
		return j, notFound(err, "job", id)
	}
	return j, nil
}

// DeleteDoneJobs removes finished jobs older than before.
func (s *Store) DeleteDoneJobs(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, s.q.Job.DeleteDoneJobs, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("delete done jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
