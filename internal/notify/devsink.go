package notify

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// DevSinkSize is how many messages a DevSink keeps; older ones are dropped.
const DevSinkSize = 200

// Sent is a message a DevSink accepted and when.
type Sent struct {
	Message
	At time.Time
}

// DevSink is the channel for every kind in demo mode: instead of delivering,
// it keeps the last DevSinkSize messages in memory, for the /dev/outbox page
// and for tests that need to read a code, and logs each one, body included,
// at Info. Never wire it outside demo mode: the body holds secrets.
type DevSink struct {
	log *slog.Logger
	now func() time.Time

	mu   sync.Mutex
	ring [DevSinkSize]Sent
	next int // index the next message goes to
	n    int // messages held, at most DevSinkSize
}

// NewDevSink returns an empty sink that logs through log and stamps messages
// with now. A nil log discards; a nil now uses the wall clock.
func NewDevSink(log *slog.Logger, now func() time.Time) *DevSink {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &DevSink{log: log, now: now}
}

// Send records m and logs it. It accepts any kind and never fails.
func (s *DevSink) Send(ctx context.Context, m Message) error {
	sent := Sent{Message: m, At: s.now()}
	s.mu.Lock()
	s.ring[s.next] = sent
	s.next = (s.next + 1) % DevSinkSize
	s.n = min(s.n+1, DevSinkSize)
	s.mu.Unlock()
	// The body is logged on purpose: in demo mode the code it carries is
	// what the person trying the platform needs to see.
	s.log.InfoContext(ctx, "dev outbox: message kept, not delivered",
		"kind", string(m.Kind), "to", m.To, "subject", m.Subject,
		"category", m.Category, "lang", string(m.Lang), "text", m.Text)
	return nil
}

// Messages returns the kept messages, newest first.
func (s *DevSink) Messages() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Sent, 0, s.n)
	for i := 1; i <= s.n; i++ {
		out = append(out, s.ring[(s.next-i+DevSinkSize)%DevSinkSize])
	}
	return out
}

// Last returns the newest kept message to the address to, compared without
// regard to case, and whether there is one.
func (s *DevSink) Last(to string) (Sent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 1; i <= s.n; i++ {
		m := s.ring[(s.next-i+DevSinkSize)%DevSinkSize]
		if strings.EqualFold(m.To, to) {
			return m, true
		}
	}
	return Sent{}, false
}

// Channel returns a Channel of kind k that records into the sink.
func (s *DevSink) Channel(k Kind) Channel { return sinkChannel{sink: s, kind: k} }

// Channels returns one sink Channel for each of Kinds, ready for NewSender.
func (s *DevSink) Channels() []Channel {
	var out []Channel
	for _, k := range Kinds() {
		out = append(out, s.Channel(k))
	}
	return out
}

// sinkChannel is a DevSink seen as the Channel of one kind.
type sinkChannel struct {
	sink *DevSink
	kind Kind
}

func (c sinkChannel) Kind() Kind { return c.kind }

func (c sinkChannel) Send(ctx context.Context, m Message) error { return c.sink.Send(ctx, m) }
