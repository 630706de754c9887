package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/oneaccount/oneaccount/internal/lang"
)

//go:embed locales/*.json
var localeFS embed.FS

// Catalogues holds the UI strings of every language.
type Catalogues struct {
	bundle  *i18n.Bundle
	locales map[lang.Tag]*Locale
}

// LoadCatalogues reads the embedded locales/*.json files.
func LoadCatalogues() (*Catalogues, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("locales: %w", err)
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(localeFS, f); err != nil {
			return nil, fmt.Errorf("locale %s: %w", path.Base(f), err)
		}
	}
	c := &Catalogues{bundle: b, locales: map[lang.Tag]*Locale{}}
	for _, t := range lang.All {
		c.locales[t] = &Locale{Tag: t, loc: i18n.NewLocalizer(b, string(t))}
	}
	return c, nil
}

// Locale returns the strings of one language.
func (c *Catalogues) Locale(t lang.Tag) *Locale { return c.locales[t] }

// Locale renders UI strings, dates and trilingual text in one language.
type Locale struct {
	Tag lang.Tag
	loc *i18n.Localizer
}

// T returns the message for key, filled with name/value pairs:
// T("x", "Name", "DSI").
func (l *Locale) T(key string, pairs ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		data[fmt.Sprint(pairs[i])] = pairs[i+1]
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data})
	if err != nil {
		return key
	}
	return s
}

// N returns the plural form of key for count, with {{.Count}} filled.
func (l *Locale) N(key string, count int) string {
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: key, PluralCount: count,
		TemplateData: map[string]any{"Count": count}})
	if err != nil {
		return key
	}
	return s
}

// Text picks the language's version of a trilingual text.
func (l *Locale) Text(t lang.Text) string { return t.In(l.Tag) }

// Weekday names a day of the week.
func (l *Locale) Weekday(d time.Weekday) string { return l.T(fmt.Sprintf("weekday.%d", int(d))) }

// Date formats a day with its weekday, such as "Monday 2 March 2026".
func (l *Locale) Date(t time.Time) string {
	return l.T("format.date", "Weekday", l.Weekday(t.Weekday()), "Day", t.Day(),
		"Month", l.T(fmt.Sprintf("month.%d", int(t.Month()))), "MonthNum", int(t.Month()), "Year", t.Year())
}

// DateTime formats a day and a time of day.
func (l *Locale) DateTime(t time.Time) string {
	return l.T("format.datetime", "Date", l.Date(t), "Time", t.Format("15:04"))
}

// Clock formats a time of day.
func (l *Locale) Clock(t time.Time) string { return t.Format("15:04") }

// Join joins strings with the language's list separator.
func (l *Locale) Join(items []string) string {
	return strings.Join(items, l.T("format.list_separator"))
}
