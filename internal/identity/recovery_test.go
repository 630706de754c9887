package identity_test

import (
	"context"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/identity"
)

func TestRecovery(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		verifier := e.staff(t, "DSI", "v@dsi.example.mo", identity.IdentityVerifier)
		if _, err := e.svc.VerifyIdentity(ctx, verifier, a.ID, "bir", "12345678", ""); err != nil {
			t.Fatal(err)
		}
		_, codes, token := e.enrolTOTP(t, "ana@example.com")

		// Unknown accounts get a token too, which never matches.
		ghost, err := e.svc.StartRecovery(ctx, "ghost@example.com", "en")
		if err != nil || ghost == "" {
			t.Fatalf("StartRecovery(unknown) = %q, %v", ghost, err)
		}
		if _, err := e.svc.CompleteRecovery(ctx, identity.RecoveryRequest{Token: ghost, Code: "123456",
			NewPassword: "a brand new long sentence"}, client); keyOf(err) != "code.wrong" {
			t.Errorf("recovering an unknown account: %v, want code.wrong", err)
		}

		// With a recovery code: the level stays.
		tok, err := e.svc.StartRecovery(ctx, "ana@example.com", "en")
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.CompleteRecovery(ctx, identity.RecoveryRequest{Token: tok, Code: e.lastCode(t, "ana@example.com"),
			SecondFactor: codes[1], NewPassword: "a brand new long sentence"}, client)
		if err != nil || got.EffectiveLevel() != identity.Level2 || got.TOTPSecret == "" {
			t.Fatalf("recovery with a factor = level %d, %v", got.EffectiveLevel(), err)
		}
		if _, _, err := e.svc.Authenticate(ctx, token); err == nil {
			t.Error("a session survived the recovery")
		}

		// Without a factor (by SMS this time): level 1 until verified again.
		tok, _ = e.svc.StartRecovery(ctx, "6612 3456", "en")
		got, err = e.svc.CompleteRecovery(ctx, identity.RecoveryRequest{Token: tok, Code: e.lastCode(t, "+85366123456"),
			NewPassword: "yet another long sentence"}, client)
		if err != nil || got.EffectiveLevel() != identity.Level1 || got.TOTPSecret != "" || !got.NeedsReverify {
			t.Fatalf("recovery without a factor = %+v, %v", got, err)
		}
		if n, _ := e.store.RecoveryCodesLeft(ctx, a.ID); n != 0 {
			t.Errorf("%d recovery codes left after a recovery without a factor", n)
		}
		// The code cannot be used twice.
		if _, err := e.svc.CompleteRecovery(ctx, identity.RecoveryRequest{Token: tok, Code: e.lastCode(t, "+85366123456"),
			NewPassword: "yet another long sentence"}, client); keyOf(err) != "code.used" {
			t.Errorf("reused recovery code: %v, want code.used", err)
		}
		// In-person verification restores level 2.
		got, err = e.svc.VerifyIdentity(ctx, verifier, a.ID, "bir", "12345678", "")
		if err != nil || got.EffectiveLevel() != identity.Level2 {
			t.Errorf("after re-verification level %d, %v", got.EffectiveLevel(), err)
		}
	})
}

func TestContactChangeNeedsReauthAndTellsOldContact(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		res, _ := e.svc.SignIn(ctx, "ana@example.com", goodPassword, client)
		a, _, _ := e.svc.Authenticate(ctx, res.Token)
		if _, err := e.svc.BeginContactChange(ctx, a, "email", "ana.new@example.com", "wrong password here", client); keyOf(err) != "reauth.failed" {
			t.Errorf("change without re-authentication: %v", err)
		}
		id, err := e.svc.BeginContactChange(ctx, a, "email", "ana.new@example.com", goodPassword, client)
		if err != nil {
			t.Fatal(err)
		}
		other := e.resident(t, "bo@example.com", "66123457", "1765432(1)")
		if _, err := e.svc.CompleteContactChange(ctx, other, id, e.lastCode(t, "ana.new@example.com"), client); keyOf(err) != "code.wrong" {
			t.Errorf("another account using the code: %v, want code.wrong", err)
		}
		got, err := e.svc.CompleteContactChange(ctx, a, id, e.lastCode(t, "ana.new@example.com"), client)
		if err != nil || got.Email != "ana.new@example.com" {
			t.Fatalf("CompleteContactChange = %v, %v", got.Email, err)
		}
		if m, ok := e.sink.Last("ana@example.com"); !ok || !strings.Contains(m.Message.Text, "email address was changed") {
			t.Errorf("old address not told: %+v", m)
		}
		if _, err := e.svc.SignIn(ctx, "ana.new@example.com", goodPassword, client); err != nil {
			t.Errorf("sign-in with the new address: %v", err)
		}
	})
}
