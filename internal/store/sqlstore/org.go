package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
)

// OrgQueries are the organisation statements. Organisation columns are
// id, reg_number, name_zh, name_pt, name_en, created_at; member columns
// org_id, account_id, role, added_by, added_at, then the account's
// name_zh, name_latin, email; invitation columns id_hash, org_id,
// email_key, role, invited_by, expires_at, accepted_at, created_at.
type OrgQueries struct {
	InsertOrg, Org string
	// LockOrg selects the organisation's id and locks its row until the
	// transaction ends (FOR UPDATE on PostgreSQL; SQLite's write
	// transactions already hold the database's write lock).
	LockOrg string
	// Membership reads an organisation's columns and the member's role
	// (args: org, account). OrgsOf does so for all of an account's
	// organisations.
	Membership, OrgsOf string
	// Members lists an organisation's members, admins first.
	Members string
	// PutMember inserts a member or, when present, sets its role (args:
	// org, account, role, added_by, added_at).
	PutMember, DeleteMember string
	// ClearActing makes an account's sessions acting for an organisation
	// act for the person again (args: account, org).
	ClearActing string

	InsertInvitation, Invitation, PendingInvitations string
	// AcceptInvitation marks an unaccepted, unexpired invitation of an
	// organisation accepted (args: at, id_hash, org).
	AcceptInvitation string
}

func scanOrg(r scanner, extra ...any) (identity.Org, error) {
	var o identity.Org
	err := r.Scan(append([]any{&o.ID, &o.RegNumber, &o.Name.ZhHant, &o.Name.Pt, &o.Name.En, &o.CreatedAt}, extra...)...)
	return o, err
}

func scanMembership(r scanner) (identity.Membership, error) {
	var m identity.Membership
	var role string
	o, err := scanOrg(r, &role)
	m.Org, m.Role = o, identity.OrgRole(role)
	return m, err
}

func scanMember(r scanner) (identity.OrgMember, error) {
	var m identity.OrgMember
	var role, email string
	err := r.Scan(&m.OrgID, &m.AccountID, &role, &m.AddedBy, &m.AddedAt, &m.NameZh, &m.NameLatin, &email)
	m.Role, m.Email = identity.OrgRole(role), contact.Email(email)
	return m, err
}

func scanInvitation(r scanner) (identity.OrgInvitation, error) {
	var inv identity.OrgInvitation
	var role string
	var accepted sql.NullTime
	err := r.Scan(&inv.IDHash, &inv.OrgID, &inv.EmailKey, &role, &inv.InvitedBy, &inv.ExpiresAt, &accepted, &inv.CreatedAt)
	inv.Role, inv.AcceptedAt = identity.OrgRole(role), accepted.Time
	return inv, err
}

// CreateOrg inserts an organisation, its first administrator and the
// audit event in one transaction.
func (s *Store) CreateOrg(ctx context.Context, o identity.Org, admin identity.OrgMember, ev audit.Event) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Org.InsertOrg, o.ID, o.RegNumber, o.Name.ZhHant, o.Name.Pt, o.Name.En,
			o.CreatedAt.UTC()); err != nil {
			return s.conflict(err)
		}
		if err := s.putMember(ctx, tx, admin); err != nil {
			return err
		}
		if ev.Action == "" {
			return nil
		}
		_, err := s.appendAudit(ctx, tx, ev)
		return err
	})
	if err != nil {
		return fmt.Errorf("create org: %w", err)
	}
	return nil
}

func (s *Store) putMember(ctx context.Context, tx *sql.Tx, m identity.OrgMember) error {
	added := m.AddedAt
	if added.IsZero() {
		added = s.now()
	}
	if _, err := tx.ExecContext(ctx, s.q.Org.PutMember, m.OrgID, m.AccountID, string(m.Role), m.AddedBy, added.UTC()); err != nil {
		return fmt.Errorf("put member: %w", err)
	}
	return nil
}

// Org returns an organisation.
func (s *Store) Org(ctx context.Context, id string) (identity.Org, error) {
	o, err := scanOrg(s.db.QueryRowContext(ctx, s.q.Org.Org, id))
	if err != nil {
		return o, notFound(err, "organisation", id)
	}
	return o, nil
}

