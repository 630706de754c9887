package web

import "testing"

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"陳大文", "陳**"},
		{"Maria Lopes", "M**** L****"},
		{"maria.lopes@demo.oneaccount.mo", "m**********@demo.oneaccount.mo"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := mask(tt.in); got != tt.want {
			t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
