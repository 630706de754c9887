package queue

import (
	"context"
	"slices"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// Staff actions. counterID is Counter.ID() ("BRANCH.CODE"). Each checks
// that actor serves at the counter's branch for the queue's entity.

// platform reports whether actor stands above every entity.
func platform(actor identity.Actor) bool {
	return actor.Platform || actor.Account.HasRole(identity.PlatformAdmin)
}

// authorize checks that actor may act for entity at branch: its counter
// agents, supervisors and entity admins serving there (the rule of
// appointments.ServesAt), and platform admins.
func (s *Service) authorize(ctx context.Context, actor identity.Actor, branch, entity string) error {
	if platform(actor) {
		return nil
	}
	b, err := s.branch(ctx, branch)
	if err != nil {
		return err
	}
	if actor.Account.Entity != entity || !appointments.ServesAt(actor, b) {
		return &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body",
			Detail: "not a member of " + entity + "'s staff serving at " + branch}
	}
	return nil
}

// staffCounter returns counter counterID once actor may work it; its
// live state only if live.
func (s *Service) staffCounter(ctx context.Context, actor identity.Actor, counterID string, live bool) (CounterState, error) {
	c, err := s.counter(ctx, counterID, live)
	if err != nil {
		return c, err
	}
	return c, s.authorize(ctx, actor, c.Branch, c.Entity)
}

// staffTicket returns ticket id and its queue once actor may act on it.
func (s *Service) staffTicket(ctx context.Context, actor identity.Actor, id string) (Ticket, Queue, error) {
	t, err := s.store.Ticket(ctx, id)
	if err != nil {
		return t, Queue{}, err
	}
	qs, err := s.queues(ctx, t.Branch)
	if err != nil {
		return t, Queue{}, err
	}
	q, err := queueOf(qs, t.Queue)
	if err != nil {
		return t, q, err
	}
	return t, q, s.authorize(ctx, actor, t.Branch, q.Entity)
}

// OpenCounter opens a counter for actor.
func (s *Service) OpenCounter(ctx context.Context, actor identity.Actor, counterID string) (CounterState, error) {
	return s.setCounter(ctx, actor, counterID, true)
}

// CloseCounter closes a counter; one with a ticket called at it is
// ErrBusy.
func (s *Service) CloseCounter(ctx context.Context, actor identity.Actor, counterID string) (CounterState, error) {
	return s.setCounter(ctx, actor, counterID, false)
}

func (s *Service) setCounter(ctx context.Context, actor identity.Actor, counterID string, open bool) (CounterState, error) {
	c, err := s.staffCounter(ctx, actor, counterID, false)
	if err != nil {
		return c, err
	}
	staff := ""
	if open {
		staff = actor.Account.ID
	}
	c, err = s.store.SetCounter(ctx, c.Branch, c.Code, open, staff, s.now().UTC())
	if err != nil {
		return c, err
	}
	s.counterChanged(c.Branch, c.Code, c.Open, c.Turn)
	s.changed(c.Branch, Event{Kind: "changed"})
	return c, nil
}

// CallNext calls the next ticket by the rule (Next) to the counter. The
// database makes sure no other counter calls the same ticket. outcome,
// when set, completes the ticket still at the counter in the same change
// (Qmatic's "next": one key press ends one visitor and calls the next);
// without it a counter with a ticket is ErrBusy. When nobody waits
// nothing changes (ErrEmpty), so the ticket at the counter stays there.
func (s *Service) CallNext(ctx context.Context, actor identity.Actor, counterID, outcome string) (Ticket, error) {
	if outcome != "" {
		var err error
		if outcome, err = checkOutcome(outcome); err != nil {
			return Ticket{}, err
		}
	}
	c, err := s.staffCounter(ctx, actor, counterID, false)
	if err != nil {
		return Ticket{}, err
	}
	qs, err := s.queues(ctx, c.Branch)
	if err != nil {
		return Ticket{}, err
	}
	now, bounds := s.now(), s.maxWaits(qs)
	var offered []Candidate
	var read []Ticket
	pick := func(c CounterState, waiting []Ticket) []Candidate {
		offered, read = Candidates(c, waiting, now, s.Rule, bounds), waiting
		return offered
	}
	t, done, err := s.store.CallNext(ctx, c.Branch, c.Code, s.today(), pick, outcome, now.UTC())
	if err != nil {
		return t, err
	}
	for _, k := range offered {
		if read[k.Index].ID == t.ID {
			s.counterChanged(c.Branch, c.Code, true, k.Turn)
			break
		}
	}
	changed := []Ticket{t}
	if done.ID != "" {
		changed = []Ticket{done, t}
	}
	s.record(t.Branch, Event{Kind: "called", Call: &Call{Number: t.Number, Queue: t.Queue, Counter: t.Counter, At: now.UTC()}},
		changed, []Ticket{t})
	return t, nil
}

// Recall calls the ticket again (up to MaxRecalls).
func (s *Service) Recall(ctx context.Context, actor identity.Actor, id string) (Ticket, error) {
	t, _, err := s.staffTicket(ctx, actor, id)
	if err != nil {
		return t, err
	}
	now := s.now().UTC()
	t, err = s.store.Transition(ctx, id, []Status{Called}, Change{Status: Called, Counter: t.Counter, Recall: true,
		MaxRecalls: s.MaxRecalls, At: now})
	if err != nil {
		return t, err
	}
	s.calledOut(t.Branch, Event{Kind: "recalled", Call: &Call{Number: t.Number, Queue: t.Queue, Counter: t.Counter, At: now}}, t)
	return t, nil
}

