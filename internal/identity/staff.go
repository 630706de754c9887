package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
)

// Actor is who performs a staff action: the CLI and seeders act as the
// platform itself (Platform true), everyone else as a signed-in account.
type Actor struct {
	Account  Account
	Platform bool
	Client   Client
}

func forbidden(detail string) error {
	return &apperr.Error{Code: apperr.Forbidden, Key: "error.forbidden.body", Detail: detail}
}

// CanManageStaff answers whether actor may create staff of entity and give
// them roles: platform admins anywhere, entity admins in their own entity
// only, and only platform admins may grant platform-admin.
func CanManageStaff(actor Actor, entity string, roles []Role) error {
	if actor.Platform || actor.Account.HasRole(PlatformAdmin) {
		return nil
	}
	if actor.Account.Kind != Staff || !actor.Account.HasRole(EntityAdmin) || actor.Account.Entity != entity {
		return forbidden("not an admin of " + entity)
	}
	if slices.Contains(roles, PlatformAdmin) {
		return forbidden("only platform admins grant platform-admin")
	}
	return nil
}

// CanUseStaffDesk answers whether actor may open the staff desk: staff
// accounts only.
func CanUseStaffDesk(actor Actor) error {
	if actor.Platform || actor.Account.Kind == Staff {
		return nil
	}
	return forbidden("not a staff account")
}

// CanViewResidents answers whether actor may search and open residents'
// records: staff who serve residents in person.
func CanViewResidents(actor Actor) error {
	a := actor.Account
	if actor.Platform || (a.Kind == Staff && (a.HasRole(IdentityVerifier) || a.HasRole(CounterAgent) ||
		a.HasRole(CaseOfficer) || a.HasRole(Supervisor))) {
		return nil
	}
	return forbidden("may not view residents")
}

// CanVerifyIdentity answers whether actor may record an in-person check.
func CanVerifyIdentity(actor Actor) error {
	if actor.Account.Kind == Staff && actor.Account.HasRole(IdentityVerifier) {
		return nil
	}
	return forbidden("needs the identity-verifier role")
}

// StaffRequest creates a staff account.
type StaffRequest struct {
	Entity   string
	Roles    []Role
	Email    string
	Password string
	Name     string
	// TOTPSecret, when set, is used instead of a new random secret (demo
	// data only).
	TOTPSecret string
}

// NewStaff is a created staff account with its TOTP enrolment: staff MFA
// is mandatory from the first sign-in.
type NewStaff struct {
	Account Account
	TOTP    TOTPEnrolment
}

// CreateStaff creates a staff account of an entity with roles and a TOTP
// secret, after the permission check.
func (s *Service) CreateStaff(ctx context.Context, actor Actor, r StaffRequest) (NewStaff, error) {
	if len(r.Roles) == 0 {
		return NewStaff{}, apperr.Invalidf("role", "at least one role")
	}
	for _, role := range r.Roles {
		if !ValidRole(role) {
			return NewStaff{}, apperr.Invalidf("role", "unknown role %q", role)
		}
	}
	if err := CanManageStaff(actor, r.Entity, r.Roles); err != nil {
		return NewStaff{}, err
	}
	a, err := s.newAccount(ctx, Staff, r.Email, "", Details{NameLatin: r.Name, Password: r.Password}, false)
	if err != nil {
		return NewStaff{}, err
	}
	a.Entity, a.Roles = r.Entity, r.Roles
	enr, err := s.BeginTOTP(a)
	if err != nil {
		return NewStaff{}, err
	}
	if r.TOTPSecret != "" {
		enr = TOTPEnrolment{Secret: r.TOTPSecret, URI: totpURI(s.cfg.Issuer, r.Email, r.TOTPSecret)}
	}
	a.TOTPSecret = enr.Secret
	ev := s.staffEvent(actor, audit.RoleGranted, a.ID)
	ev.Detail = map[string]string{"entity": r.Entity, "roles": joinRoles(r.Roles)}
	if a, err = s.store.CreateAccount(ctx, a, ev); err != nil {
		return NewStaff{}, err
	}
	return NewStaff{Account: a, TOTP: enr}, nil
}

