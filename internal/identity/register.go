package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/identity/otp"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// registrationTTL is how long a registration in progress lasts.
const registrationTTL = 30 * time.Minute

// Code purposes.
const (
	PurposeRegisterEmail = "register-email"
	PurposeRegisterPhone = "register-phone"
	PurposeSignInSMS     = "signin-sms"
	PurposeRecovery      = "recovery"
)

// StartRegistration proves nothing yet: it checks the contacts' form,
// sends a code to each and returns the registration's token. Whether the
// contacts are already registered is not revealed here; that is told only
// after both are proved.
func (s *Service) StartRegistration(ctx context.Context, email, phone string, l lang.Tag) (string, error) {
	em, err := contact.ParseEmail(email)
	if err != nil {
		return "", err
	}
	ph, err := contact.ParseMobile(phone)
	if err != nil {
		return "", err
	}
	now := s.now()
	emailCode, err := s.issueCode(ctx, PurposeRegisterEmail, em.Key(), notify.Email, string(em), l)
	if err != nil {
		return "", err
	}
	phoneCode, err := s.issueCode(ctx, PurposeRegisterPhone, string(ph), notify.SMS, string(ph), l)
	if err != nil {
		return "", err
	}
	token := NewToken()
	r := Registration{IDHash: HashToken(token), Email: string(em), Phone: string(ph), EmailCode: emailCode,
		PhoneCode: phoneCode, Lang: string(l), ExpiresAt: now.Add(registrationTTL), CreatedAt: now}
	if err := s.store.CreateRegistration(ctx, r); err != nil {
		return "", fmt.Errorf("start registration: %w", err)
	}
	return token, nil
}

// issueCode stores a new code for target and sends it; it returns the
// code's ID.
func (s *Service) issueCode(ctx context.Context, purpose, target string, kind notify.Kind, to string, l lang.Tag) (string, error) {
	code, err := otp.NewCode()
	if err != nil {
		return "", fmt.Errorf("new code: %w", err)
	}
	now := s.now()
	c := Code{ID: NewID(), Purpose: purpose, Target: target, ExpiresAt: now.Add(otp.CodeTTL), CreatedAt: now}
	c.CodeHash = otp.HashCode([]byte(c.ID), purpose, target, code)
	if err := s.store.CreateCode(ctx, c); err != nil {
		return "", fmt.Errorf("store code: %w", err)
	}
	m := codeMessage(kind, to, code, purpose, l)
	if err := s.send.Send(ctx, m); err != nil {
		return "", fmt.Errorf("send code: %w", err)
	}
	return c.ID, nil
}

// Registration returns a registration in progress by its token.
func (s *Service) Registration(ctx context.Context, token string) (Registration, error) {
	r, err := s.store.Registration(ctx, HashToken(token))
	if err != nil {
		return r, err
	}
	if !s.now().Before(r.ExpiresAt) {
		return r, &apperr.Error{Code: apperr.NotFound, Key: "register.expired", Detail: "registration expired"}
	}
	return r, nil
}

// VerifyRegistration checks the two codes. A code already proved in this
// registration need not be entered again.
func (s *Service) VerifyRegistration(ctx context.Context, token, emailCode, phoneCode string) (Registration, error) {
	r, err := s.Registration(ctx, token)
	if err != nil {
		return r, err
	}
	em, _ := contact.ParseEmail(r.Email)
	var errs []error
	if !r.EmailVerified {
		errs = append(errs, s.checkCode(ctx, r.EmailCode, PurposeRegisterEmail, em.Key(), emailCode, "email_code"))
	}
	if !r.PhoneVerified {
		errs = append(errs, s.checkCode(ctx, r.PhoneCode, PurposeRegisterPhone, r.Phone, phoneCode, "phone_code"))
	}
	if err := errors.Join(errs...); err != nil {
		return r, firstErr(errs)
	}
	return s.Registration(ctx, token)
}

func firstErr(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// checkCode tries one code and maps the outcome to a user-facing error.
func (s *Service) checkCode(ctx context.Context, id, purpose, target, input, field string) error {
	code, err := otp.ParseCode(input)
	if err != nil {
		e := &apperr.Error{Code: apperr.Invalid, Field: field, Key: "code.invalid", Err: err}
		return e
	}
	res, err := s.store.UseCode(ctx, id, otp.HashCode([]byte(id), purpose, target, code), s.now())
	if err != nil {
		return fmt.Errorf("check code: %w", err)
	}
	key := map[CodeResult]string{CodeWrong: "code.wrong", CodeExpired: "code.expired", CodeUsed: "code.used",
		CodeTooManyAttempts: "code.too_many"}[res]
	if key != "" {
		return &apperr.Error{Code: apperr.Invalid, Field: field, Key: key, Detail: key}
	}
	return nil
}

// Details are what a resident gives after proving the contacts.
type Details struct {
	NameZh, NameLatin string
	DocType           string
	DocNumber         string
	DocCountry        string
	BirthDate         string
	Password          string
}

// CompleteRegistration creates the account at level 1 once both contacts
// are proved.
func (s *Service) CompleteRegistration(ctx context.Context, token string, d Details, c Client) (Account, error) {
	r, err := s.Registration(ctx, token)
	if err != nil {
		return Account{}, err
	}
	if !r.EmailVerified || !r.PhoneVerified {
		return Account{}, &apperr.Error{Code: apperr.Invalid, Key: "register.unverified", Detail: "contacts not proved"}
	}
	a, err := s.newAccount(ctx, Resident, r.Email, r.Phone, d, true)
	if err != nil {
		return Account{}, err
	}
	a.Lang = lang.Tag(r.Lang)
	ev := event(audit.AccountCreated, c)
	ev.Subject, ev.Actor = a.ID, a.ID
	if a, err = s.store.CreateAccount(ctx, a, ev); err != nil {
		return Account{}, err
	}
	_ = s.store.DeleteRegistration(ctx, r.IDHash)
	return a, nil
}

// newAccount validates details and builds an account with a hashed
// password.
func (s *Service) newAccount(ctx context.Context, kind Kind, email, phone string, d Details, requireDoc bool) (Account, error) {
	a := Account{ID: NewID(), Kind: kind, NameZh: strings.TrimSpace(d.NameZh), NameLatin: strings.TrimSpace(d.NameLatin),
		Assurance: Level1, Lang: lang.Default, CreatedAt: s.now(), UpdatedAt: s.now()}
	if a.NameZh == "" && a.NameLatin == "" {
		return a, &apperr.Error{Code: apperr.Invalid, Field: "name_latin", Key: "register.name_required"}
	}
	if len(a.NameZh) > 200 || len(a.NameLatin) > 200 {
		return a, &apperr.Error{Code: apperr.Invalid, Field: "name_latin", Key: "register.name_too_long"}
	}
	em, err := contact.ParseEmail(email)
	if err != nil {
		return a, err
	}
	a.Email = em
	if phone != "" {
		if a.Phone, err = contact.ParsePhone(phone); err != nil {
			return a, err
		}
	}
	if d.DocNumber != "" || requireDoc {
		if a.Document, err = contact.ParseDocument(contact.DocType(d.DocType), d.DocNumber, d.DocCountry); err != nil {
			return a, err
		}
	}
	if d.BirthDate != "" || requireDoc {
		dob, err := contact.ParseDateOfBirth(d.BirthDate, s.now())
		if err != nil {
			return a, err
		}
		a.BirthDate = dob.Format(time.DateOnly)
	}
	if a.PasswordHash, err = s.hashPassword(ctx, d.Password); err != nil {
		return a, err
	}
	return a, nil
}
