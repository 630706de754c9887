package appointments

import (
	"context"
	"fmt"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// StaffStore is what the counter staff's work needs from storage.
type StaffStore interface {
	// BranchBookings lists the bookings at a branch starting in
	// [from, to), of the given services (all when services is nil).
	BranchBookings(ctx context.Context, branch string, services []string, from, to time.Time) ([]Appointment, error)
	// CheckIn marks a booked appointment checked in, by reference, if its
	// service is one of services; NotFound otherwise.
	CheckIn(ctx context.Context, branch, reference string, services []string, at time.Time) (Appointment, error)
	// CancelBooking cancels an active booking whoever holds it (a
	// closure), with its messages; ErrNotActive if it is not active.
	CancelBooking(ctx context.Context, id, note string, at time.Time, out Outgoing) (Appointment, error)
}

// serving is what a staff member may do at a branch: the services whose
// bookings they see (nil: all, for platform admins) and whether they may
// close the branch.
type serving struct {
	services []string
	close    bool
}

// staffAt checks that actor serves at branch: staff of an entity with
// counters there (their entity's services), or a platform admin (all).
// Supervisors and entity admins of the branch's operator may close it.
func (s *Service) staffAt(ctx context.Context, actor identity.Actor, branch string) (serving, directory.Branch, error) {
	b, err := s.dir.Store().Branch(ctx, branch)
	if err != nil {
		return serving{}, b, err
	}
	if platform(actor) {
		return serving{close: true}, b, nil
	}
	if !ServesAt(actor, b) {
		return serving{}, b, &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body",
			Detail: "not a member of the staff serving at " + branch}
	}
	svcs := []string{}
	for _, code := range b.Services {
		if svc, err := s.dir.Store().Service(ctx, code); err == nil && svc.Entity == actor.Account.Entity {
			svcs = append(svcs, code)
		}
	}
	return serving{services: svcs, close: CanClose(actor, b)}, b, nil
}

// BranchDay lists a day's bookings at a branch that the staff member's
// entity serves, by slot.
func (s *Service) BranchDay(ctx context.Context, actor identity.Actor, branch string, day directory.Date) ([]Appointment, error) {
	sv, _, err := s.staffAt(ctx, actor, branch)
	if err != nil {
		return nil, err
	}
	loc := s.dir.Location()
	return s.staff.BranchBookings(ctx, branch, sv.services, day.In(loc), day.AddDays(1).In(loc))
}

// CheckIn records the arrival of the holder of reference (typed, or read
// from the QR code) at branch.
func (s *Service) CheckIn(ctx context.Context, actor identity.Actor, branch, reference string) (Appointment, error) {
	sv, _, err := s.staffAt(ctx, actor, branch)
	if err != nil {
		return Appointment{}, err
	}
	ap, err := s.staff.CheckIn(ctx, branch, NormalizeReference(reference), sv.services, s.now().UTC())
	if err != nil || s.OnCheckIn == nil {
		return ap, err
	}
	if err := s.OnCheckIn(ctx, ap); err != nil {
		return ap, fmt.Errorf("checked in, but not handed to the queue: %w", err)
	}
	return ap, nil
}

// NormalizeReference upper-cases a typed reference and restores its dash.
func NormalizeReference(ref string) string {
	out := make([]byte, 0, 9)
	for _, c := range []byte(ref) {
		switch {
		case c >= 'a' && c <= 'z':
			out = append(out, c-'a'+'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			out = append(out, c)
		}
	}
	if len(out) == 8 {
		return string(out[:4]) + "-" + string(out[4:])
	}
	return string(out)
}

// Closure is a closing of a branch for a period.
type Closure struct {
	Branch     string
	From, To   time.Time
	Reason     lang.Text
	ByOperator bool
}

// Close closes a branch from from to to: the directory records the
// closure (so no slot is offered), and every booking in it is cancelled
// with a message to its holder linking to a new booking first. It returns
// how many bookings were cancelled.
func (s *Service) Close(ctx context.Context, actor identity.Actor, c Closure) (int, error) {
	sv, _, err := s.staffAt(ctx, actor, c.Branch)
	if err != nil {
		return 0, err
	}
	if !sv.close {
		return 0, &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "only the branch's supervisors close it"}
	}
	return s.closeBranch(ctx, c)
}

func (s *Service) closeBranch(ctx context.Context, c Closure) (int, error) {
	if !c.To.After(c.From) {
		return 0, &apperr.Error{Code: apperr.Invalid, Field: "to", Key: "appointments.invalid.range", Detail: "the closure ends before it starts"}
	}
	if _, err := s.dir.Store().AddClosure(ctx, directory.Closure{Branch: c.Branch, Starts: c.From, Ends: c.To, Reason: c.Reason}); err != nil {
		return 0, fmt.Errorf("record closure: %w", err)
	}
	hit, err := s.staff.BranchBookings(ctx, c.Branch, nil, c.From.Add(-24*time.Hour), c.To)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ap := range hit {
		if ap.Status != Booked || !ap.End.After(c.From) || !ap.Start.Before(c.To) {
			continue
		}
		m, js, err := s.msgs.Prepare(ctx, s.closedMessage(ap, c.Reason))
		if err != nil {
			return n, err
		}
		out := Outgoing{Messages: []PreparedMessage{{Message: m, Jobs: js}}}
		if _, err := s.staff.CancelBooking(ctx, ap.ID, "closed", s.now().UTC(), out); err != nil && err != ErrNotActive {
			return n, err
		}
		n++
	}
	s.wake()
	return n, nil
}

