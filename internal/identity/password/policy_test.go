package password

import (
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

func loadPolicy(t *testing.T) Policy {
	t.Helper()
	bl, err := LoadBlocklist()
	if err != nil {
		t.Fatal(err)
	}
	return NewPolicy(bl)
}

func TestBlocklistSize(t *testing.T) {
	bl, err := LoadBlocklist()
	if err != nil {
		t.Fatal(err)
	}
	if bl.Len() < 10000 {
		t.Fatalf("blocklist has %d entries; want at least 10,000", bl.Len())
	}
	for _, w := range []string{"password", "123456", "iloveyou", "qwerty123456"} {
		if !bl.Contains(w) {
			t.Errorf("blocklist lacks %q", w)
		}
	}
}

func TestPolicyCheck(t *testing.T) {
	p := loadPolicy(t)
	tests := []struct {
		name, pw, key string
	}{
		{"long random passphrase", "violet tram hums under harbour fog", ""},
		{"chinese sentence, 12 code points", "我的密碼是一個很長的句子", ""},
		{"emoji and spaces", "🐉 🐉 dragon boat 🐉 🐉", ""},
		{"exactly 12", "abcdefghijkm", ""},
		{"64 accepted", strings.Repeat("ab3", 21) + "z", ""},
		{"256 accepted", strings.Repeat("é", 256), ""},
		{"11 characters", "abcdefghijk", "password.too_short"},
		{"11 code points of CJK", "密碼是一個很長的句子啊", "password.too_short"},
		{"empty", "", "password.too_short"},
		{"300 characters", strings.Repeat("x", 300), "password.too_long"},
		{"257 after decomposition composes", strings.Repeat("e\u0301", 257), "password.too_long"},
		{"not UTF-8", "abcdefghijkl\xff", "password.invalid"},
		{"common, from the list", "qwerty123456", "password.common"},
		{"common, other case", "1QAZ2WSX3EDC", "password.common"},
		{"common, full width", "ｑａｚｗｓｘｅｄｃｒｆｖ", "password.common"},
		{"common", "123qweasdzxc", "password.common"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Check(tt.pw)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("Check = %v; want nil", err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid || e.Field != "password" || e.Key != tt.key {
				t.Fatalf("Check = %#v; want Invalid password %s", err, tt.key)
			}
		})
	}
}

func TestPolicyComposedLength(t *testing.T) {
	// 12 code points only after NFKC composes e + combining acute.
	p := NewPolicy(NewBlocklist(nil))
	if err := p.Check(strings.Repeat("e\u0301", 12)); err != nil {
		t.Fatalf("Check(12 composed) = %v", err)
	}
	if err := p.Check(strings.Repeat("e\u0301", 11)); err == nil {
		t.Fatal("Check(11 composed) accepted 22 raw code points")
	}
}

func TestPolicyWithoutBlocklistFailsClosed(t *testing.T) {
	if err := (Policy{MinLength: 12, MaxLength: 256}).Check("violet tram hums under harbour fog"); apperr.CodeOf(err) != apperr.Internal {
		t.Fatalf("Check with nil blocklist = %v; want Internal", err)
	}
}

func TestLocalWords(t *testing.T) {
	p := NewPolicy(NewBlocklist([]string{"MacauMacau2026"}))
	if err := p.Check("macaumacau2026"); err == nil {
		t.Fatal("local word accepted")
	}
}
