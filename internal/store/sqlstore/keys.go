package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/keyring"
)

// KeyQueries are the statements over oidc_keys, the OpenID provider's
// signing keys. Column order is fixed by scanKey.
type KeyQueries struct {
	// Lock, run first in InsertKey's transaction, serialises inserts so the
	// pending-key check cannot race; empty where transactions already
	// hold the write lock (SQLite's BEGIN IMMEDIATE).
	Lock string
	// CountPending counts the keys of an alg (1) whose active_from is after
	// an instant (2).
	CountPending string
	// RetireOthers sets retire_at (1) on the keys of an alg (2) not yet
	// retiring, whose active_from is not after (3), other than an ID (4).
	RetireOthers string
	Keys         string
	InsertKey    string
	// DeleteRetired deletes the keys whose retire_at is before (1).
	DeleteRetired string
}

var _ keyring.Store = (*Store)(nil)

func scanKey(r scanner) (keyring.Key, error) {
	var k keyring.Key
	var jwk string
	var retire sql.NullTime
	err := r.Scan(&k.ID, &k.Alg, &jwk, &k.PrivateSealed, &k.CreatedAt, &k.ActiveFrom, &retire)
	k.PublicJWK = []byte(jwk)
	k.CreatedAt, k.ActiveFrom = k.CreatedAt.UTC(), k.ActiveFrom.UTC()
	if retire.Valid {
		k.RetireAt = retire.Time.UTC()
	}
	return k, err
}

// SigningKeys returns every signing key.
func (s *Store) SigningKeys(ctx context.Context) ([]keyring.Key, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Keys.Keys)
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (keyring.Key, error) { return scanKey(r) })
}

// InsertSigningKey stores k and schedules the retirement of the keys it
// replaces, in one transaction that first takes the table's write lock,
// so two rotations racing cannot both pass the pending-key check.
func (s *Store) InsertSigningKey(ctx context.Context, k keyring.Key, retireOthersAt time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.q.Keys.Lock != "" {
			if _, err := tx.ExecContext(ctx, s.q.Keys.Lock); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		var pending int
		if err := tx.QueryRowContext(ctx, s.q.Keys.CountPending, k.Alg, k.CreatedAt.UTC()).Scan(&pending); err != nil {
			return fmt.Errorf("count pending: %w", err)
		}
		if pending > 0 {
			return &apperr.Error{Code: apperr.Conflict, Field: "alg", Key: "keys.pending",
				Detail: fmt.Sprintf("another %s signing key is still pending; rotate again once it signs", k.Alg)}
		}
		_, err := tx.ExecContext(ctx, s.q.Keys.RetireOthers, retireOthersAt.UTC(), k.Alg, k.ActiveFrom.UTC(), k.ID)
		if err != nil {
			return fmt.Errorf("retire others: %w", err)
		}
		var retire any
		if !k.RetireAt.IsZero() {
			retire = k.RetireAt.UTC()
		}
		_, err = tx.ExecContext(ctx, s.q.Keys.InsertKey, k.ID, k.Alg, string(k.PublicJWK), k.PrivateSealed,
			k.CreatedAt.UTC(), k.ActiveFrom.UTC(), retire)
		if err != nil && s.q.Identity.UniqueViolation != nil && s.q.Identity.UniqueViolation(err) != "" {
			return &apperr.Error{Code: apperr.Conflict, Detail: "signing key ID already used", Err: err}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("insert signing key %s: %w", k.ID, err)
	}
	return nil
}

// DeleteRetiredSigningKeys deletes the keys retired before now.
func (s *Store) DeleteRetiredSigningKeys(ctx context.Context, now time.Time) (int, error) {
	r, err := s.db.ExecContext(ctx, s.q.Keys.DeleteRetired, now.UTC())
	if err != nil {
		return 0, fmt.Errorf("delete retired signing keys: %w", err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}
