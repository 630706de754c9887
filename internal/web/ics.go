package web

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// An appointment as an iCalendar (RFC 5545) file, so a resident adds it to
// the calendar of their phone or computer.

// icsEvent is one event of an iCalendar file.
type icsEvent struct {
	// UID is globally unique and stable: the booking's ID at the site's
	// host, so a second download updates the first instead of adding one.
	UID        string
	Stamp      time.Time
	Start, End time.Time
	Summary    string
	Location   string
	// Description is plain text; line breaks are kept (as \n).
	Description string
	Cancelled   bool
}

// icsUTC is the UTC date-time form of RFC 5545 §3.3.5 (form #2).
const icsUTC = "20060102T150405Z"

// bytes renders a VCALENDAR holding the event: CRLF line ends, text values
// escaped (§3.3.11) and lines folded at 75 octets (§3.1).
func (e icsEvent) bytes() []byte {
	var b bytes.Buffer
	prop := func(name, value string) {
		b.WriteString(icsFold(name + ":" + value))
		b.WriteString("\r\n")
	}
	status := "CONFIRMED"
	if e.Cancelled {
		status = "CANCELLED"
	}
	prop("BEGIN", "VCALENDAR")
	prop("VERSION", "2.0")
	prop("PRODID", "-//OneAccount//Appointments//EN")
	prop("CALSCALE", "GREGORIAN")
	prop("METHOD", "PUBLISH")
	prop("BEGIN", "VEVENT")
	prop("UID", icsText(e.UID))
	prop("DTSTAMP", e.Stamp.UTC().Format(icsUTC))
	prop("DTSTART", e.Start.UTC().Format(icsUTC))
	prop("DTEND", e.End.UTC().Format(icsUTC))
	prop("SUMMARY", icsText(e.Summary))
	if e.Location != "" {
		prop("LOCATION", icsText(e.Location))
	}
	if e.Description != "" {
		prop("DESCRIPTION", icsText(e.Description))
	}
	prop("STATUS", status)
	prop("TRANSP", "OPAQUE")
	prop("END", "VEVENT")
	prop("END", "VCALENDAR")
	return b.Bytes()
}

// icsText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon
// and comma get a backslash, a line break (CRLF, LF or CR) becomes \n, and
// other control characters, which TEXT may not hold, are dropped. Invalid
// UTF-8 is replaced.
func icsText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsLineOctets is the longest a content line may be, CRLF excluded
// (RFC 5545 §3.1).
const icsLineOctets = 75

// icsFold folds a content line: lines longer than 75 octets are split
// with CRLF and a space, never inside a UTF-8 character. Each continuation
// line, its leading space included, is at most 75 octets too.
func icsFold(line string) string {
	if len(line) <= icsLineOctets {
		return line
	}
	var b strings.Builder
	n := 0 // octets on the current physical line
	for len(line) > 0 {
		_, size := utf8.DecodeRuneInString(line)
		if n+size > icsLineOctets {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteString(line[:size])
		n += size
		line = line[size:]
	}
	return b.String()
}
