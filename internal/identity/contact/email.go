package contact

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Email is an e-mail address: a bare addr-spec with its domain in lower case
// and its local part as the user typed it. Only ParseEmail makes valid
// values.
type Email string

// Address length limits (RFC 5321 §4.5.3.1, with RFC 3696 erratum 1690).
const (
	maxEmailLen  = 254
	maxLocalLen  = 64
	maxLabelLen  = 63
	minLabelsLen = 2
)

// ParseEmail accepts a bare address such as "Ana.Lei@Example.MO" after
// trimming white space, and returns it with the domain lower-cased
// ("Ana.Lei@example.mo"). It refuses display names and angle brackets,
// quoted local parts, comments, domain literals, domains without a dot and
// addresses over 254 bytes, with key "email.invalid". Ownership is proven by
// a link or code sent to the address, not here.
func ParseEmail(s string) (Email, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxEmailLen || !utf8.ValidString(s) {
		return "", invalidEmail("too long or not UTF-8")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return "", invalidEmail(err.Error())
	}
	if addr.Name != "" || addr.Address != s {
		return "", invalidEmail("not a bare address")
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if len(local) > maxLocalLen || !validDomain(domain) {
		return "", invalidEmail("bad local part or domain")
	}
	return Email(local + "@" + domain), nil
}

// String returns the address.
func (e Email) String() string { return string(e) }

// Domain returns the part after the "@", in lower case.
func (e Email) Domain() string { return string(e)[strings.LastIndexByte(string(e), '@')+1:] }

// Key returns the whole address in lower case: the value to look accounts up
// by and to enforce uniqueness on. Almost every mail system treats local
// parts case-insensitively, and two accounts differing only in case would
// confuse people.
func (e Email) Key() string { return strings.ToLower(string(e)) }

// validDomain checks a lower-cased domain: at least two dot-separated labels
// of letters, digits and inner hyphens, each at most 63 bytes, and a top
// level that is not all digits (so no IP addresses).
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < minLabelsLen || allDigits(labels[len(labels)-1]) {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabelLen || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}

// invalidEmail is ParseEmail's refusal.
func invalidEmail(detail string) error { return invalid("email", "email.invalid", detail) }
