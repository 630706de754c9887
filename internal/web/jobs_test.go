package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/jobs"
)

// deadJob enqueues a job and fails it for good.
func (s *msgSite) deadJob(t *testing.T, key, reason string) jobs.Job {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	j, err := jobs.New("message.deliver", key, map[string]string{"x": "y"}, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.EnqueueJobs(ctx, []jobs.Job{j}); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.st.ClaimJobs(ctx, now, time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %d jobs", err, len(claimed))
	}
	if err := s.st.FailJob(ctx, claimed[0].ID, reason, now, true, now); err != nil {
		t.Fatal(err)
	}
	return claimed[0]
}

func TestDeadJobsPage(t *testing.T) {
	s := newMsgSite(t)
	j := s.deadJob(t, "msg:abc:email", "smtp: 550 <mailbox unavailable>")
	admin := s.staffMember(t, "root", "DSI", identity.PlatformAdmin)
	entityAdmin := s.staffMember(t, "dsi-admin", "DSI", identity.EntityAdmin)
	resident := s.person(t, "ana", identity.Level2)

	location(t, s.do(t, nil, "GET", "/staff/jobs", nil), "/login?next=/staff/jobs")
	expect(t, "entity admin", s.do(t, entityAdmin, "GET", "/staff/jobs", nil), http.StatusForbidden)
	expect(t, "resident", s.do(t, resident, "GET", "/staff/jobs", nil), http.StatusForbidden)
	expect(t, "entity admin retries", s.do(t, entityAdmin, "POST", "/staff/jobs/"+j.ID+"/retry", url.Values{}), http.StatusForbidden)
	if dead, _ := s.st.DeadJobs(context.Background(), 10); len(dead) != 1 {
		t.Fatal("an entity admin's retry changed the job")
	}
	if strings.Contains(expect(t, "entity admin's desk", s.do(t, entityAdmin, "GET", "/staff", nil), http.StatusOK), `href="/staff/jobs"`) {
		t.Error("the staff desk links an entity admin to the dead jobs")
	}

	expect(t, "platform admin's desk", s.do(t, admin, "GET", "/staff", nil), http.StatusOK, `href="/staff/jobs"`)
	expect(t, "platform admin", s.do(t, admin, "GET", "/staff/jobs", nil), http.StatusOK, "Failed background jobs",
		"1 failed job", "message.deliver", "msg:abc:email", "smtp: 550 &lt;mailbox unavailable&gt;",
		`action="/staff/jobs/`+j.ID+`/retry"`)
	location(t, s.do(t, admin, "POST", "/staff/jobs/"+j.ID+"/retry", url.Values{}), "/staff/jobs?done=retried")
	body := expect(t, "after retry", s.do(t, admin, "GET", "/staff/jobs?done=retried", nil), http.StatusOK,
		"The job is queued again", "No job has failed")
	if strings.Contains(body, "msg:abc:email") {
		t.Error("the retried job is still listed")
	}
	if claimed, _ := s.st.ClaimJobs(context.Background(), time.Now(), time.Minute, 10); len(claimed) != 1 || claimed[0].ID != j.ID {
		t.Errorf("after retry the job is not queued: %v", claimed)
	}
	expect(t, "unknown job", s.do(t, admin, "POST", "/staff/jobs/nope/retry", url.Values{}), http.StatusNotFound)
}
