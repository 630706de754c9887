// Package appointments is the booking of counter appointments: a resident
// books a time at a counter of an entity (DSI, DSF, DSAJ, FSS, DSAT, IAM) at
// one of its branches.
//
// It holds the booking rules of a service at a branch (slot length, places per
// slot, booking window, per-person limits, cancellation cut-off, no-show
// policy), the slots those rules cut from the branch's opening hours less
// holidays and closures, the typhoon-signal reopening rules, bookings taken
// without overbooking, and check-in at the counter.
//
// Every time of day is read in the deployment's zone (Asia/Macau). The rules,
// slots, typhoon and parameter functions are pure: they take the time and the
// calendar as arguments and do no I/O.
package appointments

import (
	"fmt"
	"slices"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// Rules are the booking rules of one service at one branch.
type Rules struct {
	Branch, Service string
	// SlotMinutes is the length of a slot, 5 to 240 minutes.
	SlotMinutes int
	// Places is the number of people one slot takes (parallel counters),
	// 1 to 100.
	Places int
	// WindowFrom and WindowTo bound the booking window in days from today:
	// 1 and 30 allow booking from tomorrow to 30 days ahead; 0 allows today.
	WindowFrom, WindowTo int
	// OnePerService allows at most one active booking per person for this
	// service.
	OnePerService bool
	// MaxPerDay allows at most that many bookings per person per day at this
	// branch; 0 means no limit.
	MaxPerDay int
	// Level is the assurance level the booking person needs, 1 to 3.
	Level int
	// Documents lists what to bring, in the three languages; empty or
	// complete.
	Documents lang.Text
	// CancelCutoffMinutes forbids cancelling or rescheduling later than that
	// many minutes before the start; 0 to 7 days.
	CancelCutoffMinutes int
	NoShow              NoShowPolicy
}

// NoShowPolicy suspends booking for a person who keeps missing appointments:
// Count no-shows within WindowDays suspend booking for SuspendDays, for
// example 3 in 180 days suspend for 30 days.
type NoShowPolicy struct {
	Enabled     bool `yaml:"enabled"`
	Count       int  `yaml:"count"`
	WindowDays  int  `yaml:"window_days"`
	SuspendDays int  `yaml:"suspend_days"`
}

// Limits on the rules.
const (
	minSlotMinutes = 5
	maxSlotMinutes = 240
	maxPlaces      = 100
	maxWindowDays  = 366
	maxCutoff      = 7 * 24 * 60 // minutes
	maxPerDay      = 50
	maxNoShowCount = 100
	maxNoShowDays  = 366
)

// DefaultRules returns the usual rules of a service at a branch: 15-minute
// slots with places places each (the number of the branch's counters of the
// service's entity, see Counters; at least 1), bookable from tomorrow to 30
// days ahead, one active booking per service and two per day, level 1, a
// one-hour cancellation cut-off, and suspension for 30 days after 3 no-shows
// in 180 days.
func DefaultRules(branch, service string, places int) Rules {
	return Rules{
		Branch: branch, Service: service,
		SlotMinutes:         15,
		Places:              max(places, 1),
		WindowFrom:          1,
		WindowTo:            30,
		OnePerService:       true,
		MaxPerDay:           2,
		Level:               1,
		CancelCutoffMinutes: 60,
		NoShow:              NoShowPolicy{Enabled: true, Count: 3, WindowDays: 180, SuspendDays: 30},
	}
}

// Counters returns how many of branch b's counters belong to entity.
func Counters(b directory.Branch, entity string) int {
	n := 0
	for _, c := range b.Counters {
		if c.Entity == entity {
			n++
		}
	}
	return n
}

// invalid returns the Invalid error for a rules field, with the message key
// "appointments.invalid.rules" (the field is named in Field).
func invalid(field, format string, args ...any) error {
	return &apperr.Error{Code: apperr.Invalid, Field: field, Key: "appointments.invalid.rules",
		Detail: fmt.Sprintf(format, args...)}
}

// Validate checks the rules. The error is an apperr Invalid naming the first
// wrong field (branch, service, slot_minutes, places, window, max_per_day,
// level, documents, cancel_cutoff or no_show) with the key
// "appointments.invalid.rules".
func (r Rules) Validate() error {
	checks := []struct {
		ok    bool
		field string
		msg   string
	}{
		{directory.ValidCode(r.Branch), "branch", "want a branch code"},
		{directory.ValidCode(r.Service), "service", "want a service code"},
		{between(r.SlotMinutes, minSlotMinutes, maxSlotMinutes), "slot_minutes", "want 5 to 240 minutes"},
		{between(r.Places, 1, maxPlaces), "places", "want 1 to 100 places"},
		{0 <= r.WindowFrom && r.WindowFrom <= r.WindowTo && r.WindowTo <= maxWindowDays,
			"window", "want 0 <= from <= to <= 366 days"},
		{between(r.MaxPerDay, 0, maxPerDay), "max_per_day", "want 0 (no limit) to 50"},
		{between(r.Level, 1, 3), "level", "want assurance level 1 to 3"},
		{r.Documents == (lang.Text{}) || r.Documents.Complete(), "documents", "want all three languages or none"},
		{between(r.CancelCutoffMinutes, 0, maxCutoff), "cancel_cutoff", "want 0 to 7 days in minutes"},
		{r.NoShow.valid(), "no_show", "want count 1 to 100, window and suspension 1 to 366 days"},
	}
	for _, c := range checks {
		if !c.ok {
			return invalid(c.field, "%s", c.msg)
		}
	}
	return nil
}

func between(v, lo, hi int) bool { return lo <= v && v <= hi }

// valid reports whether an enabled policy has sane values; a disabled one
// only needs no negative values.
func (p NoShowPolicy) valid() bool {
	if !p.Enabled {
		return p.Count >= 0 && p.WindowDays >= 0 && p.SuspendDays >= 0
	}
	return between(p.Count, 1, maxNoShowCount) && between(p.WindowDays, 1, maxNoShowDays) &&
		between(p.SuspendDays, 1, maxNoShowDays)
}

// CanCancel reports whether a booking starting at start may still be
// cancelled or rescheduled at now: now is at or before start minus the
// cut-off. Exactly at the cut-off is allowed.
func (r Rules) CanCancel(start, now time.Time) bool {
	deadline := start.Add(-time.Duration(r.CancelCutoffMinutes) * time.Minute)
	return !now.After(deadline)
}

// Suspended reports whether a person with the given no-show times may not
// book at now, and until when.
//
// A no-show counts when it lies in [now - WindowDays days, now] (both ends
// included; later ones are ignored). When at least Count no-shows count, the
// suspension runs until the latest counted no-show plus SuspendDays calendar
// days, and the person is suspended while now is before that instant. A
// disabled policy, or one with Count < 1, never suspends. until is zero when
// suspended is false.
func (p NoShowPolicy) Suspended(noShows []time.Time, now time.Time) (until time.Time, suspended bool) {
	if !p.Enabled || p.Count < 1 {
		return time.Time{}, false
	}
	windowStart := now.AddDate(0, 0, -p.WindowDays)
	var counted []time.Time
	for _, t := range noShows {
		if !t.Before(windowStart) && !t.After(now) {
			counted = append(counted, t)
		}
	}
	if len(counted) < p.Count {
		return time.Time{}, false
	}
	latest := slices.MaxFunc(counted, time.Time.Compare)
	until = latest.AddDate(0, 0, p.SuspendDays)
	if !now.Before(until) {
		return time.Time{}, false
	}
	return until, true
}
