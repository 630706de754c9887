package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/otp"
)

// CreateCode stores a hashed one-time code.
func (s *Store) CreateCode(ctx context.Context, c identity.Code) error {
	_, err := s.db.ExecContext(ctx, s.q.Identity.InsertCode, c.ID, c.Purpose, c.Target, c.CodeHash,
		c.ExpiresAt.UTC(), c.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("create code: %w", err)
	}
	return nil
}

// UseCode counts an attempt and marks a matching live code used. The
// final UPDATE is conditional (used_at IS NULL), so two requests racing
// with the right code cannot both succeed.
func (s *Store) UseCode(ctx context.Context, id, codeHash string, now time.Time) (identity.CodeResult, error) {
	var res identity.CodeResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var hash string
		var attempts int
		var expires time.Time
		var used sql.NullTime
		err := tx.QueryRowContext(ctx, s.q.Identity.CodeForUpdate, id).Scan(&hash, &attempts, &expires, &used)
		if err != nil {
			return notFound(err, "code", id)
		}
		switch {
		case used.Valid:
			res = identity.CodeUsed
			return nil
		case !now.Before(expires):
			res = identity.CodeExpired
			return nil
		case attempts >= otp.MaxCodeAttempts:
			res = identity.CodeTooManyAttempts
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q.Identity.CountAttempt, id); err != nil {
			return err
		}
		if hash != codeHash {
			res = identity.CodeWrong
			return nil
		}
		r, err := tx.ExecContext(ctx, s.q.Identity.MarkCodeUsed, now.UTC(), id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			res = identity.CodeUsed
			return nil
		}
		res = identity.CodeOK
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("use code: %w", err)
	}
	return res, nil
}

// LatestCode returns the newest code's ID for purpose and target.
func (s *Store) LatestCode(ctx context.Context, purpose, target string) (string, error) {
	var id string
	if err := s.db.QueryRowContext(ctx, s.q.Identity.LatestCode, purpose, target).Scan(&id); err != nil {
		return "", notFound(err, "code", purpose)
	}
	return id, nil
}

// CreateRegistration stores a registration in progress.
func (s *Store) CreateRegistration(ctx context.Context, r identity.Registration) error {
	_, err := s.db.ExecContext(ctx, s.q.Identity.InsertRegistration, r.IDHash, r.Email, r.Phone, r.EmailCode,
		r.PhoneCode, r.Lang, r.ExpiresAt.UTC(), r.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("create registration: %w", err)
	}
	return nil
}

// Registration returns a registration with which of its codes were used.
func (s *Store) Registration(ctx context.Context, idHash string) (identity.Registration, error) {
	var r identity.Registration
	err := s.db.QueryRowContext(ctx, s.q.Identity.Registration, idHash).Scan(&r.IDHash, &r.Email, &r.Phone,
		&r.EmailCode, &r.PhoneCode, &r.Lang, &r.ExpiresAt, &r.CreatedAt, &r.EmailVerified, &r.PhoneVerified)
	if err != nil {
		return r, notFound(err, "registration", "")
	}
	return r, nil
}

// DeleteRegistration removes a registration.
func (s *Store) DeleteRegistration(ctx context.Context, idHash string) error {
	_, err := s.db.ExecContext(ctx, s.q.Identity.DeleteRegistration, idHash)
	return err
}

func sessionArgs(x identity.Session) []any {
	return []any{x.IDHash, x.AccountID, string(x.State), strings.Join(x.AMR, " "), x.ActingOrg, x.IP, x.UserAgent,
		x.CreatedAt.UTC(), x.AuthAt.UTC(), x.LastSeenAt.UTC(), x.ExpiresAt.UTC()}
}

func scanSession(r scanner) (identity.Session, error) {
	var x identity.Session
	dest, finish := sessionFields(&x)
	err := r.Scan(dest...)
	finish()
	return x, err
}

// sessionFields returns the scan destinations of a session row and the
// function that fills x from them after the scan.
func sessionFields(x *identity.Session) ([]any, func()) {
	var amr, state string
	return []any{&x.IDHash, &x.AccountID, &state, &amr, &x.ActingOrg, &x.IP, &x.UserAgent, &x.CreatedAt,
			&x.AuthAt, &x.LastSeenAt, &x.ExpiresAt}, func() {
			x.State, x.AMR = identity.SessionState(state), strings.Fields(amr)
		}
}

