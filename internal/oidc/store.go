package oidc

import (
	"context"
	"errors"
	"time"
)

// AuthnRow is a stored authorization request in progress. Data is the
// engine's session as JSON; the handles are its lookup keys.
type AuthnRow struct {
	ID, CallbackID, AuthCode, PARID string
	Data                            []byte
	ExpiresAt                       time.Time
}

// GrantRow is a stored grant. Data is the engine's grant session as JSON.
type GrantRow struct {
	ID, TokenID, RefreshTokenID, AuthCode, ClientID string
	// AccountID is the resident who granted, "" for client credentials.
	AccountID string
	// SessionSID names the browser session that signed in.
	SessionSID string
	Data       []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// Login is a relying party a browser session signed in to.
type Login struct {
	SID, ClientID, AccountID, Subject string
	CreatedAt                         time.Time
}

// ErrRefreshReuse is returned when a refresh token that was already
// rotated is presented again: the grant it belonged to has been revoked.
var ErrRefreshReuse = errors.New("refresh token reused: grant revoked")

// Store keeps the protocol engine's state.
type Store interface {
	SaveAuthnSession(ctx context.Context, r AuthnRow) error
	// AuthnSessionBy finds a session by one handle: column is
	// "callback_id", "auth_code" or "par_id".
	AuthnSessionBy(ctx context.Context, column, value string) (AuthnRow, error)
	DeleteAuthnSession(ctx context.Context, id string) error

	// SaveGrant inserts or replaces a grant. When prevRefreshID is set and
	// differs from r.RefreshTokenID, it is a rotation: the update applies
	// only if the grant still holds prevRefreshID, which is then recorded
	// as spent; if another request rotated it first, the grant is deleted
	// and ErrRefreshReuse returned.
	SaveGrant(ctx context.Context, r GrantRow, prevRefreshID string) error
	GrantByTokenID(ctx context.Context, tokenID string) (GrantRow, error)
	// GrantByRefreshID finds the grant holding a refresh token. A spent
	// refresh token deletes its grant and returns ErrRefreshReuse.
	GrantByRefreshID(ctx context.Context, refreshID string) (GrantRow, error)
	DeleteGrant(ctx context.Context, id string) error
	DeleteGrantsByAuthCode(ctx context.Context, code string) error
	// DeleteGrantsBySession deletes the grants a browser session made.
	DeleteGrantsBySession(ctx context.Context, sid string) error

	// UseJTI records a JWT ID until expires; a second use is an apperr
	// Conflict.
	UseJTI(ctx context.Context, jti string, expires time.Time) error

	RecordLogin(ctx context.Context, l Login) error
	// RecordSubject remembers the pairwise subject an entity received, so
	// the entity can later address the resident by it.
	RecordSubject(ctx context.Context, entity, subject, accountID string, at time.Time) error
	// MoveLogins moves a browser session's logins and grants to another.
	MoveLogins(ctx context.Context, fromSID, toSID string) error
	// EndLogins deletes and returns the logins of a browser session.
	EndLogins(ctx context.Context, sid string) ([]Login, error)
	// SweepOIDC deletes expired sessions, grants, spent tokens and JTIs.
	SweepOIDC(ctx context.Context, now time.Time) (int, error)
}
