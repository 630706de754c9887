package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// Passkeys are WebAuthn credentials (docs/decisions/0011-passkeys.md). They
// always require user verification (NIST SP 800-63B: UV=required) and are
// discoverable (resident keys), so one can sign in without a username.
// A passkey serves three ways: as the second factor after the password, as
// a passwordless sign-in that counts as multi-factor, and, on top of level 2,
// as what makes an account level 3.
//
// This file holds the rules: what a ceremony is for, who may finish it, what
// a verified credential must show, and what follows (audit, notice, session
// rotation, throttles). The WebAuthn protocol itself (options, parsing,
// signatures, origins, counters) is a PasskeyEngine's job, done by
// internal/passkey, so that the domain does not depend on an HTTP-shaped
// library.

// ceremonyTTL is how long a ceremony waits for the authenticator's answer;
// it matches the engine's (go-webauthn's default) prompt timeout.
const ceremonyTTL = 5 * time.Minute

// maxPasskeys bounds the passkeys of one account.
const maxPasskeys = 10

// maxPasskeyName is the longest passkey name kept, in characters.
const maxPasskeyName = 60

// Passkey is a WebAuthn credential registered to an account.
type Passkey struct {
	// ID is the credential ID, base64url without padding.
	ID        string
	AccountID string
	// Name is the person's label for it, such as "Chrome · Android".
	Name string
	// Credential is the engine's record of the credential
	// (StoredCredential.Data; go-webauthn's Credential as JSON): the public
	// key, the signature counter and the flags.
	Credential []byte
	CreatedAt  time.Time
	// LastUsedAt is zero until the passkey is first used to sign in.
	LastUsedAt time.Time
}

// CeremonyKind tells what a WebAuthn ceremony is for.
type CeremonyKind string

// The ceremony kinds.
const (
	// CeremonyRegister enrols a passkey for a signed-in account.
	CeremonyRegister CeremonyKind = "register"
	// CeremonyMFA checks a passkey as the second factor of a
	// half-signed-in session.
	CeremonyMFA CeremonyKind = "mfa"
	// CeremonyLogin is a passwordless sign-in: no account is known yet.
	CeremonyLogin CeremonyKind = "login"
)

// Ceremony is a WebAuthn ceremony between its two requests: the challenge
// and options the answer must match. It is kept in the database, so that
// any node can finish what another began, and used once.
type Ceremony struct {
	// IDHash is the hash of the token the browser holds.
	IDHash string
	Kind   CeremonyKind
	// AccountID is the account a register or mfa ceremony belongs to; ""
	// for a passwordless sign-in.
	AccountID string
	// SessionHash is the session (full for register, pending for mfa) that
	// began the ceremony; only that session can finish it.
	SessionHash string
	// Data is the engine's session data (go-webauthn's SessionData as
	// JSON): the challenge and what the answer must match.
	Data      []byte
	ExpiresAt time.Time
	CreatedAt time.Time
}

// PasskeyStore keeps passkeys and ceremonies.
type PasskeyStore interface {
	// AddPasskey stores a new passkey and the audit event in one
	// transaction. A credential ID already registered (to any account)
	// gives a Conflict error.
	AddPasskey(ctx context.Context, p Passkey, ev audit.Event) error
	// Passkeys lists an account's passkeys, oldest first.
	Passkeys(ctx context.Context, accountID string) ([]Passkey, error)
	// UsePasskey writes back a passkey's credential (its signature counter
	// and flags) after a sign-in, and the time it was used.
	UsePasskey(ctx context.Context, id string, credential []byte, at time.Time) error
	// DeletePasskey removes one of the account's passkeys with the audit
	// event; NotFound when the account has no such passkey.
	DeletePasskey(ctx context.Context, accountID, id string, ev audit.Event) error
	// UserHandle returns the account's WebAuthn user handle, storing fresh
	// as the handle when the account has none yet.
	UserHandle(ctx context.Context, accountID, fresh string) (string, error)
	// AccountByUserHandle returns the ID of the account with that handle.
	AccountByUserHandle(ctx context.Context, handle string) (string, error)

	CreateCeremony(ctx context.Context, c Ceremony) error
	// TakeCeremony returns a ceremony and deletes it, in one transaction:
	// only one caller ever gets it. NotFound when there is none.
	TakeCeremony(ctx context.Context, idHash string) (Ceremony, error)
	// DeleteExpiredCeremonies removes the ceremonies that expired before
	// now and returns how many.
	DeleteExpiredCeremonies(ctx context.Context, now time.Time) (int, error)
}

