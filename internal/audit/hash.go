package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Precision is how finely At is kept: PostgreSQL stores microseconds, so
// Seal truncates to them before hashing.
const Precision = time.Microsecond

// MaxField is the longest kept string field or Detail value, in bytes;
// Seal cuts longer ones (on a character boundary), so that a hostile
// User-Agent cannot bloat the log.
const MaxField = 1024

// hashVersion starts every encoding, so a future format cannot collide.
const hashVersion = "oneaccount.audit.v1"

// Hash returns the lower-case hex SHA-256 of e chained to prev (the Hash of
// event e.Seq-1, "" for the first). e.Prev and e.Hash are ignored.
//
// The hashed bytes are a sequence of fields, each written as its length in
// bytes (8-byte big-endian) followed by its bytes, in this order:
// "oneaccount.audit.v1"; Seq in decimal; At in UTC formatted as RFC 3339
// with nanoseconds (time.RFC3339Nano, so trailing zeros are dropped);
// Action; Actor; ActorEntity; ActorRole; Org; Subject; Purpose; IP;
// UserAgent; the number of Detail entries in decimal; each Detail key then
// value, keys in byte order; prev. Length prefixes make the encoding
// unambiguous, and sorting makes it independent of map order.
func Hash(prev string, e Event) string {
	h := sha256.New()
	put := func(s string) { writeField(h, s) }
	put(hashVersion)
	put(strconv.FormatInt(e.Seq, 10))
	put(e.At.UTC().Format(time.RFC3339Nano))
	for _, s := range []string{e.Action, e.Actor, e.ActorEntity, e.ActorRole, e.Org, e.Subject, e.Purpose, e.IP, e.UserAgent} {
		put(s)
	}
	put(strconv.Itoa(len(e.Detail)))
	for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
		put(k)
		put(e.Detail[k])
	}
	put(prev)
	return hex.EncodeToString(h.Sum(nil))
}

func writeField(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}

// Seal returns e as it will be stored with number seq after the event whose
// hash is prev: At in UTC truncated to Precision, strings made valid UTF-8
// without NUL bytes and cut to MaxField, an empty Detail as nil, and Seq,
// Prev and Hash set. Normalising first means what is stored reads back
// exactly as it was hashed on both engines.
func Seal(e Event, seq int64, prev string) Event {
	e.At = e.At.UTC().Truncate(Precision)
	for _, p := range []*string{&e.Action, &e.Actor, &e.ActorEntity, &e.ActorRole, &e.Org, &e.Subject,
		&e.Purpose, &e.IP, &e.UserAgent} {
		*p = clean(*p)
	}
	e.Detail = cleanDetail(e.Detail)
	e.Seq, e.Prev = seq, prev
	e.Hash = Hash(prev, e)
	return e
}

func cleanDetail(d map[string]string) map[string]string {
	if len(d) == 0 {
		return nil
	}
	out := make(map[string]string, len(d))
	for k, v := range d {
		out[clean(k)] = clean(v)
	}
	return out
}

// clean makes s storable as text on every engine: valid UTF-8, no NUL, at
// most MaxField bytes.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	if len(s) <= MaxField {
		return s
	}
	cut := MaxField
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