func (s *Service) closedMessage(ap Appointment, reason lang.Text) messages.Message {
	when := ap.Start.In(s.dir.Location()).Format("2006-01-02 15:04")
	return messages.Message{AccountID: ap.AccountID, Sender: messages.Platform, Category: messages.Appointments,
		Title: lang.Text{ZhHant: "預約已取消：" + ap.Reference, Pt: "Marcação cancelada: " + ap.Reference,
			En: "Appointment cancelled: " + ap.Reference},
		Body: lang.Text{ZhHant: "由於「" + reason.In(lang.ZhHant) + "」，您在 " + when + " 的預約已取消。請重新預約。",
			Pt: "A sua marcação de " + when + " foi cancelada (" + reason.In(lang.Pt) + "). Faça uma nova marcação.",
			En: "Your appointment on " + when + " was cancelled (" + reason.In(lang.En) + "). Please book again."},
		Link: "/book/" + ap.Branch + "/" + ap.Service}
}

// Signal8Reason and BlackRainReason explain the operator's closures.
var (
	Signal8Reason   = lang.Text{ZhHant: "八號或以上風球", Pt: "Sinal n.º 8 ou superior de tempestade tropical", En: "Typhoon signal No. 8 or above"}
	BlackRainReason = lang.Text{ZhHant: "黑色暴雨警告", Pt: "Aviso de tempestade negra", En: "Black rainstorm warning"}
)

// Signal8 is the operator's one action for typhoon signal No. 8: raised
// at raised and, once known, lowered at lowered (zero while still up). It
// closes every branch for the span the official rules give (until the end
// of the day while the signal is up) and cancels the bookings in it. The
// rules are in ClosedSpan and Reopening.
func (s *Service) Signal8(ctx context.Context, actor identity.Actor, raised, lowered time.Time) (int, error) {
	if !CanDeclareClosures(actor) {
		return 0, &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "only the platform operator declares a typhoon closure"}
	}
	loc := s.dir.Location()
	until := lowered
	if until.IsZero() {
		d := directory.DateOf(raised.In(loc)).AddDays(1).In(loc)
		until = d.Add(-time.Minute)
	}
	from, to := ClosedSpan(raised, until, loc)
	if lowered.IsZero() {
		to = directory.DateOf(raised.In(loc)).AddDays(1).In(loc)
	} else if err := s.reopenAfterSignal8(ctx, directory.DateOf(lowered.In(loc))); err != nil {
		return 0, err
	}
	return s.closeEverywhere(ctx, from, to, Signal8Reason)
}

// reopenAfterSignal8 removes the provisional signal-8 closures of day
// (made while the signal was up, until midnight), so that the closure
// the lowering computes replaces them and counters reopen on time.
func (s *Service) reopenAfterSignal8(ctx context.Context, day directory.Date) error {
	loc := s.dir.Location()
	bs, err := s.dir.Store().Branches(ctx, "")
	if err != nil {
		return err
	}
	for _, b := range bs {
		cs, err := s.dir.Store().Closures(ctx, b.Code, day.In(loc), day.AddDays(1).In(loc))
		if err != nil {
			return err
		}
		for _, c := range cs {
			if c.Branch == b.Code && c.Reason == Signal8Reason && !c.Ends.Before(day.AddDays(1).In(loc)) {
				if err := s.dir.Store().DeleteClosure(ctx, c.ID); err != nil {
					return fmt.Errorf("reopen after signal 8: %w", err)
				}
			}
		}
	}
	return nil
}

// BlackRain is the operator's switch for a black rainstorm: no rule closes
// counters for it, so the operator decides the span.
func (s *Service) BlackRain(ctx context.Context, actor identity.Actor, from, to time.Time) (int, error) {
	if !CanDeclareClosures(actor) {
		return 0, &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "only the platform operator declares this closure"}
	}
	return s.closeEverywhere(ctx, from, to, BlackRainReason)
}

func (s *Service) closeEverywhere(ctx context.Context, from, to time.Time, reason lang.Text) (int, error) {
	if !to.After(from) {
		return 0, nil
	}
	bs, err := s.dir.Store().Branches(ctx, "")
	if err != nil {
		return 0, err
	}
	total := 0
	for _, b := range bs {
		if len(b.Hours) > 0 {
			n, err := s.closeBranch(ctx, Closure{Branch: b.Code, From: from, To: to, Reason: reason, ByOperator: true})
			if err != nil {
				return total, fmt.Errorf("close %s: %w", b.Code, err)
			}
			total += n
		}
	}
	return total, nil
}

// SetRules changes a service's booking rules at a branch: for the
// service's entity admins and platform admins. This node forgets its
// cached rules at once; other nodes within refTTL.
func (s *Service) SetRules(ctx context.Context, actor identity.Actor, r Rules) error {
	svc, err := s.dir.Store().Service(ctx, r.Service)
	if err != nil {
		return err
	}
	a := actor.Account
	if !CanSetRules(actor, svc) {
		return &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: "only " + svc.Entity + "'s admins set these rules"}
	}
	if _, err := s.branch(ctx, r.Branch); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if err := s.store.SetAppointmentRules(ctx, r, a.ID, s.now()); err != nil {
		return err
	}
	s.forget()
	return nil
}

// Rules returns a service's booking rules at a branch.
func (s *Service) Rules(ctx context.Context, branch, service string) (Rules, error) {
	return s.rulesFor(ctx, branch, service)
}
