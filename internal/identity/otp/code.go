// Package otp makes and checks one-time secrets: numeric codes sent by SMS or
// e-mail, TOTP authenticator codes (RFC 6238) and printed recovery codes.
//
// Nothing here stores anything. Callers keep only hashes of one-time codes
// and recovery codes, count attempts and remember the last TOTP time step
// used; the functions here give them the values and the rules to apply.
package otp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// Limits of a one-time code (OWASP ASVS 2.7.2–2.7.3: at most 10 minutes,
// single use).
const (
	// CodeDigits is the length of a one-time code.
	CodeDigits = 6
	// CodeTTL is how long a one-time code stays valid.
	CodeTTL = 10 * time.Minute
	// MaxCodeAttempts is how many wrong guesses invalidate a code.
	MaxCodeAttempts = 5
)

// codeSpace is 10^CodeDigits.
var codeSpace = big.NewInt(1_000_000)

// NewCode returns a uniformly random 6-digit code from crypto/rand, leading
// zeros kept ("004217").
func NewCode() (string, error) {
	n, err := rand.Int(rand.Reader, codeSpace)
	if err != nil {
		return "", fmt.Errorf("new one-time code: %w", err)
	}
	return fmt.Sprintf("%0*d", CodeDigits, n.Int64()), nil
}

// HashCode returns the hex HMAC-SHA256, under secretKey, of a code bound to
// its purpose ("signup", "reset", "phone-change"…) and target (the phone
// number or e-mail address it was sent to). Store this instead of the code: a
// leaked table then reveals nothing, and a code cannot be replayed for another
// purpose or target. The fields are length-prefixed, so no two different
// triples hash alike.
func HashCode(secretKey []byte, purpose, target, code string) string {
	m := hmac.New(sha256.New, secretKey)
	for _, field := range []string{"oneaccount-otp-v1", purpose, target, code} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(field)))
		m.Write(n[:])
		m.Write([]byte(field))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// CodeMatches reports, in constant time, whether code hashes to stored under
// HashCode with the same key, purpose and target.
func CodeMatches(secretKey []byte, purpose, target, code, stored string) bool {
	return hmac.Equal([]byte(HashCode(secretKey, purpose, target, code)), []byte(stored))
}

// maxCodeInput bounds what ParseCode looks at.
const maxCodeInput = 64

// ParseCode normalises a code as typed: spaces (ASCII, no-break and
// ideographic) are dropped and full-width digits become ASCII, so " 123 456 "
// and "１２３４５６" both give "123456". Anything else that is not exactly six
// digits is an apperr.Invalid error on field "code" with key "code.invalid".
func ParseCode(s string) (string, error) {
	if len(s) > maxCodeInput {
		return "", invalidCode("too long")
	}
	out := make([]byte, 0, CodeDigits)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			out = append(out, byte(r))
		case r >= '０' && r <= '９':
			out = append(out, byte('0'+r-'０'))
		case r == ' ' || r == '\t' || r == '\u00a0' || r == '\u3000':
		default:
			return "", invalidCode(fmt.Sprintf("unexpected character %q", r))
		}
	}
	if len(out) != CodeDigits {
		return "", invalidCode(fmt.Sprintf("%d digits, want %d", len(out), CodeDigits))
	}
	return string(out), nil
}

// invalidCode is ParseCode's refusal.
func invalidCode(detail string) error {
	return &apperr.Error{Code: apperr.Invalid, Field: "code", Key: "code.invalid", Detail: detail}
}
