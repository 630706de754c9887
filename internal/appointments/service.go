package appointments

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// The job kinds bookings schedule.
const (
	// RemindJob sends the reminder the day before.
	RemindJob = "appointment.remind"
	// NoShowJob marks a booking missed when nobody checked in.
	NoShowJob = "appointment.noshow"
	// BookedJob confirms a new or moved booking and schedules its other
	// jobs.
	BookedJob = "appointment.booked"
)

// Service books, moves and cancels appointments.
type Service struct {
	store Store
	staff StaffStore
	dir   *directory.Directory
	msgs  *messages.Service
	now   func() time.Time
	// NoShowAfter is how long after the start a booking nobody checked in
	// for becomes a no-show.
	NoShowAfter time.Duration
	wake        func()
	cache       refCache
	// OnCheckIn, if set, runs after each check-in: the app hands the
	// visitor to the branch's queue with it.
	OnCheckIn func(ctx context.Context, a Appointment) error
}

// New returns the service.
func New(store interface {
	Store
	StaffStore
}, dir *directory.Directory, msgs *messages.Service, now func() time.Time, wake func()) *Service {
	if now == nil {
		now = time.Now
	}
	if wake == nil {
		wake = func() {}
	}
	return &Service{store: store, staff: store, dir: dir, msgs: msgs, now: now, NoShowAfter: 15 * time.Minute, wake: wake,
		cache: newRefCache()}
}

// Request is a resident's booking request.
type Request struct {
	Branch, Service string
	Start           time.Time
	IdempotencyKey  string
}

// offered checks that the service is booked at the branch and returns
// the rules, the branch and the slot starting at start.
func (s *Service) offered(ctx context.Context, branch, service string, start time.Time) (Rules, directory.Branch, Slot, error) {
	r, err := s.rulesFor(ctx, branch, service)
	if err != nil {
		return r, directory.Branch{}, Slot{}, err
	}
	b, err := s.branch(ctx, branch)
	if err != nil {
		return r, b, Slot{}, err
	}
	loc := s.dir.Location()
	day := directory.DateOf(start.In(loc))
	if !Bookable(r, day, directory.DateOf(s.now().In(loc))) {
		return r, b, Slot{}, &apperr.Error{Code: apperr.Invalid, Field: "start", Key: "appointments.invalid.window",
			Detail: "that day is outside the booking window"}
	}
	slots, err := s.daySlots(ctx, r, b, day)
	if err != nil {
		return r, b, Slot{}, err
	}
	i := slices.IndexFunc(slots, func(sl Slot) bool { return sl.Start.Equal(start) })
	if i < 0 || !Open(slots[i], s.now()) {
		return r, b, Slot{}, &apperr.Error{Code: apperr.Invalid, Field: "start", Key: "appointments.invalid.slot",
			Detail: "there is no bookable slot at that time"}
	}
	return r, b, slots[i], nil
}

func (s *Service) daySlots(ctx context.Context, r Rules, b directory.Branch, day directory.Date) ([]Slot, error) {
	cal, closures, err := s.calendar(ctx, b.Code, day, day)
	if err != nil {
		return nil, err
	}
	return Slots(r, b, day, cal, closures, s.dir.Location()), nil
}

// Book books a place for the account.
func (s *Service) Book(ctx context.Context, a identity.Account, req Request) (Appointment, bool, error) {
	if a.Kind != identity.Resident {
		return Appointment{}, false, &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "only residents book"}
	}
	r, _, slot, err := s.offered(ctx, req.Branch, req.Service, req.Start)
	if err != nil {
		return Appointment{}, false, err
	}
	if !a.Meets(identity.Level(r.Level)) {
		return Appointment{}, false, &apperr.Error{Code: apperr.Forbidden, Key: "appointments.level",
			Detail: fmt.Sprintf("this service needs assurance level %d", r.Level)}
	}
	if err := s.checkNoShows(ctx, a, r); err != nil {
		return Appointment{}, false, err
	}
	now := s.now().UTC()
	ap := Appointment{ID: messages.NewID(), Reference: NewReference(), AccountID: a.ID, Branch: req.Branch,
		Service: req.Service, Start: slot.Start, End: slot.End, Status: Booked, CreatedAt: now, UpdatedAt: now}
	out, err := s.bookedOutgoing(ctx, a, ap)
	if err != nil {
		return Appointment{}, false, err
	}
	nb := NewBooking{Appointment: ap, Capacity: slot.Capacity, OnePerService: r.OnePerService, MaxPerDay: r.MaxPerDay,
		Day: directory.DateOf(slot.Start.In(s.dir.Location())).String(), IdempotencyKey: req.IdempotencyKey, Out: out}
	got, created, err := s.store.Book(ctx, nb)
	if err == nil && created {
		s.wake()
	}
	return got, created, err
}

func (s *Service) checkNoShows(ctx context.Context, a identity.Account, r Rules) error {
	if !r.NoShow.Enabled {
		return nil
	}
	since := s.now().AddDate(0, 0, -r.NoShow.WindowDays)
	ns, err := s.store.NoShowsSince(ctx, a.ID, since)
	if err != nil {
		return err
	}
	if until, suspended := r.NoShow.Suspended(ns, s.now()); suspended {
		return &apperr.Error{Code: apperr.Forbidden, Key: "appointments.suspended",
			Detail: "online booking is suspended until " + until.In(s.dir.Location()).Format("2006-01-02")}
	}
	return nil
}

