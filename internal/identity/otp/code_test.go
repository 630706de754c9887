package otp

import (
	"regexp"
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

func TestNewCode(t *testing.T) {
	six := regexp.MustCompile(`^\d{6}$`)
	seen := map[string]bool{}
	leadingZero := false
	for range 2000 {
		c, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if !six.MatchString(c) {
			t.Fatalf("NewCode = %q", c)
		}
		seen[c] = true
		leadingZero = leadingZero || c[0] == '0'
	}
	if len(seen) < 1990 {
		t.Errorf("%d distinct codes in 2000 draws", len(seen))
	}
	if !leadingZero {
		t.Error("no code with a leading zero in 2000 draws (p ≈ 1e-92)")
	}
}

func TestHashCode(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	h := HashCode(key, "signup", "+85366123456", "123456")
	if len(h) != 64 {
		t.Fatalf("HashCode = %q; want 64 hex digits", h)
	}
	if !CodeMatches(key, "signup", "+85366123456", "123456", h) {
		t.Fatal("CodeMatches(same) = false")
	}
	for _, other := range []string{
		HashCode(key, "reset", "+85366123456", "123456"),
		HashCode(key, "signup", "+85366123457", "123456"),
		HashCode(key, "signup", "+85366123456", "123457"),
		HashCode([]byte("another key"), "signup", "+85366123456", "123456"),
		HashCode(key, "signup+85366123456", "", "123456"),
	} {
		if other == h {
			t.Errorf("different inputs share hash %s", h)
		}
	}
}

func TestParseCode(t *testing.T) {
	good := map[string]string{
		"123456":       "123456",
		" 123 456 ":    "123456",
		"１２３４５６":       "123456",
		"０１２\u3000３４５": "012345",
		"000000":       "000000",
	}
	for in, want := range good {
		if got, err := ParseCode(in); got != want || err != nil {
			t.Errorf("ParseCode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12345", "1234567", "12345a", "123-456", "¹²³⁴⁵⁶", "١٢٣٤٥٦", "123456\x00", "+123456"} {
		_, err := ParseCode(in)
		if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || e.Field != "code" || e.Key != "code.invalid" {
			t.Errorf("ParseCode(%q) = %v; want Invalid code.invalid", in, err)
		}
	}
}

func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"123456", " 123 456 ", "１２３４５６", "12345", "abc"} {
		f.Add(s)
	}
	six := regexp.MustCompile(`^[0-9]{6}$`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err != nil {
			return
		}
		if !six.MatchString(c) {
			t.Fatalf("ParseCode(%q) = %q", s, c)
		}
		if again, err := ParseCode(c); again != c || err != nil {
			t.Fatalf("ParseCode(%q) = %q, %v; not idempotent", c, again, err)
		}
	})
}
