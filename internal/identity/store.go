package identity

import (
	"context"
	"time"

	"github.com/oneaccount/oneaccount/internal/audit"
)

// Store is what the identity domain needs from storage. Uniqueness of
// contacts and documents, single use of codes and recovery codes, and TOTP
// replay are enforced by the database through conditional writes.
type Store interface {
	// CreateAccount inserts an account (and its staff roles) and the audit
	// event in one transaction. A taken email, phone or document gives a
	// Conflict error naming the field.
	CreateAccount(ctx context.Context, a Account, ev audit.Event) (Account, error)
	Account(ctx context.Context, id string) (Account, error)
	// AccountByUsername finds an account by email key or E.164 phone.
	AccountByUsername(ctx context.Context, username string) (Account, error)
	// UpdateAccount loads the account in a transaction, applies fn and
	// writes the result with the audit event (when its Action is set).
	UpdateAccount(ctx context.Context, id string, fn func(*Account) error, ev audit.Event) (Account, error)
	// FindAccounts searches residents by document number, email or phone.
	FindAccounts(ctx context.Context, q string, limit int) ([]Account, error)
	// StaffOf lists the staff of an entity, or of all entities when empty.
	StaffOf(ctx context.Context, entity string) ([]Account, error)
	// SetRoles replaces a staff account's roles, with the audit event.
	SetRoles(ctx context.Context, accountID string, roles []Role, ev audit.Event) error

	// CreateCode stores a one-time code (hashed).
	CreateCode(ctx context.Context, c Code) error
	// UseCode checks a code: it counts the attempt and, when codeHash
	// matches, a live code is marked used. Only one caller can ever use a
	// code.
	UseCode(ctx context.Context, id, codeHash string, now time.Time) (CodeResult, error)
	// CodeTarget returns the target of a code.
	CodeTarget(ctx context.Context, id string) (string, error)
	// RemoveSecondFactors deletes recovery codes and passkeys, for a
	// recovery without a second factor.
	RemoveSecondFactors(ctx context.Context, accountID string) error
	// LatestCode returns the ID of the newest code for purpose and target.
	LatestCode(ctx context.Context, purpose, target string) (string, error)

	CreateRegistration(ctx context.Context, r Registration) error
	Registration(ctx context.Context, idHash string) (Registration, error)
	DeleteRegistration(ctx context.Context, idHash string) error

	CreateSession(ctx context.Context, s Session) error
	// OpenSession stores a new full session, its sign-in audit event and
	// the trusted device in one transaction.
	OpenSession(ctx context.Context, s Session, ev audit.Event, deviceHash string) error
	Session(ctx context.Context, idHash string) (Session, error)
	// SessionAccount returns a session with its account; a missing one
	// (or an account gone) is NotFound.
	SessionAccount(ctx context.Context, idHash string) (Session, Account, error)
	// ReplaceSession deletes the old session and creates the new one in one
	// transaction: the rotation at sign-in and privilege changes.
	ReplaceSession(ctx context.Context, oldHash string, s Session) error
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	SessionsOf(ctx context.Context, accountID string) ([]Session, error)
	// DeleteSessionsOf ends every session of the account except keep.
	DeleteSessionsOf(ctx context.Context, accountID, keep string) (int, error)

	Throttle(ctx context.Context, key string) (ThrottleState, error)
	// Throttles returns the states of keys in order, zero for unknown keys.
	Throttles(ctx context.Context, keys []string) ([]ThrottleState, error)
	SaveThrottle(ctx context.Context, s ThrottleState) error
	ClearThrottle(ctx context.Context, key string) error
	TrustDevice(ctx context.Context, deviceHash, accountID string, at time.Time) error
	IsTrustedDevice(ctx context.Context, deviceHash, accountID string) (bool, error)

	// UseTOTPStep records step as used when it is later than the last used
	// one; false means a replay.
	UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error)
	ReplaceRecoveryCodes(ctx context.Context, accountID string, hashes []string) error
	// UseRecoveryCode marks an unused code used; false when none matched.
	UseRecoveryCode(ctx context.Context, accountID, hash string, at time.Time) (bool, error)
	RecoveryCodesLeft(ctx context.Context, accountID string) (int, error)

	OrgStore
	// PasskeyStore keeps passkeys and WebAuthn ceremonies (passkey.go).
	PasskeyStore
	// SweepExpired deletes expired sessions, codes, registrations and
	// throttle records (see Service.Sweep).
	SweepExpired(ctx context.Context, before SweepBefore) (SweepResult, error)

	audit.Store
}

// Code is a one-time code sent to a contact.
type Code struct {
	ID        string
	Purpose   string
	Target    string
	CodeHash  string
	ExpiresAt time.Time
	CreatedAt time.Time
}

// CodeResult is the outcome of trying a code.
type CodeResult int

// The outcomes of UseCode.
const (
	CodeOK CodeResult = iota
	CodeWrong
	CodeExpired
	CodeUsed
	CodeTooManyAttempts
)

// Registration is a registration in progress: the contacts given and their
// codes, before the account exists.
type Registration struct {
	IDHash    string
	Email     string
	Phone     string
	EmailCode string
	PhoneCode string
	Lang      string
	ExpiresAt time.Time
	CreatedAt time.Time
	// EmailVerified and PhoneVerified tell which codes were proved.
	EmailVerified bool
	PhoneVerified bool
}
