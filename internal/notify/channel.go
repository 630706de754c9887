package notify

import "context"

// Channel delivers messages of one Kind. Send returns nil once the message
// has been handed to the next hop (an SMTP relay, an SMS provider). A
// channel reports a message that can never be delivered as it is (a
// malformed recipient, a refusal) with an apperr.Invalid error and a failure
// worth retrying with apperr.Unavailable.
type Channel interface {
	// Kind is the kind of message the channel carries.
	Kind() Kind
	// Send delivers m.
	Send(ctx context.Context, m Message) error
}
