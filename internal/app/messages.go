package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/push"
)

// buildMessages wires the inbox, the job runner and the delivery of
// messages by email and SMS (and Web Push once subscribed).
func (a *App) buildMessages() {
	a.runner = jobs.NewRunner(a.store, a.log, a.now)
	a.messages = messages.New(a.store, a.now, a.runner.Wake)
	d := &messages.Deliverer{Store: a.store, Accounts: a.store, Sender: a.sender, SenderName: a.senderName,
		BaseURL: strings.TrimSuffix(a.cfg.BaseURL.String(), "/")}
	a.deliverer = d
	a.runner.Handle(messages.JobKind, d.Handle)
}

// buildPush turns on Web Push when there is a key-encryption key to
// derive the VAPID keys from.
func (a *App) buildPush() error {
	if a.cfg.KeyEncryptionKey == nil {
		return nil
	}
	s, err := push.New(a.store, a.cfg.KeyEncryptionKey, "mailto:operator@"+a.cfg.BaseURL.Hostname(), nil)
	if err != nil {
		return fmt.Errorf("web push: %w", err)
	}
	a.push = s
	a.deliverer.Pusher = s
	return nil
}

// senderName is an entity's name, or the platform's.
func (a *App) senderName(ctx context.Context, code string) lang.Text {
	if code == messages.Platform {
		return lang.Text{ZhHant: "一戶通", Pt: "Conta Única", En: "One Account"}
	}
	e, err := a.store.Entity(ctx, code)
	if err != nil {
		return lang.Text{ZhHant: code, Pt: code, En: code}
	}
	return e.Name
}

// doneJobsKept is how long finished jobs stay, keeping their dedupe keys.
const doneJobsKept = 7 * 24 * time.Hour

// sweepJobs deletes finished jobs past doneJobsKept.
func (a *App) sweepJobs(ctx context.Context) {
	n, err := a.store.DeleteDoneJobs(ctx, a.now().Add(-doneJobsKept))
	if err != nil {
		a.log.WarnContext(ctx, "sweep jobs failed", "err", err)
		return
	}
	a.log.InfoContext(ctx, "swept finished jobs", "jobs", n)
}

// Messages returns the inbox service.
func (a *App) Messages() *messages.Service { return a.messages }

// Runner returns the job runner.
func (a *App) Runner() *jobs.Runner { return a.runner }
