package web

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/lang"
)

func loadKeys(t *testing.T, tag lang.Tag) map[string]any {
	t.Helper()
	raw, err := localeFS.ReadFile("locales/" + string(tag) + ".json")
	if err != nil {
		t.Fatalf("catalogue %s: %v", tag, err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("catalogue %s: %v", tag, err)
	}
	return m
}

// TestCataloguesHaveTheSameKeys fails when a key is missing in any language.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	all := map[string]bool{}
	cats := map[lang.Tag]map[string]any{}
	for _, tag := range lang.All {
		cats[tag] = loadKeys(t, tag)
		for k := range cats[tag] {
			all[k] = true
		}
	}
	var keys []string
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, tag := range lang.All {
			v, ok := cats[tag][k]
			if !ok {
				t.Errorf("catalogue %s lacks %q", tag, k)
				continue
			}
			if s, isStr := v.(string); isStr && s == "" {
				t.Errorf("catalogue %s has an empty %q", tag, k)
			}
			if m, isMap := v.(map[string]any); isMap && m["other"] == nil {
				t.Errorf("catalogue %s: plural %q lacks the other form", tag, k)
			}
		}
	}
}

var keyUse = regexp.MustCompile(`(?:\.(?:T|N)|"Label"|"Hint") "([a-z0-9_.-]+)"`)

// TestTemplatesUseKnownKeys fails when a template asks for a key that no
// catalogue has.
func TestTemplatesUseKnownKeys(t *testing.T) {
	en := loadKeys(t, lang.En)
	n := 0
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range keyUse.FindAllStringSubmatch(string(raw), -1) {
			n++
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s uses unknown key %q", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("found only %d key uses: the pattern is broken", n)
	}
}

// keyInGo finds message keys that domain errors carry: Key: "x.y" and the
// credential parsers' invalid("field", "x.y", ...).
var keyInGo = regexp.MustCompile(`(?:Key:\s*|invalid[A-Za-z]*\("[a-z_]+", )"([a-z_]+\.[a-z_.]+)"`)

// TestErrorKeysAreTranslated fails when an error's message key, in any Go
// file of the module, is missing from the catalogues.
func TestErrorKeysAreTranslated(t *testing.T) {
	en := loadKeys(t, lang.En)
	n := 0
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range keyInGo.FindAllStringSubmatch(string(raw), -1) {
			n++
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s: error key %q is not in the catalogues", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("found only %d error keys: the pattern is broken", n)
	}
}
