package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
)

// ThrottledError says how long to wait before trying again.
type ThrottledError struct{ Wait time.Duration }

// Error implements error.
func (e *ThrottledError) Error() string { return fmt.Sprintf("throttled for %s", e.Wait) }

// Unwrap gives the apperr code.
func (e *ThrottledError) Unwrap() error {
	return &apperr.Error{Code: apperr.TooMany, Key: "signin.throttled", Detail: "too many attempts"}
}

// NormaliseUsername turns an email address or a phone number into the key
// accounts are found by. Anything else is kept lower-cased, so unknown
// usernames are throttled just like known ones.
func NormaliseUsername(u string) string {
	u = strings.TrimSpace(u)
	if strings.Contains(u, "@") {
		if e, err := contact.ParseEmail(u); err == nil {
			return e.Key()
		}
		return strings.ToLower(u)
	}
	if p, err := contact.ParsePhone(u); err == nil {
		return string(p)
	}
	return strings.ToLower(u)
}

// SignInResult is the outcome of a password sign-in.
type SignInResult struct {
	Account Account
	// Token is the new session's token, for the cookie.
	Token string
	// NeedsSecondFactor is true when the session waits for a second factor.
	NeedsSecondFactor bool
	// Device is a new device token to remember, "" when unchanged.
	Device string
}

// SignIn checks a username and password. The answer, and the work done,
// are the same for an unknown account and a wrong password.
func (s *Service) SignIn(ctx context.Context, username, pw string, c Client) (SignInResult, error) {
	key := NormaliseUsername(username)
	if len(key) > 320 || len(pw) > 4096 {
		return SignInResult{}, errSignIn
	}
	a, lookupErr := s.store.AccountByUsername(ctx, key)
	if lookupErr != nil && apperr.CodeOf(lookupErr) != apperr.NotFound {
		return SignInResult{}, fmt.Errorf("sign in: %w", lookupErr)
	}
	keys := s.throttleKeys(ctx, key, a.ID, c)
	failed, err := s.checkThrottle(ctx, keys)
	if err != nil {
		return SignInResult{}, err
	}
	ok, rehash, err := s.verifyPassword(ctx, a, lookupErr == nil, pw)
	if err != nil {
		return SignInResult{}, fmt.Errorf("sign in: %w", err)
	}
	if !ok {
		s.fail(ctx, keys, a.ID, c, "password")
		return SignInResult{}, errSignIn
	}
	if failed {
		_ = s.store.ClearThrottle(ctx, keys[0])
	}
	if rehash {
		s.rehash(ctx, a.ID, pw)
	}
	return s.startSession(ctx, a, c)
}

// throttleKeys returns the keys a sign-in attempt counts against: the
// account (or, from a trusted device, the account on that device) and the
// IP address.
func (s *Service) throttleKeys(ctx context.Context, username, accountID string, c Client) []string {
	acct := "u:" + username
	if c.Device != "" && accountID != "" {
		if ok, _ := s.store.IsTrustedDevice(ctx, HashToken(c.Device), accountID); ok {
			acct += "|d:" + HashToken(c.Device)[:16]
		}
	}
	return []string{acct, "ip:" + c.IP}
}

// checkThrottle refuses an attempt that must still wait; it reports
// whether the account key has failures to clear after a success.
func (s *Service) checkThrottle(ctx context.Context, keys []string) (bool, error) {
	now := s.now()
	states, err := s.store.Throttles(ctx, keys)
	if err != nil {
		return false, fmt.Errorf("throttle: %w", err)
	}
	for i, st := range states {
		pol := AccountThrottle
		if i > 0 {
			pol = IPThrottle
		}
		if w := pol.Wait(st, now); w > 0 {
			return false, &ThrottledError{Wait: w}
		}
	}
	return states[0].Failures > 0, nil
}

// verifyPassword checks pw against the account's hash, or against a dummy
// hash when there is no account, so both cost the same. Only the wait for
// a free hasher is bounded by HashWait; the writes that follow use ctx.
func (s *Service) verifyPassword(ctx context.Context, a Account, exists bool, pw string) (ok, rehash bool, err error) {
	hctx, cancel := context.WithTimeout(ctx, s.cfg.HashWait)
	defer cancel()
	if !exists {
		return false, false, s.hasher.VerifyDummy(hctx, pw)
	}
	return s.hasher.Verify(hctx, pw, a.PasswordHash)
}

// fail counts a failure against every key and audits it.
func (s *Service) fail(ctx context.Context, keys []string, accountID string, c Client, factor string) {
	now := s.now()
	for i, k := range keys {
		st, err := s.store.Throttle(ctx, k)
		if err != nil {
			continue
		}
		st.Key = k
		pol := AccountThrottle
		if i > 0 && strings.HasPrefix(k, "ip:") {
			pol = IPThrottle
		}
		_ = s.store.SaveThrottle(ctx, pol.Fail(st, now))
	}
	ev := event(audit.SignInFailed, c)
	ev.Subject, ev.Detail = accountID, map[string]string{"factor": factor}
	s.record(ctx, ev)
}

