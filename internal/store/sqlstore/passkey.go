package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// PasskeyQueries are the passkey statements: passkeys, user handles and
// WebAuthn ceremonies. Column order is fixed by scanPasskey and
// scanCeremony.
type PasskeyQueries struct {
	InsertPasskey, PasskeysOf, UsePasskey, DeletePasskey string
	UserHandle, InsertUserHandle, AccountByUserHandle    string
	// CeremonyForUpdate reads a ceremony, locking its row where the engine
	// can; DeleteCeremony then removes it, and only the caller whose
	// DELETE removed the row gets the ceremony.
	InsertCeremony, CeremonyForUpdate, DeleteCeremony, DeleteExpiredCeremonies string
}

var _ identity.PasskeyStore = (*Store)(nil)

func scanPasskey(r scanner) (identity.Passkey, error) {
	var p identity.Passkey
	var cred string
	var used sql.NullTime
	err := r.Scan(&p.ID, &p.AccountID, &p.Name, &cred, &p.CreatedAt, &used)
	p.Credential, p.LastUsedAt = []byte(cred), used.Time
	return p, err
}

// AddPasskey stores a passkey and its audit event in one transaction.
func (s *Store) AddPasskey(ctx context.Context, p identity.Passkey, ev audit.Event) error {
	defer s.sessions.forgetAccount(p.AccountID)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.Passkey.InsertPasskey, p.ID, p.AccountID, p.Name, string(p.Credential),
			p.CreatedAt.UTC())
		if err != nil {
			if s.q.Identity.UniqueViolation != nil && s.q.Identity.UniqueViolation(err) != "" {
				return &apperr.Error{Code: apperr.Conflict, Field: "passkey", Key: "passkey.exists",
					Detail: "passkey already registered", Err: err}
			}
			return err
		}
		if ev.Action == "" {
			return nil
		}
		_, err = s.appendAudit(ctx, tx, ev)
		return err
	})
	if err != nil {
		return fmt.Errorf("add passkey: %w", err)
	}
	return nil
}

// Passkeys lists an account's passkeys, oldest first.
func (s *Store) Passkeys(ctx context.Context, accountID string) ([]identity.Passkey, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Passkey.PasskeysOf, accountID)
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (identity.Passkey, error) { return scanPasskey(r) })
}

// UsePasskey writes back a passkey's credential after a sign-in.
func (s *Store) UsePasskey(ctx context.Context, id string, credential []byte, at time.Time) error {
	r, err := s.db.ExecContext(ctx, s.q.Passkey.UsePasskey, string(credential), at.UTC(), id)
	if err != nil {
		return fmt.Errorf("use passkey: %w", err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return apperr.NotFoundf("passkey not found")
	}
	return nil
}

// DeletePasskey removes one of an account's passkeys with the audit event.
func (s *Store) DeletePasskey(ctx context.Context, accountID, id string, ev audit.Event) error {
	defer s.sessions.forgetAccount(accountID)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, s.q.Passkey.DeletePasskey, id, accountID)
		if err != nil {
			return fmt.Errorf("delete passkey: %w", err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return apperr.NotFoundf("passkey not found")
		}
		if ev.Action == "" {
			return nil
		}
		_, err = s.appendAudit(ctx, tx, ev)
		return err
	})
}

// UserHandle returns the account's user handle, storing fresh when it has
// none. Two callers racing both get the handle that was stored first.
func (s *Store) UserHandle(ctx context.Context, accountID, fresh string) (string, error) {
	var h string
	err := s.db.QueryRowContext(ctx, s.q.Passkey.UserHandle, accountID).Scan(&h)
	if err == nil {
		return h, nil
	}
	if !errors.Is(err, sql.ErrNoRows) || fresh == "" {
		return "", notFound(err, "user handle of account", accountID)
	}
	if _, err := s.db.ExecContext(ctx, s.q.Passkey.InsertUserHandle, accountID, fresh, s.now().UTC()); err != nil {
		return "", fmt.Errorf("store user handle: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, s.q.Passkey.UserHandle, accountID).Scan(&h); err != nil {
		return "", notFound(err, "user handle of account", accountID)
	}
	return h, nil
}

// AccountByUserHandle returns the ID of the account with the handle.
func (s *Store) AccountByUserHandle(ctx context.Context, handle string) (string, error) {
	var id string
	if err := s.db.QueryRowContext(ctx, s.q.Passkey.AccountByUserHandle, handle).Scan(&id); err != nil {
		return "", notFound(err, "account with user handle", "")
	}
	return id, nil
}

// CreateCeremony stores a ceremony in progress.
func (s *Store) CreateCeremony(ctx context.Context, c identity.Ceremony) error {
	var account any
	if c.AccountID != "" {
		account = c.AccountID
	}
	_, err := s.db.ExecContext(ctx, s.q.Passkey.InsertCeremony, c.IDHash, string(c.Kind), account, c.SessionHash,
		string(c.Data), c.ExpiresAt.UTC(), c.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("create ceremony: %w", err)
	}
	return nil
}

// TakeCeremony reads and deletes a ceremony in one transaction. The DELETE
// is the arbiter: when two requests race, only the one that removed the row
// gets the ceremony.
func (s *Store) TakeCeremony(ctx context.Context, idHash string) (identity.Ceremony, error) {
	var c identity.Ceremony
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var kind, data string
		var account sql.NullString
		err := tx.QueryRowContext(ctx, s.q.Passkey.CeremonyForUpdate, idHash).Scan(&c.IDHash, &kind, &account,
			&c.SessionHash, &data, &c.ExpiresAt, &c.CreatedAt)
		if err != nil {
			return notFound(err, "ceremony", "")
		}
		c.Kind, c.AccountID, c.Data = identity.CeremonyKind(kind), account.String, []byte(data)
		r, err := tx.ExecContext(ctx, s.q.Passkey.DeleteCeremony, idHash)
		if err != nil {
			return fmt.Errorf("delete ceremony: %w", err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return apperr.NotFoundf("ceremony already used")
		}
		return nil
	})
	if err != nil {
		return identity.Ceremony{}, err
	}
	return c, nil
}

// DeleteExpiredCeremonies removes the ceremonies that expired before now.
func (s *Store) DeleteExpiredCeremonies(ctx context.Context, now time.Time) (int, error) {
	r, err := s.db.ExecContext(ctx, s.q.Passkey.DeleteExpiredCeremonies, now.UTC())
	if err != nil {
		return 0, fmt.Errorf("delete expired ceremonies: %w", err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}