// PasskeyCeremony is what the browser needs to run a ceremony: the token
// naming it, to send back with the answer, and the options for
// navigator.credentials.create or .get ({"publicKey": {...}}) as JSON.
type PasskeyCeremony struct {
	Token   string
	Options json.RawMessage
}

// PasskeyEngine runs the WebAuthn protocol for the relying party: it makes
// the options and session data of each ceremony and checks the
// authenticator's answer against them (challenge, origin, RP ID, signature,
// counter, the user verification asked for). Options, session data and
// credential records are opaque JSON to the domain. internal/passkey is
// the implementation.
//
// Begin* return the options for the browser and the session data to keep
// until the answer comes. Registration asks for a discoverable,
// user-verified credential, no attestation, credProps, and excludes the
// user's credentials; logins ask for user verification. Finish* refuse an
// answer that does not parse or verify with an error wrapping
// ErrPasskeyRejected, giving the reason; any other error is the engine's
// own failure.
type PasskeyEngine interface {
	BeginRegistration(u PasskeyUser) (options json.RawMessage, session []byte, err error)
	FinishRegistration(u PasskeyUser, session, response []byte) (StoredCredential, error)
	// BeginLogin allows the user's credentials only.
	BeginLogin(u PasskeyUser) (options json.RawMessage, session []byte, err error)
	FinishLogin(u PasskeyUser, session, response []byte) (StoredCredential, error)
	// BeginDiscoverableLogin starts a login for no user in particular: the
	// authenticator offers any discoverable credential it has.
	BeginDiscoverableLogin() (options json.RawMessage, session []byte, err error)
	// FinishDiscoverableLogin finds the user by the user handle in the
	// answer, through lookup, before checking it; a lookup error is a
	// rejection.
	FinishDiscoverableLogin(session, response []byte, lookup func(userHandle []byte) (PasskeyUser, error)) (StoredCredential, error)
}

// ErrPasskeyRejected is wrapped by the PasskeyEngine errors that refuse an
// authenticator's answer.
var ErrPasskeyRejected = errors.New("passkey response rejected")

// PasskeyUser is an account as the passkey engine sees it.
type PasskeyUser struct {
	// Handle is the WebAuthn user handle: random bytes, not the account ID.
	Handle []byte
	// Name is what the authenticator lists the passkey under (the email
	// address); DisplayName is the person's name.
	Name, DisplayName string
	// Credentials are the account's passkeys; only ID and Data are set.
	Credentials []StoredCredential
}

// StoredCredential is a passkey as a ceremony leaves it: the engine's
// record to keep, and the facts the rules look at.
type StoredCredential struct {
	// ID is the credential ID.
	ID []byte
	// Data is the engine's record of the credential, kept as
	// Passkey.Credential and given back in PasskeyUser.Credentials.
	Data []byte
	// UserVerified tells that the ceremony verified the person (the UV flag
	// of its authenticator data).
	UserVerified bool
	// Discoverable is the client's credProps answer at registration: nil
	// when it gave none.
	Discoverable *bool
	// BackupEligible and BackedUp are the BE and BS flags: a synced passkey.
	BackupEligible, BackedUp bool
	// SignCount is the authenticator's signature counter; synced passkeys
	// keep it at 0.
	SignCount uint32
	// CloneWarning tells that the counter went backwards: two copies of the
	// key may exist.
	CloneWarning bool
}

var (
	errPasskeysOff = &apperr.Error{Code: apperr.Forbidden, Key: "passkey.off", Detail: "passkeys are not enabled"}
	// errCeremony is the answer to an unknown, used, expired or foreign
	// ceremony token: start again.
	errCeremony = &apperr.Error{Code: apperr.Invalid, Key: "passkey.expired", Detail: "passkey ceremony unknown or expired"}
	// errPasskey is the one answer to an authenticator response that does
	// not verify; the reason is logged, not shown.
	errPasskey = &apperr.Error{Code: apperr.Unauthenticated, Key: "passkey.failed", Detail: "passkey not accepted"}
	// errNoPasskey says the account has no passkey to check.
	errNoPasskey = &apperr.Error{Code: apperr.Invalid, Key: "passkey.none", Detail: "no passkey enrolled"}
)

