package identity

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// Organisations are companies and associations that people act for through
// their personal accounts, as on Macao's Business & Associations Platform:
// an organisation has one to three administrators, who invite the other
// members by email and give each a role. A person switches between acting
// for themselves and for an organisation they belong to; the audit log then
// names both the person and the organisation.

// The organisation actions recorded in the audit log. Each event names the
// person (Actor) and the organisation (Org).
const (
	OrgCreated       = "org.created"
	OrgMemberInvited = "org.member_invited"
	OrgMemberJoined  = "org.member_joined"
	OrgRoleChanged   = "org.role_changed"
	OrgMemberRemoved = "org.member_removed"
	OrgMemberLeft    = "org.member_left"
	OrgActingChanged = "org.acting_changed"
)

// OrgRole is a member's role in an organisation.
type OrgRole string

// The organisation roles. Admins manage the members and act fully;
// members act fully; applicants submit and follow applications; viewers
// only read.
const (
	OrgRoleAdmin     OrgRole = "admin"
	OrgRoleMember    OrgRole = "member"
	OrgRoleApplicant OrgRole = "applicant"
	OrgRoleViewer    OrgRole = "viewer"
)

// OrgRoles lists every organisation role, strongest first.
var OrgRoles = []OrgRole{OrgRoleAdmin, OrgRoleMember, OrgRoleApplicant, OrgRoleViewer}

// ValidOrgRole reports whether r is a known organisation role.
func ValidOrgRole(r OrgRole) bool { return slices.Contains(OrgRoles, r) }

// CanApply reports whether the role may submit applications for the
// organisation: every role but viewer.
func (r OrgRole) CanApply() bool {
	return r == OrgRoleAdmin || r == OrgRoleMember || r == OrgRoleApplicant
}

// Organisation policy.
const (
	// MaxOrgAdmins is the most administrators an organisation may have.
	MaxOrgAdmins = 3
	// InvitationTTL is how long an invitation can be accepted.
	InvitationTTL = 7 * 24 * time.Hour
	// maxRegNumber is the longest registration number, in characters.
	maxRegNumber = 20
	// maxOrgName is the longest name, in characters.
	maxOrgName = 200
)

// Org is an organisation: a company or association with its commercial
// registry number and its names.
type Org struct {
	ID string
	// RegNumber is the registration number, upper case.
	RegNumber string
	Name      lang.Text
	CreatedAt time.Time
}

// OrgMember is one person's membership, with their name and email for the
// members list.
type OrgMember struct {
	OrgID     string
	AccountID string
	Role      OrgRole
	AddedBy   string
	AddedAt   time.Time
	// NameZh, NameLatin and Email come from the account, read-only.
	NameZh    string
	NameLatin string
	Email     contact.Email
}

// DisplayName is the member's name to show.
func (m OrgMember) DisplayName() string {
	return Account{NameZh: m.NameZh, NameLatin: m.NameLatin}.DisplayName()
}

// Membership is an organisation seen by one of its members, with their
// role.
type Membership struct {
	Org  Org
	Role OrgRole
}

// OrgInvitation is an invitation to join an organisation, sent by email.
// Only the hash of its token is stored.
type OrgInvitation struct {
	IDHash string
	OrgID  string
	// EmailKey is the invited address's Key: only the account with that
	// email may accept.
	EmailKey   string
	Role       OrgRole
	InvitedBy  string
	ExpiresAt  time.Time
	AcceptedAt time.Time
	CreatedAt  time.Time
}

// OrgChange is what a change to an organisation's members writes, in one
// transaction: members added or given a new role, members removed, an
// invitation marked accepted, and the audit event.
type OrgChange struct {
	// Put inserts members, or sets the role of existing ones.
	Put []OrgMember
	// Remove lists account IDs to remove. Their sessions acting for the
	// organisation go back to acting for themselves.
	Remove []string
	// AcceptInvitation is the id hash of an invitation to mark accepted at
	// At; when it is already accepted or expired, nothing is written and
	// the error is a Conflict.
	AcceptInvitation string
	At               time.Time
	Event            audit.Event
}

