package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the Argon2id cost parameters and output sizes.
type Params struct {
	// MemoryKiB is the memory cost m in KiB.
	MemoryKiB uint32
	// Time is the number of passes t.
	Time uint32
	// Threads is the degree of parallelism p.
	Threads uint8
	// KeyLen is the length of the derived hash in bytes.
	KeyLen uint32
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
}

// DefaultParams are the OWASP Password Storage Cheat Sheet minimum for
// Argon2id: 19 MiB of memory, two passes, one lane, a 32-byte hash and a
// 16-byte salt.
var DefaultParams = Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// The bounds Validate enforces. They are wide enough for any sane
// configuration and tight enough that a corrupted or hostile stored hash
// cannot make one verification allocate gigabytes or run for minutes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 10
	maxThreads   = 16
	minKeyLen    = 16
	maxKeyLen    = 64
	minSaltLen   = 8
	maxSaltLen   = 64
	// maxEncodedLen bounds the stored string before any parsing.
	maxEncodedLen = 256
)

// errBadParams is wrapped by every parameter bound violation.
var errBadParams = errors.New("argon2id parameters out of range")

// Validate reports whether p is within the accepted bounds: memory from 8×p
// KiB (the Argon2 minimum) to 1 GiB, 1–10 passes, 1–16 lanes, a 16–64 byte
// hash and an 8–64 byte salt.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("%w: threads %d not in 1..%d", errBadParams, p.Threads, maxThreads)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("%w: memory %d KiB not in %d..%d", errBadParams, p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: time %d not in 1..%d", errBadParams, p.Time, maxTime)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: key length %d not in %d..%d", errBadParams, p.KeyLen, minKeyLen, maxKeyLen)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt length %d not in %d..%d", errBadParams, p.SaltLen, minSaltLen, maxSaltLen)
	}
	return nil
}

// phc is a decoded Argon2id hash in the PHC string format.
type phc struct {
	params Params
	salt   []byte
	hash   []byte
}

// b64 is the PHC base64 flavour: standard alphabet, no padding. Strict
// rejects non-zero trailing bits so every accepted string has one encoding.
var b64 = base64.RawStdEncoding.Strict()

// encode formats h as $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func (h phc) encode() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.MemoryKiB, h.params.Time, h.params.Threads,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.hash))
}

// decode parses a stored PHC string. It accepts only the canonical form that
// encode produces, so decode(s).encode() == s for every accepted s, and it
// rejects parameters outside Params.Validate's bounds.
func decode(s string) (phc, error) {
	if len(s) > maxEncodedLen {
		return phc{}, fmt.Errorf("password hash: %d bytes is too long", len(s))
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return phc{}, errors.New("password hash: not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phc{}, fmt.Errorf("password hash: unsupported version %q", parts[2])
	}
	m, t, p, err := decodeCosts(parts[3])
	if err != nil {
		return phc{}, err
	}
	salt, err := decodeB64(parts[4])
	if err != nil {
		return phc{}, fmt.Errorf("password hash: salt: %w", err)
	}
	hash, err := decodeB64(parts[5])
	if err != nil {
		return phc{}, fmt.Errorf("password hash: hash: %w", err)
	}
	h := phc{params: Params{MemoryKiB: m, Time: t, Threads: p,
		KeyLen: uint32(len(hash)), SaltLen: uint32(len(salt))}, salt: salt, hash: hash}
	if err := h.params.Validate(); err != nil {
		return phc{}, fmt.Errorf("password hash: %w", err)
	}
	return h, nil
}

// decodeB64 decodes unpadded standard base64. Unlike the encoding package it
// refuses the line breaks that package skips, keeping decode canonical.
func decodeB64(s string) ([]byte, error) {
	if i := strings.IndexFunc(s, func(r rune) bool {
		return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '+' || r == '/')
	}); i >= 0 {
		return nil, fmt.Errorf("invalid base64 character at %d", i)
	}
	return b64.DecodeString(s)
}

// decodeCosts parses "m=19456,t=2,p=1" in that order.
func decodeCosts(s string) (m, t uint32, p uint8, err error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return 0, 0, 0, fmt.Errorf("password hash: parameters %q: want m=,t=,p=", s)
	}
	var v [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		digits, ok := strings.CutPrefix(fields[i], name)
		if !ok || !canonicalUint(digits) {
			return 0, 0, 0, fmt.Errorf("password hash: parameter %q: want %sN", fields[i], name)
		}
		if v[i], err = strconv.ParseUint(digits, 10, 32); err != nil {
			return 0, 0, 0, fmt.Errorf("password hash: parameter %q: %w", fields[i], err)
		}
	}
	if v[2] > maxThreads {
		return 0, 0, 0, fmt.Errorf("password hash: %w: threads %d", errBadParams, v[2])
	}
	return uint32(v[0]), uint32(v[1]), uint8(v[2]), nil
}

// canonicalUint reports whether s is a non-empty run of ASCII digits without
// a leading zero (except "0" itself).
func canonicalUint(s string) bool {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