func init() {
	changeWhat["passkey-off"] = lang.Text{ZhHant: "移除了通行密鑰", Pt: "foi removida uma chave de acesso",
		En: "a passkey was removed"}
}

// PasskeysEnabled reports whether passkeys are on: a relying party is
// configured.
func (s *Service) PasskeysEnabled() bool { return s.wa != nil }

// Passkeys lists the account's passkeys.
func (s *Service) Passkeys(ctx context.Context, accountID string) ([]Passkey, error) {
	ps, err := s.store.Passkeys(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	return ps, nil
}

var b64 = base64.RawURLEncoding

// newUserHandle returns 32 random bytes, base64url: the WebAuthn spec
// recommends a random handle that reveals nothing about the person.
func newUserHandle() string { return NewToken() }

// passkeyUser loads the account's user handle (making one the first time)
// and its passkeys.
func (s *Service) passkeyUser(ctx context.Context, a Account) (PasskeyUser, error) {
	h, err := s.store.UserHandle(ctx, a.ID, newUserHandle())
	if err != nil {
		return PasskeyUser{}, fmt.Errorf("user handle: %w", err)
	}
	handle, err := b64.DecodeString(h)
	if err != nil {
		return PasskeyUser{}, fmt.Errorf("user handle of %s: %w", a.ID, err)
	}
	ps, err := s.store.Passkeys(ctx, a.ID)
	if err != nil {
		return PasskeyUser{}, fmt.Errorf("passkeys: %w", err)
	}
	u := PasskeyUser{Handle: handle, Name: string(a.Email), DisplayName: a.DisplayName()}
	if u.DisplayName == "" {
		u.DisplayName = u.Name
	}
	for _, p := range ps {
		id, err := b64.DecodeString(p.ID)
		if err != nil {
			return PasskeyUser{}, fmt.Errorf("passkey %s: %w", p.ID, err)
		}
		u.Credentials = append(u.Credentials, StoredCredential{ID: id, Data: p.Credential})
	}
	return u, nil
}

// saveCeremony stores a ceremony's session data and returns its token.
// Expired ceremonies are swept on the way, so the table stays small.
func (s *Service) saveCeremony(ctx context.Context, kind CeremonyKind, accountID, sessionHash string, data []byte) (string, error) {
	now := s.now()
	if _, err := s.store.DeleteExpiredCeremonies(ctx, now); err != nil {
		s.log.WarnContext(ctx, "sweep webauthn ceremonies", "err", err)
	}
	token := NewToken()
	c := Ceremony{IDHash: HashToken(token), Kind: kind, AccountID: accountID, SessionHash: sessionHash, Data: data,
		ExpiresAt: now.Add(ceremonyTTL), CreatedAt: now}
	if err := s.store.CreateCeremony(ctx, c); err != nil {
		return "", fmt.Errorf("store ceremony: %w", err)
	}
	return token, nil
}

// takeCeremony uses up the ceremony of token. It fails unless the ceremony
// is live and of the kind expected.
func (s *Service) takeCeremony(ctx context.Context, token string, kind CeremonyKind) (Ceremony, error) {
	if token == "" || len(token) > 100 {
		return Ceremony{}, errCeremony
	}
	c, err := s.store.TakeCeremony(ctx, HashToken(token))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return c, errCeremony
		}
		return c, fmt.Errorf("take ceremony: %w", err)
	}
	if c.Kind != kind || !s.now().Before(c.ExpiresAt) {
		return c, errCeremony
	}
	return c, nil
}

// rejected logs why a response was refused and returns the answer for the
// person.
func (s *Service) rejected(ctx context.Context, what string, err error) error {
	s.log.InfoContext(ctx, "passkey rejected", "ceremony", what, "err", err)
	return errPasskey
}

