package sms

import (
	"strings"
	"unicode/utf16"
)

// gsmBasic is the GSM 03.38 default alphabet: one septet each.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension holds the characters of the GSM 03.38 extension table, sent
// as an escape plus a septet: two septets each.
const gsmExtension = "^{}\\[~]|€\f"

// Segments returns how many SMS segments text needs, the way a handset or
// provider would count them, approximately:
//
//   - text wholly in the GSM 7-bit alphabet: 160 septets fit one segment,
//     153 per segment when concatenated; extension characters (€ [ ] { } ~
//     ^ \ | and form feed) count two septets;
//   - any other text goes as UCS-2: 70 UTF-16 code units in one segment,
//     67 per segment when concatenated; a character outside the Basic
//     Multilingual Plane (most emoji) counts two.
//
// The approximation: it ignores that a provider never splits an escape pair
// or a surrogate pair across segments (which can add a segment at a
// boundary), and national shift tables (so Portuguese "ç" or "ã" makes the
// whole text UCS-2, as it does on most networks). Empty text is 0 segments.
func Segments(text string) int {
	if text == "" {
		return 0
	}
	if septets, ok := gsmSeptets(text); ok {
		return split(septets, 160, 153)
	}
	return split(len(utf16.Encode([]rune(text))), 70, 67)
}

// gsmSeptets counts text's septets; ok is false when a character is not in
// the GSM 7-bit alphabet.
func gsmSeptets(text string) (n int, ok bool) {
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			n++
		case strings.ContainsRune(gsmExtension, r):
			n += 2
		default:
			return 0, false
		}
	}
	return n, true
}

// split is how many segments units need, given the size of a lone segment
// and of each part of a concatenated message.
func split(units, single, part int) int {
	if units <= single {
		return 1
	}
	return (units + part - 1) / part
}