// OrgStore is what organisations need from storage. Rules that count
// members (one to three administrators) are decided by the domain inside
// the store's transaction, with the organisation locked, so concurrent
// changes cannot break them.
type OrgStore interface {
	// CreateOrg inserts the organisation, its first administrator and the
	// audit event in one transaction. A taken registration number gives a
	// Conflict on field "reg_number".
	CreateOrg(ctx context.Context, o Org, admin OrgMember, ev audit.Event) error
	// Org returns an organisation; NotFound when there is none.
	Org(ctx context.Context, id string) (Org, error)
	// OrgMembership returns the account's membership; NotFound when the
	// account is not a member (or there is no such organisation).
	OrgMembership(ctx context.Context, orgID, accountID string) (Membership, error)
	// OrgsOf lists the account's memberships, oldest first.
	OrgsOf(ctx context.Context, accountID string) ([]Membership, error)
	// OrgMembers lists an organisation's members, admins first.
	OrgMembers(ctx context.Context, orgID string) ([]OrgMember, error)
	// UpdateOrgMembers locks the organisation until commit (SELECT ... FOR
	// UPDATE, or the SQLite write lock), loads its members in the same
	// transaction, asks decide for the change and writes it with its audit
	// event. decide must not do I/O. A missing organisation is NotFound; an
	// error from decide is returned as is and nothing is written.
	UpdateOrgMembers(ctx context.Context, orgID string, decide func(members []OrgMember) (OrgChange, error)) error

	// CreateOrgInvitation stores an invitation with its audit event.
	CreateOrgInvitation(ctx context.Context, inv OrgInvitation, ev audit.Event) error
	// OrgInvitation returns an invitation by its token hash.
	OrgInvitation(ctx context.Context, idHash string) (OrgInvitation, error)
	// PendingOrgInvitations lists an organisation's invitations neither
	// accepted nor expired at now, newest first.
	PendingOrgInvitations(ctx context.Context, orgID string, now time.Time) ([]OrgInvitation, error)
}

// The organisation errors people see.
var (
	errOrgNotFound = &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.title", Detail: "organisation not found"}
	errLastAdmin   = &apperr.Error{Code: apperr.Conflict, Key: "org.last_admin",
		Detail: "an organisation keeps at least one administrator"}
	errTooManyAdmins = &apperr.Error{Code: apperr.Conflict, Field: "role", Key: "org.too_many_admins",
		Detail: fmt.Sprintf("an organisation has at most %d administrators", MaxOrgAdmins)}
)

// CanManageOrg answers whether a member may invite people, change roles
// and remove members: administrators only.
func CanManageOrg(m Membership) error {
	if m.Role != OrgRoleAdmin {
		return &apperr.Error{Code: apperr.Forbidden, Key: "org.admins_only", Detail: "not an administrator of " + m.Org.ID}
	}
	return nil
}

// CanCreateOrg answers whether the account may register an organisation:
// a resident whose identity was verified in person (level 2 or more).
func CanCreateOrg(a Account) error {
	if a.EffectiveLevel() < Level2 {
		return &apperr.Error{Code: apperr.Forbidden, Key: "org.level_required",
			Detail: "registering an organisation needs assurance level 2"}
	}
	return nil
}

// checkAdmins enforces one to three administrators on a members list.
func checkAdmins(members []OrgMember) error {
	n := 0
	for _, m := range members {
		if m.Role == OrgRoleAdmin {
			n++
		}
	}
	switch {
	case n == 0:
		return errLastAdmin
	case n > MaxOrgAdmins:
		return errTooManyAdmins
	}
	return nil
}