// BeginPasskeyRegistration starts enrolling a passkey for the signed-in
// account, once the current password re-authenticates the person. The
// ceremony is bound to the session.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, a Account, sess Session, current string, c Client) (PasskeyCeremony, error) {
	if s.wa == nil {
		return PasskeyCeremony{}, errPasskeysOff
	}
	if err := s.reauthenticate(ctx, a, current, c); err != nil {
		return PasskeyCeremony{}, err
	}
	u, err := s.passkeyUser(ctx, a)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	if len(u.Credentials) >= maxPasskeys {
		return PasskeyCeremony{}, &apperr.Error{Code: apperr.Invalid, Key: "passkey.too_many", Detail: "too many passkeys"}
	}
	creation, data, err := s.wa.BeginRegistration(u)
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("begin passkey registration: %w", err)
	}
	token, err := s.saveCeremony(ctx, CeremonyRegister, a.ID, sess.IDHash, data)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	return PasskeyCeremony{Token: token, Options: creation}, nil
}

// FinishPasskeyRegistration checks the authenticator's answer to the
// ceremony of token and stores the passkey. It audits the new factor,
// tells the account's email address, and rotates the session: the
// returned token replaces it.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, a Account, sess Session, token, name string, response []byte, c Client) (string, error) {
	if s.wa == nil {
		return "", errPasskeysOff
	}
	cer, err := s.takeCeremony(ctx, token, CeremonyRegister)
	if err != nil {
		return "", err
	}
	if cer.AccountID != a.ID || cer.SessionHash != sess.IDHash {
		return "", errCeremony
	}
	u, err := s.passkeyUser(ctx, a)
	if err != nil {
		return "", err
	}
	cred, err := s.wa.FinishRegistration(u, cer.Data, response)
	if err != nil {
		if errors.Is(err, ErrPasskeyRejected) {
			return "", s.rejected(ctx, "register", err)
		}
		return "", fmt.Errorf("finish passkey registration: %w", err)
	}
	if !cred.UserVerified {
		return "", s.rejected(ctx, "register", errors.New("user not verified"))
	}
	if rk := cred.Discoverable; rk != nil && !*rk {
		return "", s.rejected(ctx, "register", errors.New("credential is not discoverable"))
	}
	p := Passkey{ID: b64.EncodeToString(cred.ID), AccountID: a.ID, Name: passkeyName(name, c.UserAgent),
		Credential: cred.Data, CreatedAt: s.now()}
	ev := s.recordFactor(ctx, a, audit.FactorAdded, "passkey", c)
	if err := s.store.AddPasskey(ctx, p, ev); err != nil {
		if apperr.CodeOf(err) == apperr.Conflict {
			return "", &apperr.Error{Code: apperr.Conflict, Key: "passkey.exists", Detail: "passkey already registered", Err: err}
		}
		return "", fmt.Errorf("add passkey: %w", err)
	}
	s.notifyChange(ctx, a, "passkey")
	return s.rotate(ctx, sess, "hwk")
}

// passkeyName cleans the name given to a passkey; without one, the device
// it was made on names it.
func passkeyName(name, userAgent string) string {
	name = strings.Join(strings.FieldsFunc(name, func(r rune) bool {
		return r < ' ' || r == 0x7f || r == ' ' || r == '\u00a0' || r == '\u3000'
	}), " ")
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	if name == "" {
		name = DeviceLabel(userAgent)
	}
	if r := []rune(name); len(r) > maxPasskeyName {
		name = string(r[:maxPasskeyName])
	}
	return name
}

// RemovePasskey deletes one of the account's passkeys after
// re-authentication. Staff cannot remove their last second factor. With
// the last passkey gone the account is no longer at level 3.
func (s *Service) RemovePasskey(ctx context.Context, a Account, id, current string, c Client) error {
	if err := s.reauthenticate(ctx, a, current, c); err != nil {
		return err
	}
	if a.Kind == Staff && a.TOTPSecret == "" && a.Passkeys <= 1 {
		return &apperr.Error{Code: apperr.Forbidden, Key: "mfa.staff_required", Detail: "staff must keep a second factor"}
	}
	ev := s.recordFactor(ctx, a, audit.FactorRemoved, "passkey", c)
	if err := s.store.DeletePasskey(ctx, a.ID, id, ev); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return &apperr.Error{Code: apperr.Invalid, Field: "passkey_id", Key: "passkey.choose", Detail: "no such passkey", Err: err}
		}
		return fmt.Errorf("remove passkey: %w", err)
	}
	s.notifyChange(ctx, a, "passkey-off")
	return nil
}

