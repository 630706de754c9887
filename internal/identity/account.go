package identity

import (
	"slices"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// Kind tells residents from staff.
type Kind string

// The account kinds.
const (
	Resident Kind = "resident"
	Staff    Kind = "staff"
)

// Level is an assurance level.
type Level int

// The assurance levels.
const (
	// LevelNone is an account whose identity must be re-proved in person
	// after a recovery without a second factor.
	LevelNone Level = 0
	// Level1 means the contacts are verified.
	Level1 Level = 1
	// Level2 means the identity was verified in person by staff.
	Level2 Level = 2
	// Level3 is level 2 plus a passkey.
	Level3 Level = 3
)

// Role is a staff role.
type Role string

// The staff roles. PlatformAdmin stands above all entities.
const (
	CounterAgent     Role = "counter-agent"
	IdentityVerifier Role = "identity-verifier"
	CaseOfficer      Role = "case-officer"
	Supervisor       Role = "supervisor"
	EntityAdmin      Role = "entity-admin"
	PlatformAdmin    Role = "platform-admin"
)

// Roles lists every staff role.
var Roles = []Role{CounterAgent, IdentityVerifier, CaseOfficer, Supervisor, EntityAdmin, PlatformAdmin}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool { return slices.Contains(Roles, r) }

// Account is a person's account.
type Account struct {
	ID        string
	Kind      Kind
	NameZh    string
	NameLatin string
	Email     contact.Email
	Phone     contact.Phone
	Document  contact.Document
	BirthDate string
	// PasswordHash is a PHC-format Argon2id hash.
	PasswordHash string
	Assurance    Level
	Lang         lang.Tag
	// Entity is the staff member's entity; empty for residents.
	Entity string
	Roles  []Role
	// TOTPSecret is set once TOTP is enrolled.
	TOTPSecret   string
	TOTPLastStep int64
	// SMSFallback is kept for a per-account opt-out; the platform policy
	// (Config.SMSFallback) decides. See SMSAllowed.
	SMSFallback bool
	// NeedsReverify is set after a recovery without a second factor: the
	// account stays below level 2 until verified in person again.
	NeedsReverify bool
	VerifiedBy    string
	VerifiedAt    time.Time
	Passkeys      int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// DisplayName is the name to greet the person with.
func (a Account) DisplayName() string {
	if a.NameZh != "" && a.NameLatin != "" {
		return a.NameZh + " " + a.NameLatin
	}
	if a.NameZh != "" {
		return a.NameZh
	}
	return a.NameLatin
}

// HasRole reports whether a staff account holds r.
func (a Account) HasRole(r Role) bool { return slices.Contains(a.Roles, r) }

// HasSecondFactor reports whether any second factor is enrolled.
func (a Account) HasSecondFactor() bool { return a.TOTPSecret != "" || a.Passkeys > 0 }

// NeedsSecondFactor reports whether sign-in must ask for a second factor:
// when one is enrolled, and always for staff.
func (a Account) NeedsSecondFactor() bool { return a.HasSecondFactor() || a.Kind == Staff }

// Meets reports whether the account may use a service that needs level
// need; below it the person must step up, never be served at a lower level.
func (a Account) Meets(need Level) bool { return a.EffectiveLevel() >= need }

// EffectiveLevel is the assurance level the account holds now: level 3
// needs a passkey on top of level 2.
func (a Account) EffectiveLevel() Level {
	lvl := a.Assurance
	if a.NeedsReverify {
		return min(lvl, Level1)
	}
	if lvl >= Level2 && a.Passkeys > 0 && !a.NeedsReverify {
		return Level3
	}
	if lvl > Level2 {
		lvl = Level2
	}
	return lvl
}

// SMSAllowed reports whether SMS codes may serve as this account's second
// factor under a platform policy that allows them: residents with a proved
// mobile only, never staff (SMS is a restricted authenticator).
func (a Account) SMSAllowed(policy bool) bool { return policy && a.Kind == Resident && a.Phone != "" }
