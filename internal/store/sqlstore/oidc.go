package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/oidc"
)

// OIDCQueries are the protocol engine's statements. Authn columns: id,
// callback_id, auth_code, par_id, data, expires_at. Grant columns: id,
// token_id, refresh_token_id, auth_code, client_id, account_id,
// session_sid, data, created_at, expires_at.
type OIDCQueries struct {
	UpsertAuthn, DeleteAuthn string
	// InsertGrants upserts many new grants in one statement.
	InsertGrants MultiInsert
	// AuthnBy maps a handle column to its SELECT.
	AuthnBy map[string]string

	UpsertGrant, RotateGrant, GrantByToken, GrantByRefresh, DeleteGrant, DeleteGrantsByCode string
	DeleteGrantsBySession                                                                   string
	InsertSpent, SpentGrant                                                                 string
	InsertJTI                                                                               string
	InsertLogin, LoginsOf, DeleteLogins, MoveLogins, MoveGrants                             string
	// Sweep are DELETE statements taking the current time.
	Sweep []string
}

var _ oidc.Store = (*Store)(nil)

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// SaveAuthnSession inserts or replaces an authorization session.
func (s *Store) SaveAuthnSession(ctx context.Context, r oidc.AuthnRow) error {
	_, err := s.db.ExecContext(ctx, s.q.OIDC.UpsertAuthn, r.ID, nullStr(r.CallbackID), nullStr(r.AuthCode),
		nullStr(r.PARID), string(r.Data), r.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("save authn session: %w", err)
	}
	return nil
}

// AuthnSessionBy finds an authorization session by a handle.
func (s *Store) AuthnSessionBy(ctx context.Context, column, value string) (oidc.AuthnRow, error) {
	q, ok := s.q.OIDC.AuthnBy[column]
	if !ok {
		return oidc.AuthnRow{}, fmt.Errorf("authn session by %q: unknown handle", column)
	}
	var r oidc.AuthnRow
	var cb, code, par sql.NullString
	var data string
	err := s.db.QueryRowContext(ctx, q, value).Scan(&r.ID, &cb, &code, &par, &data, &r.ExpiresAt)
	if err != nil {
		return r, notFound(err, "authn session", column)
	}
	r.CallbackID, r.AuthCode, r.PARID, r.Data = cb.String, code.String, par.String, []byte(data)
	return r, nil
}

// DeleteAuthnSession deletes an authorization session.
func (s *Store) DeleteAuthnSession(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, s.q.OIDC.DeleteAuthn, id); err != nil {
		return fmt.Errorf("delete authn session: %w", err)
	}
	return nil
}

func scanGrant(r scanner) (oidc.GrantRow, error) {
	var g oidc.GrantRow
	var rt, code, acct sql.NullString
	var data string
	err := r.Scan(&g.ID, &g.TokenID, &rt, &code, &g.ClientID, &acct, &g.SessionSID, &data, &g.CreatedAt, &g.ExpiresAt)
	g.RefreshTokenID, g.AuthCode, g.AccountID, g.Data = rt.String, code.String, acct.String, []byte(data)
	return g, err
}

func (s *Store) grantArgs(r oidc.GrantRow) []any {
	return []any{r.ID, r.TokenID, nullStr(r.RefreshTokenID), nullStr(r.AuthCode), r.ClientID, nullStr(r.AccountID),
		r.SessionSID, string(r.Data), r.CreatedAt.UTC(), r.ExpiresAt.UTC()}
}

// SaveGrant inserts or replaces a grant; see oidc.Store.
func (s *Store) SaveGrant(ctx context.Context, r oidc.GrantRow, prevRefreshID string) error {
	if prevRefreshID == "" || prevRefreshID == r.RefreshTokenID {
		err := s.inGroupTxRow(ctx, &s.q.OIDC.InsertGrants, s.grantArgs(r), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, s.q.OIDC.UpsertGrant, s.grantArgs(r)...)
			return err
		})
		if err != nil {
			return fmt.Errorf("save grant: %w", err)
		}
		return nil
	}
	reused := false
	err := s.inGroupTx(ctx, func(tx *sql.Tx) error {
		reused = false
		res, err := tx.ExecContext(ctx, s.q.OIDC.RotateGrant, r.TokenID, nullStr(r.RefreshTokenID), string(r.Data),
			r.ExpiresAt.UTC(), r.ID, prevRefreshID)
		if err != nil {
			return fmt.Errorf("rotate grant: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			reused = true
			return nil
		}
		_, err = tx.ExecContext(ctx, s.q.OIDC.InsertSpent, prevRefreshID, r.ID, r.ExpiresAt.UTC())
		return err
	})
	if err != nil {
		return err
	}
	if reused {
		// Another request rotated this token first: two holders of one
		// refresh token means it leaked, so the family ends.
		if err := s.DeleteGrant(ctx, r.ID); err != nil {
			return err
		}
		return oidc.ErrRefreshReuse
	}
	return nil
}

