package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// testJobs checks the durable queue: dedupe on enqueue, each job claimed
// by one worker under a race, leases that expire, failures and dead
// letters.
func testJobs(t *testing.T, open Opener) {
	runEach(t, open, map[string]func(*testing.T, *sqlstore.Store){
		"DedupeOnEnqueue": testJobsDedupe,
		"RacingClaims":    testJobsRacingClaims,
		"LeaseAndFailure": testJobsLeaseAndFailure,
		"DeadLetterRetry": testJobsDeadLetterRetry,
	})
}

var jobNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func newJob(t *testing.T, key string, at time.Time) jobs.Job {
	t.Helper()
	j, err := jobs.New("test.kind", key, map[string]string{"k": key}, at)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func testJobsDedupe(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	if err := s.EnqueueJobs(ctx, []jobs.Job{newJob(t, "same", jobNow), newJob(t, "same", jobNow)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimJobs(ctx, jobNow, time.Minute, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("claimed %d jobs (%v), want the one deduplicated job", len(got), err)
	}
	if got[0].Attempts != 1 || got[0].Status != jobs.Running || string(got[0].Payload) != `{"k":"same"}` {
		t.Errorf("claimed job: %+v", got[0])
	}
}

func testJobsRacingClaims(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	const n = 200
	var all []jobs.Job
	for i := range n {
		all = append(all, newJob(t, fmt.Sprintf("job-%d", i), jobNow))
	}
	if err := s.EnqueueJobs(ctx, all); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.ClaimJobs(ctx, jobNow, time.Minute, 7)
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, j := range got {
					seen[j.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d of %d jobs claimed", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("job %s claimed %d times", id, c)
		}
	}
}

func testJobsLeaseAndFailure(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	if err := s.EnqueueJobs(ctx, []jobs.Job{newJob(t, "a", jobNow), newJob(t, "later", jobNow.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.ClaimJobs(ctx, jobNow, time.Minute, 10)
	if len(got) != 1 || got[0].DedupeKey != "a" {
		t.Fatalf("claimed %v, want only the due job", got)
	}
	if again, _ := s.ClaimJobs(ctx, jobNow.Add(30*time.Second), time.Minute, 10); len(again) != 0 {
		t.Fatal("a leased job was claimed again before its lease ended")
	}
	again, _ := s.ClaimJobs(ctx, jobNow.Add(2*time.Minute), time.Minute, 10)
	if len(again) != 1 || again[0].Attempts != 2 {
		t.Fatalf("expired lease: %v", again)
	}
	if err := s.FailJob(ctx, again[0].ID, "relay said 451", jobNow.Add(10*time.Minute), false, jobNow.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if early, _ := s.ClaimJobs(ctx, jobNow.Add(5*time.Minute), time.Minute, 10); len(early) != 0 {
		t.Fatal("a failed job ran before its retry time")
	}
	if err := s.CompleteJob(ctx, again[0].ID, jobNow); err != nil {
		t.Fatal(err)
	}
	if done, _ := s.ClaimJobs(ctx, jobNow.Add(20*time.Minute), time.Minute, 10); len(done) != 0 {
		t.Fatal("a finished job was claimed")
	}
	if n, err := s.DeleteDoneJobs(ctx, jobNow.Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("delete done: %d %v", n, err)
	}
}

func testJobsDeadLetterRetry(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	if err := s.EnqueueJobs(ctx, []jobs.Job{newJob(t, "d", jobNow)}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.ClaimJobs(ctx, jobNow, time.Minute, 1)
	if err := s.FailJob(ctx, got[0].ID, "mailbox does not exist", jobNow, true, jobNow); err != nil {
		t.Fatal(err)
	}
	dead, err := s.DeadJobs(ctx, 10)
	if err != nil || len(dead) != 1 || dead[0].LastError != "mailbox does not exist" {
		t.Fatalf("dead letters: %v %v", dead, err)
	}
	if more, _ := s.ClaimJobs(ctx, jobNow.Add(time.Hour), time.Minute, 10); len(more) != 0 {
		t.Fatal("a dead job was claimed")
	}
	if err := s.RetryJob(ctx, dead[0].ID, jobNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	back, _ := s.ClaimJobs(ctx, jobNow.Add(time.Hour), time.Minute, 10)
	if len(back) != 1 || back[0].Attempts != 1 {
		t.Fatalf("retried dead letter: %v", back)
	}
}