// NoShow marks a called ticket missed, freeing the counter.
func (s *Service) NoShow(ctx context.Context, actor identity.Actor, id string) (Ticket, error) {
	return s.move(ctx, actor, id, []Status{Called}, Change{Status: Missed})
}

// Reinstate puts a missed ticket back in its queue at its original place
// (its QueuedAt is kept).
func (s *Service) Reinstate(ctx context.Context, actor identity.Actor, id string) (Ticket, error) {
	return s.move(ctx, actor, id, []Status{Missed}, Change{Status: Waiting})
}

// Transfer moves a called or waiting ticket to another queue of the
// branch, keeping its original issue time, so it takes its place there
// by when it was first queued.
func (s *Service) Transfer(ctx context.Context, actor identity.Actor, id, queue string) (Ticket, error) {
	t, _, err := s.staffTicket(ctx, actor, id)
	if err != nil {
		return t, err
	}
	qs, err := s.queues(ctx, t.Branch)
	if err != nil {
		return t, err
	}
	if _, err := queueOf(qs, queue); err != nil {
		return t, err
	}
	return s.move(ctx, actor, id, []Status{Waiting, Called}, Change{Status: Waiting, Queue: queue})
}

// Park sets a called ticket aside, freeing the counter.
func (s *Service) Park(ctx context.Context, actor identity.Actor, id string) (Ticket, error) {
	return s.move(ctx, actor, id, []Status{Called}, Change{Status: Parked})
}

// Resume calls a parked ticket back, to counterID (which must be open
// and free).
func (s *Service) Resume(ctx context.Context, actor identity.Actor, id, counterID string) (Ticket, error) {
	c, err := s.staffCounter(ctx, actor, counterID, false)
	if err != nil {
		return Ticket{}, err
	}
	t, err := s.move(ctx, actor, id, []Status{Parked}, Change{Status: Called, Counter: c.Code})
	if err != nil {
		return t, err
	}
	s.changed(t.Branch, Event{Kind: "called", Call: &Call{Number: t.Number, Queue: t.Queue, Counter: t.Counter, At: s.now().UTC()}}, t)
	return t, nil
}

// MaxOutcome bounds the outcome a ticket is completed with.
const MaxOutcome = 200

// Complete finishes a called ticket with an outcome.
func (s *Service) Complete(ctx context.Context, actor identity.Actor, id, outcome string) (Ticket, error) {
	outcome, err := checkOutcome(outcome)
	if err != nil {
		return Ticket{}, err
	}
	return s.move(ctx, actor, id, []Status{Called}, Change{Status: Done, Outcome: outcome})
}

// checkOutcome returns a ticket's outcome trimmed, or why it is refused.
func checkOutcome(outcome string) (string, error) {
	outcome = strings.TrimSpace(outcome)
	if outcome == "" || len(outcome) > MaxOutcome {
		return "", &apperr.Error{Code: apperr.Invalid, Field: "outcome", Key: "queue.invalid.outcome",
			Detail: "give an outcome of at most 200 bytes"}
	}
	return outcome, nil
}

// ConfirmClass confirms (or corrects) the priority class of a ticket not
// yet finished.
func (s *Service) ConfirmClass(ctx context.Context, actor identity.Actor, id string, class Class) (Ticket, error) {
	class, err := ParseClass(string(class))
	if err != nil {
		return Ticket{}, err
	}
	t, _, err := s.staffTicket(ctx, actor, id)
	if err != nil {
		return t, err
	}
	if !t.Status.Active() {
		return t, ErrState
	}
	return s.move(ctx, actor, id, []Status{t.Status}, Change{Status: t.Status, Counter: t.Counter, Class: class, Confirmed: true})
}

// move checks actor and applies ch to ticket id if it is in one of from.
func (s *Service) move(ctx context.Context, actor identity.Actor, id string, from []Status, ch Change) (Ticket, error) {
	if _, _, err := s.staffTicket(ctx, actor, id); err != nil {
		return Ticket{}, err
	}
	ch.At = s.now().UTC()
	t, err := s.store.Transition(ctx, id, from, ch)
	if err != nil {
		return t, err
	}
	if ch.Status != Called {
		s.changed(t.Branch, Event{Kind: "changed"}, t)
	}
	return t, nil
}

// Workstation returns a counter's page data: its state, the ticket called
// at it, the waiting tickets of its queues in its calling order, those
// parked at it and the missed ones to reinstate.
func (s *Service) Workstation(ctx context.Context, actor identity.Actor, counterID string) (Workstation, error) {
	c, err := s.staffCounter(ctx, actor, counterID, true)
	if err != nil {
		return Workstation{}, err
	}
	qs, err := s.queues(ctx, c.Branch)
	if err != nil {
		return Workstation{}, err
	}
	sn, err := s.snapshot(ctx, c.Branch)
	if err != nil {
		return Workstation{}, err
	}
	w := Workstation{Counter: c, Queues: slices.Clone(qs), Waiting: []Ticket{}, Parked: []Ticket{}, Missed: []Ticket{}}
	for _, k := range Order(c, sn.tickets, s.now(), s.Rule, s.maxWaits(qs)) {
		w.Waiting = append(w.Waiting, sn.tickets[k])
	}
	for _, t := range sn.tickets {
		switch {
		case t.Status == Parked && t.Counter == c.Code:
			w.Parked = append(w.Parked, t)
		case t.Status == Missed && slices.Contains(c.Queues, t.Queue):
			w.Missed = append(w.Missed, t)
		}
	}
	if c.Current != "" {
		if t, err := s.store.Ticket(ctx, c.Current); err == nil {
			w.Current = &t
		}
	}
	return w, nil
}
