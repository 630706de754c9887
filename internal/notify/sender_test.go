package notify

import (
	"context"
	"errors"
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// fakeChannel records messages and fails with err when set.
type fakeChannel struct {
	kind Kind
	err  error
	got  []Message
}

func (f *fakeChannel) Kind() Kind { return f.kind }

func (f *fakeChannel) Send(_ context.Context, m Message) error {
	f.got = append(f.got, m)
	return f.err
}

func TestSenderRoutesByKind(t *testing.T) {
	mail, sms := &fakeChannel{kind: Email}, &fakeChannel{kind: SMS}
	s := NewSender(mail, sms)
	msg := Message{Kind: SMS, To: "+85366123456", Text: "code 123456"}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(sms.got) != 1 || sms.got[0] != msg {
		t.Errorf("sms channel got %+v, want the message", sms.got)
	}
	if len(mail.got) != 0 {
		t.Errorf("email channel got %+v, want nothing", mail.got)
	}
}

func TestSenderLaterChannelWins(t *testing.T) {
	first, second := &fakeChannel{kind: Email}, &fakeChannel{kind: Email}
	s := NewSender(first, nil, second)
	if err := s.Send(context.Background(), Message{Kind: Email, To: "a@example.mo", Text: "x"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(first.got) != 0 || len(second.got) != 1 {
		t.Errorf("first got %d, second got %d; want 0 and 1", len(first.got), len(second.got))
	}
}

func TestSenderNoChannel(t *testing.T) {
	s := NewSender(&fakeChannel{kind: Email})
	err := s.Send(context.Background(), Message{Kind: SMS, To: "+85366123456", Text: "x"})
	if apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("err = %v, want code %s", err, apperr.Unavailable)
	}
	if Permanent(err) {
		t.Errorf("Permanent(%v) = true, want false", err)
	}
}

func TestSenderChannelFailure(t *testing.T) {
	cause := errors.New("relay down")
	tests := []struct {
		name      string
		err       error
		permanent bool
	}{
		{"plain error", cause, false},
		{"retryable", &apperr.Error{Code: apperr.Unavailable, Err: cause}, false},
		{"refused", &apperr.Error{Code: apperr.Invalid, Err: cause}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSender(&fakeChannel{kind: Email, err: tt.err})
			err := s.Send(context.Background(), Message{Kind: Email, To: "a@example.mo", Text: "x"})
			if apperr.CodeOf(err) != apperr.Unavailable {
				t.Errorf("code = %s, want %s", apperr.CodeOf(err), apperr.Unavailable)
			}
			if !errors.Is(err, cause) {
				t.Errorf("err = %v does not wrap the cause", err)
			}
			if got := Permanent(err); got != tt.permanent {
				t.Errorf("Permanent = %v, want %v", got, tt.permanent)
			}
		})
	}
}

func TestSenderRejectsIncompleteMessage(t *testing.T) {
	ch := &fakeChannel{kind: Email}
	s := NewSender(ch)
	for _, m := range []Message{
		{Kind: Email, Text: "x"},
		{Kind: Email, To: "a@example.mo", Text: "  "},
	} {
		err := s.Send(context.Background(), m)
		if apperr.CodeOf(err) != apperr.Invalid || !Permanent(err) {
			t.Errorf("Send(%+v) = %v, want a permanent Invalid error", m, err)
		}
	}
	if len(ch.got) != 0 {
		t.Errorf("channel got %d messages, want 0", len(ch.got))
	}
}
