package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// IdentityQueries are the identity domain's statements. Account column
// order is fixed by scanAccount.
type IdentityQueries struct {
	InsertAccount, UpdateAccount, Account, AccountForUpdate string
	AccountByEmail, AccountByPhone, FindAccounts, StaffOf   string
	Roles, DeleteRoles, InsertRole                          string

	InsertCode, CodeForUpdate, CountAttempt, MarkCodeUsed, LatestCode string
	CodeTarget, DeletePasskeysOf                                      string
	InsertRegistration, Registration, DeleteRegistration              string

	InsertSession, Session, TouchSession, DeleteSession string
	// SessionAccount reads a session and its account (as Account reads
	// it) in one query.
	SessionAccount               string
	SessionsOf, DeleteSessionsOf string

	Throttle, Throttle2, UpsertThrottle, DeleteThrottle string
	TrustDevice, TrustedDevice                          string

	UseTOTPStep                                                   string
	SweepSessions, SweepRegistrations, SweepCodes, SweepThrottles string
	DeleteRecoveryCodes, InsertRecoveryCode, UseRecoveryCode      string
	RecoveryCodesLeft                                             string
	// UniqueViolation returns the violated constraint or column text of a
	// unique-constraint error, or "" for any other error.
	UniqueViolation func(error) string
}

var _ identity.Store = (*Store)(nil)

type scanner interface{ Scan(...any) error }

func scanAccount(r scanner) (identity.Account, error) {
	var a identity.Account
	dest, finish := accountFields(&a)
	err := r.Scan(dest...)
	finish()
	return a, err
}

// accountFields returns the scan destinations of an account row (the
// account columns, then the passkey count) and the function that fills
// a from them after the scan.
func accountFields(a *identity.Account) ([]any, func()) {
	var phone, entity sql.NullString
	var verifiedAt sql.NullTime
	var email, docType, l string
	return []any{&a.ID, &a.Kind, &a.NameZh, &a.NameLatin, &email, &phone, &docType, &a.Document.Country,
			&a.Document.Number, &a.BirthDate, &a.PasswordHash, &a.Assurance, &l, &entity, &a.TOTPSecret,
			&a.TOTPLastStep, &a.SMSFallback, &a.NeedsReverify, &a.VerifiedBy, &verifiedAt, &a.CreatedAt,
			&a.UpdatedAt, &a.Passkeys}, func() {
			a.Email, a.Phone, a.Entity = contact.Email(email), contact.Phone(phone.String), entity.String
			a.Document.Type, a.Lang, a.VerifiedAt = contact.DocType(docType), lang.Tag(l), verifiedAt.Time
		}
}

func accountArgs(a identity.Account) []any {
	var phone, entity, verifiedAt any
	if a.Phone != "" {
		phone = string(a.Phone)
	}
	if a.Entity != "" {
		entity = a.Entity
	}
	if !a.VerifiedAt.IsZero() {
		verifiedAt = a.VerifiedAt.UTC()
	}
	return []any{a.ID, string(a.Kind), a.NameZh, a.NameLatin, string(a.Email), a.Email.Key(), phone,
		string(a.Document.Type), a.Document.Country, a.Document.Number, a.BirthDate, a.PasswordHash,
		int(a.Assurance), string(a.Lang), entity, a.TOTPSecret, a.TOTPLastStep, a.SMSFallback,
		a.NeedsReverify, a.VerifiedBy, verifiedAt, a.CreatedAt.UTC(), a.UpdatedAt.UTC()}
}

// conflict maps a unique violation to a Conflict naming the field.
func (s *Store) conflict(err error) error {
	c := s.q.Identity.UniqueViolation(err)
	if c == "" {
		return err
	}
	field := "account"
	for _, f := range []string{"email", "phone", "doc", "reg_number"} {
		if strings.Contains(c, f) {
			field = f
			break
		}
	}
	return &apperr.Error{Code: apperr.Conflict, Field: field, Key: field + ".taken", Detail: field + " already registered", Err: err}
}

