package web

import "strings"

// mask keeps the first character of each word and hides the rest, so a
// search list tells residents apart without showing their record; the
// record itself opens only with a stated purpose, which is audited.
func mask(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r := []rune(w)
		if j := strings.IndexRune(w, '@'); j > 0 {
			local := []rune(w[:j])
			words[i] = string(local[0]) + strings.Repeat("*", len(local)-1) + w[j:]
			continue
		}
		words[i] = string(r[0]) + strings.Repeat("*", len(r)-1)
	}
	return strings.Join(words, " ")
}
