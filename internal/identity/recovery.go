package identity

import (
	"context"
	"fmt"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity/otp"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// StartRecovery sends a recovery code to the verified contact the person
// names (the email address or the mobile number). The answer is the same
// whether or not an account exists: a token that will simply never match.
func (s *Service) StartRecovery(ctx context.Context, username string, l lang.Tag) (string, error) {
	key := NormaliseUsername(username)
	a, err := s.store.AccountByUsername(ctx, key)
	if err != nil {
		if apperr.CodeOf(err) != apperr.NotFound {
			return "", fmt.Errorf("start recovery: %w", err)
		}
		return NewID(), nil
	}
	kind, to := notify.Email, string(a.Email)
	if !strings.Contains(key, "@") {
		kind, to = notify.SMS, string(a.Phone)
	}
	id, err := s.issueCode(ctx, PurposeRecovery, a.ID, kind, to, l)
	if err != nil {
		return "", err
	}
	return id, nil
}

// RecoveryRequest completes a recovery.
type RecoveryRequest struct {
	// Token is what StartRecovery returned.
	Token string
	// Code is the code sent to the contact.
	Code string
	// SecondFactor is a TOTP code or a recovery code; empty when the
	// person has lost every second factor.
	SecondFactor string
	NewPassword  string
}

// CompleteRecovery sets a new password once the contact code checks. With
// a second factor the account keeps its level. Without one, every factor is
// removed and the account stays at level 1 until its identity is verified
// in person again (ASVS 2.5.7); staff cannot recover without a factor.
// Every session ends.
func (s *Service) CompleteRecovery(ctx context.Context, r RecoveryRequest, c Client) (Account, error) {
	code, err := otp.ParseCode(r.Code)
	if err != nil {
		return Account{}, &apperr.Error{Code: apperr.Invalid, Field: "code", Key: "code.invalid", Err: err}
	}
	accountID, err := s.recoveryAccount(ctx, r.Token, code)
	if err != nil {
		return Account{}, err
	}
	a, err := s.store.Account(ctx, accountID)
	if err != nil {
		return Account{}, fmt.Errorf("recovery: %w", err)
	}
	withFactor := false
	if strings.TrimSpace(r.SecondFactor) != "" {
		method, err := s.checkSecondFactor(ctx, a, r.SecondFactor)
		if err != nil {
			return Account{}, err
		}
		if method == "" {
			return Account{}, &apperr.Error{Code: apperr.Invalid, Field: "second_factor", Key: "mfa.failed"}
		}
		withFactor = true
	} else if a.Kind == Staff {
		return Account{}, &apperr.Error{Code: apperr.Forbidden, Field: "second_factor", Key: "recover.staff_needs_factor"}
	}
	return s.resetPassword(ctx, a, r.NewPassword, withFactor, c)
}

// recoveryAccount uses the contact code and returns its account's ID.
func (s *Service) recoveryAccount(ctx context.Context, token, code string) (string, error) {
	target, err := s.store.CodeTarget(ctx, token)
	if err != nil {
		return "", &apperr.Error{Code: apperr.Invalid, Field: "code", Key: "code.wrong", Err: err}
	}
	if err := s.checkCode(ctx, token, PurposeRecovery, target, code, "code"); err != nil {
		return "", err
	}
	return target, nil
}

func (s *Service) resetPassword(ctx context.Context, a Account, pw string, withFactor bool, c Client) (Account, error) {
	h, err := s.hashPassword(ctx, pw)
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Field == "password" {
			x := *e
			x.Field = "new_password"
			return Account{}, &x
		}
		return Account{}, err
	}
	ev := event(audit.Recovery, c)
	ev.Actor, ev.Subject = a.ID, a.ID
	ev.Detail = map[string]string{"second_factor": fmt.Sprint(withFactor)}
	a, err = s.store.UpdateAccount(ctx, a.ID, func(x *Account) error {
		x.PasswordHash = h
		if !withFactor {
			x.TOTPSecret, x.TOTPLastStep = "", 0
			x.NeedsReverify = x.NeedsReverify || x.Assurance >= Level2
		}
		return nil
	}, ev)
	if err != nil {
		return Account{}, fmt.Errorf("recovery: %w", err)
	}
	if !withFactor {
		if err := s.store.RemoveSecondFactors(ctx, a.ID); err != nil {
			return Account{}, fmt.Errorf("recovery: %w", err)
		}
	}
	if _, err := s.store.DeleteSessionsOf(ctx, a.ID, ""); err != nil {
		return Account{}, fmt.Errorf("recovery: %w", err)
	}
	s.notifyChange(ctx, a, "recover")
	return s.store.Account(ctx, a.ID)
}
