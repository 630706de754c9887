package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
)

func TestSignInSameAnswerForUnknownAndWrong(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		_, wrong := e.svc.SignIn(ctx, "ana@example.com", "not the password at all", client)
		_, unknown := e.svc.SignIn(ctx, "nobody@example.com", "not the password at all", client)
		if wrong == nil || unknown == nil || wrong.Error() != unknown.Error() || keyOf(wrong) != "signin.failed" {
			t.Errorf("wrong password %v, unknown account %v: want the same signin.failed", wrong, unknown)
		}
		res, err := e.svc.SignIn(ctx, "6612 3456", goodPassword, client)
		if err != nil || res.Token == "" || res.NeedsSecondFactor || res.Device == "" {
			t.Fatalf("sign in by phone = %+v, %v", res, err)
		}
		if _, _, err := e.svc.Authenticate(ctx, res.Token); err != nil {
			t.Errorf("Authenticate: %v", err)
		}
	})
}

func TestThrottleGrowsAndSparesTheOwnersDevice(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		owner, err := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		if err != nil {
			t.Fatal(err)
		}
		attacker := identity.Client{IP: "198.51.100.9", UserAgent: "bot"}
		var throttled *identity.ThrottledError
		fails := 0
		for range 8 {
			_, err := e.svc.SignIn(ctx, "ana@example.com", "guessing the password", attacker)
			if errors.As(err, &throttled) {
				break
			}
			fails++
		}
		if fails != 6 || throttled == nil || throttled.Wait <= 0 || apperr.CodeOf(throttled) != apperr.TooMany {
			t.Fatalf("after %d failures: %v; want a delay after the 6th", fails, throttled)
		}
		// The right password from the attacker is refused while throttled...
		if _, err := e.svc.SignIn(ctx, "ana@example.com", goodPassword, attacker); !errors.As(err, &throttled) {
			t.Errorf("right password during the delay: %v, want throttled", err)
		}
		// ...but the owner's known device is counted apart: no lockout-DoS.
		owned := client
		owned.Device = owner.Device
		if _, err := e.svc.SignIn(ctx, "ana@example.com", goodPassword, owned); err != nil {
			t.Errorf("owner's device during the attack: %v", err)
		}
		// The delay passes with time.
		e.clk.Add(throttled.Wait + time.Second)
		if _, err := e.svc.SignIn(ctx, "ana@example.com", goodPassword, attacker); err != nil {
			t.Errorf("after the delay: %v", err)
		}
	})
}

func TestThrottleCapsAtOneHundredAnHour(t *testing.T) {
	p := identity.AccountThrottle
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// An attacker who tries the moment each delay ends, for three hours.
	var s identity.ThrottleState
	var times []time.Time
	for now := start; now.Before(start.Add(3 * time.Hour)); {
		now = now.Add(p.Wait(s, now))
		s = p.Fail(s, now)
		times = append(times, now)
	}
	for i := range times {
		n := 0
		for _, u := range times[i:] {
			if u.Sub(times[i]) < time.Hour {
				n++
			}
		}
		if n > 100 {
			t.Fatalf("%d failures within an hour from %v", n, times[i])
		}
	}
	// The cap itself: 100 failures in a window block the rest of it.
	s = identity.ThrottleState{}
	for range 100 {
		s = p.Fail(s, start)
	}
	if w := p.Wait(s, start); w != time.Hour {
		t.Errorf("after 100 failures wait %v, want the rest of the hour", w)
	}
}

// enrolTOTP enrols TOTP for a, returning the secret, recovery codes and the
// session token now in force.
func (e *env) enrolTOTP(t *testing.T, email string) (string, []string, string) {
	t.Helper()
	ctx := context.Background()
	res, err := e.svc.SignIn(ctx, email, goodPassword, client)
	if err != nil {
		t.Fatal(err)
	}
	a, sess, err := e.svc.Authenticate(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	enr, err := e.svc.BeginTOTP(a)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(enr.Secret, e.clk.Now())
	codes, token, err := e.svc.ConfirmTOTP(ctx, a, sess, enr.Secret, code, goodPassword, client)
	if err != nil {
		t.Fatalf("ConfirmTOTP: %v", err)
	}
	if token == res.Token {
		t.Error("enrolling a factor did not rotate the session")
	}
	if _, _, err := e.svc.Authenticate(ctx, res.Token); err == nil {
		t.Error("the session before the rotation still works")
	}
	return enr.Secret, codes, token
}

func TestTOTPSignInAndReplay(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		secret, codes, _ := e.enrolTOTP(t, "ana@example.com")
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes, want 10", len(codes))
		}
		e.clk.Add(time.Minute) // a later time step than the enrolment's
		res, err := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		if err != nil || !res.NeedsSecondFactor {
			t.Fatalf("SignIn = %+v, %v; want a second factor", res, err)
		}
		if _, _, err := e.svc.Authenticate(ctx, res.Token); err == nil {
			t.Error("a half-signed-in session authenticates")
		}
		code, _ := totp.GenerateCode(secret, e.clk.Now())
		full, err := e.svc.CompleteSecondFactor(ctx, res.Token, code, client)
		if err != nil || full.Token == res.Token {
			t.Fatalf("CompleteSecondFactor = %+v, %v; want a new token", full, err)
		}
		// The same code again, in the same window, is a replay.
		again, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		if _, err := e.svc.CompleteSecondFactor(ctx, again.Token, code, client); keyOf(err) != "mfa.failed" {
			t.Errorf("replayed TOTP code: %v, want mfa.failed", err)
		}
		// A recovery code works once.
		if _, err := e.svc.CompleteSecondFactor(ctx, again.Token, codes[0], client); err != nil {
			t.Errorf("recovery code: %v", err)
		}
		third, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		if _, err := e.svc.CompleteSecondFactor(ctx, third.Token, codes[0], client); keyOf(err) != "mfa.failed" {
			t.Errorf("reused recovery code: %v, want mfa.failed", err)
		}
	})
}