// OrgMembership returns an account's membership of an organisation.
func (s *Store) OrgMembership(ctx context.Context, orgID, accountID string) (identity.Membership, error) {
	m, err := scanMembership(s.db.QueryRowContext(ctx, s.q.Org.Membership, orgID, accountID))
	if err != nil {
		return m, notFound(err, "membership", orgID)
	}
	return m, nil
}

// OrgsOf lists an account's memberships.
func (s *Store) OrgsOf(ctx context.Context, accountID string) ([]identity.Membership, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Org.OrgsOf, accountID)
	if err != nil {
		return nil, fmt.Errorf("orgs of: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (identity.Membership, error) { return scanMembership(r) })
}

// OrgMembers lists an organisation's members.
func (s *Store) OrgMembers(ctx context.Context, orgID string) ([]identity.OrgMember, error) {
	return s.orgMembers(ctx, s.db, orgID)
}

func (s *Store) orgMembers(ctx context.Context, q querier, orgID string) ([]identity.OrgMember, error) {
	rows, err := q.QueryContext(ctx, s.q.Org.Members, orgID)
	if err != nil {
		return nil, fmt.Errorf("org members: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (identity.OrgMember, error) { return scanMember(r) })
}

// UpdateOrgMembers locks the organisation, loads its members and writes
// the change decide returns, in one transaction. See identity.OrgStore.
func (s *Store) UpdateOrgMembers(ctx context.Context, orgID string, decide func([]identity.OrgMember) (identity.OrgChange, error)) error {
	defer s.sessions.forgetAll() // a member removed leaves the sessions acting for the org
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id string
		if err := tx.QueryRowContext(ctx, s.q.Org.LockOrg, orgID).Scan(&id); err != nil {
			return notFound(err, "organisation", orgID)
		}
		members, err := s.orgMembers(ctx, tx, orgID)
		if err != nil {
			return err
		}
		ch, err := decide(members)
		if err != nil {
			return err
		}
		if ch.AcceptInvitation != "" {
			at := ch.At
			if at.IsZero() {
				at = s.now()
			}
			r, err := tx.ExecContext(ctx, s.q.Org.AcceptInvitation, at.UTC(), ch.AcceptInvitation, orgID)
			if err != nil {
				return fmt.Errorf("accept invitation: %w", err)
			}
			if n, _ := r.RowsAffected(); n != 1 {
				return &apperr.Error{Code: apperr.Conflict, Key: "org.invitation_used", Detail: "invitation already accepted or expired"}
			}
		}
		for _, acct := range ch.Remove {
			if _, err := tx.ExecContext(ctx, s.q.Org.DeleteMember, orgID, acct); err != nil {
				return fmt.Errorf("remove member: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.q.Org.ClearActing, acct, orgID); err != nil {
				return fmt.Errorf("clear acting sessions: %w", err)
			}
		}
		for _, m := range ch.Put {
			m.OrgID = orgID
			if err := s.putMember(ctx, tx, m); err != nil {
				return err
			}
		}
		if ch.Event.Action == "" {
			return nil
		}
		_, err = s.appendAudit(ctx, tx, ch.Event)
		return err
	})
}

// CreateOrgInvitation stores an invitation with its audit event.
func (s *Store) CreateOrgInvitation(ctx context.Context, inv identity.OrgInvitation, ev audit.Event) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Org.InsertInvitation, inv.IDHash, inv.OrgID, inv.EmailKey, string(inv.Role),
			inv.InvitedBy, inv.ExpiresAt.UTC(), inv.CreatedAt.UTC()); err != nil {
			return fmt.Errorf("insert invitation: %w", err)
		}
		if ev.Action == "" {
			return nil
		}
		_, err := s.appendAudit(ctx, tx, ev)
		return err
	})
}

// OrgInvitation returns an invitation by its token hash.
func (s *Store) OrgInvitation(ctx context.Context, idHash string) (identity.OrgInvitation, error) {
	inv, err := scanInvitation(s.db.QueryRowContext(ctx, s.q.Org.Invitation, idHash))
	if err != nil {
		return inv, notFound(err, "invitation", "")
	}
	return inv, nil
}

// PendingOrgInvitations lists live invitations, newest first.
func (s *Store) PendingOrgInvitations(ctx context.Context, orgID string, now time.Time) ([]identity.OrgInvitation, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Org.PendingInvitations, orgID, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("pending invitations: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (identity.OrgInvitation, error) { return scanInvitation(r) })
}
