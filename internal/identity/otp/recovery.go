package otp

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Recovery code shape: three groups of four characters from a 31-symbol
// alphabet, 12 × log2(31) ≈ 59.4 bits each.
const (
	// RecoveryCodeCount is how many codes a user gets at a time.
	RecoveryCodeCount = 10
	recoveryGroups    = 3
	recoveryGroupLen  = 4
	maxRecoveryCodes  = 100
)

// recoveryAlphabet has no 0, o, 1, l or i, which people misread.
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// NewRecoveryCodes returns n random single-use codes like "k7m2-9xq4-p3ta".
// Show them once; store only HashRecoveryCode of each.
func NewRecoveryCodes(n int) ([]string, error) {
	if n < 1 || n > maxRecoveryCodes {
		return nil, fmt.Errorf("new recovery codes: count %d not in 1..%d", n, maxRecoveryCodes)
	}
	codes := make([]string, n)
	for i := range codes {
		codes[i] = newRecoveryCode()
	}
	return codes, nil
}

// newRecoveryCode draws one code by rejection sampling, so every symbol is
// equally likely.
func newRecoveryCode() string {
	const size = len(recoveryAlphabet)
	const limit = 256 / size * size // 248: bytes at or above it are redrawn
	var b strings.Builder
	buf := make([]byte, 32)
	for n := 0; n < recoveryGroups*recoveryGroupLen; {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go ≥ 1.24).
		for _, c := range buf {
			if int(c) >= limit || n == recoveryGroups*recoveryGroupLen {
				continue
			}
			if n > 0 && n%recoveryGroupLen == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[int(c)%size])
			n++
		}
	}
	return b.String()
}

// NormaliseRecoveryCode returns the form a recovery code is hashed in: NFKC
// (so full-width input works), lower-case, with dashes and white space
// removed. "K7M2-9XQ4 P3TA" gives "k7m29xq4p3ta". It is idempotent.
func NormaliseRecoveryCode(code string) string {
	// Removing a dash can let NFKC compose across it, and lower-casing can
	// yield text NFKC changes again, so repeat until nothing changes.
	s := code
	for range 4 {
		next := normaliseOnce(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// normaliseOnce is one round of NormaliseRecoveryCode.
func normaliseOnce(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// HashRecoveryCode returns the hex SHA-256 of NormaliseRecoveryCode(code),
// the value stored and looked up.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(NormaliseRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}