// SessionAccount reads a session and its account in one query, or from
// the node's session cache (sessioncache.go); see identity.Store.
func (s *Store) SessionAccount(ctx context.Context, idHash string) (identity.Session, identity.Account, error) {
	now := time.Now()
	x, a, ok, gen := s.sessions.get(idHash, now)
	if ok {
		return x, a, nil
	}
	x, a, err := s.readSessionAccount(ctx, idHash)
	if err == nil {
		s.sessions.put(gen, x, a, now)
	}
	return x, a, err
}

// readSessionAccount is SessionAccount from the database.
func (s *Store) readSessionAccount(ctx context.Context, idHash string) (identity.Session, identity.Account, error) {
	var x identity.Session
	var a identity.Account
	sd, sf := sessionFields(&x)
	ad, af := accountFields(&a)
	var roles string
	err := s.hot().QueryRowContext(ctx, s.q.Identity.SessionAccount, idHash).Scan(append(append(sd, ad...), &roles)...)
	if err != nil {
		return x, a, notFound(err, "session", "")
	}
	sf()
	af()
	if a.Kind == identity.Staff {
		for _, r := range strings.Fields(roles) {
			a.Roles = append(a.Roles, identity.Role(r))
		}
	}
	return x, a, nil
}

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, x identity.Session) error {
	if _, err := s.db.ExecContext(ctx, s.q.Identity.InsertSession, sessionArgs(x)...); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// OpenSession stores a full session with its audit event and trusted
// device in one transaction: one commit per sign-in.
func (s *Store) OpenSession(ctx context.Context, x identity.Session, ev audit.Event, deviceHash string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Identity.InsertSession, sessionArgs(x)...); err != nil {
			return err
		}
		if deviceHash != "" {
			if _, err := tx.ExecContext(ctx, s.q.Identity.TrustDevice, deviceHash, x.AccountID, x.CreatedAt.UTC()); err != nil {
				return err
			}
		}
		if ev.Action == "" {
			return nil
		}
		_, err := s.appendAudit(ctx, tx, ev) // last: it waits on the audit head
		return err
	})
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	return nil
}

// Session returns a session by its token hash.
func (s *Store) Session(ctx context.Context, idHash string) (identity.Session, error) {
	x, err := scanSession(s.db.QueryRowContext(ctx, s.q.Identity.Session, idHash))
	if err != nil {
		return x, notFound(err, "session", "")
	}
	return x, nil
}

// ReplaceSession swaps a session for a new one atomically. When the old
// one is already gone (revoked meanwhile) nothing is created.
func (s *Store) ReplaceSession(ctx context.Context, oldHash string, x identity.Session) error {
	defer s.sessions.forgetSession(oldHash)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, s.q.Identity.DeleteSession, oldHash)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return identity.ErrNoSession
		}
		_, err = tx.ExecContext(ctx, s.q.Identity.InsertSession, sessionArgs(x)...)
		return err
	})
}

// TouchSession records activity.
func (s *Store) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q.Identity.TouchSession, at.UTC(), idHash)
	if err != nil {
		s.sessions.forgetSession(idHash)
		return err
	}
	s.sessions.touched(idHash, at)
	return nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	defer s.sessions.forgetSession(idHash)
	_, err := s.db.ExecContext(ctx, s.q.Identity.DeleteSession, idHash)
	return err
}

// SessionsOf lists an account's sessions, newest first.
func (s *Store) SessionsOf(ctx context.Context, accountID string) ([]identity.Session, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Identity.SessionsOf, accountID)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (identity.Session, error) { return scanSession(r) })
}

