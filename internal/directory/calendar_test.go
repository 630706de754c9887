package directory

import (
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/lang"
)

func mustLoc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := LoadLocation(TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

var name = lang.Text{ZhHant: "假", Pt: "Feriado", En: "Holiday"}

// fss has a lunch closure Mon-Thu and closes earlier on Friday.
var fss = Branch{Code: "FSS-X", Hours: []Hours{
	{time.Monday, 9 * 60, 13 * 60}, {time.Monday, 14*60 + 30, 17*60 + 45},
	{time.Friday, 9 * 60, 13 * 60}, {time.Friday, 14*60 + 30, 17*60 + 30},
}}

func testCalendar(t *testing.T) *Calendar {
	loc := mustLoc(t)
	return NewCalendar(loc, []Holiday{
		{Date: day("2026-02-16"), Kind: Exemption, Name: name, ClosedFrom: 13 * 60},
		{Date: day("2026-02-17"), Kind: PublicHoliday, Name: name},
		{Date: day("2026-02-18"), Kind: PublicHoliday, Name: name},
		{Date: day("2026-02-19"), Kind: PublicHoliday, Name: name},
	}, []Closure{{
		Branch: "FSS-X", Reason: name,
		Starts: time.Date(2026, 3, 2, 10, 0, 0, 0, loc), Ends: time.Date(2026, 3, 2, 11, 0, 0, 0, loc),
	}, {
		Reason: name, // every branch: typhoon signal 8
		Starts: time.Date(2026, 3, 6, 15, 0, 0, 0, loc), Ends: time.Date(2026, 3, 7, 0, 0, 0, 0, loc),
	}})
}

func TestWorkingDays(t *testing.T) {
	c := testCalendar(t)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-02-13", 1, "2026-02-16"},  // Fri -> Mon (half-day exemption still works)
		{"2026-02-16", 1, "2026-02-20"},  // LNY holidays skipped
		{"2026-02-20", -1, "2026-02-16"}, // backwards
		{"2026-02-14", 0, "2026-02-16"},  // Saturday rolls to Monday
		{"2026-02-12", 5, "2026-02-24"},
	}
	for _, tt := range tests {
		if got := c.AddWorkingDays(day(tt.from), tt.n); got != day(tt.want) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	if c.IsWorkingDay(day("2026-02-17")) {
		t.Error("IsWorkingDay(Lunar New Year) = true")
	}
}

func TestStatusAt(t *testing.T) {
	c := testCalendar(t)
	loc := c.Location()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		now       string
		open      bool
		until     string // when open
		next      string // when closed
		inClosure bool
	}{
		{now: "2026-03-02 09:30", open: true, until: "2026-03-02 10:00"},     // closure ahead
		{now: "2026-03-02 10:30", next: "2026-03-02 11:00", inClosure: true}, // in closure
		{now: "2026-03-02 13:15", next: "2026-03-02 14:30"},                  // lunch
		{now: "2026-03-02 18:00", next: "2026-03-06 09:00"},                  // Tue-Thu have no hours
		{now: "2026-03-06 14:45", open: true, until: "2026-03-06 15:00"},     // typhoon at 15:00
		{now: "2026-03-06 16:00", next: "2026-03-09 09:00", inClosure: true}, // typhoon
		{now: "2026-02-16 12:00", open: true, until: "2026-02-16 13:00"},     // afternoon off
		{now: "2026-02-16 14:40", next: "2026-02-20 09:00"},                  // then LNY
		{now: "2026-02-20 12:59", open: true, until: "2026-02-20 13:00"},
	}
	for _, tt := range tests {
		st := c.StatusAt(fss, at(tt.now))
		if st.Open != tt.open {
			t.Errorf("StatusAt(%s).Open = %v, want %v", tt.now, st.Open, tt.open)
			continue
		}
		if tt.open && !st.Until.Equal(at(tt.until)) {
			t.Errorf("StatusAt(%s).Until = %v, want %s", tt.now, st.Until, tt.until)
		}
		if !tt.open && !st.Next.Equal(at(tt.next)) {
			t.Errorf("StatusAt(%s).Next = %v, want %s", tt.now, st.Next, tt.next)
		}
		if (st.Closure != nil) != tt.inClosure {
			t.Errorf("StatusAt(%s).Closure = %v, want in closure %v", tt.now, st.Closure, tt.inClosure)
		}
	}
}

func TestClosedBranchNeverOpens(t *testing.T) {
	c := testCalendar(t)
	b := fss
	b.Closed = true
	if st := c.StatusAt(b, time.Date(2026, 3, 2, 10, 0, 0, 0, c.Location())); st.Open || !st.Next.IsZero() {
		t.Errorf("closed branch status = %+v, want shut with no next opening", st)
	}
}

func TestParseClock(t *testing.T) {
	for _, s := range []string{"9:00", "25:00", "24:01", "12:60", "ab:cd", ""} {
		if _, err := ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) accepted", s)
		}
	}
	if c, err := ParseClock("24:00"); err != nil || c != 1440 {
		t.Errorf("ParseClock(24:00) = %v, %v", c, err)
	}
}
