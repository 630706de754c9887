package realtime

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The notification payload is text, one part of one event:
//
//	1<enc> <node> <msg> <i>/<n> <topic> <data>
//
// enc is "t" when data is the event's own text (valid UTF-8 without NUL)
// and "b" when the event is base64 (RawStdEncoding); msg is the node's
// event counter in hex; parts i = 1..n of one event are joined in order.
const (
	// maxPayload is PostgreSQL's bound on a NOTIFY payload (shorter than
	// 8000 bytes).
	maxPayload = 7999
	// maxParts bounds the parts of one event.
	maxParts = 999
	// MaxEvent is the largest event a relay carries.
	MaxEvent = 1 << 20
)

// ErrTooLarge says an event exceeds MaxEvent.
var ErrTooLarge = errors.New("realtime: event too large to relay")

// errWire says a notification is not one of ours.
var errWire = errors.New("realtime: malformed notification")

// part is one decoded notification.
type part struct {
	enc   byte
	node  string
	msg   uint64
	i, n  int
	topic string
	data  string
}

// encodeParts splits an event into notification payloads. textOK is false
// when the database cannot take UTF-8 text, forcing base64.
func encodeParts(node string, msg uint64, topic string, data []byte, textOK bool) ([]string, error) {
	if len(data) > MaxEvent {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	enc, body := byte('t'), string(data)
	if !textOK || !utf8.Valid(data) || strings.IndexByte(body, 0) >= 0 {
		enc, body = 'b', base64.RawStdEncoding.EncodeToString(data)
	}
	head := func(i, n int) string { return fmt.Sprintf("1%c %s %x %d/%d %s ", enc, node, msg, i, n, topic) }
	budget := maxPayload - len(head(maxParts, maxParts))
	if budget < 64 {
		return nil, fmt.Errorf("%w: topic or node too long", ErrTooLarge)
	}
	chunks := splitText(body, budget)
	if len(chunks) > maxParts {
		return nil, fmt.Errorf("%w: %d parts", ErrTooLarge, len(chunks))
	}
	out := make([]string, len(chunks))
	for i, c := range chunks {
		out[i] = head(i+1, len(chunks)) + c
	}
	return out, nil
}

// splitText cuts s into pieces of at most max bytes, never inside a
// UTF-8 sequence.
func splitText(s string, max int) []string {
	out := make([]string, 0, len(s)/max+1)
	for len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}

// decodePart parses one notification payload.
func decodePart(payload string) (part, error) {
	var f [5]string
	rest := payload
	for k := range f {
		var ok bool
		if f[k], rest, ok = strings.Cut(rest, " "); !ok {
			return part{}, errWire
		}
	}
	if len(f[0]) != 2 || f[0][0] != '1' || (f[0][1] != 't' && f[0][1] != 'b') || f[1] == "" {
		return part{}, errWire
	}
	msg, err := strconv.ParseUint(f[2], 16, 64)
	if err != nil {
		return part{}, errWire
	}
	is, ns, ok := strings.Cut(f[3], "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || i < 1 || i > n || n > maxParts || checkTopic(f[4]) != nil {
		return part{}, errWire
	}
	return part{enc: f[0][1], node: f[1], msg: msg, i: i, n: n, topic: f[4], data: rest}, nil
}

// maxPending bounds the events being joined at once; parts of one event
// arrive together, so a few suffice.
const maxPending = 64

// pendingFor is how long an incomplete event is kept.
const pendingFor = 30 * time.Second

// assembler joins the parts of events.
type assembler struct {
	pending map[string]*partial
}

type partial struct {
	parts []string
	have  []bool
	got   int
	since time.Time
}

// add takes one part and returns the whole event once its last part has
// arrived (ok true).
func (a *assembler) add(p part, now time.Time) (data []byte, ok bool, err error) {
	if p.n == 1 {
		return decodeBody(p.enc, p.data)
	}
	if a.pending == nil {
		a.pending = map[string]*partial{}
	}
	key := p.node + " " + strconv.FormatUint(p.msg, 16)
	w := a.pending[key]
	if w == nil {
		a.evict(now)
		w = &partial{parts: make([]string, p.n), have: make([]bool, p.n), since: now}
		a.pending[key] = w
	}
	if len(w.parts) != p.n || w.have[p.i-1] {
		delete(a.pending, key)
		return nil, false, errWire
	}
	w.parts[p.i-1], w.have[p.i-1] = p.data, true
	if w.got++; w.got < p.n {
		return nil, false, nil
	}
	delete(a.pending, key)
	return decodeBody(p.enc, strings.Join(w.parts, ""))
}

// evict drops stale incomplete events, and the oldest when too many wait.
func (a *assembler) evict(now time.Time) {
	var oldest string
	for k, w := range a.pending {
		if now.Sub(w.since) > pendingFor {
			delete(a.pending, k)
		} else if oldest == "" || w.since.Before(a.pending[oldest].since) {
			oldest = k
		}
	}
	if len(a.pending) >= maxPending {
		delete(a.pending, oldest)
	}
}

func decodeBody(enc byte, s string) ([]byte, bool, error) {
	if enc == 't' {
		return []byte(s), true, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, false, errWire
	}
	return b, true, nil
}
