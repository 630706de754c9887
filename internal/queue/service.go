package queue

import (
	"context"
	"errors"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// errTODO marks the bodies the domain work fills in.
var errTODO = errors.New("queue: not implemented yet")

// Rule is the calling rule's settings.
type Rule struct {
	// MaxWait is the default aging bound (a queue's own MaxWait wins).
	MaxWait time.Duration
	// Early and Late are the windows around an appointment ticket's DueAt
	// in which it comes first.
	Early, Late time.Duration
}

// Service issues and calls tickets.
type Service struct {
	store Store
	dir   *directory.Directory
	msgs  *messages.Service
	pub   Publisher
	now   func() time.Time
	wake  func()
	// Rule is the calling rule (defaults: aging 45 min, early 15 min,
	// late 15 min).
	Rule Rule
	// NearAt is the position at which "your turn is near" goes out once
	// (default 3).
	NearAt int
	// MaxRecalls bounds recalls of one ticket (default 3).
	MaxRecalls int
	// RemoteStop is how long before the branch closes remote tickets stop,
	// for queues without their own LastRemote (default 30 min).
	RemoteStop time.Duration
}

// New returns the service. pub may be nil (no live events).
func New(store Store, dir *directory.Directory, msgs *messages.Service, pub Publisher, now func() time.Time, wake func()) *Service {
	if now == nil {
		now = time.Now
	}
	if wake == nil {
		wake = func() {}
	}
	return &Service{store: store, dir: dir, msgs: msgs, pub: pub, now: now, wake: wake,
		Rule: Rule{MaxWait: 45 * time.Minute, Early: 15 * time.Minute, Late: 15 * time.Minute}, NearAt: 3, MaxRecalls: 3, RemoteStop: 30 * time.Minute}
}

// TicketView is a ticket with its place: what the ticket page and
// GET /api/v1/tickets/{id} show.
type TicketView struct {
	Ticket     Ticket
	Ahead      int
	NowServing string
	// ETALow and ETAHigh bound the estimated wait.
	ETALow, ETAHigh time.Duration
	CounterName     string
}

// Workstation is what a counter's staff page shows.
type Workstation struct {
	Counter CounterState
	Current *Ticket
	Waiting []Ticket // the counter's queues, in calling order
	Parked  []Ticket // parked at this counter
	Missed  []Ticket // today's missed tickets of its queues, to reinstate
	Queues  []Queue  // the branch's queues, for transfer
}

// Queues lists a branch's queues.
func (s *Service) Queues(ctx context.Context, branch string) ([]Queue, error) { return nil, errTODO }

// TakeRemote issues a remote ticket to a signed-in resident.
func (s *Service) TakeRemote(ctx context.Context, a identity.Account, branch, queue, idempotencyKey string) (Ticket, error) {
	return Ticket{}, errTODO
}

// TakeKiosk issues a ticket at the branch's kiosk; phone (optional) gets
// an SMS when the turn is near and when called.
func (s *Service) TakeKiosk(ctx context.Context, branch, queue string, class Class, phone string) (Ticket, error) {
	return Ticket{}, errTODO
}

// View returns a ticket with its place. The ticket's ID is the capability
// (kiosk tickets have no owner); callers that know the caller use Mine.
func (s *Service) View(ctx context.Context, id string) (TicketView, error) {
	return TicketView{}, errTODO
}

// Mine returns the resident's own ticket; another's is NotFound.
func (s *Service) Mine(ctx context.Context, a identity.Account, id string) (TicketView, error) {
	return TicketView{}, errTODO
}

// Cancel cancels a waiting ticket: the resident's own (a set), or a kiosk
// ticket by its ID (a nil).
func (s *Service) Cancel(ctx context.Context, a *identity.Account, id string) (Ticket, error) {
	return Ticket{}, errTODO
}

// Status returns a branch's live status.
func (s *Service) Status(ctx context.Context, branch string) (BranchStatus, error) {
	return BranchStatus{}, errTODO
}

// Staff actions. counterID is Counter.ID() ("BRANCH.CODE"). Each checks
// that actor serves at the counter's branch for the queue's entity.

// OpenCounter opens a counter for actor.
func (s *Service) OpenCounter(ctx context.Context, actor identity.Actor, counterID string) (CounterState, error) {
	return CounterState{}, errTODO
}

// CloseCounter closes a counter.
func (s *Service) CloseCounter(ctx context.Context, actor identity.Actor, counterID string) (CounterState, error) {
	return CounterState{}, errTODO
}

// CallNext calls the next ticket by the rule to the counter.
func (s *Service) CallNext(ctx context.Context, actor identity.Actor, counterID string) (Ticket, error) {
	return Ticket{}, errTODO
}

// Recall calls the ticket again (up to MaxRecalls).
func (s *Service) Recall(ctx context.Context, actor identity.Actor, id string) (Ticket, error) {
	return Ticket{}, errTODO
}

// NoShow marks a called ticket missed.
func (s *Service) NoShow(ctx context.Context, actor identity.Actor, id string) (Ticket, error) {
	return Ticket{}, errTODO
}

// Reinstate puts a missed ticket back in its queue at its original place.
func (s *Service) Reinstate(ctx context.Context, actor identity.Actor, id string) (Ticket, error) {
	return Ticket{}, errTODO
}

// Transfer moves a called or waiting ticket to another queue of the
// branch, keeping its original issue time.
func (s *Service) Transfer(ctx context.Context, actor identity.Actor, id, queue string) (Ticket, error) {
	return Ticket{}, errTODO
}

// Park sets a called ticket aside, freeing the counter.
func (s *Service) Park(ctx context.Context, actor identity.Actor, id string) (Ticket, error) {
	return Ticket{}, errTODO
}

// Resume calls a parked ticket back to the counter.
func (s *Service) Resume(ctx context.Context, actor identity.Actor, id, counterID string) (Ticket, error) {
	return Ticket{}, errTODO
}

// Complete finishes a called ticket with an outcome.
func (s *Service) Complete(ctx context.Context, actor identity.Actor, id, outcome string) (Ticket, error) {
	return Ticket{}, errTODO
}

// ConfirmClass confirms (or corrects) a ticket's priority class.
func (s *Service) ConfirmClass(ctx context.Context, actor identity.Actor, id string, class Class) (Ticket, error) {
	return Ticket{}, errTODO
}

// Workstation returns a counter's page data.
func (s *Service) Workstation(ctx context.Context, actor identity.Actor, counterID string) (Workstation, error) {
	return Workstation{}, errTODO
}