func (s *Service) rehash(ctx context.Context, id, pw string) {
	h, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return
	}
	_, err = s.store.UpdateAccount(ctx, id, func(a *Account) error { a.PasswordHash = h; return nil }, audit.Event{})
	if err != nil {
		s.log.WarnContext(ctx, "rehash failed", "err", err)
	}
}

// startSession opens a session after the password: a full one, or one that
// waits for the second factor.
func (s *Service) startSession(ctx context.Context, a Account, c Client) (SignInResult, error) {
	now := s.now()
	token := NewToken()
	sess := Session{IDHash: HashToken(token), AccountID: a.ID, State: StateActive, AMR: []string{"pwd"},
		IP: c.IP, UserAgent: c.UserAgent, CreatedAt: now, AuthAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.cfg.Sessions.Absolute)}
	if a.NeedsSecondFactor() {
		if !a.HasSecondFactor() {
			return SignInResult{}, &apperr.Error{Code: apperr.Forbidden, Key: "signin.staff_needs_mfa",
				Detail: "staff account without a second factor"}
		}
		sess.State = StateMFA
		sess.ExpiresAt = now.Add(s.cfg.Sessions.MFAWindow)
	}
	res := SignInResult{Account: a, Token: token, NeedsSecondFactor: sess.State == StateMFA}
	if sess.State == StateMFA {
		if err := s.store.CreateSession(ctx, sess); err != nil {
			return SignInResult{}, fmt.Errorf("create session: %w", err)
		}
		return res, nil
	}
	ev, device, fresh := s.signInRecord(a, c, sess.AMR)
	if err := s.store.OpenSession(ctx, sess, ev, device); err != nil {
		return SignInResult{}, fmt.Errorf("create session: %w", err)
	}
	res.Device = fresh
	return res, nil
}

// signInRecord returns the audit event of a completed sign-in, the hash of
// the device to trust for the throttle, and a new device token when the
// browser had none.
func (s *Service) signInRecord(a Account, c Client, amr []string) (ev audit.Event, deviceHash, fresh string) {
	ev = event(audit.SignIn, c)
	ev.Actor, ev.Subject, ev.ActorEntity = a.ID, a.ID, a.Entity
	ev.Detail = map[string]string{"amr": strings.Join(amr, " ")}
	dev := c.Device
	if dev == "" {
		dev = NewToken()
		fresh = dev
	}
	return ev, HashToken(dev), fresh
}

// signedIn audits a completed sign-in and trusts the device for the
// throttle; it returns a new device token when the browser had none.
func (s *Service) signedIn(ctx context.Context, a Account, c Client, amr []string) string {
	ev, device, fresh := s.signInRecord(a, c, amr)
	s.record(ctx, ev)
	if err := s.store.TrustDevice(ctx, device, a.ID, s.now()); err != nil {
		s.log.WarnContext(ctx, "trust device failed", "err", err)
	}
	return fresh
}

// ErrNoSession means the request has no valid session.
var ErrNoSession = &apperr.Error{Code: apperr.Unauthenticated, Key: "session.none", Detail: "no valid session"}

// Authenticate returns the account and session for a session token. An
// expired session is deleted.
func (s *Service) Authenticate(ctx context.Context, token string) (Account, Session, error) {
	if token == "" {
		return Account{}, Session{}, ErrNoSession
	}
	// One query for both: every signed-in request pays for it.
	sess, a, err := s.store.SessionAccount(ctx, HashToken(token))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return Account{}, Session{}, ErrNoSession
		}
		return Account{}, Session{}, fmt.Errorf("session: %w", err)
	}
	now := s.now()
	if s.cfg.Sessions.Expired(sess, now) {
		_ = s.store.DeleteSession(ctx, sess.IDHash)
		return Account{}, Session{}, ErrNoSession
	}
	if sess.State != StateActive {
		return Account{}, Session{}, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) >= s.cfg.Sessions.TouchEvery {
		if err := s.store.TouchSession(ctx, sess.IDHash, now); err == nil {
			sess.LastSeenAt = now
		}
	}
	return a, sess, nil
}

// session finds a live session of any state.
func (s *Service) session(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrNoSession
	}
	sess, err := s.store.Session(ctx, HashToken(token))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return Session{}, ErrNoSession
		}
		return Session{}, fmt.Errorf("session: %w", err)
	}
	if s.cfg.Sessions.Expired(sess, s.now()) {
		_ = s.store.DeleteSession(ctx, sess.IDHash)
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// SignOut ends the session of token.
func (s *Service) SignOut(ctx context.Context, token string, c Client) error {
	sess, err := s.session(ctx, token)
	if errors.Is(err, ErrNoSession) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.store.DeleteSession(ctx, sess.IDHash); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	ev := event(audit.SignOut, c)
	ev.Actor, ev.Subject = sess.AccountID, sess.AccountID
	s.record(ctx, ev)
	return nil
}
