package password

import (
	"fmt"
	"unicode/utf8"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// Length limits of the default policy, in Unicode code points after NFKC
// normalisation. OWASP ASVS 2.1.1 asks for at least 12; NIST SP 800-63B asks
// that at least 64 be accepted.
const (
	DefaultMinLength = 12
	DefaultMaxLength = 256
)

// Policy decides whether a new password is acceptable. There are no
// composition rules (NIST SP 800-63B forbids them): any Unicode text,
// including spaces and emoji, of the right length that is not on the
// blocklist is accepted.
type Policy struct {
	// MinLength and MaxLength bound the length in code points after NFKC
	// normalisation.
	MinLength, MaxLength int
	// Blocklist lists refused passwords. A nil Blocklist makes every Check
	// fail, so a wiring mistake cannot silently disable the check.
	Blocklist *Blocklist
}

// NewPolicy returns the default policy (12 to 256 code points) with bl.
func NewPolicy(bl *Blocklist) Policy {
	return Policy{MinLength: DefaultMinLength, MaxLength: DefaultMaxLength, Blocklist: bl}
}

// Check returns nil if pw may be set as a password, or an apperr.Invalid
// error on field "password" with key "password.too_short",
// "password.too_long", "password.invalid" (not UTF-8) or "password.common"
// (on the blocklist, compared case-insensitively).
func (p Policy) Check(pw string) error {
	if p.Blocklist == nil {
		return apperr.New(apperr.Internal, "password policy has no blocklist")
	}
	if !utf8.ValidString(pw) {
		return invalid("password.invalid", "password is not valid UTF-8")
	}
	// Bound the work before normalising. NFKC composition merges at most a
	// few code points into one, so this never refuses a valid password.
	if n := utf8.RuneCountInString(pw); n > 4*p.MaxLength {
		return invalid("password.too_long", fmt.Sprintf("%d characters, at most %d", n, p.MaxLength))
	}
	norm := Normalize(pw)
	n := utf8.RuneCountInString(norm)
	switch {
	case n < p.MinLength:
		return invalid("password.too_short", fmt.Sprintf("%d characters, at least %d", n, p.MinLength))
	case n > p.MaxLength:
		return invalid("password.too_long", fmt.Sprintf("%d characters, at most %d", n, p.MaxLength))
	case p.Blocklist.Contains(norm):
		return invalid("password.common", "password is on the list of common passwords")
	}
	return nil
}

// invalid is a policy refusal.
func invalid(key, detail string) error {
	return &apperr.Error{Code: apperr.Invalid, Field: "password", Key: key, Detail: detail}
}
