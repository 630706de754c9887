package appointments_test

import (
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
)

// wantInvalid fails unless err is an apperr Invalid with field and key.
func wantInvalid(t *testing.T, call string, err error, field, key string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid || e.Field != field || e.Key != key {
		t.Errorf("%s error = %#v, want Invalid field %q key %q", call, err, field, key)
	}
}

func TestParseDate(t *testing.T) {
	good := map[string]directory.Date{
		"2026-12-01": {Year: 2026, Month: time.December, Day: 1},
		"2028-02-29": {Year: 2028, Month: time.February, Day: 29},
		"2000-01-01": {Year: 2000, Month: time.January, Day: 1},
		"2100-12-31": {Year: 2100, Month: time.December, Day: 31},
	}
	for s, want := range good {
		if got, err := appointments.ParseDate(s); err != nil || got != want {
			t.Errorf("ParseDate(%q) = %v, %v, want %v", s, got, err, want)
		}
	}
	bad := []string{"", "2026-02-29", "2100-02-29", "1999-12-31", "2101-01-01", "2026-12-1", "2026-12-001",
		"2026/12/01", " 2026-12-01", "2026-12-01 ", "2026-13-01", "2026-00-10", "2026-12-00", "2026-04-31",
		"+026-12-01", "2026-1a-01", "２０２６-12-01", "2026-12-01T00:00", "20261201"}
	for _, s := range bad {
		_, err := appointments.ParseDate(s)
		wantInvalid(t, "ParseDate("+s+")", err, "date", "appointments.invalid.date")
	}
}

func TestParseStart(t *testing.T) {
	loc := tzMacau(t)
	good := map[string]string{
		"2026-12-01T09:30:00+08:00":     "2026-12-01 09:30",
		"2026-12-01T01:30:00Z":          "2026-12-01 09:30",
		"2026-12-01T02:30:00+01:00":     "2026-12-01 09:30",
		"2026-12-01T09:30":              "2026-12-01 09:30",
		"2026-12-01T09:30:00.000+08:00": "2026-12-01 09:30",
		"1999-12-31T23:30:00-08:00":     "2000-01-01 15:30", // the year counts in Macao
	}
	for s, w := range good {
		got, err := appointments.ParseStart(s, loc)
		if want := wall(loc, w); err != nil || !got.Equal(want) || got.Location() != loc {
			t.Errorf("ParseStart(%q) = %v, %v, want %v in %s", s, got, err, want, loc)
		}
	}
	bad := []string{"", "2026-12-01", "2026-12-01T09:30:15+08:00", "2026-12-01T09:30:00.5+08:00",
		"2026-12-01 09:30", "2026-12-01T24:00", "2026-02-30T09:30", "2026-12-01T09:30:00",
		"2100-12-31T20:00:00-08:00", "1999-12-31T23:30", "2026-12-01T09:30+08:00",
		"2026-12-01T09:30:00+08:00xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}
	for _, s := range bad {
		_, err := appointments.ParseStart(s, loc)
		wantInvalid(t, "ParseStart("+s+")", err, "start", "appointments.invalid.start")
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		from, to   string
		max        int
		field, key string // "" = valid
	}{
		{"2026-12-01", "2026-12-31", 31, "", ""},
		{"2026-12-01", "2026-12-01", 31, "", ""},
		{"2026-12-01", "2027-01-01", 31, "to", "appointments.invalid.range"},
		{"2026-12-02", "2026-12-01", 31, "to", "appointments.invalid.range"},
		{"2026-12-01", "2026-12-01", 0, "", ""},
		{"2026-12-01", "2026-12-02", 0, "to", "appointments.invalid.range"},
		{"2026-12-01", "2026-12-02", 2, "", ""},
		{"2026-12-1", "2026-12-02", 31, "from", "appointments.invalid.date"},
		{"2026-12-01", "tomorrow", 31, "to", "appointments.invalid.date"},
	}
	for _, tt := range tests {
		f, to, err := appointments.ParseRange(tt.from, tt.to, tt.max)
		call := "ParseRange(" + tt.from + ", " + tt.to + ")"
		if tt.field == "" {
			if err != nil || f.String() != tt.from || to.String() != tt.to {
				t.Errorf("%s = %v, %v, %v, want the same dates", call, f, to, err)
			}
			continue
		}
		wantInvalid(t, call, err, tt.field, tt.key)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-01", "2028-02-29", "2026-02-29", "1999-12-31", "2100-12-31", "0000-00-00", "2026-1-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := appointments.ParseDate(s)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("ParseDate(%q) error %v is not Invalid", s, err)
			}
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q) = %v, which formats differently", s, d)
		}
		if d.Year < 2000 || d.Year > 2100 || directory.DateOf(d.In(time.UTC)) != d {
			t.Fatalf("ParseDate(%q) = %v, not a real date in 2000..2100", s, d)
		}
		if again, err := appointments.ParseDate(d.String()); err != nil || again != d {
			t.Fatalf("ParseDate(%q) round trip = %v, %v, want %v", d.String(), again, err, d)
		}
	})
}

func FuzzParseStart(f *testing.F) {
	loc := tzMacau(f)
	for _, s := range []string{"2026-12-01T09:30:00+08:00", "2026-12-01T01:30:00Z", "2026-12-01T09:30",
		"2026-12-01T09:30:00.000+08:00", "1999-12-31T23:30:00-08:00", "2100-12-31T20:00:00-08:00",
		"2026-12-01T09:30:15+08:00", "2026-12-01T9:30:00+08:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := appointments.ParseStart(s, loc)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("ParseStart(%q) error %v is not Invalid", s, err)
			}
			return
		}
		if got.Location() != loc || got.Second() != 0 || got.Nanosecond() != 0 || got.Year() < 2000 || got.Year() > 2100 {
			t.Fatalf("ParseStart(%q) = %v: want a whole minute in 2000..2100 in %s", s, got, loc)
		}
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04"} {
			text := got.Format(layout)
			again, err := appointments.ParseStart(text, loc)
			if err != nil || !again.Equal(got) {
				t.Fatalf("ParseStart(%q) = %v; round trip ParseStart(%q) = %v, %v", s, got, text, again, err)
			}
		}
	})
}

func FuzzParseRange(f *testing.F) {
	f.Add("2026-12-01", "2026-12-31", 31)
	f.Add("2026-12-01", "2027-01-01", 31)
	f.Add("2026-12-02", "2026-12-01", 31)
	f.Add("2000-01-01", "2100-12-31", 1<<62)
	f.Add("2026-12-01", "2026-12-01", -5)
	f.Fuzz(func(t *testing.T, from, to string, maxDays int) {
		a, b, err := appointments.ParseRange(from, to, maxDays)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("ParseRange(%q, %q, %d) error %v is not Invalid", from, to, maxDays, err)
			}
			return
		}
		span := int(b.In(time.UTC).Sub(a.In(time.UTC))/(24*time.Hour)) + 1
		if span < 1 || span > max(maxDays, 1) || a.Year < 2000 || b.Year > 2100 {
			t.Fatalf("ParseRange(%q, %q, %d) = %v, %v: %d days, out of range", from, to, maxDays, a, b, span)
		}
		a2, b2, err := appointments.ParseRange(a.String(), b.String(), maxDays)
		if err != nil || a2 != a || b2 != b {
			t.Fatalf("ParseRange round trip of %v..%v = %v, %v, %v", a, b, a2, b2, err)
		}
	})
}
