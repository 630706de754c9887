// Package notify delivers messages to people outside the platform: a
// verification code by SMS, a security alert by email.
//
// It is domain code: it defines the Message, the Channel a message leaves
// through and the Sender that picks the channel for a message's Kind. The
// channels that talk to the outside world live in the infrastructure
// subpackages notify/email (SMTP) and notify/sms (an HTTP provider); DevSink
// stands in for all of them in demo mode. Delivery is synchronous today; a
// durable outbox with retries and dead letters will sit in front of Sender.
package notify

import (
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// Kind names the medium a message travels by.
type Kind string

// The kinds of channel.
const (
	Email Kind = "email"
	SMS   Kind = "sms"
)

// Kinds returns every kind, in a stable order.
func Kinds() []Kind { return []Kind{Email, SMS} }

// Message is one message to one recipient, already rendered in the
// recipient's language.
type Message struct {
	// Kind selects the channel.
	Kind Kind
	// To is an email address for Email and an E.164 phone number
	// ("+85366123456") for SMS.
	To string
	// Subject is the email subject; SMS channels ignore it.
	Subject string
	// Text is the plain-text body.
	Text string
	// Lang is the language Subject and Text are written in.
	Lang lang.Tag
	// Category groups messages for policy and reporting, e.g. "security".
	Category string
	// DedupeKey identifies the logical message across retries, so that a
	// provider that honours it delivers the message once. Empty means none.
	DedupeKey string
}

// Validate checks what every channel needs: a recipient and a body. Each
// channel checks the form of the recipient it understands.
func (m Message) Validate() error {
	if strings.TrimSpace(m.To) == "" {
		return apperr.Invalidf("to", "the message has no recipient")
	}
	if strings.TrimSpace(m.Text) == "" {
		return apperr.Invalidf("text", "the message has no text")
	}
	return nil
}
