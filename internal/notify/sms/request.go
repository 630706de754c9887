package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// MaxSegments is the longest text the channel sends, in SMS segments.
const MaxSegments = 10

// payload is the JSON body of the provider contract.
type payload struct {
	To        string `json:"to"`
	From      string `json:"from"`
	Text      string `json:"text"`
	Reference string `json:"reference,omitempty"`
}

// payload checks m and encodes the request body.
func (c *Channel) payload(m notify.Message) ([]byte, error) {
	if m.Kind != notify.SMS {
		return nil, apperr.Invalidf("kind", "the SMS channel cannot send %q messages", m.Kind)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if !isE164(m.To) {
		return nil, apperr.Invalidf("to", "not an E.164 phone number (+ and 8 to 15 digits)")
	}
	if n := Segments(m.Text); n > MaxSegments {
		return nil, apperr.Invalidf("text", "%d SMS segments, at most %d allowed", n, MaxSegments)
	}
	return json.Marshal(payload{To: m.To, From: c.cfg.Sender, Text: m.Text, Reference: m.DedupeKey})
}

// request builds the POST with its headers.
func (c *Channel) request(ctx context.Context, body []byte, key string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("User-Agent", "OneAccount")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return req, nil
}

// isE164 reports whether s is "+" followed by 8 to 15 digits, the first not
// zero. (Country code plus subscriber number; Macao's are 11 digits.)
func isE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
