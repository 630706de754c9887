package messages

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// Store keeps messages, preferences and the subjects entities know.
type Store interface {
	// SaveMessage stores a message, its attachments and its delivery jobs
	// in one transaction. When the sender already sent a message with the
	// same Dedupe key, nothing is written and that message is returned
	// with created false.
	SaveMessage(ctx context.Context, m Message, js []jobs.Job) (saved Message, created bool, err error)
	// InboxMessages lists the account's messages matching f, newest
	// first, without attachment data, and the total that match.
	InboxMessages(ctx context.Context, accountID string, f Filter) ([]Message, int, error)
	// Message returns one of the account's messages with its attachments
	// (without their data); another account's message is NotFound.
	Message(ctx context.Context, accountID, id string) (Message, error)
	// SetRead and SetArchived change one of the account's messages.
	SetRead(ctx context.Context, accountID, id string, at time.Time) error
	SetArchived(ctx context.Context, accountID, id string, at time.Time) error
	UnreadCount(ctx context.Context, accountID string) (int, error)
	// Attachment returns an attachment with its data, NotFound unless the
	// account received it.
	Attachment(ctx context.Context, accountID, id string) (Attachment, error)
	Preferences(ctx context.Context, accountID string) (Preferences, error)
	SetPreference(ctx context.Context, accountID string, c Category, ch Channel, on bool) error
	// AccountBySubject finds the account an entity knows by subject.
	AccountBySubject(ctx context.Context, entity, subject string) (string, error)
}

// Limits on what a message may carry.
const (
	MaxTitle       = 200
	MaxBody        = 20000
	MaxAttachments = 5
	// MaxAttachmentBytes bounds all of a message's attachments together;
	// the API's request body limit is 1 MiB, base64 included.
	MaxAttachmentBytes = 700 << 10
)

// Service sends and shows messages.
type Service struct {
	store Store
	now   func() time.Time
	wake  func()
}

// New returns the service. wake, if set, is called after messages are
// stored, to start their delivery at once.
func New(store Store, now func() time.Time, wake func()) *Service {
	if now == nil {
		now = time.Now
	}
	if wake == nil {
		wake = func() {}
	}
	return &Service{store: store, now: now, wake: wake}
}

// JobKind is the kind of a delivery job.
const JobKind = "message.deliver"

// Delivery is a delivery job's payload.
type Delivery struct {
	MessageID string  `json:"message_id"`
	AccountID string  `json:"account_id"`
	Channel   Channel `json:"channel"`
}

// Prepare checks m, gives it an ID and a time, and returns the delivery
// jobs the recipient's preferences call for. Other domains call it to
// write a message in their own transaction.
func (s *Service) Prepare(ctx context.Context, m Message) (Message, []jobs.Job, error) {
	if err := validate(m); err != nil {
		return m, nil, err
	}
	m.ID = NewID()
	m.CreatedAt = s.now().UTC()
	for i := range m.Attachments {
		m.Attachments[i].ID = NewID()
		m.Attachments[i].MessageID = m.ID
		m.Attachments[i].Size = len(m.Attachments[i].Data)
	}
	prefs, err := s.store.Preferences(ctx, m.AccountID)
	if err != nil {
		return m, nil, err
	}
	var js []jobs.Job
	for _, ch := range Channels() {
		if !prefs.Enabled(m.Category, ch) {
			continue
		}
		j, err := jobs.New(JobKind, "msg:"+m.ID+":"+string(ch), Delivery{MessageID: m.ID, AccountID: m.AccountID, Channel: ch}, m.CreatedAt)
		if err != nil {
			return m, nil, err
		}
		js = append(js, j)
	}
	return m, js, nil
}

// Send stores a message for its recipient and queues its delivery.
func (s *Service) Send(ctx context.Context, m Message) (Message, error) {
	m, js, err := s.Prepare(ctx, m)
	if err != nil {
		return m, err
	}
	saved, created, err := s.store.SaveMessage(ctx, m, js)
	if err != nil {
		return m, fmt.Errorf("send message: %w", err)
	}
	if created {
		s.wake()
	}
	return saved, nil
}

// EntitySend is a message an entity's back-office system sends to a
// resident it knows by its pairwise subject.
type EntitySend struct {
	Entity, ClientID, Subject string
	Message                   Message
}

// SendAsEntity resolves the subject among the entity's own and sends. A
// subject the entity never received is NotFound, whoever else knows it.
func (s *Service) SendAsEntity(ctx context.Context, r EntitySend) (Message, error) {
	acct, err := s.store.AccountBySubject(ctx, r.Entity, r.Subject)
	if err != nil {
		return Message{}, err
	}
	m := r.Message
	m.AccountID, m.Sender, m.ClientID = acct, r.Entity, r.ClientID
	return s.Send(ctx, m)
}

