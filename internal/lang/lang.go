// Package lang holds the platform's three languages, trilingual text and the
// choice of a language from a user's preference or Accept-Language header.
package lang

import (
	"strings"

	"golang.org/x/text/language"
)

// Tag is one of the languages the platform speaks. Its value is the BCP 47
// tag written in HTML lang attributes.
type Tag string

// The supported languages, in the order they are offered.
const (
	ZhHant Tag = "zh-Hant"
	Pt     Tag = "pt"
	En     Tag = "en"
)

// All lists the supported languages in the order the switch shows them.
var All = []Tag{ZhHant, Pt, En}

// Default is the fallback when nothing else matches.
const Default = En

// Parse returns the Tag for s, accepting case differences; ok is false when s
// is not a supported language.
func Parse(s string) (Tag, bool) {
	for _, t := range All {
		if strings.EqualFold(s, string(t)) {
			return t, true
		}
	}
	return "", false
}

// Autonym is the language's name in itself, as the language switch shows it.
func (t Tag) Autonym() string {
	switch t {
	case ZhHant:
		return "中文"
	case Pt:
		return "Português"
	default:
		return "English"
	}
}

var matcher = language.NewMatcher([]language.Tag{
	language.English, // first: the fallback
	language.MustParse("zh-Hant"),
	language.Portuguese,
})

// FromAcceptLanguage picks a language from an Accept-Language header.
// zh-MO, zh-HK and zh-TW (and any zh-Hant) give zh-Hant; every pt variant gives
// pt; everything else, including Simplified Chinese, gives English.
func FromAcceptLanguage(header string) Tag {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Default
	}
	for _, t := range tags {
		if t2 := fromTag(t); t2 != "" {
			return t2
		}
	}
	return Default
}

// fromTag maps one parsed tag to a supported language, or "" when the tag is
// in none of them.
func fromTag(t language.Tag) Tag {
	base, _ := t.Base()
	switch base.String() {
	case "pt":
		return Pt
	case "en":
		return En
	case "zh":
		script, _ := t.Script()
		if script.String() == "Hant" {
			return ZhHant
		}
		return ""
	}
	_, idx, conf := matcher.Match(t)
	if conf == language.No {
		return ""
	}
	return []Tag{En, ZhHant, Pt}[idx]
}

// Text is a string in each of the three languages. Every name and address on
// the platform is a Text.
type Text struct {
	ZhHant string `json:"zh-Hant" yaml:"zh-Hant"`
	Pt     string `json:"pt" yaml:"pt"`
	En     string `json:"en" yaml:"en"`
}

// In returns the text in t, falling back to English, then Chinese, then
// Portuguese when that language is empty.
func (x Text) In(t Tag) string {
	var s string
	switch t {
	case ZhHant:
		s = x.ZhHant
	case Pt:
		s = x.Pt
	default:
		s = x.En
	}
	for _, f := range []string{s, x.En, x.ZhHant, x.Pt} {
		if f != "" {
			return f
		}
	}
	return ""
}

// Complete reports whether the text is present in all three languages.
func (x Text) Complete() bool {
	return strings.TrimSpace(x.ZhHant) != "" && strings.TrimSpace(x.Pt) != "" && strings.TrimSpace(x.En) != ""
}

// Contains reports whether any language version contains q, ignoring case.
func (x Text) Contains(q string) bool {
	q = strings.ToLower(q)
	for _, s := range []string{x.ZhHant, x.Pt, x.En} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}
