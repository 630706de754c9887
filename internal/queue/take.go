package queue

import (
	"context"
	"slices"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// TakeRemote issues a remote ticket to a signed-in resident: while the
// branch is open and before the queue's last remote time (its LastRemote,
// or RemoteStop before the branch closes or breaks), within the queue's
// daily quota, and one active ticket per person and branch. A repeat with
// the same idempotencyKey returns the first ticket.
func (s *Service) TakeRemote(ctx context.Context, a identity.Account, branch, queue, idempotencyKey string) (Ticket, error) {
	if a.Kind != identity.Resident || !a.Meets(identity.Level1) {
		return Ticket{}, &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "only residents take tickets online"}
	}
	q, now, err := s.issuing(ctx, branch, queue)
	if err != nil {
		return Ticket{}, err
	}
	if err := s.remoteOpen(ctx, branch, q, now); err != nil {
		return Ticket{}, err
	}
	t := s.newTicket(q, now, Remote, Normal)
	t.AccountID = a.ID
	return s.issue(ctx, NewTicket{Ticket: t, Prefix: q.Code, Quota: q.DailyQuota, OnePerBranch: true, WhileOpen: true,
		IdempotencyKey: idempotencyKey})
}

// TakeKiosk issues a ticket at the branch's kiosk while the branch is
// open; phone (optional) gets an SMS when the turn is near and when
// called. A priority class is the visitor's word until staff confirm it.
func (s *Service) TakeKiosk(ctx context.Context, branch, queue string, class Class, phone string) (Ticket, error) {
	class, err := ParseClass(string(class))
	if err != nil {
		return Ticket{}, err
	}
	if phone != "" {
		p, err := contact.ParseMobile(phone)
		if err != nil {
			return Ticket{}, err
		}
		phone = p.String()
	}
	q, now, err := s.issuing(ctx, branch, queue)
	if err != nil {
		return Ticket{}, err
	}
	b, err := s.branch(ctx, branch)
	if err != nil {
		return Ticket{}, err
	}
	st, err := s.openStatus(ctx, b, now)
	if err != nil {
		return Ticket{}, err
	}
	if !st.Open {
		return Ticket{}, ErrClosed
	}
	t := s.newTicket(q, now, Kiosk, class)
	t.Phone = phone
	return s.issue(ctx, NewTicket{Ticket: t, Prefix: q.Code, WhileOpen: true})
}

// CheckIn hands an appointment checked in at its branch to the queue
// covering its service: a ticket due at the slot's start, first in line
// within the rule's early and late windows. It is idempotent: a second
// call returns the same ticket, so the counter page may call it to show
// the number. A branch with no queue for the service is NotFound.
func (s *Service) CheckIn(ctx context.Context, ap appointments.Appointment) (Ticket, error) {
	qs, err := s.queues(ctx, ap.Branch)
	if err != nil {
		return Ticket{}, err
	}
	i := slices.IndexFunc(qs, func(q Queue) bool { return slices.Contains(q.Services, ap.Service) })
	if i < 0 {
		return Ticket{}, &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.body",
			Detail: "no queue at " + ap.Branch + " covers " + ap.Service}
	}
	t := s.newTicket(qs[i], s.now(), Appointment, Normal)
	t.AccountID, t.AppointmentID, t.DueAt = ap.AccountID, ap.ID, ap.Start
	return s.issue(ctx, NewTicket{Ticket: t, Prefix: qs[i].Code, IdempotencyKey: "appointment:" + ap.ID})
}

// ParseClass reads a ticket class; "" is Normal.
func ParseClass(s string) (Class, error) {
	switch c := Class(s); c {
	case "":
		return Normal, nil
	case Normal, Elderly, Pregnant, Disability:
		return c, nil
	}
	return "", &apperr.Error{Code: apperr.Invalid, Field: "class", Key: "queue.invalid.class", Detail: "no ticket class " + s}
}

// issuing returns the queue a ticket is taken in, and the time.
func (s *Service) issuing(ctx context.Context, branch, queue string) (Queue, time.Time, error) {
	qs, err := s.queues(ctx, branch)
	if err != nil {
		return Queue{}, time.Time{}, err
	}
	q, err := queueOf(qs, queue)
	return q, s.now(), err
}

// remoteOpen checks that queue q of branch issues remote tickets at now.
func (s *Service) remoteOpen(ctx context.Context, branch string, q Queue, now time.Time) error {
	b, err := s.branch(ctx, branch)
	if err != nil {
		return err
	}
	st, err := s.openStatus(ctx, b, now)
	if err != nil {
		return err
	}
	if !st.Open {
		return ErrClosed
	}
	if q.LastRemote != "" {
		last, err := directory.ParseClock(q.LastRemote)
		if err == nil && !now.Before(last.On(directory.DateOf(now.In(s.dir.Location())), s.dir.Location())) {
			return ErrClosed
		}
		return nil
	}
	if s.RemoteStop > 0 && !now.Before(st.Until.Add(-s.RemoteStop)) {
		return ErrClosed
	}
	return nil
}

func (s *Service) newTicket(q Queue, now time.Time, src Source, class Class) Ticket {
	now = now.UTC()
	return Ticket{ID: messages.NewID(), Branch: q.Branch, Queue: q.Code, Source: src, Class: class, Status: Waiting,
		Day: directory.DateOf(now.In(s.dir.Location())).String(), IssuedAt: now, QueuedAt: now}
}

// issue writes a new ticket and tells the branch's subscribers.
func (s *Service) issue(ctx context.Context, nt NewTicket) (Ticket, error) {
	t, created, err := s.store.IssueTicket(ctx, nt)
	if err != nil {
		return t, err
	}
	if created {
		s.changed(t.Branch, Event{Kind: "changed"}, t)
	}
	return t, nil
}
