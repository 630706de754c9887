package sms

import (
	"strings"
	"testing"
)

func TestSegments(t *testing.T) {
	r := strings.Repeat
	tests := []struct {
		name string
		text string
		want int
	}{
		{"empty", "", 0},
		{"short ASCII", "Your code is 482913", 1},
		{"160 GSM", r("a", 160), 1},
		{"161 GSM", r("a", 161), 2},
		{"306 GSM", r("a", 306), 2},
		{"307 GSM", r("a", 307), 3},
		{"GSM accents", r("é", 160), 1},
		{"80 euro signs are 160 septets", r("€", 80), 1},
		{"81 euro signs are 162 septets", r("€", 81), 2},
		{"brackets count two", r("[", 80) + "a", 2},
		{"70 Chinese", r("碼", 70), 1},
		{"71 Chinese", r("碼", 71), 2},
		{"134 Chinese", r("碼", 134), 2},
		{"135 Chinese", r("碼", 135), 3},
		{"one Chinese makes all UCS-2", r("a", 70) + "碼", 2},
		{"Portuguese ç is not GSM", "Código: 482913", 1},
		{"Portuguese 71 chars", "ç" + r("a", 70), 2},
		{"35 emoji are 70 units", r("😀", 35), 1},
		{"36 emoji are 72 units", r("😀", 36), 2},
		{"670 Chinese is the limit", r("碼", 670), 10},
		{"671 Chinese is over", r("碼", 671), 11},
		{"1530 GSM is the limit", r("a", 1530), 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Segments(tt.text); got != tt.want {
				t.Errorf("Segments(%d runes) = %d, want %d", len([]rune(tt.text)), got, tt.want)
			}
		})
	}
}
