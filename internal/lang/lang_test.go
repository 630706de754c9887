package lang

import "testing"

func TestFromAcceptLanguage(t *testing.T) {
	tests := []struct {
		header string
		want   Tag
	}{
		{"", En},
		{"zh-MO", ZhHant},
		{"zh-HK,en;q=0.5", ZhHant},
		{"zh-TW", ZhHant},
		{"zh-Hant", ZhHant},
		{"zh-CN", En},
		{"zh-CN,pt;q=0.8", Pt},
		{"pt-PT", Pt},
		{"pt-BR,en;q=0.9", Pt},
		{"en-GB", En},
		{"fr-FR", En},
		{"fr-FR,pt;q=0.5", Pt},
		{"de;q=0.9,zh-MO;q=0.8", ZhHant},
		{"garbage;;;q=x", En},
	}
	for _, tt := range tests {
		if got := FromAcceptLanguage(tt.header); got != tt.want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func FuzzFromAcceptLanguage(f *testing.F) {
	f.Add("zh-MO,pt;q=0.5")
	f.Add("*")
	f.Fuzz(func(t *testing.T, h string) {
		got := FromAcceptLanguage(h)
		if _, ok := Parse(string(got)); !ok {
			t.Fatalf("FromAcceptLanguage(%q) = %q, not a supported language", h, got)
		}
	})
}

func TestTextIn(t *testing.T) {
	x := Text{ZhHant: "身份證明局", Pt: "", En: "Identification Services Bureau"}
	if got := x.In(ZhHant); got != "身份證明局" {
		t.Errorf("In(zh-Hant) = %q", got)
	}
	if got := x.In(Pt); got != "Identification Services Bureau" {
		t.Errorf("In(pt) fallback = %q, want English", got)
	}
	if x.Complete() {
		t.Error("Complete() = true with an empty pt")
	}
	if !x.Contains("identification") || x.Contains("finance") {
		t.Error("Contains gives wrong answers")
	}
}

func TestParse(t *testing.T) {
	if tag, ok := Parse("ZH-HANT"); !ok || tag != ZhHant {
		t.Errorf("Parse(ZH-HANT) = %q, %v", tag, ok)
	}
	if _, ok := Parse("fr"); ok {
		t.Error("Parse(fr) accepted")
	}
}
