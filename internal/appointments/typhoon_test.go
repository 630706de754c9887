package appointments_test

import (
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/appointments"
)

func TestReopening(t *testing.T) {
	loc := tzMacau(t)
	tests := []struct {
		name    string
		lowered string
		reopen  string
		closed  bool
	}{
		{"lowered before 07:30: open normally", "2026-08-10 05:00", "2026-08-10 00:00", false},
		{"lowered 07:29: open normally", "2026-08-10 07:29", "2026-08-10 00:00", false},
		{"lowered 07:30: 1h30 later", "2026-08-10 07:30", "2026-08-10 09:00", false},
		{"lowered 08:00: 1h30 later", "2026-08-10 08:00", "2026-08-10 09:30", false},
		{"lowered 08:59: 1h30 later", "2026-08-10 08:59", "2026-08-10 10:29", false},
		{"lowered 09:00: afternoon", "2026-08-10 09:00", "2026-08-10 14:30", false},
		{"example: lowered 10:00, afternoon reopening", "2026-08-10 10:00", "2026-08-10 14:30", false},
		{"lowered 12:59: afternoon", "2026-08-10 12:59", "2026-08-10 14:30", false},
		{"lowered 13:00: 1h30 later", "2026-08-10 13:00", "2026-08-10 14:30", false},
		{"lowered 14:00: 1h30 later", "2026-08-10 14:00", "2026-08-10 15:30", false},
		{"lowered 14:29: 1h30 later", "2026-08-10 14:29", "2026-08-10 15:59", false},
		{"lowered 14:30: closed rest of day", "2026-08-10 14:30", "2026-08-11 00:00", true},
		{"example: still up at 15:00, closed all day", "2026-08-10 15:00", "2026-08-11 00:00", true},
		{"lowered 23:59: closed rest of day", "2026-08-10 23:59", "2026-08-11 00:00", true},
		{"lowered 23:00 on the last day of the year", "2026-12-31 23:00", "2027-01-01 00:00", true},
	}
	for _, tt := range tests {
		// Give lowered in UTC: Reopening must read it in loc.
		reopen, closed := appointments.Reopening(wall(loc, tt.lowered).UTC(), loc)
		want := wall(loc, tt.reopen)
		if !reopen.Equal(want) || closed != tt.closed || reopen.Location() != loc {
			t.Errorf("%s: Reopening(%s) = %v, %v, want %v, %v", tt.name, tt.lowered, reopen, closed, want, tt.closed)
		}
	}
}

func TestReopening_Seconds(t *testing.T) {
	loc := tzMacau(t)
	lowered := wall(loc, "2026-08-10 07:30").Add(-time.Second)
	if reopen, closed := appointments.Reopening(lowered, loc); !reopen.Equal(wall(loc, "2026-08-10 00:00")) || closed {
		t.Errorf("Reopening(07:29:59) = %v, %v, want normal opening", reopen, closed)
	}
}

func TestClosedSpan(t *testing.T) {
	loc := tzMacau(t)
	tests := []struct {
		name             string
		raised, lowered  string // raised "" = before the day
		wantFrom, wantTo string
	}{
		{"raised before 09:00 stays closed", "2026-08-10 07:00", "2026-08-10 10:00", "2026-08-10 00:00", "2026-08-10 14:30"},
		{"raised in working hours closes at once", "2026-08-10 10:30", "2026-08-10 12:00", "2026-08-10 10:30", "2026-08-10 14:30"},
		{"raised 13:00-14:30: no afternoon opening", "2026-08-10 13:30", "2026-08-10 16:00", "2026-08-10 13:30", "2026-08-11 00:00"},
		{"raised 09:00 exactly closes at once", "2026-08-10 09:00", "2026-08-10 09:45", "2026-08-10 09:00", "2026-08-10 14:30"},
		{"raised 08:00, lowered 08:30", "2026-08-10 08:00", "2026-08-10 08:30", "2026-08-10 00:00", "2026-08-10 10:00"},
		{"example: up before the day, still up at 15:00", "", "2026-08-10 15:00", "2026-08-10 00:00", "2026-08-11 00:00"},
		{"up before the day, lowered 08:00", "", "2026-08-10 08:00", "2026-08-10 00:00", "2026-08-10 09:30"},
		{"up before the day, lowered before 07:30: empty", "", "2026-08-10 06:00", "2026-08-10 00:00", "2026-08-10 00:00"},
		{"raised and lowered at night: empty", "2026-08-10 02:00", "2026-08-10 05:00", "2026-08-10 00:00", "2026-08-10 00:00"},
		{"raised the evening before", "2026-08-09 16:00", "2026-08-10 08:00", "2026-08-09 16:00", "2026-08-10 09:30"},
		{"raised the morning before", "2026-08-09 06:00", "2026-08-10 11:00", "2026-08-09 00:00", "2026-08-10 14:30"},
	}
	for _, tt := range tests {
		var raised time.Time
		if tt.raised != "" {
			raised = wall(loc, tt.raised).UTC()
		}
		from, to := appointments.ClosedSpan(raised, wall(loc, tt.lowered).UTC(), loc)
		wantFrom, wantTo := wall(loc, tt.wantFrom), wall(loc, tt.wantTo)
		if !from.Equal(wantFrom) || !to.Equal(wantTo) {
			t.Errorf("%s: ClosedSpan(%q, %q) = [%v, %v), want [%v, %v)", tt.name, tt.raised, tt.lowered, from, to, wantFrom, wantTo)
		}
	}
}