func TestSessionExpiryAndRevocation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		a, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		b, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		// Activity every 20 minutes keeps a session for up to 12 hours.
		for range 35 {
			e.clk.Add(20 * time.Minute)
			if _, _, err := e.svc.Authenticate(ctx, a.Token); err != nil {
				t.Fatalf("active session ended early: %v", err)
			}
		}
		e.clk.Add(20 * time.Minute) // 12 h in all
		if _, _, err := e.svc.Authenticate(ctx, a.Token); !errors.Is(err, identity.ErrNoSession) {
			t.Errorf("session after 12 hours: %v, want ended", err)
		}
		if _, _, err := e.svc.Authenticate(ctx, b.Token); !errors.Is(err, identity.ErrNoSession) {
			t.Errorf("session idle for hours: %v, want ended", err)
		}
		// Revoke-all ends every session.
		c, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		d, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		acct, _, _ := e.svc.Authenticate(ctx, c.Token)
		if n, err := e.svc.SignOutEverywhere(ctx, acct, client); err != nil || n != 2 {
			t.Errorf("SignOutEverywhere = %d, %v; want 2", n, err)
		}
		for _, tok := range []string{c.Token, d.Token} {
			if _, _, err := e.svc.Authenticate(ctx, tok); err == nil {
				t.Error("a session survived sign-out everywhere")
			}
		}
	})
}

func TestPasswordChangeEndsOtherSessionsAndNotifies(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		mine, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		other, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		a, sess, _ := e.svc.Authenticate(ctx, mine.Token)
		if _, err := e.svc.ChangePassword(ctx, a, sess, "wrong current one", "another long sentence 7", client); keyOf(err) != "reauth.failed" {
			t.Errorf("change with a wrong current password: %v", err)
		}
		tok, err := e.svc.ChangePassword(ctx, a, sess, goodPassword, "another long sentence 7", client)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Authenticate(ctx, other.Token); err == nil {
			t.Error("another session survived the password change")
		}
		if _, _, err := e.svc.Authenticate(ctx, mine.Token); err == nil {
			t.Error("the old token of this session still works after rotation")
		}
		if _, _, err := e.svc.Authenticate(ctx, tok); err != nil {
			t.Errorf("the rotated session: %v", err)
		}
		if m, ok := e.sink.Last("ana@example.com"); !ok || m.Message.Category != "security" {
			t.Errorf("no security notice to the email address: %+v", m)
		}
		if _, err := audit.VerifyAll(ctx, e.store); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestSMSFallbackOnlyWhenPolicyAllows(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		e.enrolTOTP(t, "ana@example.com")
		res, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		if err := e.svc.SendSMSCode(ctx, res.Token); err != nil {
			t.Fatalf("SendSMSCode with the policy on: %v", err)
		}
		full, err := e.svc.CompleteSecondFactor(ctx, res.Token, e.lastCode(t, "+85366123456"), client)
		if err != nil || full.Token == "" {
			t.Fatalf("SMS code as the second factor: %v", err)
		}
		if a, _ := e.store.AccountByUsername(ctx, "ana@example.com"); a.SMSAllowed(false) {
			t.Error("SMS allowed with the policy off")
		}
	})
}

func TestSweepRemovesOnlyWhatIsDead(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		old, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		_, _ = e.svc.SignIn(ctx, "ana@example.com", "wrong password here", identity.Client{IP: "198.51.100.1"})
		pending, _ := e.svc.StartRegistration(ctx, "bo@example.com", "66000999", "en")
		e.clk.Add(2 * time.Hour)
		fresh, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		r, err := e.svc.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.Sessions != 1 || r.Throttles != 1 {
			t.Errorf("Sweep = %+v, want the idle session and the old throttle record", r)
		}
		if _, _, err := e.svc.Authenticate(ctx, fresh.Token); err != nil {
			t.Errorf("a live session was swept: %v", err)
		}
		if _, _, err := e.svc.Authenticate(ctx, old.Token); err == nil {
			t.Error("the idle session survived")
		}
		e.clk.Add(24 * time.Hour)
		r, err = e.svc.Sweep(ctx)
		if err != nil || r.Registrations != 1 || r.Codes < 2 {
			t.Errorf("Sweep a day later = %+v, %v; want the expired registration and its codes", r, err)
		}
		if _, err := e.svc.Registration(ctx, pending); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("expired registration after the sweep: %v", err)
		}
	})
}
