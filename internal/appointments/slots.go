package appointments

import (
	"slices"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
)

// Slot is one bookable time at a branch: [Start, End) with Capacity places.
type Slot struct {
	Start, End time.Time
	Capacity   int
}

// Slots returns the slots of one day at branch b, in start order, in loc.
//
// Each of the branch's opening intervals for day's weekday is cut into
// SlotMinutes pieces from its opening time; a piece that would run past the
// interval's close is dropped, so slots never straddle a lunch closure. A
// piece is kept only when it lies wholly inside the branch's open time as the
// calendar gives it (cal.OpenIntervals: whole-day holidays remove every slot,
// an afternoon exemption removes the slots from its ClosedFrom time, 13:00 in
// Macao, and the calendar's own closures apply) and overlaps none of closures
// that apply to b (Branch b.Code, or "" for every branch). A nil cal means no
// holidays. A closed branch has no slots. Every slot has Capacity r.Places.
func Slots(r Rules, b directory.Branch, day directory.Date, cal *directory.Calendar, closures []directory.Closure, loc *time.Location) []Slot {
	if b.Closed || r.SlotMinutes <= 0 {
		return nil
	}
	open := openIntervals(b, day, cal, loc)
	step := directory.ClockTime(r.SlotMinutes)
	var out []Slot
	for _, h := range b.Hours {
		if h.Weekday != day.Weekday() {
			continue
		}
		for t := h.Opens; t+step <= h.Closes; t += step {
			s := Slot{Start: t.On(day, loc), End: (t + step).On(day, loc), Capacity: r.Places}
			if inside(s, open) && !closedBy(s, b.Code, closures) {
				out = append(out, s)
			}
		}
	}
	slices.SortFunc(out, func(a, b Slot) int { return a.Start.Compare(b.Start) })
	return out
}

// openIntervals returns when b serves the public on day: from the calendar
// when there is one, else straight from the opening hours.
func openIntervals(b directory.Branch, day directory.Date, cal *directory.Calendar, loc *time.Location) []directory.Interval {
	if cal != nil {
		return cal.OpenIntervals(b, day)
	}
	var out []directory.Interval
	for _, h := range b.Hours {
		if h.Weekday == day.Weekday() {
			out = append(out, directory.Interval{Start: h.Opens.On(day, loc), End: h.Closes.On(day, loc)})
		}
	}
	return out
}

// inside reports whether s lies wholly within one of the intervals.
func inside(s Slot, ivs []directory.Interval) bool {
	for _, iv := range ivs {
		if !s.Start.Before(iv.Start) && !s.End.After(iv.End) {
			return true
		}
	}
	return false
}

// closedBy reports whether a closure of branch (or of every branch)
// overlaps s.
func closedBy(s Slot, branch string, closures []directory.Closure) bool {
	for _, c := range closures {
		if (c.Branch == "" || c.Branch == branch) && c.Starts.Before(s.End) && c.Ends.After(s.Start) {
			return true
		}
	}
	return false
}

// SlotAt returns the slot of slots that starts at start, if any. Booking
// uses it to accept only real slot starts.
func SlotAt(slots []Slot, start time.Time) (Slot, bool) {
	for _, s := range slots {
		if s.Start.Equal(start) {
			return s, true
		}
	}
	return Slot{}, false
}

// Open reports whether s can still be booked at now: it has not started.
func Open(s Slot, now time.Time) bool { return now.Before(s.Start) }

// Bookable reports whether day lies in the booking window seen from today:
// within [today+WindowFrom, today+WindowTo], both ends included.
func Bookable(r Rules, day, today directory.Date) bool {
	return !day.Before(today.AddDays(r.WindowFrom)) && !today.AddDays(r.WindowTo).Before(day)
}

// DayStatus is how a day shows in the month calendar.
type DayStatus string

// The day statuses.
const (
	// DayOutsideWindow is a day outside the booking window.
	DayOutsideWindow DayStatus = "outside_window"
	// DayClosed is a day in the window without any slot: a weekend, a
	// holiday, a closure.
	DayClosed DayStatus = "closed"
	// DayFull is a day whose slots are all taken.
	DayFull DayStatus = "full"
	// DayAvailable is a day with at least one free place.
	DayAvailable DayStatus = "available"
)

// Day is one day of the month calendar: its status and the number of free
// places over all its slots.
type Day struct {
	Date   directory.Date
	Status DayStatus
	Free   int
}

// Days returns one Day for each date from from to to (both included), seen
// from today. A day outside the booking window is DayOutsideWindow whatever
// its slots (Free 0); otherwise DayClosed when it has no slot, DayFull when
// every place is taken, DayAvailable when some is free. booked gives the
// places already taken in the slot starting at start; nil means none.
//
// Days does not know the time of day: on today itself (only in the window
// when WindowFrom is 0) slots that have already started still count. Callers
// offering same-day booking filter today's slots with Open.
func Days(r Rules, b directory.Branch, from, to, today directory.Date, cal *directory.Calendar,
	closures []directory.Closure, loc *time.Location, booked func(start time.Time) int) []Day {
	var out []Day
	for d := from; !to.Before(d); d = d.AddDays(1) {
		out = append(out, dayOf(r, b, d, today, cal, closures, loc, booked))
	}
	return out
}

func dayOf(r Rules, b directory.Branch, d, today directory.Date, cal *directory.Calendar,
	closures []directory.Closure, loc *time.Location, booked func(start time.Time) int) Day {
	if !Bookable(r, d, today) {
		return Day{Date: d, Status: DayOutsideWindow}
	}
	slots := Slots(r, b, d, cal, closures, loc)
	if len(slots) == 0 {
		return Day{Date: d, Status: DayClosed}
	}
	free := 0
	for _, s := range slots {
		taken := 0
		if booked != nil {
			taken = booked(s.Start)
		}
		free += max(s.Capacity-taken, 0)
	}
	if free == 0 {
		return Day{Date: d, Status: DayFull}
	}
	return Day{Date: d, Status: DayAvailable, Free: free}
}