// CreateAccount inserts an account, its roles and the audit event.
func (s *Store) CreateAccount(ctx context.Context, a identity.Account, ev audit.Event) (identity.Account, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Identity.InsertAccount, accountArgs(a)...); err != nil {
			return s.conflict(err)
		}
		if err := s.insertRoles(ctx, tx, a.ID, a.Roles, ""); err != nil {
			return err
		}
		if ev.Action == "" {
			return nil
		}
		_, err := s.appendAudit(ctx, tx, ev)
		return err
	})
	if err != nil {
		return a, fmt.Errorf("create account: %w", err)
	}
	return s.Account(ctx, a.ID)
}

func (s *Store) insertRoles(ctx context.Context, tx *sql.Tx, id string, roles []identity.Role, by string) error {
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, s.q.Identity.InsertRole, id, string(r), by, s.now().UTC()); err != nil {
			return fmt.Errorf("role %s: %w", r, err)
		}
	}
	return nil
}

// Account returns an account with its roles.
func (s *Store) Account(ctx context.Context, id string) (identity.Account, error) {
	return s.accountBy(ctx, s.db, s.q.Identity.Account, id)
}

func (s *Store) accountBy(ctx context.Context, q querier, query string, arg any) (identity.Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, query, arg))
	if err != nil {
		return a, notFound(err, "account", arg)
	}
	if a.Kind == identity.Staff {
		a.Roles, err = s.roles(ctx, q, a.ID)
	}
	return a, err
}

func (s *Store) roles(ctx context.Context, q querier, id string) ([]identity.Role, error) {
	rows, err := q.QueryContext(ctx, s.q.Identity.Roles, id)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (identity.Role, error) {
		var role string
		return identity.Role(role), r.Scan(&role)
	})
}

// AccountByUsername finds an account by email key or E.164 phone.
func (s *Store) AccountByUsername(ctx context.Context, username string) (identity.Account, error) {
	query := s.q.Identity.AccountByPhone
	if strings.Contains(username, "@") {
		query = s.q.Identity.AccountByEmail
	}
	return s.accountBy(ctx, s.db, query, username)
}

// UpdateAccount applies fn to the account inside a transaction.
func (s *Store) UpdateAccount(ctx context.Context, id string, fn func(*identity.Account) error, ev audit.Event) (identity.Account, error) {
	defer s.sessions.forgetAccount(id)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		a, err := s.accountBy(ctx, tx, s.q.Identity.AccountForUpdate, id)
		if err != nil {
			return err
		}
		if err := fn(&a); err != nil {
			return err
		}
		a.UpdatedAt = s.now()
		if _, err := tx.ExecContext(ctx, s.q.Identity.UpdateAccount, accountArgs(a)...); err != nil {
			return s.conflict(err)
		}
		if ev.Action == "" {
			return nil
		}
		_, err = s.appendAudit(ctx, tx, ev)
		return err
	})
	if err != nil {
		return identity.Account{}, fmt.Errorf("update account: %w", err)
	}
	return s.Account(ctx, id)
}

// FindAccounts searches residents by exact document number, email key or
// phone.
func (s *Store) FindAccounts(ctx context.Context, q string, limit int) ([]identity.Account, error) {
	doc := strings.NewReplacer("(", "", ")", "", "/", "", " ", "").Replace(strings.ToUpper(q))
	rows, err := s.db.QueryContext(ctx, s.q.Identity.FindAccounts, doc, q, q, limit)
	if err != nil {
		return nil, fmt.Errorf("find accounts: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (identity.Account, error) { return scanAccount(r) })
}

// StaffOf lists staff with their roles.
func (s *Store) StaffOf(ctx context.Context, entity string) ([]identity.Account, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Identity.StaffOf, entity)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	out, err := collect(rows, func(r *sql.Rows) (identity.Account, error) { return scanAccount(r) })
	for i := range out {
		if out[i].Roles, err = s.roles(ctx, s.db, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, err
}

// SetRoles replaces a staff account's roles.
func (s *Store) SetRoles(ctx context.Context, id string, roles []identity.Role, ev audit.Event) error {
	defer s.sessions.forgetAccount(id)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Identity.DeleteRoles, id); err != nil {
			return fmt.Errorf("delete roles: %w", err)
		}
		if err := s.insertRoles(ctx, tx, id, roles, ev.Actor); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, ev)
		return err
	})
}
