package audit

import (
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// The actions the platform records. Other packages may record further
// actions; names are lower-case words joined by dots (see Event.Validate).
const (
	SignIn           = "signin.success"
	SignInFailed     = "signin.failure"
	SignOut          = "signout"
	SessionRevoked   = "session.revoked"
	AccountCreated   = "account.created"
	FactorAdded      = "factor.added"
	FactorRemoved    = "factor.removed"
	PasswordChanged  = "password.changed"
	ContactChanged   = "contact.changed"
	IdentityVerified = "identity.verified"
	Recovery         = "account.recovered"
	RoleGranted      = "role.granted"
	RoleRevoked      = "role.revoked"
	// RecordViewed is a staff member viewing a resident's record. It must
	// name the staff member, their entity, the resident and the purpose; the
	// resident sees these events on their "Who accessed my data" page.
	RecordViewed = "record.viewed"
)

// Event is one entry of the audit log. The store assigns Seq, Prev and Hash;
// the caller fills in the rest (At defaults to the store's clock).
type Event struct {
	// Seq numbers events 1, 2, 3, ... with no gaps.
	Seq int64
	// At is when the action happened, kept in UTC to the microsecond.
	At time.Time
	// Action says what happened, e.g. SignIn.
	Action string
	// Actor is the account ID of the person who acted, "" for anonymous
	// callers and the system.
	Actor string
	// ActorEntity is the code of the government entity a staff actor works
	// for, "" for residents.
	ActorEntity string
	// ActorRole is the role the actor used, e.g. "counter".
	ActorRole string
	// Org is the ID of the organisation the actor acted for, "" when they
	// acted for themselves.
	Org string
	// Subject is the account ID whose data is concerned, "" if none.
	Subject string
	// Purpose is why the actor acted, required for RecordViewed.
	Purpose string
	// IP and UserAgent describe the client.
	IP, UserAgent string
	// Detail holds further facts, e.g. the factor kind. Nil and empty are
	// the same.
	Detail map[string]string
	// Prev is the hex Hash of the event Seq-1, "" for the first event.
	Prev string
	// Hash is the hex SHA-256 of this event and Prev; see Hash.
	Hash string
}

// MaxAction is the longest accepted action name, in bytes.
const MaxAction = 64

// Validate reports an apperr Invalid error when the event cannot be
// recorded: an action that is empty or not lower-case dotted words, or a
// RecordViewed without its actor, entity, subject and purpose.
func (e Event) Validate() error {
	if e.Action == "" || len(e.Action) > MaxAction || strings.Trim(e.Action, "abcdefghijklmnopqrstuvwxyz0123456789._") != "" {
		return apperr.Invalidf("action", "action %q must be 1-%d characters of a-z, 0-9, '.', '_'", e.Action, MaxAction)
	}
	if e.Action != RecordViewed {
		return nil
	}
	for _, f := range []struct{ name, value string }{
		{"actor", e.Actor}, {"actor_entity", e.ActorEntity}, {"subject", e.Subject}, {"purpose", e.Purpose},
	} {
		if strings.TrimSpace(f.value) == "" {
			return apperr.Invalidf(f.name, "%s requires %s", RecordViewed, f.name)
		}
	}
	return nil
}