// ApplyOrgChange returns members with change applied (removals, then
// puts) and checks that one to three administrators remain. It is the rule
// UpdateOrgMembers callers decide with.
func ApplyOrgChange(members []OrgMember, change OrgChange) ([]OrgMember, error) {
	var after []OrgMember
	for _, m := range members {
		if !slices.Contains(change.Remove, m.AccountID) {
			after = append(after, m)
		}
	}
	for _, p := range change.Put {
		if i := findMember(after, p.AccountID); i >= 0 {
			after[i].Role = p.Role
		} else {
			after = append(after, p)
		}
	}
	return after, checkAdmins(after)
}

func findMember(ms []OrgMember, accountID string) int {
	return slices.IndexFunc(ms, func(m OrgMember) bool { return m.AccountID == accountID })
}

// ParseRegNumber checks a commercial registry number loosely: 1 to 20
// letters, digits and dashes, with at least one letter or digit. It
// returns it trimmed and upper-cased.
func ParseRegNumber(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	bad := &apperr.Error{Code: apperr.Invalid, Field: "reg_number", Key: "org.reg_number_invalid",
		Detail: "1-20 of A-Z, 0-9 and '-'"}
	if s == "" || len(s) > maxRegNumber || strings.Trim(s, "-") == "" {
		return "", bad
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return "", bad
		}
	}
	return s, nil
}

// OrgRequest registers an organisation.
type OrgRequest struct {
	RegNumber string
	Name      lang.Text
}

// CreateOrg registers an organisation with the account as its first
// administrator. The account needs assurance level 2.
func (s *Service) CreateOrg(ctx context.Context, a Account, r OrgRequest, c Client) (Org, error) {
	if err := CanCreateOrg(a); err != nil {
		return Org{}, err
	}
	reg, err := ParseRegNumber(r.RegNumber)
	if err != nil {
		return Org{}, err
	}
	name := lang.Text{ZhHant: strings.TrimSpace(r.Name.ZhHant), Pt: strings.TrimSpace(r.Name.Pt), En: strings.TrimSpace(r.Name.En)}
	if name.ZhHant == "" && name.Pt == "" && name.En == "" {
		return Org{}, &apperr.Error{Code: apperr.Invalid, Field: "name_zh", Key: "org.name_required", Detail: "a name is required"}
	}
	for field, v := range map[string]string{"name_zh": name.ZhHant, "name_pt": name.Pt, "name_en": name.En} {
		if utf8.RuneCountInString(v) > maxOrgName || !utf8.ValidString(v) {
			return Org{}, &apperr.Error{Code: apperr.Invalid, Field: field, Key: "org.name_too_long", Detail: "name too long"}
		}
	}
	now := s.now()
	o := Org{ID: NewID(), RegNumber: reg, Name: name, CreatedAt: now}
	ev := s.orgEvent(a, OrgCreated, o.ID, c)
	ev.Detail = map[string]string{"reg_number": reg}
	admin := OrgMember{OrgID: o.ID, AccountID: a.ID, Role: OrgRoleAdmin, AddedBy: a.ID, AddedAt: now}
	if err := s.store.CreateOrg(ctx, o, admin, ev); err != nil {
		return Org{}, fmt.Errorf("create organisation: %w", err)
	}
	return o, nil
}

// MyOrgs lists the organisations the account belongs to.
func (s *Service) MyOrgs(ctx context.Context, a Account) ([]Membership, error) {
	return s.store.OrgsOf(ctx, a.ID)
}

// membership returns the account's membership of orgID; NotFound, the
// same as for an organisation that does not exist, when it has none.
func (s *Service) membership(ctx context.Context, a Account, orgID string) (Membership, error) {
	m, err := s.store.OrgMembership(ctx, orgID, a.ID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return Membership{}, errOrgNotFound
	}
	if err != nil {
		return Membership{}, fmt.Errorf("membership: %w", err)
	}
	return m, nil
}

// OrgView is an organisation's page as one member sees it.
type OrgView struct {
	Membership
	Members []OrgMember
	// Invitations are the pending invitations, for administrators only.
	Invitations []OrgInvitation
}

