package otp

import (
	"regexp"
	"strings"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	codes, err := NewRecoveryCodes(RecoveryCodeCount)
	if err != nil {
		t.Fatal(err)
	}
	shape := regexp.MustCompile(`^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !shape.MatchString(c) || strings.ContainsAny(c, "01oli") {
			t.Errorf("code %q has the wrong shape", c)
		}
		seen[c] = true
	}
	if len(seen) != RecoveryCodeCount {
		t.Errorf("%d distinct codes of %d", len(seen), RecoveryCodeCount)
	}
	for _, n := range []int{0, -1, 101} {
		if _, err := NewRecoveryCodes(n); err == nil {
			t.Errorf("NewRecoveryCodes(%d) succeeded", n)
		}
	}
}

func TestRecoveryAlphabetUsed(t *testing.T) {
	// Every symbol shows up over many codes (rejection sampling is not
	// stuck on a subset).
	used := map[rune]bool{}
	codes, _ := NewRecoveryCodes(100)
	for _, c := range codes {
		for _, r := range strings.ReplaceAll(c, "-", "") {
			used[r] = true
		}
	}
	if len(used) != len(recoveryAlphabet) {
		t.Errorf("%d symbols used; want %d", len(used), len(recoveryAlphabet))
	}
}

func TestHashRecoveryCode(t *testing.T) {
	h := HashRecoveryCode("k7m2-9xq4-p3ta")
	for _, typed := range []string{"K7M2-9XQ4-P3TA", "k7m2 9xq4 p3ta", "k7m29xq4p3ta", " ｋ７ｍ２－９ｘｑ４－ｐ３ｔａ "} {
		if got := HashRecoveryCode(typed); got != h {
			t.Errorf("HashRecoveryCode(%q) differs", typed)
		}
	}
	if HashRecoveryCode("k7m2-9xq4-p3tb") == h {
		t.Error("different codes share a hash")
	}
	if len(h) != 64 {
		t.Errorf("hash %q", h)
	}
}

func FuzzNormaliseRecoveryCode(f *testing.F) {
	for _, s := range []string{"k7m2-9xq4-p3ta", "K7M2 9XQ4 P3TA", "ｋ７ｍ２－９", "e-\u0301", "İ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormaliseRecoveryCode(s)
		if strings.ContainsAny(n, "- \t\r\n") {
			t.Fatalf("NormaliseRecoveryCode(%q) = %q keeps separators", s, n)
		}
		if again := NormaliseRecoveryCode(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
	})
}