// GrantByTokenID finds a grant by its current access token's ID.
func (s *Store) GrantByTokenID(ctx context.Context, tokenID string) (oidc.GrantRow, error) {
	g, err := scanGrant(s.db.QueryRowContext(ctx, s.q.OIDC.GrantByToken, tokenID))
	if err != nil {
		return g, notFound(err, "grant", "token")
	}
	return g, nil
}

// GrantByRefreshID finds a grant by its refresh token's hash; a spent
// refresh token revokes its grant.
func (s *Store) GrantByRefreshID(ctx context.Context, refreshID string) (oidc.GrantRow, error) {
	g, err := scanGrant(s.db.QueryRowContext(ctx, s.q.OIDC.GrantByRefresh, refreshID))
	if err == nil {
		return g, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("grant by refresh token: %w", err)
	}
	var grantID string
	err = s.db.QueryRowContext(ctx, s.q.OIDC.SpentGrant, refreshID).Scan(&grantID)
	if errors.Is(err, sql.ErrNoRows) {
		return g, notFound(err, "grant", "refresh token")
	}
	if err != nil {
		return g, fmt.Errorf("spent refresh token: %w", err)
	}
	if err := s.DeleteGrant(ctx, grantID); err != nil {
		return g, err
	}
	return g, oidc.ErrRefreshReuse
}

// DeleteGrant deletes a grant.
func (s *Store) DeleteGrant(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, s.q.OIDC.DeleteGrant, id); err != nil {
		return fmt.Errorf("delete grant: %w", err)
	}
	return nil
}

// DeleteGrantsByAuthCode deletes the grants issued from a code, used when
// the code is presented a second time.
func (s *Store) DeleteGrantsByAuthCode(ctx context.Context, code string) error {
	if _, err := s.db.ExecContext(ctx, s.q.OIDC.DeleteGrantsByCode, code); err != nil {
		return fmt.Errorf("delete grants by code: %w", err)
	}
	return nil
}

// DeleteGrantsBySession deletes the grants a browser session made.
func (s *Store) DeleteGrantsBySession(ctx context.Context, sid string) error {
	if _, err := s.db.ExecContext(ctx, s.q.OIDC.DeleteGrantsBySession, sid); err != nil {
		return fmt.Errorf("delete grants by session: %w", err)
	}
	return nil
}

// UseJTI records a JWT ID; a replay is a Conflict.
func (s *Store) UseJTI(ctx context.Context, jti string, expires time.Time) error {
	res, err := s.db.ExecContext(ctx, s.q.OIDC.InsertJTI, jti, expires.UTC())
	if err != nil {
		return fmt.Errorf("record jti: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &apperr.Error{Code: apperr.Conflict, Detail: "JWT ID already used"}
	}
	return nil
}

// RecordLogin remembers that a browser session signed in to a client.
func (s *Store) RecordLogin(ctx context.Context, l oidc.Login) error {
	if _, err := s.db.ExecContext(ctx, s.q.OIDC.InsertLogin, l.SID, l.ClientID, l.SID, l.AccountID, l.Subject,
		l.CreatedAt.UTC()); err != nil {
		return fmt.Errorf("record login: %w", err)
	}
	return nil
}

// MoveLogins moves a browser session's logins and grants to another.
func (s *Store) MoveLogins(ctx context.Context, fromSID, toSID string) error {
	if fromSID == toSID {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.OIDC.MoveLogins, toSID, fromSID); err != nil {
			return fmt.Errorf("move logins: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q.OIDC.MoveGrants, toSID, fromSID); err != nil {
			return fmt.Errorf("move grants: %w", err)
		}
		return nil
	})
}

// EndLogins deletes and returns a browser session's logins.
func (s *Store) EndLogins(ctx context.Context, sid string) ([]oidc.Login, error) {
	var out []oidc.Login
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q.OIDC.LoginsOf, sid)
		if err != nil {
			return fmt.Errorf("logins: %w", err)
		}
		out, err = collect(rows, func(r *sql.Rows) (oidc.Login, error) {
			var l oidc.Login
			err := r.Scan(&l.SID, &l.ClientID, &l.AccountID, &l.Subject, &l.CreatedAt)
			return l, err
		})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q.OIDC.DeleteLogins, sid)
		return err
	})
	return out, err
}

// SweepOIDC deletes expired protocol records.
func (s *Store) SweepOIDC(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for _, q := range s.q.OIDC.Sweep {
		res, err := s.db.ExecContext(ctx, q, now.UTC())
		if err != nil {
			return total, fmt.Errorf("sweep oidc: %w", err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}