// CanManage reports whether the viewer administers the organisation.
func (v OrgView) CanManage() bool { return CanManageOrg(v.Membership) == nil }

// AdminCount counts the administrators.
func (v OrgView) AdminCount() int {
	n := 0
	for _, m := range v.Members {
		if m.Role == OrgRoleAdmin {
			n++
		}
	}
	return n
}

// OrgPage returns an organisation for one of its members; NotFound for
// anyone else.
func (s *Service) OrgPage(ctx context.Context, a Account, orgID string) (OrgView, error) {
	m, err := s.membership(ctx, a, orgID)
	if err != nil {
		return OrgView{}, err
	}
	v := OrgView{Membership: m}
	if v.Members, err = s.store.OrgMembers(ctx, orgID); err != nil {
		return OrgView{}, fmt.Errorf("members: %w", err)
	}
	if v.CanManage() {
		if v.Invitations, err = s.store.PendingOrgInvitations(ctx, orgID, s.now()); err != nil {
			return OrgView{}, fmt.Errorf("invitations: %w", err)
		}
	}
	return v, nil
}

// InviteToOrg invites an email address to join the organisation with a
// role, for 7 days. Only administrators invite. The token goes by email
// only; the invitee accepts it signed in with the account of that email.
func (s *Service) InviteToOrg(ctx context.Context, a Account, orgID, email string, role OrgRole, c Client) (OrgInvitation, error) {
	m, err := s.membership(ctx, a, orgID)
	if err != nil {
		return OrgInvitation{}, err
	}
	if err := CanManageOrg(m); err != nil {
		return OrgInvitation{}, err
	}
	addr, err := contact.ParseEmail(email)
	if err != nil {
		return OrgInvitation{}, err
	}
	if !ValidOrgRole(role) {
		return OrgInvitation{}, &apperr.Error{Code: apperr.Invalid, Field: "role", Key: "org.role_invalid", Detail: "unknown role"}
	}
	members, err := s.store.OrgMembers(ctx, orgID)
	if err != nil {
		return OrgInvitation{}, fmt.Errorf("members: %w", err)
	}
	for _, x := range members {
		if x.Email.Key() == addr.Key() {
			return OrgInvitation{}, &apperr.Error{Code: apperr.Conflict, Field: "email", Key: "org.already_member",
				Detail: "already a member"}
		}
	}
	// Acceptance enforces the cap atomically; this only spares the
	// invitee an invitation that cannot succeed.
	if role == OrgRoleAdmin {
		if _, err := ApplyOrgChange(members, OrgChange{Put: []OrgMember{{AccountID: "invitee", Role: OrgRoleAdmin}}}); err != nil {
			return OrgInvitation{}, err
		}
	}
	token := NewToken()
	now := s.now()
	inv := OrgInvitation{IDHash: HashToken(token), OrgID: orgID, EmailKey: addr.Key(), Role: role, InvitedBy: a.ID,
		ExpiresAt: now.Add(InvitationTTL), CreatedAt: now}
	ev := s.orgEvent(a, OrgMemberInvited, orgID, c)
	ev.Detail = map[string]string{"email": addr.Key(), "role": string(role)}
	if err := s.store.CreateOrgInvitation(ctx, inv, ev); err != nil {
		return OrgInvitation{}, fmt.Errorf("create invitation: %w", err)
	}
	l := a.Lang
	if invitee, err := s.store.AccountByUsername(ctx, addr.Key()); err == nil {
		l = invitee.Lang
	}
	if err := s.send.Send(ctx, invitationMessage(string(addr), a.DisplayName(), m.Org, role, s.cfg.BaseURL+InvitationPath(token), l)); err != nil {
		s.log.WarnContext(ctx, "invitation not sent", "org", orgID, "err", err)
		return OrgInvitation{}, &apperr.Error{Code: apperr.Unavailable, Key: "org.invitation_not_sent",
			Detail: "invitation email not sent", Err: err}
	}
	return inv, nil
}

