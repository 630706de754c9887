package identity

import (
	"context"
	"fmt"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// PurposeContactChange is the purpose of codes that prove a new contact.
const PurposeContactChange = "contact-change"

// BeginContactChange re-authenticates the person and sends a code to the
// new email address or mobile number (field "email" or "phone"). It
// returns the code's ID, which CompleteContactChange needs.
func (s *Service) BeginContactChange(ctx context.Context, a Account, field, value, current string, c Client) (string, error) {
	if err := s.reauthenticate(ctx, a, current, c); err != nil {
		return "", err
	}
	var kind notify.Kind
	switch field {
	case "email":
		em, err := contact.ParseEmail(value)
		if err != nil {
			return "", err
		}
		kind, value = notify.Email, string(em)
	case "phone":
		ph, err := contact.ParseMobile(value)
		if err != nil {
			return "", err
		}
		kind, value = notify.SMS, string(ph)
	default:
		return "", apperr.Invalidf("field", "want email or phone")
	}
	return s.issueCode(ctx, PurposeContactChange, a.ID+"|"+field+"|"+value, kind, value, a.Lang)
}

// CompleteContactChange checks the code sent to the new contact, stores
// it, and tells the old contact.
func (s *Service) CompleteContactChange(ctx context.Context, a Account, codeID, code string, c Client) (Account, error) {
	target, err := s.store.CodeTarget(ctx, codeID)
	if err != nil {
		return Account{}, &apperr.Error{Code: apperr.Invalid, Field: "contact_code", Key: "code.wrong", Err: err}
	}
	id, field, value := splitTarget(target)
	if id != a.ID {
		return Account{}, &apperr.Error{Code: apperr.Invalid, Field: "contact_code", Key: "code.wrong"}
	}
	if err := s.checkCode(ctx, codeID, PurposeContactChange, target, code, "contact_code"); err != nil {
		return Account{}, err
	}
	ev := event(audit.ContactChanged, c)
	ev.Actor, ev.Subject, ev.Detail = a.ID, a.ID, map[string]string{"field": field}
	updated, err := s.store.UpdateAccount(ctx, a.ID, func(x *Account) error {
		if field == "email" {
			x.Email = contact.Email(value)
		} else {
			x.Phone = contact.Phone(value)
		}
		return nil
	}, ev)
	if err != nil {
		return Account{}, fmt.Errorf("change %s: %w", field, err)
	}
	s.notifyChange(ctx, a, field) // a holds the old contacts
	return updated, nil
}

func splitTarget(t string) (id, field, value string) {
	parts := strings.SplitN(t, "|", 3)
	if len(parts) != 3 {
		return "", "", ""
	}
	return parts[0], parts[1], parts[2]
}
