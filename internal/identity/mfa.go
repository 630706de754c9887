package identity

import (
	"context"
	"fmt"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity/otp"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// mfaThrottle counts second-factor failures per account, apart from
// password failures.
var mfaThrottle = Throttle{Window: AccountThrottle.Window, Free: 5, MaxDelay: 15 * 60e9, Cap: 100}

// errCode is the one answer to a wrong second factor.
var errCode = &apperr.Error{Code: apperr.Unauthenticated, Field: "code", Key: "mfa.failed", Detail: "wrong code"}

// PendingAccount returns the account a half-signed-in session belongs to,
// so the second-factor page can offer the right methods.
func (s *Service) PendingAccount(ctx context.Context, token string) (Account, error) {
	sess, err := s.session(ctx, token)
	if err != nil {
		return Account{}, err
	}
	if sess.State != StateMFA {
		return Account{}, ErrNoSession
	}
	return s.store.Account(ctx, sess.AccountID)
}

// CompleteSecondFactor checks a TOTP code, a recovery code or (where policy
// allows) an SMS code for a half-signed-in session. On success the session
// is replaced by a new, full one: the token changes.
func (s *Service) CompleteSecondFactor(ctx context.Context, token, input string, c Client) (SignInResult, error) {
	sess, err := s.session(ctx, token)
	if err != nil || sess.State != StateMFA {
		return SignInResult{}, ErrNoSession
	}
	a, err := s.store.Account(ctx, sess.AccountID)
	if err != nil {
		return SignInResult{}, ErrNoSession
	}
	keys := []string{"mfa:" + a.ID}
	if err := s.checkMFAThrottle(ctx, keys[0]); err != nil {
		return SignInResult{}, err
	}
	method, err := s.checkSecondFactor(ctx, a, input)
	if err != nil {
		return SignInResult{}, err
	}
	if method == "" {
		s.failMFA(ctx, keys[0], a.ID, c)
		return SignInResult{}, errCode
	}
	_ = s.store.ClearThrottle(ctx, keys[0])
	return s.promote(ctx, sess, a, c, method)
}

func (s *Service) checkMFAThrottle(ctx context.Context, key string) error {
	st, err := s.store.Throttle(ctx, key)
	if err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	if w := mfaThrottle.Wait(st, s.now()); w > 0 {
		return &ThrottledError{Wait: w}
	}
	return nil
}

func (s *Service) failMFA(ctx context.Context, key, accountID string, c Client) {
	if st, err := s.store.Throttle(ctx, key); err == nil {
		st.Key = key
		_ = s.store.SaveThrottle(ctx, mfaThrottle.Fail(st, s.now()))
	}
	ev := event(audit.SignInFailed, c)
	ev.Subject, ev.Detail = accountID, map[string]string{"factor": "second"}
	s.record(ctx, ev)
}

// checkSecondFactor returns the AMR value of the factor that matched, or ""
// when none did.
func (s *Service) checkSecondFactor(ctx context.Context, a Account, input string) (string, error) {
	if code, err := otp.ParseCode(input); err == nil {
		if a.TOTPSecret != "" {
			if step, ok := otp.ValidateTOTP(a.TOTPSecret, code, s.now()); ok {
				fresh, err := s.store.UseTOTPStep(ctx, a.ID, step)
				if err != nil {
					return "", fmt.Errorf("totp: %w", err)
				}
				if fresh {
					return "otp", nil
				}
				return "", nil // replay within the window
			}
		}
		if a.SMSAllowed(s.cfg.SMSFallback) {
			if ok, err := s.checkSMSCode(ctx, a, code); err != nil || ok {
				return map[bool]string{true: "sms"}[ok], err
			}
		}
		return "", nil
	}
	ok, err := s.store.UseRecoveryCode(ctx, a.ID, recoveryHash(a.ID, input), s.now())
	if err != nil {
		return "", fmt.Errorf("recovery code: %w", err)
	}
	if ok {
		return "rec", nil
	}
	return "", nil
}

// promote replaces a half-signed-in session by a full one.
func (s *Service) promote(ctx context.Context, old Session, a Account, c Client, method string) (SignInResult, error) {
	now := s.now()
	token := NewToken()
	sess := old
	sess.IDHash, sess.State, sess.AMR = HashToken(token), StateActive, []string{"pwd", method}
	sess.AuthAt, sess.LastSeenAt, sess.ExpiresAt = now, now, now.Add(s.cfg.Sessions.Absolute)
	if err := s.store.ReplaceSession(ctx, old.IDHash, sess); err != nil {
		return SignInResult{}, fmt.Errorf("promote session: %w", err)
	}
	if method == "rec" {
		s.notifyChange(ctx, a, "recover")
	}
	return SignInResult{Account: a, Token: token, Device: s.signedIn(ctx, a, c, sess.AMR)}, nil
}

// SendSMSCode sends a sign-in code by SMS to a half-signed-in account,
// when policy and the account allow the fallback.
func (s *Service) SendSMSCode(ctx context.Context, token string) error {
	a, err := s.PendingAccount(ctx, token)
	if err != nil {
		return err
	}
	if !a.SMSAllowed(s.cfg.SMSFallback) {
		return &apperr.Error{Code: apperr.Forbidden, Key: "mfa.sms_off", Detail: "SMS fallback is off"}
	}
	_, err = s.issueCode(ctx, PurposeSignInSMS, a.ID, notify.SMS, string(a.Phone), a.Lang)
	return err
}

// checkSMSCode tries code against the account's newest SMS sign-in code.
func (s *Service) checkSMSCode(ctx context.Context, a Account, code string) (bool, error) {
	id, err := s.store.LatestCode(ctx, PurposeSignInSMS, a.ID)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return false, nil
		}
		return false, err
	}
	res, err := s.store.UseCode(ctx, id, otp.HashCode([]byte(id), PurposeSignInSMS, a.ID, code), s.now())
	return res == CodeOK, err
}

// notifyChange tells the account's contacts about a security change.
func (s *Service) notifyChange(ctx context.Context, a Account, what string) {
	for _, m := range []notify.Message{changeMessage(notify.Email, string(a.Email), what, a.Lang)} {
		if err := s.send.Send(ctx, m); err != nil {
			s.log.WarnContext(ctx, "security notice not sent", "err", err)
		}
	}
	if a.Phone != "" && (what == "phone" || what == "password") {
		if err := s.send.Send(ctx, changeMessage(notify.SMS, string(a.Phone), what, a.Lang)); err != nil {
			s.log.WarnContext(ctx, "security notice not sent", "err", err)
		}
	}
}

// recordFactor audits a factor change.
func (s *Service) recordFactor(ctx context.Context, a Account, action, factor string, c Client) audit.Event {
	ev := event(action, c)
	ev.Actor, ev.Subject, ev.Detail = a.ID, a.ID, map[string]string{"factor": factor}
	return ev
}

// recoveryHash is the stored form of a recovery code: an HMAC keyed by the
// account, so a copy of the table cannot test one guess against every
// account's codes at once.
func recoveryHash(accountID, code string) string {
	return otp.HashCode([]byte(accountID), "recovery-code", accountID, otp.NormaliseRecoveryCode(code))
}
