package identity

import (
	"context"
	"fmt"
	"slices"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity/otp"
)

// errReauth is the answer when the current password given to confirm a
// sensitive change is wrong.
var errReauth = &apperr.Error{Code: apperr.Unauthenticated, Field: "current_password", Key: "reauth.failed",
	Detail: "re-authentication failed"}

// reauthenticate checks the current password before a sensitive change.
func (s *Service) reauthenticate(ctx context.Context, a Account, pw string, c Client) error {
	key := "reauth:" + a.ID
	if err := s.checkMFAThrottle(ctx, key); err != nil {
		return err
	}
	ok, _, err := s.hasher.Verify(ctx, pw, a.PasswordHash)
	if err != nil {
		return fmt.Errorf("re-authenticate: %w", err)
	}
	if !ok {
		s.failMFA(ctx, key, a.ID, c)
		return errReauth
	}
	return nil
}

// TOTPEnrolment is a new authenticator secret waiting for confirmation.
type TOTPEnrolment struct {
	Secret string
	URI    string
}

// BeginTOTP makes a new TOTP secret for the account to scan. Nothing is
// stored until ConfirmTOTP.
func (s *Service) BeginTOTP(a Account) (TOTPEnrolment, error) {
	label := string(a.Email)
	secret, uri, err := otp.NewTOTPSecret(s.cfg.Issuer, label)
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("totp secret: %w", err)
	}
	return TOTPEnrolment{Secret: secret, URI: uri}, nil
}

// TOTPEnrolmentFor rebuilds an enrolment for a secret the form sent back,
// so the page can show the QR code again after an error.
func (s *Service) TOTPEnrolmentFor(a Account, secret string) TOTPEnrolment {
	return TOTPEnrolment{Secret: secret, URI: totpURI(s.cfg.Issuer, string(a.Email), secret)}
}

// ConfirmTOTP stores the secret once a code from it checks and the current
// password re-authenticates the person. It returns 10 new recovery codes,
// shown once, and rotates the session: the returned token replaces it.
func (s *Service) ConfirmTOTP(ctx context.Context, a Account, sess Session, secret, code, current string, c Client) ([]string, string, error) {
	if err := s.reauthenticate(ctx, a, current, c); err != nil {
		return nil, "", err
	}
	code, err := otp.ParseCode(code)
	if err != nil {
		return nil, "", &apperr.Error{Code: apperr.Invalid, Field: "code", Key: "code.invalid", Err: err}
	}
	step, ok := otp.ValidateTOTP(secret, code, s.now())
	if !ok {
		return nil, "", &apperr.Error{Code: apperr.Invalid, Field: "code", Key: "mfa.failed", Detail: "wrong code"}
	}
	ev := s.recordFactor(ctx, a, audit.FactorAdded, "totp", c)
	a, err = s.store.UpdateAccount(ctx, a.ID, func(x *Account) error {
		x.TOTPSecret, x.TOTPLastStep = secret, step
		return nil
	}, ev)
	if err != nil {
		return nil, "", fmt.Errorf("enrol totp: %w", err)
	}
	codes, err := s.newRecoveryCodes(ctx, a.ID)
	if err != nil {
		return nil, "", err
	}
	s.notifyChange(ctx, a, "totp")
	token, err := s.rotate(ctx, sess, "otp")
	return codes, token, err
}

// RegenerateRecoveryCodes replaces the recovery codes after
// re-authentication.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, a Account, current string, c Client) ([]string, error) {
	if err := s.reauthenticate(ctx, a, current, c); err != nil {
		return nil, err
	}
	if !a.HasSecondFactor() {
		return nil, &apperr.Error{Code: apperr.Invalid, Key: "recovery.no_factor", Detail: "no second factor enrolled"}
	}
	codes, err := s.newRecoveryCodes(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	s.record(ctx, s.recordFactor(ctx, a, audit.FactorAdded, "recovery-codes", c))
	s.notifyChange(ctx, a, "recovery")
	return codes, nil
}

func (s *Service) newRecoveryCodes(ctx context.Context, accountID string) ([]string, error) {
	codes, err := otp.NewRecoveryCodes(10)
	if err != nil {
		return nil, fmt.Errorf("recovery codes: %w", err)
	}
	hashes := make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = recoveryHash(accountID, c)
	}
	if err := s.store.ReplaceRecoveryCodes(ctx, accountID, hashes); err != nil {
		return nil, fmt.Errorf("store recovery codes: %w", err)
	}
	return codes, nil
}

