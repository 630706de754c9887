package contact

import (
	"strings"
	"testing"
)

func TestParseEmail(t *testing.T) {
	good := []struct{ in, want, key string }{
		{"ana@example.mo", "ana@example.mo", "ana@example.mo"},
		{"  Ana.Lei@Example.MO ", "Ana.Lei@example.mo", "ana.lei@example.mo"},
		{"a+tag@sub.dsi.gov.mo", "a+tag@sub.dsi.gov.mo", "a+tag@sub.dsi.gov.mo"},
		{"陳大文@例子.澳門", "陳大文@例子.澳門", "陳大文@例子.澳門"},
	}
	for _, tt := range good {
		e, err := ParseEmail(tt.in)
		if err != nil || string(e) != tt.want || e.Key() != tt.key {
			t.Errorf("ParseEmail(%q) = %q (key %q), %v; want %q (key %q)", tt.in, e, e.Key(), err, tt.want, tt.key)
		}
	}
	if e, _ := ParseEmail("Ana@Example.MO"); e.Domain() != "example.mo" || e.String() != "Ana@example.mo" {
		t.Errorf("Domain = %q, String = %q", e.Domain(), e.String())
	}
	bad := []string{
		"", "ana", "ana@", "@example.mo", "ana@localhost", "Ana <ana@example.mo>", "<ana@example.mo>",
		`"ana lei"@example.mo`, "ana@example.mo (Ana)", "ana@[192.0.2.1]", "ana@192.0.2.1", "ana@-x.mo",
		"ana@x-.mo", "ana@example..mo", "ana@exa_mple.mo", "ana@example.mo.", "a b@example.mo",
		"ana@example.mo, bo@example.mo", strings.Repeat("a", 65) + "@example.mo",
		"a@" + strings.Repeat("b", 64) + ".mo", "a@" + strings.Repeat("bbbbbbbbb.", 26) + "mo",
	}
	for _, in := range bad {
		e, err := ParseEmail(in)
		if err == nil {
			t.Errorf("ParseEmail(%q) = %q", in, e)
			continue
		}
		wantKey(t, err, "email", "email.invalid")
	}
}

func FuzzParseEmail(f *testing.F) {
	for _, s := range []string{"ana@example.mo", " Ana.Lei@Example.MO", `"x"@y.z`, "a@b", "陳@例子.澳門", "a@İ.mo"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEmail(s)
		if err != nil {
			return
		}
		if again, err := ParseEmail(string(e)); again != e || err != nil {
			t.Fatalf("ParseEmail(%q) = %q; re-parse gives %q, %v", s, e, again, err)
		}
		if len(e) > 254 || e.Domain() != strings.ToLower(e.Domain()) {
			t.Fatalf("ParseEmail(%q) = %q", s, e)
		}
	})
}