// BeginPasskeySecondFactor starts checking a passkey as the second factor
// of the half-signed-in session of pendingToken.
func (s *Service) BeginPasskeySecondFactor(ctx context.Context, pendingToken string) (PasskeyCeremony, error) {
	if s.wa == nil {
		return PasskeyCeremony{}, errPasskeysOff
	}
	sess, err := s.session(ctx, pendingToken)
	if err != nil || sess.State != StateMFA {
		return PasskeyCeremony{}, ErrNoSession
	}
	a, err := s.store.Account(ctx, sess.AccountID)
	if err != nil {
		return PasskeyCeremony{}, ErrNoSession
	}
	if a.Passkeys == 0 {
		return PasskeyCeremony{}, errNoPasskey
	}
	u, err := s.passkeyUser(ctx, a)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	assertion, data, err := s.wa.BeginLogin(u)
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("begin passkey check: %w", err)
	}
	token, err := s.saveCeremony(ctx, CeremonyMFA, a.ID, sess.IDHash, data)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	return PasskeyCeremony{Token: token, Options: assertion}, nil
}

// FinishPasskeySecondFactor checks the authenticator's answer as the second
// factor. Failures count against the account's second-factor throttle. On
// success the pending session is replaced by a full one (AMR pwd hwk).
func (s *Service) FinishPasskeySecondFactor(ctx context.Context, pendingToken, token string, response []byte, c Client) (SignInResult, error) {
	if s.wa == nil {
		return SignInResult{}, errPasskeysOff
	}
	sess, err := s.session(ctx, pendingToken)
	if err != nil || sess.State != StateMFA {
		return SignInResult{}, ErrNoSession
	}
	a, err := s.store.Account(ctx, sess.AccountID)
	if err != nil {
		return SignInResult{}, ErrNoSession
	}
	key := "mfa:" + a.ID
	if err := s.checkMFAThrottle(ctx, key); err != nil {
		return SignInResult{}, err
	}
	cer, err := s.takeCeremony(ctx, token, CeremonyMFA)
	if err != nil {
		return SignInResult{}, err
	}
	if cer.AccountID != a.ID || cer.SessionHash != sess.IDHash {
		return SignInResult{}, errCeremony
	}
	u, err := s.passkeyUser(ctx, a)
	if err != nil {
		return SignInResult{}, err
	}
	cred, err := s.wa.FinishLogin(u, cer.Data, response)
	if err != nil && !errors.Is(err, ErrPasskeyRejected) {
		return SignInResult{}, fmt.Errorf("finish passkey check: %w", err)
	}
	if err == nil {
		err = s.usePasskey(ctx, a, cred)
	}
	if err != nil {
		s.failMFA(ctx, key, a.ID, c)
		return SignInResult{}, s.rejected(ctx, "mfa", err)
	}
	_ = s.store.ClearThrottle(ctx, key)
	return s.promote(ctx, sess, a, c, "hwk")
}

// usePasskey writes back a credential after a verified assertion.
func (s *Service) usePasskey(ctx context.Context, a Account, cred StoredCredential) error {
	if !cred.UserVerified {
		return errors.New("user not verified")
	}
	if cred.CloneWarning {
		// The counter went backwards: two copies of the key may exist.
		// Synced passkeys keep the counter at 0 and never warn.
		s.log.WarnContext(ctx, "passkey signature counter went backwards", "account", a.ID)
	}
	if err := s.store.UsePasskey(ctx, b64.EncodeToString(cred.ID), cred.Data, s.now()); err != nil {
		return fmt.Errorf("use passkey: %w", err)
	}
	return nil
}

