// Package messages is the resident's inbox: messages from every entity and
// from the platform, with their attachments, the resident's delivery
// preferences per category and channel, and the delivery of each message
// by email, SMS and Web Push through durable jobs (package jobs). A
// message and its delivery jobs are written in one transaction with the
// change that causes them.
package messages

import (
	"slices"
	"time"

	"github.com/oneaccount/oneaccount/internal/lang"
)

// Category groups messages for preferences.
type Category string

// The categories. Security messages cannot be switched off.
const (
	Appointments Category = "appointments"
	Queue        Category = "queue"
	Applications Category = "applications"
	Security     Category = "security"
	General      Category = "general"
)

// Categories lists every category in display order.
func Categories() []Category {
	return []Category{Appointments, Queue, Applications, Security, General}
}

// ValidCategory reports whether c is a category.
func ValidCategory(c Category) bool { return slices.Contains(Categories(), c) }

// Channel is a way a message leaves the platform besides the inbox,
// which always receives it.
type Channel string

// The channels.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
	Push  Channel = "push"
)

// Channels lists every channel in display order.
func Channels() []Channel { return []Channel{Email, SMS, Push} }

// Platform is the sender of the platform's own messages.
const Platform = "ONEACCOUNT"

// Message is one inbox item.
type Message struct {
	ID        string
	AccountID string
	// Sender is the entity code, or Platform.
	Sender string
	// ClientID is the client that sent it through the API, "" otherwise.
	ClientID string
	Category Category
	Title    lang.Text
	Body     lang.Text
	// Link is a path on the platform (an appointment, a ticket, a case)
	// or an https URL of the sender's e-service; "" for none.
	Link string
	// Dedupe is the sender's own key: a second message with the same key
	// from the same sender and client is not created.
	Dedupe      string
	Attachments []Attachment
	CreatedAt   time.Time
	ReadAt      time.Time
	ArchivedAt  time.Time
}

// Unread reports whether the message has not been opened.
func (m Message) Unread() bool { return m.ReadAt.IsZero() }

// Attachment is a file attached to a message.
type Attachment struct {
	ID          string
	MessageID   string
	Name        string
	ContentType string
	Size        int
	// Data is loaded only when the attachment is downloaded.
	Data []byte
}

// Preferences say which channels carry which categories for one resident.
type Preferences struct {
	On map[Category]map[Channel]bool
}

// Enabled reports whether ch carries category c. Security messages go by
// email always.
func (p Preferences) Enabled(c Category, ch Channel) bool {
	if c == Security && ch == Email {
		return true
	}
	if v, ok := p.On[c][ch]; ok {
		return v
	}
	return defaultOn(c, ch)
}

// Locked reports whether the resident may not change (c, ch).
func Locked(c Category, ch Channel) bool { return c == Security && ch == Email }

// defaultOn is the setting before the resident chooses: email for every
// category, SMS for queue calls (the visitor may be away from the
// counter), Web Push for everything once a browser is subscribed.
func defaultOn(c Category, ch Channel) bool {
	switch ch {
	case Email, Push:
		return true
	case SMS:
		return c == Queue || c == Security
	}
	return false
}

// Filter selects inbox messages.
type Filter struct {
	// Archived lists the archive instead of the inbox.
	Archived bool
	// Query matches title or body text in any language, ignoring case.
	Query string
	// Sender limits to one sender.
	Sender string
	Limit  int
	Offset int
}
