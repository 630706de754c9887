package appointments

import (
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
)

// The years a date or start parameter may name.
const (
	minYear = 2000
	maxYear = 2100
)

// localLayout is a start time without an offset, read in the zone.
const localLayout = "2006-01-02T15:04"

func badDate(field string) error {
	return &apperr.Error{Code: apperr.Invalid, Field: field, Key: "appointments.invalid.date",
		Detail: "want a date YYYY-MM-DD between 2000 and 2100"}
}

func badStart() error {
	return &apperr.Error{Code: apperr.Invalid, Field: "start", Key: "appointments.invalid.start",
		Detail: "want a start like 2026-12-01T09:30 or 2026-12-01T09:30:00+08:00, in whole minutes, between 2000 and 2100"}
}

// ParseDate parses a date parameter: exactly YYYY-MM-DD, a real calendar
// date, year 2000 to 2100. The error is an apperr Invalid with Field "date"
// and Key "appointments.invalid.date".
func ParseDate(s string) (directory.Date, error) {
	return parseDate(s, "date")
}

func parseDate(s, field string) (directory.Date, error) {
	if len(s) != len(time.DateOnly) || s[4] != '-' || s[7] != '-' ||
		!digits(s[:4]) || !digits(s[5:7]) || !digits(s[8:]) {
		return directory.Date{}, badDate(field)
	}
	d := directory.Date{Year: atoi(s[:4]), Month: time.Month(atoi(s[5:7])), Day: atoi(s[8:])}
	// time.Date normalises 02-30 to 03-02: a real date survives unchanged.
	if d.Year < minYear || d.Year > maxYear || directory.DateOf(d.In(time.UTC)) != d {
		return directory.Date{}, badDate(field)
	}
	return d, nil
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a string of at most four ASCII digits.
func atoi(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// ParseStart parses a slot-start parameter: RFC 3339 with an offset
// ("2026-12-01T09:30:00+08:00" or "...Z"), or a local time without seconds
// ("2026-12-01T09:30") read in loc. The time must be a whole minute and its
// year in loc 2000 to 2100. The result is in loc. The error is an apperr
// Invalid with Field "start" and Key "appointments.invalid.start".
func ParseStart(s string, loc *time.Location) (time.Time, error) {
	var t time.Time
	var err error
	switch {
	case len(s) == len(localLayout):
		t, err = time.ParseInLocation(localLayout, s, loc)
	case len(s) <= len("2006-01-02T15:04:05.999999999+00:00"):
		t, err = time.Parse(time.RFC3339, s)
	default:
		return time.Time{}, badStart()
	}
	if err != nil {
		return time.Time{}, badStart()
	}
	t = t.In(loc)
	if y := t.Year(); y < minYear || y > maxYear || t.Second() != 0 || t.Nanosecond() != 0 {
		return time.Time{}, badStart()
	}
	return t, nil
}

// ParseRange parses a from and to date pair (see ParseDate) for a calendar
// view: from must not be after to, and the range may cover at most maxDays
// days, both ends included (31 allows a whole month; below 1 allows one day).
// A bad date names Field "from" or "to" with Key "appointments.invalid.date";
// a bad range names Field "to" with Key "appointments.invalid.range".
func ParseRange(from, to string, maxDays int) (directory.Date, directory.Date, error) {
	f, err := parseDate(from, "from")
	if err != nil {
		return directory.Date{}, directory.Date{}, err
	}
	t, err := parseDate(to, "to")
	if err != nil {
		return directory.Date{}, directory.Date{}, err
	}
	if t.Before(f) || daysBetween(f, t)+1 > max(maxDays, 1) {
		return directory.Date{}, directory.Date{}, &apperr.Error{Code: apperr.Invalid, Field: "to",
			Key: "appointments.invalid.range", Detail: "want from on or before to, within the allowed number of days"}
	}
	return f, t, nil
}

// daysBetween returns the number of days from a to b.
func daysBetween(a, b directory.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)) / (24 * time.Hour))
}
