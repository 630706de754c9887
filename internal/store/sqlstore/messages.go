package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// MessageQueries are the inbox's statements. Message columns: id,
// account_id, sender, client_id, category, title_zh, title_pt, title_en,
// body_zh, body_pt, body_en, link, dedupe, created_at, read_at,
// archived_at.
type MessageQueries struct {
	// InsertMessage does nothing on a repeated (sender, client, dedupe).
	InsertMessage, MessageByDedupe, InsertAttachment string
	Message, Attachments, Attachment                 string
	SetRead, SetArchived, UnreadCount                string
	Preferences, SetPreference, AccountBySubject     string
	InsertSubject                                    string
	// Inbox takes (account, archived, like, like, like, like, like, like,
	// sender, sender, limit, offset); InboxCount the same without limit
	// and offset. like is a LIKE pattern, '%' for all.
	Inbox, InboxCount string
}

var _ messages.Store = (*Store)(nil)

func scanMessage(r scanner) (messages.Message, error) {
	var m messages.Message
	var cat string
	var read, archived sql.NullTime
	err := r.Scan(&m.ID, &m.AccountID, &m.Sender, &m.ClientID, &cat, &m.Title.ZhHant, &m.Title.Pt, &m.Title.En,
		&m.Body.ZhHant, &m.Body.Pt, &m.Body.En, &m.Link, &m.Dedupe, &m.CreatedAt, &read, &archived)
	m.Category, m.ReadAt, m.ArchivedAt = messages.Category(cat), read.Time, archived.Time
	return m, err
}

// SaveMessage stores a message with its attachments and jobs; see
// messages.Store.
func (s *Store) SaveMessage(ctx context.Context, m messages.Message, js []jobs.Job) (messages.Message, bool, error) {
	created := false
	var saved messages.Message
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		saved, created, err = s.insertMessage(ctx, tx, m, js)
		return err
	})
	return saved, created, err
}

// insertMessage writes a message, its attachments and its delivery jobs
// in tx. Other stores call it to send a message in their own transaction.
func (s *Store) insertMessage(ctx context.Context, tx *sql.Tx, m messages.Message, js []jobs.Job) (messages.Message, bool, error) {
	res, err := tx.ExecContext(ctx, s.q.Message.InsertMessage, m.ID, m.AccountID, m.Sender, m.ClientID, string(m.Category),
		m.Title.ZhHant, m.Title.Pt, m.Title.En, m.Body.ZhHant, m.Body.Pt, m.Body.En, m.Link, m.Dedupe, m.CreatedAt.UTC())
	if err != nil {
		return m, false, fmt.Errorf("insert message: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		prev, err := scanMessage(tx.QueryRowContext(ctx, s.q.Message.MessageByDedupe, m.Sender, m.ClientID, m.Dedupe))
		if err != nil {
			return m, false, fmt.Errorf("find repeated message: %w", err)
		}
		return prev, false, nil
	}
	for _, a := range m.Attachments {
		if _, err := tx.ExecContext(ctx, s.q.Message.InsertAttachment, a.ID, m.ID, a.Name, a.ContentType, len(a.Data), a.Data); err != nil {
			return m, false, fmt.Errorf("insert attachment: %w", err)
		}
	}
	if err := s.insertJobs(ctx, tx, js); err != nil {
		return m, false, err
	}
	return m, true, nil
}

// InboxMessages lists an account's messages; see messages.Store.
func (s *Store) InboxMessages(ctx context.Context, accountID string, f messages.Filter) ([]messages.Message, int, error) {
	like := "%"
	if q := strings.TrimSpace(f.Query); q != "" {
		like = "%" + escapeLike(strings.ToLower(q)) + "%"
	}
	args := []any{accountID, f.Archived, like, like, like, like, like, like, f.Sender, f.Sender}
	var total int
	if err := s.db.QueryRowContext(ctx, s.q.Message.InboxCount, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count inbox: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.q.Message.Inbox, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list inbox: %w", err)
	}
	ms, err := collect(rows, func(r *sql.Rows) (messages.Message, error) { return scanMessage(r) })
	return ms, total, err
}

// escapeLike escapes LIKE's wildcards; the statements use ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Message returns one of the account's messages with its attachments.
func (s *Store) Message(ctx context.Context, accountID, id string) (messages.Message, error) {
	m, err := scanMessage(s.db.QueryRowContext(ctx, s.q.Message.Message, id, accountID))
	if err != nil {
		return m, notFound(err, "message", id)
	}
	rows, err := s.db.QueryContext(ctx, s.q.Message.Attachments, id)
	if err != nil {
		return m, fmt.Errorf("attachments: %w", err)
	}
	m.Attachments, err = collect(rows, func(r *sql.Rows) (messages.Attachment, error) {
		var a messages.Attachment
		err := r.Scan(&a.ID, &a.MessageID, &a.Name, &a.ContentType, &a.Size)
		return a, err
	})
	return m, err
}

func (s *Store) touchMessage(ctx context.Context, q, accountID, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, q, at.UTC(), id, accountID)
	if err != nil {
		return fmt.Errorf("update message: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Message(ctx, accountID, id); err != nil {
			return err
		}
	}
	return nil
}