// InvitationView is an invitation as the invitee sees it before accepting.
type InvitationView struct {
	Org       Org
	Role      OrgRole
	ExpiresAt time.Time
}

// invitation finds a live invitation for the account: NotFound for an
// unknown token, Conflict when already accepted, Invalid when expired and
// Forbidden when it was sent to another email address.
func (s *Service) invitation(ctx context.Context, a Account, token string) (OrgInvitation, error) {
	notFound := &apperr.Error{Code: apperr.NotFound, Key: "org.invitation_unknown", Detail: "invitation not found"}
	if token == "" || len(token) > 100 {
		return OrgInvitation{}, notFound
	}
	inv, err := s.store.OrgInvitation(ctx, HashToken(token))
	if apperr.CodeOf(err) == apperr.NotFound {
		return OrgInvitation{}, notFound
	}
	if err != nil {
		return OrgInvitation{}, fmt.Errorf("invitation: %w", err)
	}
	switch {
	case !inv.AcceptedAt.IsZero():
		return OrgInvitation{}, &apperr.Error{Code: apperr.Conflict, Key: "org.invitation_used", Detail: "invitation already accepted"}
	case !s.now().Before(inv.ExpiresAt):
		return OrgInvitation{}, &apperr.Error{Code: apperr.Invalid, Key: "org.invitation_expired", Detail: "invitation expired"}
	case a.Email.Key() != inv.EmailKey:
		return OrgInvitation{}, &apperr.Error{Code: apperr.Forbidden, Key: "org.invitation_wrong_account",
			Detail: "invitation sent to another email address"}
	}
	return inv, nil
}

// OrgInvitation shows the invitation of token to the account it was sent
// to, before it accepts.
func (s *Service) OrgInvitation(ctx context.Context, a Account, token string) (InvitationView, error) {
	inv, err := s.invitation(ctx, a, token)
	if err != nil {
		return InvitationView{}, err
	}
	o, err := s.store.Org(ctx, inv.OrgID)
	if err != nil {
		return InvitationView{}, fmt.Errorf("invitation org: %w", err)
	}
	return InvitationView{Org: o, Role: inv.Role, ExpiresAt: inv.ExpiresAt}, nil
}

// AcceptOrgInvitation makes the account a member with the invitation's
// role. Only the account whose email the invitation was sent to may accept,
// once, within 7 days, and never beyond three administrators.
func (s *Service) AcceptOrgInvitation(ctx context.Context, a Account, token string, c Client) (Membership, error) {
	inv, err := s.invitation(ctx, a, token)
	if err != nil {
		return Membership{}, err
	}
	now := s.now()
	err = s.store.UpdateOrgMembers(ctx, inv.OrgID, func(members []OrgMember) (OrgChange, error) {
		if findMember(members, a.ID) >= 0 {
			return OrgChange{}, &apperr.Error{Code: apperr.Conflict, Key: "org.already_member", Detail: "already a member"}
		}
		ch := OrgChange{Put: []OrgMember{{OrgID: inv.OrgID, AccountID: a.ID, Role: inv.Role, AddedBy: inv.InvitedBy, AddedAt: now}},
			AcceptInvitation: inv.IDHash, At: now}
		if _, err := ApplyOrgChange(members, ch); err != nil {
			return OrgChange{}, err
		}
		ch.Event = s.orgEvent(a, OrgMemberJoined, inv.OrgID, c)
		ch.Event.Detail = map[string]string{"role": string(inv.Role), "invited_by": inv.InvitedBy}
		return ch, nil
	})
	if err != nil {
		return Membership{}, err
	}
	return s.membership(ctx, a, inv.OrgID)
}

