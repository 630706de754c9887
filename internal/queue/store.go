package queue

import (
	"context"
	"time"

	"github.com/oneaccount/oneaccount/internal/jobs"
)

// NewTicket is a ticket to write with the limits the database enforces.
type NewTicket struct {
	Ticket Ticket // ID, Branch, Queue, Day, Source, Class, AccountID, Phone, AppointmentID, DueAt, IssuedAt set; Seq and Number are assigned
	// Prefix is the queue's letter, for Number.
	Prefix string
	// Quota bounds the remote tickets of the queue that day (0: none);
	// exceeding it is ErrQuota.
	Quota int
	// OnePerBranch makes a second active ticket of AccountID at the branch
	// fail with ErrActive.
	OnePerBranch bool
	// WhileOpen refuses the ticket (ErrClosed) while a closure of the
	// branch covers its IssuedAt, checked in the same statement or
	// transaction as the write: a closure stops tickets at once on every
	// node, whatever the node's cache.
	WhileOpen bool
	// IdempotencyKey, when set, makes a repeat by the same account return
	// the first ticket.
	IdempotencyKey string
	Jobs           []jobs.Job
}

// Pick lists the waiting tickets (in QueuedAt order) a counter may call,
// best first, as Candidates does: each with the counter's turn once it
// has called it.
type Pick func(c CounterState, waiting []Ticket) []Candidate

// Store keeps queues, counters and tickets.
type Store interface {
	// SaveQueues replaces a branch's queues and counter profiles (live
	// counter state and tickets are kept).
	SaveQueues(ctx context.Context, branch string, qs []Queue, cs []Counter) error
	Queues(ctx context.Context, branch string) ([]Queue, error)
	Counters(ctx context.Context, branch string) ([]CounterState, error)
	// IssueTicket assigns the next number of the branch, queue and day and
	// writes the ticket with its jobs; created is false for an idempotent
	// repeat.
	IssueTicket(ctx context.Context, t NewTicket) (tk Ticket, created bool, err error)
	Ticket(ctx context.Context, id string) (Ticket, error)
	// Tickets lists a branch's tickets of a day (all statuses), in
	// QueuedAt order.
	Tickets(ctx context.Context, branch, day string) ([]Ticket, error)
	// LiveTickets lists what a branch's live status needs of a day's
	// tickets, in QueuedAt order: those still in play (not done or
	// cancelled) and, of the done ones, the latest calls calls and each
	// queue's latest call. A full read of the day would grow with every
	// ticket served.
	LiveTickets(ctx context.Context, branch, day string, calls int) ([]Ticket, error)
	// TicketsOf lists an account's tickets of a day (all statuses, every
	// branch), in IssuedAt order.
	TicketsOf(ctx context.Context, accountID, day string) ([]Ticket, error)
	// SetCounter opens (with staff) or closes a counter; closing with a
	// ticket called at it is ErrBusy.
	SetCounter(ctx context.Context, branch, code string, open bool, staffID string, at time.Time) (CounterState, error)
	// CallNext calls the next ticket at the open counter: it reads the
	// counter and the waiting tickets of its queues for the day (without
	// those other calls being made at the branch at the same time are
	// taking), and calls pick's first candidate if it is still waiting,
	// else reads again, with a conditional update (status waiting →
	// called), so no ticket is ever called by two counters. finish, when set, is the outcome the ticket called at the
	// counter is completed with in the same change (Qmatic's "next"), and
	// finished is that ticket; without finish a counter that still has a
	// ticket is ErrBusy. Nothing waiting is ErrEmpty, and then nothing
	// changes.
	CallNext(ctx context.Context, branch, code, day string, pick Pick, finish string, at time.Time) (called, finished Ticket, err error)
	// Transition moves a ticket from one of the statuses in from to to
	// with the changes in ch, conditionally; a ticket in another status
	// is ErrState.
	Transition(ctx context.Context, id string, from []Status, ch Change) (Ticket, error)
	// ServiceTimes returns the durations (DoneAt − CalledAt) of the last n
	// tickets completed in the queue, newest first.
	ServiceTimes(ctx context.Context, branch, queue string, n int) ([]time.Duration, error)
	// MarkNear sets NearSent on the ticket if it was unset, reporting
	// whether it did (so "your turn is near" goes once), and enqueues jobs
	// in the same transaction when it did.
	MarkNear(ctx context.Context, id string, js []jobs.Job) (bool, error)
	EnqueueJobs(ctx context.Context, js []jobs.Job) error
}

// Change is what a staff action changes on a ticket.
type Change struct {
	Status Status
	// Counter, when set, is the counter the ticket is at afterwards; an
	// action leaving the ticket Waiting, Missed or Done frees the counter.
	Counter    string
	Queue      string // transfer: the new queue
	Class      Class  // confirm or change the class
	Confirmed  bool
	Recall     bool // increments Recalls; refused (ErrState) at MaxRecalls
	MaxRecalls int
	Outcome    string
	At         time.Time
}
