package app

import (
	"bytes"
	"context"
	"fmt"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/refdata"
)

// buildQueue wires queue tickets: the service with the settings of
// internal/refdata/queues.yaml, live events through a.events (the
// realtime broker, when built), the notices' job handlers, kiosk SMS
// when an SMS channel exists, and the hand-off of checked-in
// appointments to the branch's queue. It needs messages and
// appointments built.
func (a *App) buildQueue() error {
	data, err := queue.ParseData(bytes.NewReader(refdata.QueuesYAML()))
	if err != nil {
		return err
	}
	a.queueData = data
	a.queue = queue.New(a.store, a.dir, a.messages, a.events, a.now, a.runner.Wake)
	data.Configure(a.queue)
	a.queue.Log = a.log
	if a.sender != nil && a.sender.Has(notify.SMS) {
		a.queue.SMS = a.sender
	}
	a.runner.Handle(queue.NearJob, a.queue.HandleNotice)
	a.runner.Handle(queue.CalledJob, a.queue.HandleNotice)
	a.appointments.OnCheckIn = func(ctx context.Context, ap appointments.Appointment) error {
		_, err := a.queue.CheckIn(ctx, ap)
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil // the branch runs no queue for the service
		}
		return err
	}
	return nil
}

// seedQueues gives every branch without queues the ones derived from the
// directory: a queue per pilot entity with counters there, and every such
// counter serving it (queue.Data.Derive).
func (a *App) seedQueues(ctx context.Context) error {
	branches, err := a.store.Branches(ctx, "")
	if err != nil {
		return fmt.Errorf("queues: %w", err)
	}
	ents, svcs, err := a.directoryMaps(ctx)
	if err != nil {
		return err
	}
	n := 0
	for _, b := range branches {
		have, err := a.store.Queues(ctx, b.Code)
		if err != nil {
			return fmt.Errorf("queues of %s: %w", b.Code, err)
		}
		qs, cs := a.queueData.Derive(b, ents, svcs, appointments.BookableEntities())
		if len(have) > 0 || len(qs) == 0 {
			continue
		}
		if err := a.store.SaveQueues(ctx, b.Code, qs, cs); err != nil {
			return err
		}
		n++
	}
	if n > 0 {
		a.log.InfoContext(ctx, "queues loaded", "branches", n)
	}
	return nil
}

// directoryMaps returns the directory's entities and services by code.
func (a *App) directoryMaps(ctx context.Context) (map[string]directory.Entity, map[string]directory.Service, error) {
	es, err := a.store.Entities(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("queues: %w", err)
	}
	ents := map[string]directory.Entity{}
	svcs := map[string]directory.Service{}
	for _, e := range es {
		ents[e.Code] = e
		ss, err := a.store.Services(ctx, e.Code)
		if err != nil {
			return nil, nil, fmt.Errorf("queues: %w", err)
		}
		for _, s := range ss {
			svcs[s.Code] = s
		}
	}
	return ents, svcs, nil
}

// Queue returns the queue ticket service.
func (a *App) Queue() *queue.Service { return a.queue }
