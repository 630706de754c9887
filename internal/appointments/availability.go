package appointments

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// SlotView is a slot with the places left.
type SlotView struct {
	Start, End          time.Time
	Capacity, Remaining int
}

// DaySlots lists a day's slots of a service at a branch with the places
// left, leaving out slots that have begun.
func (s *Service) DaySlots(ctx context.Context, branch, service string, day directory.Date) ([]SlotView, Rules, error) {
	r, err := s.rulesFor(ctx, branch, service)
	if err != nil {
		return nil, r, err
	}
	b, err := s.branch(ctx, branch)
	if err != nil {
		return nil, r, err
	}
	if !Bookable(r, day, directory.DateOf(s.now().In(s.dir.Location()))) {
		return []SlotView{}, r, nil
	}
	slots, err := s.daySlots(ctx, r, b, day)
	if err != nil {
		return nil, r, err
	}
	loc := s.dir.Location()
	used, err := s.store.BookedPlaces(ctx, branch, service, day.In(loc), day.AddDays(1).In(loc))
	if err != nil {
		return nil, r, err
	}
	out := []SlotView{}
	for _, sl := range slots {
		if !Open(sl, s.now()) {
			continue
		}
		v := SlotView{Start: sl.Start, End: sl.End, Capacity: sl.Capacity, Remaining: sl.Capacity}
		if u, ok := used[sl.Start.UTC()]; ok {
			v.Capacity = min(sl.Capacity, u.Capacity)
			v.Remaining = max(0, v.Capacity-u.Booked)
		}
		out = append(out, v)
	}
	return out, r, nil
}

// Availability gives each day from from to to: available, full, closed or
// outside the booking window.
func (s *Service) Availability(ctx context.Context, branch, service string, from, to directory.Date) ([]Day, error) {
	r, err := s.rulesFor(ctx, branch, service)
	if err != nil {
		return nil, err
	}
	b, err := s.branch(ctx, branch)
	if err != nil {
		return nil, err
	}
	loc := s.dir.Location()
	cal, closures, err := s.calendar(ctx, branch, from, to)
	if err != nil {
		return nil, err
	}
	used, err := s.store.BookedPlaces(ctx, branch, service, from.In(loc), to.AddDays(1).In(loc))
	if err != nil {
		return nil, err
	}
	booked := func(start time.Time) int {
		u, ok := used[start.UTC()]
		if !ok {
			return 0
		}
		if u.Capacity < r.Places {
			return u.Booked + r.Places - u.Capacity
		}
		return u.Booked
	}
	today := directory.DateOf(s.now().In(loc))
	return Days(r, b, from, to, today, cal, closures, loc, booked), nil
}

// HandleReminder is the jobs.Handler of RemindJob: a reminder the day
// before, unless the booking was cancelled or moved since.
func (s *Service) HandleReminder(ctx context.Context, j jobs.Job) error {
	var ref JobRef
	if err := json.Unmarshal(j.Payload, &ref); err != nil {
		return jobs.Permanent(fmt.Errorf("reminder payload: %w", err))
	}
	ap, err := s.store.Appointment(ctx, ref.AccountID, ref.ID)
	if err != nil || ap.Status != Booked || !ap.Start.Equal(ref.Start) {
		return nil
	}
	when := ap.Start.In(s.dir.Location()).Format("2006-01-02 15:04")
	_, err = s.msgs.Send(ctx, messages.Message{AccountID: ap.AccountID, Sender: messages.Platform, Category: messages.Appointments,
		Title: lang.Text{ZhHant: "明天的預約：" + ap.Reference, Pt: "Marcação amanhã: " + ap.Reference, En: "Your appointment tomorrow: " + ap.Reference},
		Body: lang.Text{ZhHant: "提提您：您的預約在 " + when + "（澳門時間）。如不能出席，請取消以讓出名額。",
			Pt: "Lembrete: a sua marcação é em " + when + " (hora de Macau). Se não puder vir, cancele para libertar o lugar.",
			En: "A reminder: your appointment is on " + when + " (Macao time). If you cannot come, cancel it to free the place."},
		Link: "/appointments/" + ap.ID, Dedupe: j.DedupeKey})
	return err
}

// HandleNoShow is the jobs.Handler of NoShowJob: a booking nobody checked
// in for by then is marked missed.
func (s *Service) HandleNoShow(ctx context.Context, j jobs.Job) error {
	var ref JobRef
	if err := json.Unmarshal(j.Payload, &ref); err != nil {
		return jobs.Permanent(fmt.Errorf("no-show payload: %w", err))
	}
	_, err := s.store.MarkNoShow(ctx, ref.ID, ref.Start, s.now().UTC())
	return err
}