// DeleteSessionsOf ends every session of the account except keep.
func (s *Store) DeleteSessionsOf(ctx context.Context, accountID, keep string) (int, error) {
	defer s.sessions.forgetAccount(accountID)
	r, err := s.db.ExecContext(ctx, s.q.Identity.DeleteSessionsOf, accountID, keep)
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// Throttle returns a key's state; the zero state when unknown.
func (s *Store) Throttle(ctx context.Context, key string) (identity.ThrottleState, error) {
	st := identity.ThrottleState{Key: key}
	err := s.db.QueryRowContext(ctx, s.q.Identity.Throttle, key).Scan(&st.Failures, &st.WindowStart, &st.BlockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	return st, err
}

// Throttles returns the states of keys in order in one query.
func (s *Store) Throttles(ctx context.Context, keys []string) ([]identity.ThrottleState, error) {
	out := make([]identity.ThrottleState, len(keys))
	idx := map[string]int{}
	for i, k := range keys {
		out[i].Key = k
		idx[k] = i
	}
	if len(keys) != 2 {
		for i, k := range keys {
			st, err := s.Throttle(ctx, k)
			if err != nil {
				return nil, err
			}
			out[i] = st
		}
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q.Identity.Throttle2, keys[0], keys[1])
	if err != nil {
		return nil, fmt.Errorf("throttles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st identity.ThrottleState
		if err := rows.Scan(&st.Key, &st.Failures, &st.WindowStart, &st.BlockedUntil); err != nil {
			return nil, fmt.Errorf("throttles: %w", err)
		}
		out[idx[st.Key]] = st
	}
	return out, rows.Err()
}

// SaveThrottle writes a key's state.
func (s *Store) SaveThrottle(ctx context.Context, st identity.ThrottleState) error {
	_, err := s.db.ExecContext(ctx, s.q.Identity.UpsertThrottle, st.Key, st.Failures, st.WindowStart.UTC(), st.BlockedUntil.UTC())
	return err
}

// ClearThrottle forgets a key.
func (s *Store) ClearThrottle(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, s.q.Identity.DeleteThrottle, key)
	return err
}

// TrustDevice remembers that a device signed in to an account.
func (s *Store) TrustDevice(ctx context.Context, deviceHash, accountID string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q.Identity.TrustDevice, deviceHash, accountID, at.UTC())
	return err
}

// IsTrustedDevice reports whether the device signed in to the account.
func (s *Store) IsTrustedDevice(ctx context.Context, deviceHash, accountID string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q.Identity.TrustedDevice, deviceHash, accountID).Scan(&n)
	return n > 0, err
}

// UseTOTPStep records a TOTP step unless an equal or later one was used.
func (s *Store) UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error) {
	defer s.sessions.forgetAccount(accountID)
	r, err := s.db.ExecContext(ctx, s.q.Identity.UseTOTPStep, step, accountID, step)
	if err != nil {
		return false, fmt.Errorf("totp step: %w", err)
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// ReplaceRecoveryCodes swaps the account's recovery codes.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, accountID string, hashes []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Identity.DeleteRecoveryCodes, accountID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, s.q.Identity.InsertRecoveryCode, accountID, h); err != nil {
				return err
			}
		}
		return nil
	})
}

// UseRecoveryCode marks a code used; false when no unused code matched.
func (s *Store) UseRecoveryCode(ctx context.Context, accountID, hash string, at time.Time) (bool, error) {
	r, err := s.db.ExecContext(ctx, s.q.Identity.UseRecoveryCode, at.UTC(), accountID, hash)
	if err != nil {
		return false, fmt.Errorf("recovery code: %w", err)
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// RecoveryCodesLeft counts unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q.Identity.RecoveryCodesLeft, accountID).Scan(&n)
	return n, err
}

// CodeTarget returns a code's target.
func (s *Store) CodeTarget(ctx context.Context, id string) (string, error) {
	var target string
	if err := s.db.QueryRowContext(ctx, s.q.Identity.CodeTarget, id).Scan(&target); err != nil {
		return "", notFound(err, "code", id)
	}
	return target, nil
}

// RemoveSecondFactors deletes an account's recovery codes and passkeys.
func (s *Store) RemoveSecondFactors(ctx context.Context, accountID string) error {
	defer s.sessions.forgetAccount(accountID)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Identity.DeleteRecoveryCodes, accountID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q.Identity.DeletePasskeysOf, accountID)
		return err
	})
}

// SweepExpired deletes what can no longer be used, in one transaction.
func (s *Store) SweepExpired(ctx context.Context, b identity.SweepBefore) (identity.SweepResult, error) {
	defer s.sessions.forgetAll()
	var r identity.SweepResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		q := s.q.Identity
		steps := []struct {
			query string
			args  []any
			n     *int
		}{
			{q.SweepSessions, []any{b.SessionEnd.UTC(), b.SessionIdle.UTC()}, &r.Sessions},
			{q.SweepRegistrations, []any{b.Codes.UTC()}, &r.Registrations},
			{q.SweepCodes, []any{b.Codes.UTC()}, &r.Codes},
			{q.SweepThrottles, []any{b.Throttles.UTC(), b.SessionEnd.UTC()}, &r.Throttles},
		}
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, st.query, st.args...)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			*st.n = int(n)
		}
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("sweep expired: %w", err)
	}
	return r, nil
}
