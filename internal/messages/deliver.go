package messages

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// Pusher sends a Web Push notification to every browser the account
// subscribed, returning how many received it.
type Pusher interface {
	Push(ctx context.Context, accountID string, n PushNote) (int, error)
}

// PushNote is what a push notification shows.
type PushNote struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
	// Tag lets the browser replace an older notification of the same
	// message instead of showing two.
	Tag string `json:"tag"`
}

// Deliverer runs delivery jobs: it loads the message and the recipient,
// writes the message from the template in the recipient's language, and
// hands it to the channel.
type Deliverer struct {
	Store    Store
	Accounts interface {
		Account(ctx context.Context, id string) (identity.Account, error)
	}
	Sender *notify.Sender
	Pusher Pusher
	// SenderName names a sender (an entity code or Platform).
	SenderName func(ctx context.Context, code string) lang.Text
	// BaseURL is the platform's public URL, for links.
	BaseURL string
}

// Handle is the jobs.Handler of delivery jobs.
func (d *Deliverer) Handle(ctx context.Context, j jobs.Job) error {
	var p Delivery
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("delivery payload: %w", err))
	}
	m, err := d.Store.Message(ctx, p.AccountID, p.MessageID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil // deleted with its account: nothing to deliver
	}
	if err != nil {
		return err
	}
	a, err := d.Accounts.Account(ctx, p.AccountID)
	if err != nil {
		return err
	}
	r := Render(m, a.Lang, d.SenderName(ctx, m.Sender), d.BaseURL)
	switch p.Channel {
	case Email, SMS:
		return d.send(ctx, a, p.Channel, r, j.DedupeKey)
	case Push:
		if d.Pusher == nil {
			return nil
		}
		_, err := d.Pusher.Push(ctx, a.ID, PushNote{Title: r.Subject, Body: r.Short, URL: r.URL, Tag: m.ID})
		return err
	}
	return jobs.Permanent(fmt.Errorf("unknown channel %q", p.Channel))
}

func (d *Deliverer) send(ctx context.Context, a identity.Account, ch Channel, r Rendered, dedupe string) error {
	msg := notify.Message{Kind: notify.Email, To: a.Email.String(), Subject: r.Subject, Text: r.Text,
		Lang: a.Lang, DedupeKey: dedupe}
	if ch == SMS {
		msg = notify.Message{Kind: notify.SMS, To: a.Phone.String(), Text: r.SMS, Lang: a.Lang, DedupeKey: dedupe}
	}
	if msg.To == "" || !d.Sender.Has(msg.Kind) {
		return nil // no address, or no such channel here: the inbox has it
	}
	err := d.Sender.Send(ctx, msg)
	if err != nil && notify.Permanent(err) {
		return jobs.Permanent(err)
	}
	return err
}