// SetRead marks one of the account's messages read.
func (s *Store) SetRead(ctx context.Context, accountID, id string, at time.Time) error {
	return s.touchMessage(ctx, s.q.Message.SetRead, accountID, id, at)
}

// SetArchived archives one of the account's messages.
func (s *Store) SetArchived(ctx context.Context, accountID, id string, at time.Time) error {
	return s.touchMessage(ctx, s.q.Message.SetArchived, accountID, id, at)
}

// UnreadCount counts the account's unread messages in the inbox.
func (s *Store) UnreadCount(ctx context.Context, accountID string) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q.Message.UnreadCount, accountID).Scan(&n); err != nil {
		return 0, fmt.Errorf("unread count: %w", err)
	}
	return n, nil
}

// Attachment returns an attachment the account received, with its data.
func (s *Store) Attachment(ctx context.Context, accountID, id string) (messages.Attachment, error) {
	var a messages.Attachment
	err := s.db.QueryRowContext(ctx, s.q.Message.Attachment, id, accountID).Scan(&a.ID, &a.MessageID, &a.Name,
		&a.ContentType, &a.Size, &a.Data)
	if err != nil {
		return a, notFound(err, "attachment", id)
	}
	return a, nil
}

// Preferences returns the account's delivery preferences.
func (s *Store) Preferences(ctx context.Context, accountID string) (messages.Preferences, error) {
	p := messages.Preferences{On: map[messages.Category]map[messages.Channel]bool{}}
	rows, err := s.db.QueryContext(ctx, s.q.Message.Preferences, accountID)
	if err != nil {
		return p, fmt.Errorf("preferences: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, ch string
		var on bool
		if err := rows.Scan(&c, &ch, &on); err != nil {
			return p, fmt.Errorf("scan preference: %w", err)
		}
		if p.On[messages.Category(c)] == nil {
			p.On[messages.Category(c)] = map[messages.Channel]bool{}
		}
		p.On[messages.Category(c)][messages.Channel(ch)] = on
	}
	return p, rows.Err()
}

// SetPreference stores one preference.
func (s *Store) SetPreference(ctx context.Context, accountID string, c messages.Category, ch messages.Channel, on bool) error {
	if _, err := s.db.ExecContext(ctx, s.q.Message.SetPreference, accountID, string(c), string(ch), on); err != nil {
		return fmt.Errorf("set preference: %w", err)
	}
	return nil
}

// AccountBySubject finds the account an entity knows by a subject.
func (s *Store) AccountBySubject(ctx context.Context, entity, subject string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, s.q.Message.AccountBySubject, entity, subject).Scan(&id)
	if err != nil {
		return "", notFound(err, "subject", entity)
	}
	return id, nil
}

// RecordSubject remembers the subject an entity received for an account.
func (s *Store) RecordSubject(ctx context.Context, entity, subject, accountID string, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.q.Message.InsertSubject, entity, subject, accountID, at.UTC()); err != nil {
		return fmt.Errorf("record subject: %w", err)
	}
	return nil
}
