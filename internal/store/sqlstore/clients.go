package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/clients"
)

// ClientQueries are the statements of the client registry and consents.
// Client columns: id, entity_code, name, secret_hash, data, created_by,
// created_at, updated_at.
type ClientQueries struct {
	InsertClient, UpdateClient, Client, ClientsOf                         string
	Consent, UpsertConsent, ConsentsOf, DeleteConsent, DeleteClientGrants string
}

var _ clients.Store = (*Store)(nil)

func scanClient(r scanner) (clients.Client, error) {
	var c clients.Client
	var data string
	if err := r.Scan(&c.ID, &c.Entity, &c.Name, &c.SecretHash, &data, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return c, fmt.Errorf("client %s data: %w", c.ID, err)
	}
	return c, nil
}

// InsertClient stores a new client and its audit event.
func (s *Store) InsertClient(ctx context.Context, c clients.Client, ev audit.Event) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode client: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Client.InsertClient, c.ID, c.Entity, c.Name, c.SecretHash, string(data),
			c.CreatedBy, c.CreatedAt.UTC(), c.UpdatedAt.UTC()); err != nil {
			return fmt.Errorf("insert client: %w", err)
		}
		_, err := s.appendAudit(ctx, tx, ev)
		return err
	})
}

// UpdateClient replaces a client's registration and secret hash.
func (s *Store) UpdateClient(ctx context.Context, c clients.Client, ev audit.Event) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode client: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Client.UpdateClient, c.Name, c.SecretHash, string(data), c.UpdatedAt.UTC(), c.ID)
		if err != nil {
			return fmt.Errorf("update client: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(sql.ErrNoRows, "client", c.ID)
		}
		_, err = s.appendAudit(ctx, tx, ev)
		return err
	})
}

// Client returns a client by ID.
func (s *Store) Client(ctx context.Context, id string) (clients.Client, error) {
	c, err := scanClient(s.db.QueryRowContext(ctx, s.q.Client.Client, id))
	if err != nil {
		return c, notFound(err, "client", id)
	}
	return c, nil
}

// ClientsOf lists an entity's clients by name.
func (s *Store) ClientsOf(ctx context.Context, entity string) ([]clients.Client, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Client.ClientsOf, entity)
	if err != nil {
		return nil, fmt.Errorf("list clients: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (clients.Client, error) { return scanClient(r) })
}

func scanConsent(r scanner) (clients.Consent, error) {
	var c clients.Consent
	var scopes string
	err := r.Scan(&c.AccountID, &c.ClientID, &scopes, &c.GrantedAt)
	c.Scopes = strings.Fields(scopes)
	return c, err
}

// Consent returns an account's consent for a client.
func (s *Store) Consent(ctx context.Context, accountID, clientID string) (clients.Consent, error) {
	c, err := scanConsent(s.db.QueryRowContext(ctx, s.q.Client.Consent, accountID, clientID))
	if err != nil {
		return c, notFound(err, "consent", clientID)
	}
	return c, nil
}

// SaveConsent inserts or replaces a consent, with its audit event.
func (s *Store) SaveConsent(ctx context.Context, c clients.Consent, ev audit.Event) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Client.UpsertConsent, c.AccountID, c.ClientID,
			strings.Join(c.Scopes, " "), c.GrantedAt.UTC()); err != nil {
			return fmt.Errorf("save consent: %w", err)
		}
		_, err := s.appendAudit(ctx, tx, ev)
		return err
	})
}

// ConsentsOf lists an account's consents, newest first.
func (s *Store) ConsentsOf(ctx context.Context, accountID string) ([]clients.Consent, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Client.ConsentsOf, accountID)
	if err != nil {
		return nil, fmt.Errorf("list consents: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (clients.Consent, error) { return scanConsent(r) })
}

// RevokeConsent deletes a consent and the account's grants to the client.
func (s *Store) RevokeConsent(ctx context.Context, accountID, clientID string, ev audit.Event) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Client.DeleteConsent, accountID, clientID)
		if err != nil {
			return fmt.Errorf("delete consent: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(sql.ErrNoRows, "consent", clientID)
		}
		if _, err := tx.ExecContext(ctx, s.q.Client.DeleteClientGrants, accountID, clientID); err != nil {
			return fmt.Errorf("delete grants: %w", err)
		}
		_, err = s.appendAudit(ctx, tx, ev)
		return err
	})
}