// BeginPasskeySignIn starts a passwordless sign-in: the browser offers the
// person any passkey they have for this site.
func (s *Service) BeginPasskeySignIn(ctx context.Context, c Client) (PasskeyCeremony, error) {
	if s.wa == nil {
		return PasskeyCeremony{}, errPasskeysOff
	}
	// An address already throttled for failures gets no new challenge.
	if err := s.checkIPThrottle(ctx, "ip:"+c.IP); err != nil {
		return PasskeyCeremony{}, err
	}
	assertion, data, err := s.wa.BeginDiscoverableLogin()
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("begin passkey sign-in: %w", err)
	}
	token, err := s.saveCeremony(ctx, CeremonyLogin, "", "", data)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	return PasskeyCeremony{Token: token, Options: assertion}, nil
}

// passkeyAMR is the AMR of a passwordless passkey sign-in: a
// hardware-bound key (hwk) unlocked by the person (user verification by
// PIN or biometric), which is multi-factor on its own.
var passkeyAMR = []string{"hwk", "user"}

// FinishPasskeySignIn checks the answer to a passwordless sign-in and opens
// a full session: a user-verified passkey is multi-factor. The session of
// replaceToken (a half-signed-in one, say) is replaced when it is still
// live. Failures count against the IP address.
func (s *Service) FinishPasskeySignIn(ctx context.Context, token string, response []byte, replaceToken string, c Client) (SignInResult, error) {
	if s.wa == nil {
		return SignInResult{}, errPasskeysOff
	}
	ipKey := "ip:" + c.IP
	if err := s.checkIPThrottle(ctx, ipKey); err != nil {
		return SignInResult{}, err
	}
	cer, err := s.takeCeremony(ctx, token, CeremonyLogin)
	if err != nil {
		return SignInResult{}, err
	}
	var a Account
	lookup := func(userHandle []byte) (PasskeyUser, error) {
		id, err := s.store.AccountByUserHandle(ctx, b64.EncodeToString(userHandle))
		if err != nil {
			return PasskeyUser{}, err
		}
		if a, err = s.store.Account(ctx, id); err != nil {
			return PasskeyUser{}, err
		}
		return s.passkeyUser(ctx, a)
	}
	cred, err := s.wa.FinishDiscoverableLogin(cer.Data, response, lookup)
	if err != nil && !errors.Is(err, ErrPasskeyRejected) {
		return SignInResult{}, fmt.Errorf("finish passkey sign-in: %w", err)
	}
	if err == nil {
		err = s.usePasskey(ctx, a, cred)
	}
	if err != nil {
		s.failPasskey(ctx, ipKey, a.ID, c)
		return SignInResult{}, s.rejected(ctx, "login", err)
	}
	now := s.now()
	newToken := NewToken()
	sess := Session{IDHash: HashToken(newToken), AccountID: a.ID, State: StateActive, AMR: passkeyAMR,
		IP: c.IP, UserAgent: c.UserAgent, CreatedAt: now, AuthAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.cfg.Sessions.Absolute)}
	if old, err := s.session(ctx, replaceToken); err == nil {
		err = s.store.ReplaceSession(ctx, old.IDHash, sess)
		if errors.Is(err, ErrNoSession) { // gone meanwhile
			err = s.store.CreateSession(ctx, sess)
		}
		if err != nil {
			return SignInResult{}, fmt.Errorf("replace session: %w", err)
		}
	} else if err := s.store.CreateSession(ctx, sess); err != nil {
		return SignInResult{}, fmt.Errorf("create session: %w", err)
	}
	return SignInResult{Account: a, Token: newToken, Device: s.signedIn(ctx, a, c, sess.AMR)}, nil
}

// checkIPThrottle refuses an address that failed too often.
func (s *Service) checkIPThrottle(ctx context.Context, key string) error {
	st, err := s.store.Throttle(ctx, key)
	if err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	if w := IPThrottle.Wait(st, s.now()); w > 0 {
		return &ThrottledError{Wait: w}
	}
	return nil
}

// failPasskey counts a failed passwordless sign-in against the address
// and audits it.
func (s *Service) failPasskey(ctx context.Context, ipKey, accountID string, c Client) {
	if st, err := s.store.Throttle(ctx, ipKey); err == nil {
		st.Key = ipKey
		_ = s.store.SaveThrottle(ctx, IPThrottle.Fail(st, s.now()))
	}
	ev := event(audit.SignInFailed, c)
	ev.Subject, ev.Detail = accountID, map[string]string{"factor": "passkey"}
	s.record(ctx, ev)
}
