package appointments

import (
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
)

// The times of day in the typhoon rules (Despacho do Chefe do Executivo
// n.º 166/2002), in minutes after midnight.
const (
	typhoonEarly     directory.ClockTime = 7*60 + 30  // lowered before: open normally
	typhoonWorkStart directory.ClockTime = 9 * 60     // start of public-service hours
	typhoonNoon      directory.ClockTime = 13 * 60    // end of the morning
	typhoonAfternoon directory.ClockTime = 14*60 + 30 // afternoon opening
	typhoonDelay                         = 90 * time.Minute
)

// Reopening says when public counters may serve again on the day a typhoon
// signal No. 8 (or higher) is lowered at lowered, read in loc. Each boundary
// time belongs to the later row (lowered at 09:00 exactly is in 09:00–13:00):
//
//	lowered before 07:30   open normally:        reopen = 00:00 of that day, false
//	lowered 07:30–09:00    1 h 30 min later:     reopen = lowered + 1h30, false
//	lowered 09:00–13:00    in the afternoon:     reopen = 14:30 that day, false
//	lowered 13:00–14:30    1 h 30 min later:     reopen = lowered + 1h30, false
//	lowered 14:30 or later closed rest of day:   reopen = 00:00 of the next day, true
//
// The contract: reopen is the earliest instant from which counters may serve
// (they still serve only within their opening hours, so "00:00" means "no
// extra closure that day"); closedRestOfDay reports that nothing reopens on
// lowered's day. The 14:30 afternoon start is unconfirmed: the order says
// only "in the afternoon", and 14:30 is the afternoon opening of the old
// schedule.
//
// While the signal is still up at t, Reopening(t) is the earliest the counters
// could reopen that day: a signal still up at 15:00 closes the whole day.
func Reopening(lowered time.Time, loc *time.Location) (reopen time.Time, closedRestOfDay bool) {
	lowered = lowered.In(loc)
	day := directory.DateOf(lowered)
	at := func(c directory.ClockTime) time.Time { return c.On(day, loc) }
	switch {
	case lowered.Before(at(typhoonEarly)):
		return day.In(loc), false
	case lowered.Before(at(typhoonWorkStart)):
		return lowered.Add(typhoonDelay), false
	case lowered.Before(at(typhoonNoon)):
		return at(typhoonAfternoon), false
	case lowered.Before(at(typhoonAfternoon)):
		return lowered.Add(typhoonDelay), false
	default:
		return day.AddDays(1).In(loc), true
	}
}

// ClosedSpan returns the interval [from, to) during which public counters are
// closed because of a typhoon signal No. 8 raised at raised and lowered at
// lowered, read in loc. A zero raised means the signal was raised before
// lowered's day.
//
// from follows the hoisting rows of the order: raised before 09:00, counters
// stay closed that day, so from is 00:00 of raised's day; raised at 09:00 or
// later, counters close at once (from = raised), which also gives "no
// afternoon opening" when raised during the 13:00–14:30 lunch closure. With a
// zero raised, from is 00:00 of lowered's day.
//
// to is the reopening time from Reopening (00:00 of the next day when the
// signal came down at 14:30 or later). When to is not after from, as for a
// signal raised and lowered before 07:30, the span is empty and from == to.
// A closure covering the span closes every branch; bookings inside it are
// cancelled or moved.
func ClosedSpan(raised, lowered time.Time, loc *time.Location) (from, to time.Time) {
	to, _ = Reopening(lowered, loc)
	switch {
	case raised.IsZero():
		from = directory.DateOf(lowered.In(loc)).In(loc)
	default:
		raised = raised.In(loc)
		day := directory.DateOf(raised)
		from = raised
		if raised.Before(typhoonWorkStart.On(day, loc)) {
			from = day.In(loc)
		}
	}
	if !to.After(from) {
		return to, to
	}
	return from, to
}
