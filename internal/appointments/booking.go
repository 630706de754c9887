package appointments

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// Status is where a booking is.
type Status string

// The statuses of a booking.
const (
	Booked    Status = "booked"
	CheckedIn Status = "checked_in"
	Served    Status = "served"
	NoShow    Status = "no_show"
	Cancelled Status = "cancelled"
)

// Appointment is a booking of one place in one slot.
type Appointment struct {
	ID string
	// Reference is the short code a visitor gives at the counter and that
	// the QR code carries.
	Reference   string
	AccountID   string
	Branch      string
	Service     string
	Start, End  time.Time
	Status      Status
	CancelNote  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CheckedInAt time.Time
}

// Active reports whether the booking still holds its place.
func (a Appointment) Active() bool { return a.Status == Booked }

// Outgoing is what a change sends in its own transaction: messages with
// their delivery jobs, and other jobs (reminders, no-show checks).
type Outgoing struct {
	Messages []PreparedMessage
	Jobs     []jobs.Job
}

// PreparedMessage is a message ready to store, with its delivery jobs.
type PreparedMessage struct {
	Message messages.Message
	Jobs    []jobs.Job
}

// NewBooking is a booking to write, with the limits the database enforces.
type NewBooking struct {
	Appointment Appointment
	// Capacity is the slot's places, used when the slot row is created.
	Capacity int
	// OnePerService makes a second active booking of the service fail.
	OnePerService bool
	// MaxPerDay limits the person's active bookings at the branch that
	// day; 0 is no limit.
	MaxPerDay int
	// Day is the booking's local date, YYYY-MM-DD, for MaxPerDay.
	Day string
	// IdempotencyKey, when set, makes a repeat return the first booking.
	IdempotencyKey string
	Out            Outgoing
}

// Move is a reschedule: the new slot is taken before the old is released,
// in one transaction.
type Move struct {
	AccountID, ID string
	Start, End    time.Time
	Capacity      int
	MaxPerDay     int
	Day           string
	At            time.Time
	Out           Outgoing
}

// Store keeps bookings. Every limit is enforced by the database.
type Store interface {
	AppointmentRules(ctx context.Context, branch, service string) (Rules, error)
	SetAppointmentRules(ctx context.Context, r Rules, by string, at time.Time) error
	// BookedPlaces returns the places taken per slot start in [from, to),
	// and the capacity of slots staff closed (capacity 0).
	BookedPlaces(ctx context.Context, branch, service string, from, to time.Time) (map[time.Time]SlotUse, error)
	// Book writes a booking; a full slot is ErrSlotFull, a reached
	// per-person limit ErrLimitReached. With an IdempotencyKey already
	// used, the first booking is returned and created is false.
	Book(ctx context.Context, b NewBooking) (a Appointment, created bool, err error)
	// Cancel ends an active booking and frees its place at once.
	Cancel(ctx context.Context, accountID, id, note string, at time.Time, out Outgoing) (Appointment, error)
	// Reschedule moves an active booking to another slot.
	Reschedule(ctx context.Context, m Move) (Appointment, error)
	Appointment(ctx context.Context, accountID, id string) (Appointment, error)
	AppointmentsOf(ctx context.Context, accountID string) ([]Appointment, error)
	// MarkNoShow marks a booking missed if it is still booked at start
	// with nobody checked in, reporting whether it did.
	MarkNoShow(ctx context.Context, id string, start, at time.Time) (bool, error)
	// NoShowsSince lists the account's no-show times since a moment.
	NoShowsSince(ctx context.Context, accountID string, since time.Time) ([]time.Time, error)
	// EnqueueJobs adds jobs, skipping any whose dedupe key exists.
	EnqueueJobs(ctx context.Context, js []jobs.Job) error
}

// SlotUse is how a stored slot is used.
type SlotUse struct {
	Capacity, Booked int
}

// NewReference returns a short booking reference: eight characters from
// an alphabet without look-alikes (no 0/O, 1/I/L), grouped for reading
// aloud, e.g. "K7QM-4XRA".
func NewReference() string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	var s strings.Builder
	for i, c := range b {
		if i == 4 {
			s.WriteByte('-')
		}
		s.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return s.String()
}