// DisableTOTP removes the authenticator after re-authentication. Staff
// cannot remove their last second factor.
func (s *Service) DisableTOTP(ctx context.Context, a Account, current string, c Client) error {
	if err := s.reauthenticate(ctx, a, current, c); err != nil {
		return err
	}
	if a.Kind == Staff && a.Passkeys == 0 {
		return &apperr.Error{Code: apperr.Forbidden, Key: "mfa.staff_required", Detail: "staff must keep a second factor"}
	}
	ev := s.recordFactor(ctx, a, audit.FactorRemoved, "totp", c)
	if _, err := s.store.UpdateAccount(ctx, a.ID, func(x *Account) error { x.TOTPSecret, x.TOTPLastStep = "", 0; return nil }, ev); err != nil {
		return fmt.Errorf("disable totp: %w", err)
	}
	s.notifyChange(ctx, a, "totp-off")
	return nil
}

// ChangePassword sets a new password after checking the current one, ends
// every other session, rotates this one and notifies the contacts. It
// returns the new session token.
func (s *Service) ChangePassword(ctx context.Context, a Account, sess Session, current, next string, c Client) (string, error) {
	if err := s.reauthenticate(ctx, a, current, c); err != nil {
		return "", err
	}
	h, err := s.hashPassword(ctx, next)
	if err != nil {
		return "", err
	}
	ev := event(audit.PasswordChanged, c)
	ev.Actor, ev.Subject = a.ID, a.ID
	if _, err := s.store.UpdateAccount(ctx, a.ID, func(x *Account) error { x.PasswordHash = h; return nil }, ev); err != nil {
		return "", fmt.Errorf("change password: %w", err)
	}
	if _, err := s.store.DeleteSessionsOf(ctx, a.ID, sess.IDHash); err != nil {
		return "", fmt.Errorf("end other sessions: %w", err)
	}
	s.notifyChange(ctx, a, "password")
	return s.rotate(ctx, sess, "")
}

// rotate replaces a session by a new one with a new token, adding method
// to its AMR when set: the rotation at every change of privilege.
func (s *Service) rotate(ctx context.Context, old Session, method string) (string, error) {
	token := NewToken()
	sess := old
	sess.IDHash = HashToken(token)
	sess.LastSeenAt = s.now()
	if method != "" && !slices.Contains(sess.AMR, method) {
		sess.AMR = append(slices.Clone(sess.AMR), method)
	}
	if err := s.store.ReplaceSession(ctx, old.IDHash, sess); err != nil {
		return "", fmt.Errorf("rotate session: %w", err)
	}
	return token, nil
}

// Sessions lists the account's live sessions.
func (s *Service) Sessions(ctx context.Context, accountID string) ([]Session, error) {
	all, err := s.store.SessionsOf(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	var out []Session
	for _, x := range all {
		if x.State == StateActive && !s.cfg.Sessions.Expired(x, s.now()) {
			out = append(out, x)
		}
	}
	return out, nil
}

// RevokeSession ends one of the account's own sessions. A session of
// another account is "not found".
func (s *Service) RevokeSession(ctx context.Context, a Account, idHash string, c Client) error {
	sess, err := s.store.Session(ctx, idHash)
	if err != nil || sess.AccountID != a.ID {
		return apperr.NotFoundf("session not found")
	}
	if err := s.store.DeleteSession(ctx, idHash); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	ev := event(audit.SessionRevoked, c)
	ev.Actor, ev.Subject = a.ID, a.ID
	s.record(ctx, ev)
	return nil
}

// SignOutEverywhere ends every session of the account, this one included.
func (s *Service) SignOutEverywhere(ctx context.Context, a Account, c Client) (int, error) {
	n, err := s.store.DeleteSessionsOf(ctx, a.ID, "")
	if err != nil {
		return 0, fmt.Errorf("sign out everywhere: %w", err)
	}
	ev := event(audit.SessionRevoked, c)
	ev.Actor, ev.Subject, ev.Detail = a.ID, a.ID, map[string]string{"all": "true"}
	s.record(ctx, ev)
	return n, nil
}