// manage runs an administrator's change to the members of orgID: decide
// sees the members, locked, and returns the change, which must keep one
// to three administrators. A non-member gets NotFound, a member who is not
// an administrator Forbidden, both checked inside the transaction.
func (s *Service) manage(ctx context.Context, a Account, orgID, memberID string, decide func(target OrgMember) OrgChange) error {
	return s.store.UpdateOrgMembers(ctx, orgID, func(members []OrgMember) (OrgChange, error) {
		me := findMember(members, a.ID)
		if me < 0 {
			return OrgChange{}, errOrgNotFound
		}
		if err := CanManageOrg(Membership{Org: Org{ID: orgID}, Role: members[me].Role}); err != nil {
			return OrgChange{}, err
		}
		t := findMember(members, memberID)
		if t < 0 {
			return OrgChange{}, &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.title", Detail: "member not found"}
		}
		ch := decide(members[t])
		if _, err := ApplyOrgChange(members, ch); err != nil {
			return OrgChange{}, err
		}
		return ch, nil
	})
}

// SetOrgRole gives a member a new role. Administrators only; the
// organisation keeps one to three administrators.
func (s *Service) SetOrgRole(ctx context.Context, a Account, orgID, memberID string, role OrgRole, c Client) error {
	if !ValidOrgRole(role) {
		return &apperr.Error{Code: apperr.Invalid, Field: "role", Key: "org.role_invalid", Detail: "unknown role"}
	}
	return s.manage(ctx, a, orgID, memberID, func(t OrgMember) OrgChange {
		if t.Role == role {
			return OrgChange{}
		}
		ev := s.orgEvent(a, OrgRoleChanged, orgID, c)
		ev.Subject, ev.Detail = memberID, map[string]string{"role": string(role), "before": string(t.Role)}
		t.Role = role
		return OrgChange{Put: []OrgMember{t}, Event: ev}
	})
}

// RemoveOrgMember removes a member. Administrators only; the last
// administrator cannot be removed. The member's sessions acting for the
// organisation go back to acting for themselves.
func (s *Service) RemoveOrgMember(ctx context.Context, a Account, orgID, memberID string, c Client) error {
	return s.manage(ctx, a, orgID, memberID, func(t OrgMember) OrgChange {
		ev := s.orgEvent(a, OrgMemberRemoved, orgID, c)
		ev.Subject, ev.Detail = memberID, map[string]string{"role": string(t.Role)}
		return OrgChange{Remove: []string{memberID}, Event: ev}
	})
}

// LeaveOrg ends the account's own membership; the last administrator
// cannot leave.
func (s *Service) LeaveOrg(ctx context.Context, a Account, orgID string, c Client) error {
	return s.store.UpdateOrgMembers(ctx, orgID, func(members []OrgMember) (OrgChange, error) {
		me := findMember(members, a.ID)
		if me < 0 {
			return OrgChange{}, errOrgNotFound
		}
		ev := s.orgEvent(a, OrgMemberLeft, orgID, c)
		ev.Detail = map[string]string{"role": string(members[me].Role)}
		ch := OrgChange{Remove: []string{a.ID}, Event: ev}
		if _, err := ApplyOrgChange(members, ch); err != nil {
			return OrgChange{}, err
		}
		return ch, nil
	})
}

// ActFor switches the session between acting for the person ("") and
// acting for an organisation they belong to. The session is rotated: the
// returned token replaces it. An organisation the account does not belong
// to is NotFound.
func (s *Service) ActFor(ctx context.Context, a Account, sess Session, orgID string, c Client) (string, error) {
	if sess.AccountID != a.ID || sess.State != StateActive {
		return "", ErrNoSession
	}
	if orgID != "" {
		if _, err := s.membership(ctx, a, orgID); err != nil {
			return "", err
		}
	}
	ev := event(OrgActingChanged, c)
	ev.Actor, ev.ActorEntity, ev.Subject = a.ID, a.Entity, a.ID
	ev.Org = cmp.Or(orgID, sess.ActingOrg)
	ev.Detail = map[string]string{"from": sess.ActingOrg, "to": orgID}
	sess.ActingOrg = orgID
	token, err := s.rotate(ctx, sess, "")
	if err != nil {
		return "", err
	}
	s.record(ctx, ev)
	return token, nil
}

