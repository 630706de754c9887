package contact

import (
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

func wantKey(t *testing.T, err error, field, key string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid || e.Field != field || e.Key != key {
		t.Errorf("error %v; want Invalid %s %s", err, field, key)
	}
}

func TestParsePhone(t *testing.T) {
	tests := []struct{ in, e164, display string }{
		{"+853 6612 3456", "+85366123456", "+853 6612 3456"},
		{"66123456", "+85366123456", "+853 6612 3456"},
		{"+85366123456", "+85366123456", "+853 6612 3456"},
		{"(+853) 6612-3456", "+85366123456", "+853 6612 3456"},
		{"00853 6612 3456", "+85366123456", "+853 6612 3456"},
		{"６６１２ ３４５６", "+85366123456", "+853 6612 3456"},
		{"2833 7676", "+85328337676", "+853 2833 7676"},
		{"8599 0306", "+85385990306", "+853 8599 0306"},
		{"+852 9123 4567", "+85291234567", "+852 9123 4567"},
		{"+86 138 0013 8000", "+8613800138000", "+86 138 0013 8000"},
		{"+351 912 345 678", "+351912345678", "+351 912 345 678"},
		{"+44 7700 900123", "+447700900123", "+44 7700 900123"},
		{"+1 (650) 253-0000", "+16502530000", "+1 650-253-0000"},
		{"+44 (0)20 7946 0000", "+442079460000", "+44 20 7946 0000"},
	}
	for _, tt := range tests {
		p, err := ParsePhone(tt.in)
		if err != nil || string(p) != tt.e164 || p.Display() != tt.display {
			t.Errorf("ParsePhone(%q) = %q (%q), %v; want %q (%q)", tt.in, p, p.Display(), err, tt.e164, tt.display)
		}
	}
	for _, in := range []string{"", "+", "6612345", "661234567", "12345678", "2812 3456", "0800 123",
		"91234567", "+853 1234 5678", "+852 123", "+999 1234 5678", "tel:+85366123456", "+853 6612 3456 ext 1",
		"6612+3456", "+0085366123456", "+12345678901234567"} {
		_, err := ParsePhone(in)
		wantKey(t, err, "phone", "phone.invalid")
	}
}

func TestParseMobile(t *testing.T) {
	for _, in := range []string{"66123456", "+852 9123 4567", "+86 138 0013 8000", "+44 7700 900123", "+1 650 253 0000"} {
		if _, err := ParseMobile(in); err != nil {
			t.Errorf("ParseMobile(%q) = %v", in, err)
		}
	}
	for _, in := range []string{"2833 7676", "8599 0306", "+852 2123 4567", "+44 20 7946 0000"} {
		_, err := ParseMobile(in)
		wantKey(t, err, "phone", "phone.not_mobile")
	}
	for _, in := range []string{"nonsense", "+853 1234 5678"} {
		_, err := ParseMobile(in)
		wantKey(t, err, "phone", "phone.invalid")
	}
}

func TestPhoneKinds(t *testing.T) {
	mob, _ := ParsePhone("66123456")
	fixed, _ := ParsePhone("28337676")
	hk, _ := ParsePhone("+852 9123 4567")
	if !mob.IsMacao() || !mob.IsMacaoMobile() || !fixed.IsMacao() || fixed.IsMacaoMobile() || hk.IsMacao() || hk.IsMacaoMobile() {
		t.Errorf("kinds: mobile %v/%v fixed %v/%v hk %v/%v", mob.IsMacao(), mob.IsMacaoMobile(),
			fixed.IsMacao(), fixed.IsMacaoMobile(), hk.IsMacao(), hk.IsMacaoMobile())
	}
	if mob.String() != "+85366123456" {
		t.Errorf("String = %q", mob.String())
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"+853 6612 3456", "66123456", "(+853) 6612-3456", "+852 9123 4567",
		"+86 138 0013 8000", "+351 912 345 678", "+44 7700 900123", "+39 06 1234 5678", "00 1 650 253 0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhone(s)
		if err != nil {
			return
		}
		if again, err := ParsePhone(string(p)); again != p || err != nil {
			t.Fatalf("ParsePhone(%q) = %q; re-parse gives %q, %v", s, p, again, err)
		}
		if again, err := ParsePhone(p.Display()); again != p || err != nil {
			t.Fatalf("ParsePhone(%q) = %q; its display %q gives %q, %v", s, p, p.Display(), again, err)
		}
		_, _ = ParseMobile(s)
	})
}
