package web

import (
	"net/http"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/jobs"
)

// The operators' dead letters: jobs that failed every attempt, with the
// reason, and a button to queue each again with fresh attempts.
//
//	GET  /staff/jobs              platform admins only
//	POST /staff/jobs/{id}/retry   303 back with a banner

// deadJobsLimit is how many dead jobs the page lists, newest first.
const deadJobsLimit = 100

// canOperate answers whether the signed-in account may see and retry dead
// jobs: staff holding the platform-admin role.
func canOperate(a identity.Account) error {
	if a.Kind == identity.Staff && a.HasRole(identity.PlatformAdmin) {
		return nil
	}
	return &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "not a platform admin"}
}

type deadJobsData struct {
	Jobs []jobs.Job
	Done string
}

// deadJobs lists the dead jobs.
func (w *Web) deadJobs(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := canOperate(u.Account); err != nil {
		w.fail(rw, r, err)
		return
	}
	js, err := w.opt.Jobs.DeadJobs(r.Context(), deadJobsLimit)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(r, "", &deadJobsData{Jobs: js, Done: r.URL.Query().Get("done")})
	p.Title = p.L.T("jobs.title")
	w.render(rw, r, http.StatusOK, "staff-jobs", p)
}

// retryJob queues a dead job again.
func (w *Web) retryJob(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := canOperate(u.Account); err != nil {
		w.fail(rw, r, err)
		return
	}
	if err := w.opt.Jobs.RetryJob(r.Context(), r.PathValue("id"), time.Now()); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.opt.Log.InfoContext(r.Context(), "dead job retried", "job", r.PathValue("id"), "by", u.Account.ID)
	http.Redirect(rw, r, "/staff/jobs?done=retried", http.StatusSeeOther)
}
