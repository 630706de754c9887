package queue

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/messages"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// Rule is the calling rule's settings.
type Rule struct {
	// MaxWait is the default aging bound (a queue's own MaxWait wins).
	MaxWait time.Duration
	// Early and Late are the windows around an appointment ticket's DueAt
	// in which it comes first.
	Early, Late time.Duration
}

// SMS sends a text message to a phone number, for kiosk visitors who
// left one; the app passes its notify.Sender when an SMS channel exists.
type SMS interface {
	Send(ctx context.Context, m notify.Message) error
}

// Service issues and calls tickets.
type Service struct {
	store Store
	dir   *directory.Directory
	msgs  *messages.Service
	pub   Publisher
	now   func() time.Time
	wake  func()
	cache refCache
	live  live
	// Rule is the calling rule (defaults: aging 45 min, early 15 min,
	// late 15 min).
	Rule Rule
	// NearAt is the position at which "your turn is near" goes out once
	// (default 3; 0 sends none).
	NearAt int
	// MaxRecalls bounds recalls of one ticket (default 3).
	MaxRecalls int
	// RemoteStop is how long before the branch closes remote tickets stop,
	// for queues without their own LastRemote (default 30 min).
	RemoteStop time.Duration
	// SMS, if set, texts kiosk visitors who left a phone number.
	SMS SMS
	// Log receives what fails after a change has committed (a live event
	// not published, a notice not scheduled); nil discards.
	Log *slog.Logger
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
		Rule:   Rule{MaxWait: 45 * time.Minute, Early: 15 * time.Minute, Late: 15 * time.Minute},
		NearAt: 3, MaxRecalls: 3, RemoteStop: 30 * time.Minute,
		cache: newRefCache(), live: live{branches: map[string]*branchLive{}}}
}

// TicketView is a ticket with its place: what the ticket page and
// GET /api/v1/tickets/{id} show.
type TicketView struct {
	Ticket Ticket
	// Ahead is the number of tickets expected to be called before it
	// (waiting tickets only).
	Ahead      int
	NowServing string
	// ETALow and ETAHigh bound the estimated wait (waiting tickets only).
	ETALow, ETAHigh time.Duration
	// CounterName is the counter's English name (or code) while the
	// ticket is called or parked; pages name it in their language.
	CounterName string
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
func (s *Service) Queues(ctx context.Context, branch string) ([]Queue, error) {
	qs, err := s.queues(ctx, branch)
	return slices.Clone(qs), err
}

// Counters lists a branch's counters with their live state.
func (s *Service) Counters(ctx context.Context, branch string) ([]CounterState, error) {
	return s.store.Counters(ctx, branch)
}

// today is the local date now.
func (s *Service) today() string { return directory.DateOf(s.now().In(s.dir.Location())).String() }

// queueOf finds queue code among qs.
func queueOf(qs []Queue, code string) (Queue, error) {
	i := slices.IndexFunc(qs, func(q Queue) bool { return q.Code == code })
	if i < 0 {
		return Queue{}, &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.body", Detail: "no queue " + code}
	}
	return qs[i], nil
}

// maxWaits is the aging bound of each queue of qs, the rule's default for
// queues without their own.
func (s *Service) maxWaits(qs []Queue) func(string) time.Duration {
	return func(code string) time.Duration {
		for _, q := range qs {
			if q.Code == code && q.MaxWait > 0 {
				return q.MaxWait
			}
		}
		return s.Rule.MaxWait
	}
}

// splitCounter splits a counter ID, "BRANCH.CODE".
func splitCounter(id string) (branch, code string, err error) {
	branch, code, ok := strings.Cut(id, ".")
	if !ok || branch == "" || code == "" {
		return "", "", &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.body", Detail: "no counter " + id}
	}
	return branch, code, nil
}

// counter returns a counter by its ID: its profile from a recent read
// (live is false), or as it is now.
func (s *Service) counter(ctx context.Context, id string, live bool) (CounterState, error) {
	branch, code, err := splitCounter(id)
	if err != nil {
		return CounterState{}, err
	}
	read := s.profiles
	if live {
		read = s.store.Counters
	}
	cs, err := read(ctx, branch)
	if err != nil {
		return CounterState{}, err
	}
	i := slices.IndexFunc(cs, func(c CounterState) bool { return c.Code == code })
	if i < 0 {
		return CounterState{}, &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.body", Detail: "no counter " + id}
	}
	return cs[i], nil
}

func (s *Service) logf(ctx context.Context, msg string, args ...any) {
	if s.Log != nil {
		s.Log.WarnContext(ctx, msg, args...)
	}
}
