package directory

import (
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // Asia/Macau must resolve on machines without zoneinfo.
)

// TimeZone is the reference deployment's zone. Every opening hour, holiday and
// deadline is read in it.
const TimeZone = "Asia/Macau"

// LoadLocation returns the named zone, failing with a clear message.
func LoadLocation(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("load time zone %q: %w", name, err)
	}
	return loc, nil
}

// Interval is a span of time [Start, End).
type Interval struct {
	Start, End time.Time
}

// Calendar answers "is it a working day" and "is this branch open" from the
// holidays and closures it was built with. It is pure: build it from the
// store for the span of interest.
type Calendar struct {
	loc      *time.Location
	holidays map[Date][]Holiday
	closures []Closure
}

// NewCalendar returns a calendar in loc over the given holidays and closures.
func NewCalendar(loc *time.Location, holidays []Holiday, closures []Closure) *Calendar {
	c := &Calendar{loc: loc, holidays: map[Date][]Holiday{}, closures: closures}
	for _, h := range holidays {
		c.holidays[h.Date] = append(c.holidays[h.Date], h)
	}
	return c
}

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// HolidaysOn returns the holidays that fall on d.
func (c *Calendar) HolidaysOn(d Date) []Holiday { return c.holidays[d] }

// closedFrom returns the time of day from which d is a holiday: 0 for a
// whole-day holiday, 24:00 when d is no holiday at all.
func (c *Calendar) closedFrom(d Date) ClockTime {
	from := ClockTime(24 * 60)
	for _, h := range c.holidays[d] {
		from = min(from, h.ClosedFrom)
	}
	return from
}

// IsWorkingDay reports whether public services work on d: a weekday that is
// not a whole-day holiday. A half-day exemption still counts as a working day.
func (c *Calendar) IsWorkingDay(d Date) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && c.closedFrom(d) != 0
}

// AddWorkingDays returns the n-th working day after d (n > 0), or before d
// (n < 0). With n == 0 it returns d, or the next working day when d is not
// one. Deadlines in working days use it.
func (c *Calendar) AddWorkingDays(d Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	if n == 0 {
		for !c.IsWorkingDay(d) {
			d = d.AddDays(1)
		}
		return d
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// OpenIntervals returns when branch b serves the public on day d: its hours
// for that weekday, cut by holidays and by closures.
func (c *Calendar) OpenIntervals(b Branch, d Date) []Interval {
	if b.Closed {
		return nil
	}
	cut := c.closedFrom(d)
	var out []Interval
	for _, h := range b.Hours {
		if h.Weekday != d.Weekday() || h.Opens >= cut {
			continue
		}
		iv := Interval{h.Opens.On(d, c.loc), min(h.Closes, cut).On(d, c.loc)}
		out = append(out, subtractClosures(iv, b.Code, c.closures)...)
	}
	return out
}

// subtractClosures removes the closures that apply to branch from iv.
func subtractClosures(iv Interval, branch string, closures []Closure) []Interval {
	parts := []Interval{iv}
	for _, cl := range closures {
		if cl.Branch != "" && cl.Branch != branch {
			continue
		}
		var next []Interval
		for _, p := range parts {
			if !cl.Starts.Before(p.End) || !cl.Ends.After(p.Start) {
				next = append(next, p)
				continue
			}
			if cl.Starts.After(p.Start) {
				next = append(next, Interval{p.Start, cl.Starts})
			}
			if cl.Ends.Before(p.End) {
				next = append(next, Interval{cl.Ends, p.End})
			}
		}
		parts = next
	}
	return parts
}

// Status is whether a branch is open at an instant, and when that changes.
type Status struct {
	Open bool
	// Until is when the branch closes (when Open) .
	Until time.Time
	// Next is when it next opens (when not Open), zero if not within the
	// calendar's horizon.
	Next time.Time
	// Closure is the closure in force, if that is why it is shut.
	Closure *Closure
	// Holidays are today's holidays, if any.
	Holidays []Holiday
}

// horizon bounds how far Status looks for the next opening.
const horizon = 21

// StatusAt tells whether b is open at now and when that changes, looking up
// to three weeks ahead.
func (c *Calendar) StatusAt(b Branch, now time.Time) Status {
	now = now.In(c.loc)
	today := DateOf(now)
	st := Status{Holidays: c.holidays[today]}
	for _, cl := range c.closures {
		if (cl.Branch == "" || cl.Branch == b.Code) && !now.Before(cl.Starts) && now.Before(cl.Ends) {
			st.Closure = &cl
			break
		}
	}
	for i := range horizon {
		d := today.AddDays(i)
		for _, iv := range c.OpenIntervals(b, d) {
			if !now.Before(iv.End) {
				continue
			}
			if !now.Before(iv.Start) {
				st.Open, st.Until = true, iv.End
				return st
			}
			st.Next = iv.Start
			return st
		}
	}
	return st
}

// WeekHours groups a branch's hours by weekday, Monday first, for display.
func WeekHours(b Branch) [7][]Hours {
	var out [7][]Hours
	for _, h := range b.Hours {
		i := (int(h.Weekday) + 6) % 7
		out[i] = append(out[i], h)
	}
	for i := range out {
		slices.SortFunc(out[i], func(a, b Hours) int { return int(a.Opens - b.Opens) })
	}
	return out
}
