package otp

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// rfcSecret is the RFC 6238 appendix B SHA-1 seed "12345678901234567890".
var rfcSecret = base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))

// rfcVectors are RFC 6238 appendix B's SHA-1 times and 8-digit codes.
var rfcVectors = []struct {
	unix  int64
	code8 string
}{
	{59, "94287082"},
	{1111111109, "07081804"},
	{1111111111, "14050471"},
	{1234567890, "89005924"},
	{2000000000, "69279037"},
	{20000000000, "65353130"},
}

func TestRFC6238Vectors(t *testing.T) {
	opts8 := totp.ValidateOpts{Period: 30, Digits: otp.DigitsEight, Algorithm: otp.AlgorithmSHA1}
	for _, v := range rfcVectors {
		now := time.Unix(v.unix, 0)
		// The library reproduces the RFC's 8-digit codes…
		if got, err := totp.GenerateCodeCustom(rfcSecret, now, opts8); got != v.code8 || err != nil {
			t.Errorf("8-digit code at %d = %q, %v; want %s", v.unix, got, err, v.code8)
		}
		// …and a 6-digit code is the same truncation mod 10^6.
		code6 := v.code8[2:]
		if got, _ := totp.GenerateCodeCustom(rfcSecret, now, totpOpts); got != code6 {
			t.Errorf("6-digit code at %d = %q; want %s", v.unix, got, code6)
		}
		step, ok := ValidateTOTP(rfcSecret, code6, now)
		if !ok || step != v.unix/30 {
			t.Errorf("ValidateTOTP(%s at %d) = %d, %v; want %d, true", code6, v.unix, step, ok, v.unix/30)
		}
	}
}

func TestValidateTOTPSkew(t *testing.T) {
	const at = 1111111111 // step 37037037, code 050471
	now := time.Unix(at, 0)
	for _, tt := range []struct {
		offset time.Duration
		ok     bool
	}{
		{0, true}, {-30 * time.Second, true}, {30 * time.Second, true},
		{-60 * time.Second, false}, {60 * time.Second, false},
	} {
		step, ok := ValidateTOTP(rfcSecret, "050 471", now.Add(tt.offset))
		if ok != tt.ok || (ok && step != at/30) {
			t.Errorf("code of step %d checked %v later: %d, %v; want ok=%v", at/30, tt.offset, step, ok, tt.ok)
		}
	}
	if _, ok := ValidateTOTP(rfcSecret, "050472", now); ok {
		t.Error("wrong code accepted")
	}
	if _, ok := ValidateTOTP("not base32!", "050471", now); ok {
		t.Error("bad secret accepted")
	}
}

func TestTOTPReplay(t *testing.T) {
	now := time.Unix(1234567890, 0)
	step, ok := ValidateTOTP(rfcSecret, "005924", now)
	if !ok || !TOTPAccepts(0, step) {
		t.Fatal("first use refused")
	}
	last := step
	// Same code again 10 s later, still valid: refused as a replay.
	if step, ok := ValidateTOTP(rfcSecret, "005924", now.Add(10*time.Second)); !ok || TOTPAccepts(last, step) {
		t.Fatalf("replayed code: step %d, valid %v, accepted %v", step, ok, TOTPAccepts(last, step))
	}
	// The previous step's code is still inside the skew window: refused too.
	prev, _ := totp.GenerateCodeCustom(rfcSecret, now.Add(-30*time.Second), totpOpts)
	if step, ok := ValidateTOTP(rfcSecret, prev, now); !ok || TOTPAccepts(last, step) {
		t.Fatalf("older code: step %d, valid %v, accepted %v", step, ok, TOTPAccepts(last, step))
	}
	// The next step's code is accepted.
	next, _ := totp.GenerateCodeCustom(rfcSecret, now.Add(30*time.Second), totpOpts)
	if step, ok := ValidateTOTP(rfcSecret, next, now.Add(30*time.Second)); !ok || !TOTPAccepts(last, step) {
		t.Fatalf("next code: step %d, valid %v, accepted %v", step, ok, TOTPAccepts(last, step))
	}
}

func TestNewTOTPSecret(t *testing.T) {
	secret, uri, err := NewTOTPSecret("OneAccount Macao", "user@example.mo")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil || len(raw) != 20 {
		t.Fatalf("secret %q: %d bytes, %v; want 20", secret, len(raw), err)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("uri %q", uri)
	}
	q := u.Query()
	if q.Get("secret") != secret || q.Get("issuer") != "OneAccount Macao" || q.Get("digits") != "6" ||
		q.Get("period") != "30" || q.Get("algorithm") != "SHA1" || !strings.Contains(u.Path, "user@example.mo") {
		t.Fatalf("uri %q", uri)
	}
	now := time.Now()
	code, _ := totp.GenerateCodeCustom(secret, now, totpOpts)
	if _, ok := ValidateTOTP(secret, code, now); !ok {
		t.Fatal("own code refused")
	}
}
