package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
)

func keyOf(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Key
	}
	return ""
}

func TestRegistration(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.resident(t, "ana@example.com", "66123456", "1234567(8)")
		if a.Assurance != identity.Level1 || a.Phone != "+85366123456" || a.Document.Number != "12345678" {
			t.Errorf("account = %+v", a)
		}
		// The same contacts again: proving them works, creating fails.
		ctx := context.Background()
		tok, err := e.svc.StartRegistration(ctx, "ANA@example.com", "6612 3456", "pt")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.VerifyRegistration(ctx, tok, e.lastCode(t, "ANA@example.com"), e.lastCode(t, "+85366123456")); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CompleteRegistration(ctx, tok, identity.Details{NameLatin: "X", DocType: "bir",
			DocNumber: "1765432(1)", BirthDate: "1970-01-01", Password: goodPassword}, client)
		if k := keyOf(err); apperr.CodeOf(err) != apperr.Conflict || (k != "email.taken" && k != "phone.taken") {
			t.Errorf("duplicate contacts: %v (key %q), want a conflict naming the contact", err, k)
		}
	})
}

func TestCodesAreSingleUseLimitedAndExpire(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tok, err := e.svc.StartRegistration(ctx, "bo@example.com", "66000111", "en")
		if err != nil {
			t.Fatal(err)
		}
		ec, pc := e.lastCode(t, "bo@example.com"), e.lastCode(t, "+85366000111")
		wrong := "000000"
		if wrong == pc {
			wrong = "111111"
		}
		// Five wrong tries exhaust the phone code; the right one then fails.
		for range 5 {
			_, err := e.svc.VerifyRegistration(ctx, tok, ec, wrong)
			if keyOf(err) != "code.wrong" {
				t.Fatalf("wrong code: %v", err)
			}
		}
		if _, err := e.svc.VerifyRegistration(ctx, tok, ec, pc); keyOf(err) != "code.too_many" {
			t.Errorf("right code after 5 wrong ones: %v, want code.too_many", err)
		}
		// The email code was used by the first attempt; it is not asked again.
		r, err := e.svc.Registration(ctx, tok)
		if err != nil || !r.EmailVerified || r.PhoneVerified {
			t.Errorf("registration = %+v, %v", r, err)
		}
		// A fresh registration's code expires after 10 minutes.
		tok2, err := e.svc.StartRegistration(ctx, "cy@example.com", "66000222", "en")
		if err != nil {
			t.Fatal(err)
		}
		e.clk.Add(10*time.Minute + time.Second)
		if _, err := e.svc.VerifyRegistration(ctx, tok2, e.lastCode(t, "cy@example.com"), e.lastCode(t, "+85366000222")); keyOf(err) != "code.expired" {
			t.Errorf("code after 10 minutes: %v, want code.expired", err)
		}
	})
}

func TestCodeUsedOnceUnderRace(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := identity.Code{ID: identity.NewID(), Purpose: "test", Target: "x", CodeHash: "h",
			ExpiresAt: e.clk.Now().Add(time.Minute), CreatedAt: e.clk.Now()}
		if err := e.store.CreateCode(ctx, c); err != nil {
			t.Fatal(err)
		}
		const n = 10
		results := make(chan identity.CodeResult, n)
		errs := make(chan error, n)
		for range n {
			go func() {
				r, err := e.store.UseCode(ctx, c.ID, "h", e.clk.Now())
				results <- r
				errs <- err
			}()
		}
		ok := 0
		for range n {
			if err := <-errs; err != nil {
				t.Errorf("UseCode: %v", err)
			}
			if <-results == identity.CodeOK {
				ok++
			}
		}
		if ok != 1 {
			t.Errorf("%d racing uses succeeded, want exactly 1", ok)
		}
	})
}

func TestPasswordPolicyAtRegistration(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tok, _ := e.svc.StartRegistration(ctx, "dee@example.com", "66000333", "en")
		_, _ = e.svc.VerifyRegistration(ctx, tok, e.lastCode(t, "dee@example.com"), e.lastCode(t, "+85366000333"))
		for _, c := range []struct{ pw, key string }{{"short one", "password.too_short"}, {"123456789000", "password.common"}} {
			pw, key := c.pw, c.key
			_, err := e.svc.CompleteRegistration(ctx, tok, identity.Details{NameLatin: "D", DocType: "bir",
				DocNumber: "1222333(4)", BirthDate: "1970-01-01", Password: pw}, client)
			if keyOf(err) != key {
				t.Errorf("password %q: %v, want %s", pw, err, key)
			}
		}
	})
}
