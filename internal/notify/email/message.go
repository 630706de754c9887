package email

import (
	"crypto/rand"
	"net/mail"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// DedupeHeader carries notify.Message.DedupeKey, so that a relay, a mailbox
// rule or an operator can recognise a repeated message.
const DedupeHeader = "X-OneAccount-Dedupe-Key"

// maxDedupeKey bounds the dedupe key so the header stays on one line.
const maxDedupeKey = 200

// build turns m into a plain-text UTF-8 MIME message.
func (c *Channel) build(m notify.Message) (*gomail.Msg, error) {
	if m.Kind != notify.Email {
		return nil, apperr.Invalidf("kind", "the email channel cannot send %q messages", m.Kind)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Field: "to", Detail: "not an email address", Err: err}
	}
	if err := checkHeaders(m); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithCharset(gomail.CharsetUTF8))
	msg.FromMailAddress(c.cfg.from)
	msg.AddToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(messageID(c.cfg.from.Address))
	msg.SetDate()
	msg.SetGenHeader("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	if m.Lang != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, string(m.Lang))
	}
	if m.DedupeKey != "" {
		msg.SetGenHeader(DedupeHeader, m.DedupeKey)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	return msg, nil
}

// checkHeaders refuses header values that could break out of their header:
// an ASCII value is written as is, so a line break would start a new one.
func checkHeaders(m notify.Message) error {
	if strings.ContainsAny(m.Subject, "\r\n") {
		return apperr.Invalidf("subject", "the subject contains a line break")
	}
	if len(m.DedupeKey) > maxDedupeKey {
		return apperr.Invalidf("dedupe_key", "longer than %d bytes", maxDedupeKey)
	}
	for _, r := range m.DedupeKey {
		if r <= ' ' || r > '~' {
			return apperr.Invalidf("dedupe_key", "only printable ASCII without spaces is allowed")
		}
	}
	return nil
}

// messageID returns a unique Message-ID (without angle brackets) in the
// sender's domain, which, unlike the host name, says nothing about the
// machine that sent it.
func messageID(from string) string {
	domain := from[strings.LastIndexByte(from, '@')+1:]
	return rand.Text() + "@" + domain
}
