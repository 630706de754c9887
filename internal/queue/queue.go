package queue

import (
	"time"

	"github.com/oneaccount/oneaccount/internal/lang"
)

// Class is a ticket's class: normal or one of the priority classes.
type Class string

// The ticket classes.
const (
	Normal     Class = "normal"
	Elderly    Class = "elderly" // 65 or older
	Pregnant   Class = "pregnant"
	Disability Class = "disability"
)

// Priority reports whether the class is served in the counter's priority
// share.
func (c Class) Priority() bool { return c == Elderly || c == Pregnant || c == Disability }

// Source is where a ticket came from.
type Source string

// The ticket sources.
const (
	Remote      Source = "remote"      // a signed-in resident on the web or the API
	Kiosk       Source = "kiosk"       // the branch's own screen, no sign-in
	Appointment Source = "appointment" // an appointment checked in at the branch
)

// Status is where a ticket is.
type Status string

// The ticket statuses.
const (
	Waiting   Status = "waiting"
	Called    Status = "called" // called to a counter, being served
	Parked    Status = "parked" // set aside by its counter, to be resumed
	Missed    Status = "missed" // no-show; staff may reinstate it
	Done      Status = "done"   // completed with an outcome
	Cancelled Status = "cancelled"
)

// Active reports whether a ticket with this status still holds its place
// (the one-active-ticket-per-person limit counts these).
func (s Status) Active() bool { return s == Waiting || s == Called || s == Parked }

// Queue is one line at a branch: a letter prefix and the services it
// covers.
type Queue struct {
	Branch string
	// Code is the letter prefix of its numbers ("A" gives A001).
	Code   string
	Entity string
	Name   lang.Text
	// Services are the codes of the services it covers.
	Services []string
	// DailyQuota bounds the remote tickets a day; 0 is no limit.
	DailyQuota int
	// LastRemote is the local time of day ("16:45") after which no remote
	// ticket is issued; empty means the branch's closing time.
	LastRemote string
	// MaxWait is the aging bound: a ticket waiting this long is called
	// before anything issued later.
	MaxWait time.Duration
}

// Counter is a counter's work profile: the queues it serves and its ratio
// of priority to normal tickets.
type Counter struct {
	Branch string
	// Code is the directory's counter code ("DSI-03").
	Code   string
	Entity string
	Name   lang.Text
	Queues []string
	// PriorityShare and NormalShare are the ratio: of every
	// PriorityShare+NormalShare calls, PriorityShare go to priority
	// tickets while any wait.
	PriorityShare, NormalShare int
}

// ID is the counter's identifier in URLs: "BRANCH.CODE".
func (c Counter) ID() string { return c.Branch + "." + c.Code }

// CounterState is a counter with its live state.
type CounterState struct {
	Counter
	Open bool
	// StaffID is who opened it.
	StaffID string
	// Turn is the position in the counter's ratio cycle, 0 to
	// PriorityShare+NormalShare-1; the first PriorityShare positions call
	// priority tickets.
	Turn int
	// Current is the ID of the ticket called at it, if any.
	Current string
}

// Ticket is one visitor's place in a queue.
type Ticket struct {
	ID     string // random, unguessable: a kiosk ticket's page is reached by it
	Branch string
	Queue  string
	// Day is the local date of issue, YYYY-MM-DD; Seq runs per branch,
	// queue and day, and Number is the queue's prefix and Seq ("A007").
	Day    string
	Seq    int
	Number string
	Source Source
	Class  Class
	// ClassConfirmed records that staff confirmed the priority class.
	ClassConfirmed bool
	AccountID      string // remote and appointment tickets
	Phone          string // a kiosk visitor who asked to be called by SMS
	AppointmentID  string
	// DueAt is an appointment ticket's slot time.
	DueAt    time.Time
	IssuedAt time.Time
	// QueuedAt orders the queue (FIFO); a transfer keeps it.
	QueuedAt time.Time
	Status   Status
	Counter  string // counter code while called or parked, and the last one after
	CalledAt time.Time
	Recalls  int
	DoneAt   time.Time
	Outcome  string
	// NearSent records that "your turn is near" went out.
	NearSent bool
}
