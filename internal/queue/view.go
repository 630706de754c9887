package queue

import (
	"cmp"
	"context"
	"slices"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// View returns a ticket with its place. The ticket's ID is the capability
// (kiosk tickets have no owner); callers that know the caller use Mine.
func (s *Service) View(ctx context.Context, id string) (TicketView, error) {
	t, err := s.store.Ticket(ctx, id)
	if err != nil {
		return TicketView{}, err
	}
	return s.view(ctx, t)
}

// Mine returns the resident's own ticket; another's is NotFound.
func (s *Service) Mine(ctx context.Context, a identity.Account, id string) (TicketView, error) {
	t, err := s.own(ctx, &a, id)
	if err != nil {
		return TicketView{}, err
	}
	return s.view(ctx, t)
}

// MyTickets returns the resident's tickets of today with their places:
// the active ones first, each group in the order taken, so a resident who
// closed the ticket page finds it again.
func (s *Service) MyTickets(ctx context.Context, a identity.Account) ([]TicketView, error) {
	ts, err := s.store.TicketsOf(ctx, a.ID, s.today())
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(ts, func(x, y Ticket) int {
		return cmp.Compare(activeRank(x), activeRank(y))
	})
	out := make([]TicketView, 0, len(ts))
	for _, t := range ts {
		v, err := s.view(ctx, t)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// activeRank sorts active tickets before finished ones.
func activeRank(t Ticket) int {
	if t.Status.Active() {
		return 0
	}
	return 1
}

// own returns ticket id if a holds it (a nil: if nobody does, a kiosk
// ticket); another's is NotFound.
func (s *Service) own(ctx context.Context, a *identity.Account, id string) (Ticket, error) {
	t, err := s.store.Ticket(ctx, id)
	if err != nil {
		return t, err
	}
	if a == nil && t.AccountID != "" || a != nil && t.AccountID != a.ID {
		return Ticket{}, &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.body", Detail: "no ticket " + id}
	}
	return t, nil
}

// view places t in its branch's live status: the people ahead in the
// calling order, the number now served and the estimate. A ticket issued
// on another node since the status was computed is placed last.
func (s *Service) view(ctx context.Context, t Ticket) (TicketView, error) {
	v := TicketView{Ticket: t}
	if t.Status == Called || t.Status == Parked {
		v.CounterName = s.counterName(ctx, t.Branch, t.Counter).En
	}
	if t.Day != s.today() {
		return v, nil
	}
	sn, err := s.snapshot(ctx, t.Branch)
	if err != nil {
		return v, err
	}
	qs := sn.queueStatus(t.Queue)
	v.NowServing = qs.NowServing
	if t.Status != Waiting {
		return v, nil
	}
	ahead, ok := sn.place[t.ID]
	if !ok {
		ahead = qs.Waiting
	}
	v.Ahead = ahead
	_, v.ETALow, v.ETAHigh = Estimate(sn.service[t.Queue], ahead, qs.OpenCounters)
	return v, nil
}

// Cancel cancels a waiting ticket: the resident's own (a set), or a kiosk
// ticket by its ID (a nil).
func (s *Service) Cancel(ctx context.Context, a *identity.Account, id string) (Ticket, error) {
	if _, err := s.own(ctx, a, id); err != nil {
		return Ticket{}, err
	}
	t, err := s.store.Transition(ctx, id, []Status{Waiting}, Change{Status: Cancelled, At: s.now().UTC()})
	if err != nil {
		return t, err
	}
	s.changed(t.Branch, Event{Kind: "changed"}, t)
	return t, nil
}

// Status returns a branch's live status; an unknown branch is NotFound.
func (s *Service) Status(ctx context.Context, branch string) (BranchStatus, error) {
	if _, err := s.branch(ctx, branch); err != nil {
		return BranchStatus{}, err
	}
	sn, err := s.snapshot(ctx, branch)
	if err != nil {
		return BranchStatus{}, err
	}
	st := sn.status
	st.Queues = slices.Clone(st.Queues)
	st.Calls = slices.Clone(st.Calls)
	return st, nil
}
