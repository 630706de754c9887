package appointments_test

import (
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/refdata"
)

// tzMacau returns the Asia/Macau zone.
func tzMacau(t testing.TB) *time.Location {
	t.Helper()
	loc, err := directory.LoadLocation(directory.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// ymd parses a test date.
func ymd(s string) directory.Date {
	d, err := directory.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// wall returns "2006-01-02 15:04" in loc.
func wall(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

// macaoData returns the reference Macao dataset (real branches, 2026
// holidays).
func macaoData(t testing.TB) directory.Dataset {
	t.Helper()
	ds, err := refdata.Macao()
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func refBranch(t testing.TB, code string) directory.Branch {
	t.Helper()
	for _, b := range macaoData(t).Branches {
		if b.Code == code {
			return b
		}
	}
	t.Fatalf("branch %s not in the reference data", code)
	return directory.Branch{}
}

// refCalendar is a calendar of the real Macao holidays plus closures.
func refCalendar(t testing.TB, closures ...directory.Closure) *directory.Calendar {
	t.Helper()
	return directory.NewCalendar(tzMacau(t), macaoData(t).Holidays, closures)
}

var reason = lang.Text{ZhHant: "關閉", Pt: "Encerrado", En: "Closed"}

func TestSlots(t *testing.T) {
	loc := tzMacau(t)
	closure := func(branch, from, to string) directory.Closure {
		return directory.Closure{Branch: branch, Starts: wall(loc, from), Ends: wall(loc, to), Reason: reason}
	}
	tests := []struct {
		name        string
		branch      string
		day         string
		minutes     int
		closures    []directory.Closure
		calClosures []directory.Closure
		noCalendar  bool
		want        int
		first, last string // start times of the first and last slot
	}{
		{name: "plain weekday", branch: "DSI-HQ", day: "2026-12-01", minutes: 15, want: 36, first: "09:00", last: "17:45"},
		{name: "lunch break", branch: "FSS-ST-LAZARUS", day: "2026-11-30", minutes: 15, want: 16 + 13, first: "09:00", last: "17:30"},
		{name: "lunch break Friday", branch: "FSS-ST-LAZARUS", day: "2026-12-04", minutes: 15, want: 16 + 12, first: "09:00", last: "17:15"},
		{name: "partial slot dropped", branch: "FSS-ST-LAZARUS", day: "2026-11-30", minutes: 20, want: 12 + 9, first: "09:00", last: "17:10"},
		{name: "partial slot dropped at close", branch: "DSI-HQ", day: "2026-12-01", minutes: 25, want: 21, first: "09:00", last: "17:20"},
		{name: "public holiday", branch: "DSI-HQ", day: "2026-12-08", minutes: 15, want: 0},
		{name: "compensatory rest day", branch: "DSI-HQ", day: "2026-12-21", minutes: 15, want: 0},
		{name: "weekend", branch: "DSI-HQ", day: "2026-12-05", minutes: 15, want: 0},
		{name: "afternoon exemption", branch: "DSI-HQ", day: "2026-12-31", minutes: 15, want: 16, first: "09:00", last: "12:45"},
		{name: "afternoon exemption with lunch break", branch: "FSS-ST-LAZARUS", day: "2026-02-16", minutes: 15, want: 16, first: "09:00", last: "12:45"},
		{name: "afternoon exemption, slot across 13:00", branch: "DSI-HQ", day: "2026-12-31", minutes: 40, want: 6, first: "09:00", last: "12:20"},
		{name: "branch closure morning", branch: "DSI-HQ", day: "2026-12-01", minutes: 15,
			closures: []directory.Closure{closure("DSI-HQ", "2026-12-01 09:00", "2026-12-01 13:00")}, want: 20, first: "13:00", last: "17:45"},
		{name: "closure of another branch", branch: "DSI-HQ", day: "2026-12-01", minutes: 15,
			closures: []directory.Closure{closure("DSF-FINANCAS", "2026-12-01 09:00", "2026-12-01 13:00")}, want: 36, first: "09:00", last: "17:45"},
		{name: "all-branch closure", branch: "DSI-HQ", day: "2026-12-01", minutes: 15,
			closures: []directory.Closure{closure("", "2026-12-01 15:00", "2026-12-02 00:00")}, want: 24, first: "09:00", last: "14:45"},
		{name: "closure overlapping one slot", branch: "DSI-HQ", day: "2026-12-01", minutes: 15,
			closures: []directory.Closure{closure("DSI-HQ", "2026-12-01 10:05", "2026-12-01 10:10")}, want: 35, first: "09:00", last: "17:45"},
		{name: "closure on another day", branch: "DSI-HQ", day: "2026-12-01", minutes: 15,
			closures: []directory.Closure{closure("", "2026-12-02 09:00", "2026-12-02 18:00")}, want: 36, first: "09:00", last: "17:45"},
		{name: "calendar closure", branch: "DSI-HQ", day: "2026-12-01", minutes: 15,
			calClosures: []directory.Closure{closure("", "2026-12-01 09:00", "2026-12-01 10:00")}, want: 32, first: "10:00", last: "17:45"},
		{name: "no calendar ignores holidays", branch: "DSI-HQ", day: "2026-12-08", minutes: 15, noCalendar: true, want: 36, first: "09:00", last: "17:45"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := appointments.DefaultRules(tt.branch, "X", 3)
			r.SlotMinutes = tt.minutes
			cal := refCalendar(t, tt.calClosures...)
			if tt.noCalendar {
				cal = nil
			}
			got := appointments.Slots(r, refBranch(t, tt.branch), ymd(tt.day), cal, tt.closures, loc)
			if len(got) != tt.want {
				t.Fatalf("Slots(%s, %s, %d min) gave %d slots, want %d", tt.branch, tt.day, tt.minutes, len(got), tt.want)
			}
			checkSlots(t, got, ymd(tt.day), tt.minutes, 3, loc)
			if tt.want == 0 {
				return
			}
			if f, l := got[0].Start.Format("15:04"), got[len(got)-1].Start.Format("15:04"); f != tt.first || l != tt.last {
				t.Errorf("Slots(%s, %s): first %s, last %s, want %s and %s", tt.branch, tt.day, f, l, tt.first, tt.last)
			}
		})
	}
}

// checkSlots checks what every slot list must satisfy: in order, on day, in
// loc, of the right length and capacity, not overlapping.
func checkSlots(t *testing.T, slots []appointments.Slot, day directory.Date, minutes, places int, loc *time.Location) {
	t.Helper()
	for i, s := range slots {
		if s.Start.Location() != loc || directory.DateOf(s.Start) != day {
			t.Errorf("slot %d starts at %v, want on %s in %s", i, s.Start, day, loc)
		}
		if s.End.Sub(s.Start) != time.Duration(minutes)*time.Minute || s.Capacity != places {
			t.Errorf("slot %d = %v-%v capacity %d, want %d min and %d places", i, s.Start, s.End, s.Capacity, minutes, places)
		}
		if i > 0 && s.Start.Before(slots[i-1].End) {
			t.Errorf("slot %d starts at %v, before the previous one ends", i, s.Start)
		}
	}
}

func TestSlots_LunchBreak(t *testing.T) {
	loc := tzMacau(t)
	r := appointments.DefaultRules("FSS-ST-LAZARUS", "FSS-CONTRIBUTION", 1)
	got := appointments.Slots(r, refBranch(t, "FSS-ST-LAZARUS"), ymd("2026-11-30"), refCalendar(t), nil, loc)
	var starts []string
	for _, s := range got {
		starts = append(starts, s.Start.Format("15:04")+"-"+s.End.Format("15:04"))
	}
	want := map[int]string{0: "09:00-09:15", 15: "12:45-13:00", 16: "14:30-14:45", 28: "17:30-17:45"}
	for i, w := range want {
		if i >= len(starts) || starts[i] != w {
			t.Errorf("Slots(FSS, Monday) slot %d = %v, want %s (all: %v)", i, starts[min(i, len(starts)-1)], w, starts)
		}
	}
	for _, s := range got {
		if s.End.After(wall(loc, "2026-11-30 13:00")) && s.Start.Before(wall(loc, "2026-11-30 14:30")) {
			t.Errorf("Slots(FSS, Monday) has %v-%v during the lunch closure", s.Start, s.End)
		}
	}
}

func TestSlots_ClosedBranch(t *testing.T) {
	b := refBranch(t, "DSI-HQ")
	b.Closed = true
	r := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 8)
	if got := appointments.Slots(r, b, ymd("2026-12-01"), refCalendar(t), nil, tzMacau(t)); len(got) != 0 {
		t.Errorf("Slots(closed branch) = %d slots, want none", len(got))
	}
	if got := appointments.Slots(r, b, ymd("2026-12-01"), nil, nil, tzMacau(t)); len(got) != 0 {
		t.Errorf("Slots(closed branch, no calendar) = %d slots, want none", len(got))
	}
}

func TestSlotAtAndOpen(t *testing.T) {
	loc := tzMacau(t)
	r := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 8)
	slots := appointments.Slots(r, refBranch(t, "DSI-HQ"), ymd("2026-12-01"), refCalendar(t), nil, loc)
	s, ok := appointments.SlotAt(slots, wall(loc, "2026-12-01 09:30").UTC())
	if !ok || !s.Start.Equal(wall(loc, "2026-12-01 09:30")) {
		t.Fatalf("SlotAt(09:30) = %v, %v, want the 09:30 slot", s, ok)
	}
	if _, ok := appointments.SlotAt(slots, wall(loc, "2026-12-01 09:35")); ok {
		t.Error("SlotAt(09:35) found a slot, want none: not a slot start")
	}
	for _, tt := range []struct {
		now  string
		want bool
	}{{"2026-12-01 09:29", true}, {"2026-12-01 09:30", false}, {"2026-12-01 09:31", false}} {
		if got := appointments.Open(s, wall(loc, tt.now)); got != tt.want {
			t.Errorf("Open(09:30 slot, %s) = %v, want %v", tt.now, got, tt.want)
		}
	}
}

func TestBookable(t *testing.T) {
	today := ymd("2026-12-01")
	r := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 8)
	r.WindowFrom, r.WindowTo = 2, 30
	tests := []struct {
		day  directory.Date
		want bool
	}{
		{today, false},
		{today.AddDays(1), false}, // WindowFrom-1
		{today.AddDays(2), true},  // WindowFrom
		{today.AddDays(30), true}, // WindowTo
		{today.AddDays(31), false},
		{today.AddDays(-1), false},
	}
	for _, tt := range tests {
		if got := appointments.Bookable(r, tt.day, today); got != tt.want {
			t.Errorf("Bookable(window 2-30, %s, today %s) = %v, want %v", tt.day, today, got, tt.want)
		}
	}
	r.WindowFrom, r.WindowTo = 0, 0
	if !appointments.Bookable(r, today, today) || appointments.Bookable(r, today.AddDays(1), today) {
		t.Error("Bookable(window 0-0) must allow today only")
	}
}

func TestDays(t *testing.T) {
	loc := tzMacau(t)
	r := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 2)
	r.WindowFrom, r.WindowTo = 1, 10
	today := ymd("2026-11-30") // Monday
	booked := func(start time.Time) int {
		switch directory.DateOf(start.In(loc)) {
		case ymd("2026-12-01"):
			return 2 // every slot taken
		case ymd("2026-12-02"):
			if start.Equal(wall(loc, "2026-12-02 09:00")) {
				return 1
			}
		case ymd("2026-12-03"):
			if start.Equal(wall(loc, "2026-12-03 09:00")) {
				return 5 // overbooked by staff: no negative places
			}
		}
		return 0
	}
	closures := []directory.Closure{{Starts: wall(loc, "2026-12-09 00:00"), Ends: wall(loc, "2026-12-10 00:00"), Reason: reason}}
	got := appointments.Days(r, refBranch(t, "DSI-HQ"), today, ymd("2026-12-11"), today, refCalendar(t), closures, loc, booked)
	want := []appointments.Day{
		{ymd("2026-11-30"), appointments.DayOutsideWindow, 0}, // today
		{ymd("2026-12-01"), appointments.DayFull, 0},
		{ymd("2026-12-02"), appointments.DayAvailable, 36*2 - 1},
		{ymd("2026-12-03"), appointments.DayAvailable, 35 * 2},
		{ymd("2026-12-04"), appointments.DayAvailable, 72},
		{ymd("2026-12-05"), appointments.DayClosed, 0}, // Saturday
		{ymd("2026-12-06"), appointments.DayClosed, 0},
		{ymd("2026-12-07"), appointments.DayAvailable, 72},
		{ymd("2026-12-08"), appointments.DayClosed, 0}, // Immaculate Conception
		{ymd("2026-12-09"), appointments.DayClosed, 0}, // closure
		{ymd("2026-12-10"), appointments.DayAvailable, 72},
		{ymd("2026-12-11"), appointments.DayOutsideWindow, 0}, // today+11
	}
	if len(got) != len(want) {
		t.Fatalf("Days gave %d days, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Days: day %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := appointments.Days(r, refBranch(t, "DSI-HQ"), ymd("2026-12-02"), ymd("2026-12-02"), today, nil, nil, loc, nil); len(got) != 1 || got[0].Free != 72 {
		t.Errorf("Days(nil booked) = %+v, want one day with 72 free places", got)
	}
	if got := appointments.Days(r, refBranch(t, "DSI-HQ"), ymd("2026-12-03"), ymd("2026-12-02"), today, nil, nil, loc, nil); len(got) != 0 {
		t.Errorf("Days(from after to) = %+v, want none", got)
	}
}