// ActingFor returns the organisation the session acts for, "" when the
// person acts for themselves: the value of audit.Event.Org. It labels;
// permission checks use ActingMembership, which reads the current role.
func ActingFor(sess Session) string { return sess.ActingOrg }

// AuditEvent starts an audit event for an action by the session's person,
// naming the organisation they act for: every domain fills its events
// with it, so that the log records both the person and the organisation.
func AuditEvent(a Account, sess Session, action string, c Client) audit.Event {
	ev := event(action, c)
	ev.Actor, ev.ActorEntity, ev.Org = a.ID, a.Entity, ActingFor(sess)
	if len(a.Roles) > 0 {
		ev.ActorRole = joinRoles(a.Roles)
	}
	return ev
}

// ActingMembership returns the organisation the session acts for with the
// person's current role; false when they act for themselves, or no longer
// belong to it.
func (s *Service) ActingMembership(ctx context.Context, sess Session) (Membership, bool, error) {
	if sess.ActingOrg == "" {
		return Membership{}, false, nil
	}
	m, err := s.store.OrgMembership(ctx, sess.ActingOrg, sess.AccountID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return Membership{}, false, nil
	}
	if err != nil {
		return Membership{}, false, fmt.Errorf("acting membership: %w", err)
	}
	return m, true, nil
}

// orgEvent is an audit event by a about an organisation.
func (s *Service) orgEvent(a Account, action, orgID string, c Client) audit.Event {
	ev := event(action, c)
	ev.Actor, ev.ActorEntity, ev.Org = a.ID, a.Entity, orgID
	return ev
}

// The invitation email, in the three languages.
var (
	invitationSubject = lang.Text{ZhHant: "一戶通機構帳戶邀請", Pt: "Convite para representar uma organização na Conta Única",
		En: "Invitation to act for an organisation on One Account"}
	invitationBody = lang.Text{
		ZhHant: "%[1]s 邀請你以「%[4]s」身份在一戶通代表 %[2]s（登記編號 %[3]s）。" +
			"請於 7 日內以使用此電郵地址的帳戶登入一戶通，然後打開 %[5]s 接受邀請。如你沒有預期收到此邀請，請忽略本電郵。",
		Pt: "%[1]s convidou-o a representar %[2]s (registo n.º %[3]s) na Conta Única, com o papel de %[4]s. " +
			"No prazo de 7 dias, entre na Conta Única com a conta que usa este endereço electrónico e abra %[5]s para aceitar. " +
			"Se não esperava este convite, ignore esta mensagem.",
		En: "%[1]s invited you to act for %[2]s (registration no. %[3]s) on One Account as %[4]s. " +
			"Within 7 days, sign in to One Account with the account that uses this email address and open %[5]s to accept. " +
			"If you did not expect this invitation, ignore this email.",
	}
	orgRoleNames = map[OrgRole]lang.Text{
		OrgRoleAdmin:     {ZhHant: "管理員", Pt: "administrador", En: "administrator"},
		OrgRoleMember:    {ZhHant: "成員", Pt: "membro", En: "member"},
		OrgRoleApplicant: {ZhHant: "申請人", Pt: "requerente", En: "applicant"},
		OrgRoleViewer:    {ZhHant: "檢視者", Pt: "consulta", En: "viewer"},
	}
)

// InvitationPath is where the invitee accepts the invitation of token.
func InvitationPath(token string) string { return "/orgs/invitations/" + token }

func invitationMessage(to, inviter string, o Org, role OrgRole, link string, l lang.Tag) notify.Message {
	return notify.Message{Kind: notify.Email, To: to, Subject: invitationSubject.In(l),
		Text: fmt.Sprintf(invitationBody.In(l), inviter, o.Name.In(l), o.RegNumber, orgRoleNames[role].In(l), link),
		Lang: l, Category: "organisation", DedupeKey: "org-invitation:" + HashToken(link)}
}
