package notify

import (
	"context"
	"fmt"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// Sender sends each message through the channel registered for its Kind.
// It is safe for concurrent use once built.
type Sender struct {
	channels map[Kind]Channel
}

// NewSender returns a Sender over channels. When two channels carry the same
// Kind, the later one wins, so a caller can override a default.
func NewSender(channels ...Channel) *Sender {
	s := &Sender{channels: make(map[Kind]Channel, len(channels))}
	for _, c := range channels {
		if c != nil {
			s.channels[c.Kind()] = c
		}
	}
	return s
}

// Send validates m and delivers it through the channel for m.Kind. An
// invalid message gives an apperr.Invalid error. No channel for the kind, or
// a channel failure, gives an apperr.Unavailable error wrapping the cause;
// Permanent tells whether retrying the same message could help.
func (s *Sender) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	c, ok := s.channels[m.Kind]
	if !ok {
		return apperr.New(apperr.Unavailable, "no channel for %q messages", m.Kind)
	}
	if err := c.Send(ctx, m); err != nil {
		return &apperr.Error{
			Code:   apperr.Unavailable,
			Detail: fmt.Sprintf("send %s", m.Kind),
			Err:    err,
		}
	}
	return nil
}

// Permanent reports whether err, from Sender.Send or a Channel, says the
// message can never be delivered as it is: some error in its chain carries
// apperr.Invalid. A later outbox moves such messages to dead letters instead
// of retrying them.
func Permanent(err error) bool {
	for err != nil {
		e, ok := apperr.As(err)
		if !ok {
			return false
		}
		if e.Code == apperr.Invalid {
			return true
		}
		err = e.Err
	}
	return false
}

// Has reports whether a channel for kind is configured.
func (s *Sender) Has(kind Kind) bool {
	_, ok := s.channels[kind]
	return ok
}