func validate(m Message) error {
	bad := func(field, key, detail string) error {
		return &apperr.Error{Code: apperr.Invalid, Field: field, Key: key, Detail: detail}
	}
	if m.AccountID == "" || m.Sender == "" {
		return bad("recipient", "messages.invalid.recipient", "a message needs a recipient and a sender")
	}
	if !ValidCategory(m.Category) {
		return bad("category", "messages.invalid.category", fmt.Sprintf("unknown category %q", m.Category))
	}
	if m.Title.In(lang.En) == "" || m.Body.In(lang.En) == "" {
		return bad("title", "messages.invalid.text", "a title and a body in at least one language are required")
	}
	for _, t := range []string{m.Title.ZhHant, m.Title.Pt, m.Title.En} {
		if utf8.RuneCountInString(t) > MaxTitle {
			return bad("title", "messages.invalid.text", fmt.Sprintf("titles are at most %d characters", MaxTitle))
		}
	}
	for _, t := range []string{m.Body.ZhHant, m.Body.Pt, m.Body.En} {
		if utf8.RuneCountInString(t) > MaxBody {
			return bad("body", "messages.invalid.text", fmt.Sprintf("bodies are at most %d characters", MaxBody))
		}
	}
	if err := checkLink(m.Link); err != nil {
		return bad("link", "messages.invalid.link", err.Error())
	}
	return checkAttachments(m.Attachments, bad)
}

// checkLink accepts "" , a path on the platform, or an https URL.
func checkLink(link string) error {
	if link == "" {
		return nil
	}
	if len(link) > 2000 {
		return fmt.Errorf("the link is longer than 2000 characters")
	}
	if strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//") && !strings.Contains(link, "\\") {
		return nil
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return fmt.Errorf("the link must be a path on the platform or an https URL")
	}
	return nil
}

func checkAttachments(as []Attachment, bad func(string, string, string) error) error {
	if len(as) > MaxAttachments {
		return bad("attachments", "messages.invalid.attachment", fmt.Sprintf("at most %d attachments", MaxAttachments))
	}
	total := 0
	for _, a := range as {
		total += len(a.Data)
		if strings.TrimSpace(a.Name) == "" || len(a.Name) > 200 || strings.ContainsAny(a.Name, "/\\\x00\r\n\"") {
			return bad("attachments", "messages.invalid.attachment", "each attachment needs a plain file name")
		}
		if !allowedType(a.ContentType) {
			return bad("attachments", "messages.invalid.attachment", fmt.Sprintf("content type %q is not accepted", a.ContentType))
		}
		if len(a.Data) == 0 {
			return bad("attachments", "messages.invalid.attachment", "an attachment is empty")
		}
	}
	if total > MaxAttachmentBytes {
		return bad("attachments", "messages.invalid.attachment", "attachments are too large")
	}
	return nil
}

// allowedType lists the attachment types accepted: documents and images
// that browsers show safely.
func allowedType(t string) bool {
	switch t {
	case "application/pdf", "image/png", "image/jpeg", "text/plain":
		return true
	}
	return false
}

// Inbox lists the account's messages.
func (s *Service) Inbox(ctx context.Context, a identity.Account, f Filter) ([]Message, int, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 25
	}
	if len(f.Query) > 200 {
		f.Query = f.Query[:200]
	}
	return s.store.InboxMessages(ctx, a.ID, f)
}

// Open returns one of the account's messages and marks it read.
func (s *Service) Open(ctx context.Context, a identity.Account, id string) (Message, error) {
	m, err := s.store.Message(ctx, a.ID, id)
	if err != nil {
		return m, err
	}
	if m.Unread() {
		m.ReadAt = s.now().UTC()
		if err := s.store.SetRead(ctx, a.ID, id, m.ReadAt); err != nil {
			return m, err
		}
	}
	return m, nil
}

// Archive moves one of the account's messages to the archive.
func (s *Service) Archive(ctx context.Context, a identity.Account, id string) error {
	return s.store.SetArchived(ctx, a.ID, id, s.now().UTC())
}

// Unread counts the account's unread messages.
func (s *Service) Unread(ctx context.Context, a identity.Account) (int, error) {
	return s.store.UnreadCount(ctx, a.ID)
}

// Attachment returns an attachment the account received.
func (s *Service) Attachment(ctx context.Context, a identity.Account, id string) (Attachment, error) {
	return s.store.Attachment(ctx, a.ID, id)
}

// Preferences returns the account's delivery preferences.
func (s *Service) Preferences(ctx context.Context, a identity.Account) (Preferences, error) {
	return s.store.Preferences(ctx, a.ID)
}

// SetPreference turns a channel on or off for a category; the locked
// combination (security by email) cannot be turned off.
func (s *Service) SetPreference(ctx context.Context, a identity.Account, c Category, ch Channel, on bool) error {
	if !ValidCategory(c) || (ch != Email && ch != SMS && ch != Push) {
		return &apperr.Error{Code: apperr.Invalid, Field: "preference", Key: "messages.invalid.preference",
			Detail: "unknown category or channel"}
	}
	if Locked(c, ch) && !on {
		return &apperr.Error{Code: apperr.Invalid, Field: "preference", Key: "messages.invalid.locked",
			Detail: "security messages always go by email"}
	}
	return s.store.SetPreference(ctx, a.ID, c, ch, on)
}

// NewID returns a random message or attachment ID.
func NewID() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