// SetStaffRoles replaces a staff member's roles and ends their sessions, so
// the change takes effect at their next sign-in.
func (s *Service) SetStaffRoles(ctx context.Context, actor Actor, staffID string, roles []Role) error {
	target, err := s.store.Account(ctx, staffID)
	if err != nil || target.Kind != Staff {
		return apperr.NotFoundf("staff %s not found", staffID)
	}
	if err := CanManageStaff(actor, target.Entity, roles); err != nil {
		return err
	}
	if target.HasRole(PlatformAdmin) && !(actor.Platform || actor.Account.HasRole(PlatformAdmin)) {
		return forbidden("only platform admins change a platform admin")
	}
	for _, role := range roles {
		if !ValidRole(role) {
			return apperr.Invalidf("role", "unknown role %q", role)
		}
	}
	ev := s.staffEvent(actor, audit.RoleGranted, staffID)
	ev.Detail = map[string]string{"entity": target.Entity, "roles": joinRoles(roles), "before": joinRoles(target.Roles)}
	if err := s.store.SetRoles(ctx, staffID, roles, ev); err != nil {
		return fmt.Errorf("set roles: %w", err)
	}
	_, err = s.store.DeleteSessionsOf(ctx, staffID, "")
	return err
}

// StaffOf lists the staff of an entity that actor manages.
func (s *Service) StaffOf(ctx context.Context, actor Actor, entity string) ([]Account, error) {
	if err := CanManageStaff(actor, entity, nil); err != nil {
		return nil, err
	}
	return s.store.StaffOf(ctx, entity)
}

func joinRoles(rs []Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return strings.Join(out, ",")
}

// staffEvent is an audit event by actor about subject.
func (s *Service) staffEvent(actor Actor, action, subject string) audit.Event {
	ev := event(action, actor.Client)
	ev.Actor, ev.ActorEntity, ev.Subject = actor.Account.ID, actor.Account.Entity, subject
	if actor.Platform {
		ev.Actor = "platform"
	}
	if len(actor.Account.Roles) > 0 {
		ev.ActorRole = joinRoles(actor.Account.Roles)
	}
	return ev
}

// FindResidents searches residents for staff who may view them.
func (s *Service) FindResidents(ctx context.Context, actor Actor, q string) ([]Account, error) {
	if err := CanViewResidents(actor); err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if len(q) < 4 {
		return nil, &apperr.Error{Code: apperr.Invalid, Field: "q", Key: "staff.search_short", Detail: "at least 4 characters"}
	}
	return s.store.FindAccounts(ctx, NormaliseUsername(q), 20)
}

// ViewResident opens a resident's record for a stated purpose; the view is
// audited and shows on the resident's access log.
func (s *Service) ViewResident(ctx context.Context, actor Actor, id, purpose string) (Account, error) {
	if err := CanViewResidents(actor); err != nil {
		return Account{}, err
	}
	purpose = strings.TrimSpace(purpose)
	if purpose == "" || len(purpose) > 200 {
		return Account{}, &apperr.Error{Code: apperr.Invalid, Field: "purpose", Key: "staff.purpose_required"}
	}
	a, err := s.store.Account(ctx, id)
	if err != nil || a.Kind != Resident {
		return Account{}, apperr.NotFoundf("resident %s not found", id)
	}
	ev := s.staffEvent(actor, audit.RecordViewed, a.ID)
	ev.Purpose = purpose
	if _, err := s.store.AppendAudit(ctx, ev); err != nil {
		return Account{}, fmt.Errorf("audit view: %w", err)
	}
	return a, nil
}

// VerifyIdentity records an in-person identity check: the document shown
// must match the account's. The account rises to level 2.
func (s *Service) VerifyIdentity(ctx context.Context, actor Actor, residentID string, docType, docNumber, docCountry string) (Account, error) {
	if err := CanVerifyIdentity(actor); err != nil {
		return Account{}, err
	}
	shown, err := contact.ParseDocument(contact.DocType(docType), docNumber, docCountry)
	if err != nil {
		return Account{}, err
	}
	ev := s.staffEvent(actor, audit.IdentityVerified, residentID)
	ev.Purpose = "identity verification"
	ev.Detail = map[string]string{"document": string(shown.Type)}
	return s.store.UpdateAccount(ctx, residentID, func(a *Account) error {
		if a.Kind != Resident {
			return apperr.NotFoundf("resident not found")
		}
		if a.Document != shown {
			return &apperr.Error{Code: apperr.Invalid, Field: "doc_number", Key: "staff.document_mismatch"}
		}
		a.Assurance, a.NeedsReverify = max(a.Assurance, Level2), false
		a.VerifiedBy, a.VerifiedAt = actor.Account.ID, s.now()
		return nil
	}, ev)
}

// AccessLog lists staff views of the account's records, newest first.
func (s *Service) AccessLog(ctx context.Context, accountID string) ([]audit.Event, error) {
	return s.store.AccessesTo(ctx, accountID, 200)
}