// bookedOutgoing is what a new or moved booking writes in its own
// transaction: one durable job, whose handler (HandleBooked) then sends
// the confirmation and schedules the reminder and the no-show check. The
// booking's transaction stays small; nothing is lost, because the job is
// committed with the booking.
func (s *Service) bookedOutgoing(_ context.Context, a identity.Account, ap Appointment) (Outgoing, error) {
	j, err := jobs.New(BookedJob, "booked:"+ap.ID+":"+ap.Start.UTC().Format(time.RFC3339),
		JobRef{AccountID: a.ID, ID: ap.ID, Start: ap.Start}, s.now())
	if err != nil {
		return Outgoing{}, err
	}
	return Outgoing{Jobs: []jobs.Job{j}}, nil
}

// HandleBooked is the jobs.Handler of BookedJob: the confirmation in the
// inbox (and the resident's channels), the reminder the day before and
// the no-show check. A retry repeats nothing: every one of them has a
// dedupe key.
func (s *Service) HandleBooked(ctx context.Context, j jobs.Job) error {
	var ref JobRef
	if err := json.Unmarshal(j.Payload, &ref); err != nil {
		return jobs.Permanent(fmt.Errorf("booked payload: %w", err))
	}
	ap, err := s.store.Appointment(ctx, ref.AccountID, ref.ID)
	if err != nil || ap.Status != Booked || !ap.Start.Equal(ref.Start) {
		return nil
	}
	m := s.confirmation(ap)
	m.Dedupe = j.DedupeKey
	if _, err := s.msgs.Send(ctx, m); err != nil {
		return err
	}
	key := ap.ID + ":" + ap.Start.UTC().Format(time.RFC3339)
	var js []jobs.Job
	if remind := ap.Start.Add(-24 * time.Hour); remind.After(s.now()) {
		r, err := jobs.New(RemindJob, "remind:"+key, ref, remind)
		if err != nil {
			return err
		}
		js = append(js, r)
	}
	n, err := jobs.New(NoShowJob, "noshow:"+key, ref, ap.Start.Add(s.NoShowAfter))
	if err != nil {
		return err
	}
	return s.store.EnqueueJobs(ctx, append(js, n))
}

// JobRef is the payload of a booking's jobs. Start lets a job see that the
// booking moved since it was scheduled.
type JobRef struct {
	AccountID string    `json:"account_id"`
	ID        string    `json:"id"`
	Start     time.Time `json:"start"`
}

func (s *Service) confirmation(ap Appointment) messages.Message {
	when := func(l lang.Tag) string { return ap.Start.In(s.dir.Location()).Format("2006-01-02 15:04") }
	return messages.Message{AccountID: ap.AccountID, Sender: messages.Platform, Category: messages.Appointments,
		Title: lang.Text{ZhHant: "預約已確認：" + ap.Reference, Pt: "Marcação confirmada: " + ap.Reference,
			En: "Appointment confirmed: " + ap.Reference},
		Body: lang.Text{ZhHant: "您已預約 " + when(lang.ZhHant) + "（澳門時間）。請帶同所需文件，並於預約時間前到達。",
			Pt: "A sua marcação é em " + when(lang.Pt) + " (hora de Macau). Traga os documentos indicados e chegue antes da hora.",
			En: "Your appointment is on " + when(lang.En) + " (Macao time). Bring the documents listed and arrive before the time."},
		Link: "/appointments/" + ap.ID}
}

// Cancel cancels one of the account's bookings before the cut-off; the
// place is free at once.
func (s *Service) Cancel(ctx context.Context, a identity.Account, id string) (Appointment, error) {
	ap, err := s.store.Appointment(ctx, a.ID, id)
	if err != nil {
		return ap, err
	}
	r, err := s.store.AppointmentRules(ctx, ap.Branch, ap.Service)
	if err != nil {
		return ap, err
	}
	if !r.CanCancel(ap.Start, s.now()) {
		return ap, &apperr.Error{Code: apperr.Conflict, Key: "appointments.cutoff", Detail: "it is too late to cancel this booking"}
	}
	return s.store.Cancel(ctx, a.ID, id, "", s.now().UTC(), Outgoing{})
}

// Reschedule moves one of the account's bookings to another slot of the
// same service and branch: the new place is taken before the old one is
// released.
func (s *Service) Reschedule(ctx context.Context, a identity.Account, id string, start time.Time) (Appointment, error) {
	ap, err := s.store.Appointment(ctx, a.ID, id)
	if err != nil {
		return ap, err
	}
	r, _, slot, err := s.offered(ctx, ap.Branch, ap.Service, start)
	if err != nil {
		return ap, err
	}
	if !r.CanCancel(ap.Start, s.now()) {
		return ap, &apperr.Error{Code: apperr.Conflict, Key: "appointments.cutoff", Detail: "it is too late to change this booking"}
	}
	moved := ap
	moved.Start, moved.End = slot.Start, slot.End
	out, err := s.bookedOutgoing(ctx, a, moved)
	if err != nil {
		return ap, err
	}
	got, err := s.store.Reschedule(ctx, Move{AccountID: a.ID, ID: id, Start: slot.Start, End: slot.End, Capacity: slot.Capacity,
		MaxPerDay: r.MaxPerDay, Day: directory.DateOf(slot.Start.In(s.dir.Location())).String(), At: s.now().UTC(), Out: out})
	if err == nil {
		s.wake()
	}
	return got, err
}

// Get returns one of the account's bookings; another's is NotFound.
func (s *Service) Get(ctx context.Context, a identity.Account, id string) (Appointment, error) {
	return s.store.Appointment(ctx, a.ID, id)
}

// Mine lists the account's bookings.
func (s *Service) Mine(ctx context.Context, a identity.Account) ([]Appointment, error) {
	return s.store.AppointmentsOf(ctx, a.ID)
}
