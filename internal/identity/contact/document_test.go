package contact

import (
	"testing"
	"time"
)

func TestParseDocument(t *testing.T) {
	good := []struct {
		kind            DocType
		number, country string
		want            Document
		display         string
	}{
		{DocBIR, "1234567(8)", "", Document{DocBIR, "12345678", "MAC"}, "1234567(8)"},
		{DocBIR, "12345678", "mac", Document{DocBIR, "12345678", "MAC"}, "1234567(8)"},
		{DocBIR, "5/123456/7", "", Document{DocBIR, "51234567", "MAC"}, "5123456(7)"},
		{DocBIR, " 7 123456 (0) ", "", Document{DocBIR, "71234560", "MAC"}, "7123456(0)"},
		{DocBIR, "１２３４５６７（８）", "", Document{DocBIR, "12345678", "MAC"}, "1234567(8)"},
		{DocBlueCard, "12345678", "", Document{DocBlueCard, "12345678", "MAC"}, "12345678"},
		{DocPassport, "p1234567", "prt", Document{DocPassport, "P1234567", "PRT"}, "P1234567"},
		{DocPassport, "K 1234 5678", "CHN", Document{DocPassport, "K12345678", "CHN"}, "K12345678"},
		{DocHKID, "A123456(3)", "", Document{DocHKID, "A1234563", "HKG"}, "A123456(3)"},
		{DocHKID, "g123456a", "HKG", Document{DocHKID, "G123456A", "HKG"}, "G123456(A)"},
		{DocHKID, "AB9876543", "", Document{DocHKID, "AB9876543", "HKG"}, "AB987654(3)"},
		{DocPRCID, "11010519491231002x", "", Document{DocPRCID, "11010519491231002X", "CHN"}, "11010519491231002X"},
		{DocPRCID, "440524198001010013", "", Document{DocPRCID, "440524198001010013", "CHN"}, "440524198001010013"},
	}
	for _, tt := range good {
		d, err := ParseDocument(tt.kind, tt.number, tt.country)
		if err != nil || d != tt.want || d.Display() != tt.display {
			t.Errorf("ParseDocument(%s, %q, %q) = %+v (%q), %v; want %+v (%q)",
				tt.kind, tt.number, tt.country, d, d.Display(), err, tt.want, tt.display)
		}
	}
	bad := []struct {
		kind            DocType
		number, country string
		field, key      string
	}{
		{DocBIR, "2345678(9)", "", "document", "document.invalid"},
		{DocBIR, "1234567", "", "document", "document.invalid"},
		{DocBIR, "1/234567/89", "", "document", "document.invalid"},
		{DocBIR, "12345678", "PRT", "country", "document.invalid"},
		{DocBlueCard, "1234567A", "", "document", "document.invalid"},
		{DocPassport, "P1234567", "", "country", "document.invalid"},
		{DocPassport, "P1234567", "PT", "country", "document.invalid"},
		{DocPassport, "P12", "PRT", "document", "document.invalid"},
		{DocPassport, "<<<<<<<", "PRT", "document", "document.invalid"},
		{DocPassport, "P-1234567", "PRT", "document", "document.invalid"},
		{DocHKID, "A123456(4)", "", "document", "document.checksum"},
		{DocHKID, "A12345(3)", "", "document", "document.invalid"},
		{DocPRCID, "110105194912310021", "", "document", "document.checksum"},
		{DocPRCID, "11010519491331002X", "", "document", "document.invalid"},
		{DocPRCID, "1101051949123100", "", "document", "document.invalid"},
		{DocPRCID, "440524188001010014", "", "document", "document.invalid"}, // born 1880
		{"driving-licence", "12345678", "", "document", "document.invalid"},
	}
	for _, tt := range bad {
		_, err := ParseDocument(tt.kind, tt.number, tt.country)
		wantKey(t, err, tt.field, tt.key)
	}
}

func TestParseDateOfBirth(t *testing.T) {
	today := time.Date(2026, 11, 27, 23, 30, 0, 0, time.FixedZone("MO", 8*3600))
	for in, want := range map[string]time.Time{
		"1990-05-17":  time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC),
		" 2026-11-27": time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC),
		"1900-01-01":  time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
		"2024-02-29":  time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
	} {
		if got, err := ParseDateOfBirth(in, today); !got.Equal(want) || err != nil {
			t.Errorf("ParseDateOfBirth(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026-11-28", "1899-12-31", "2023-02-29", "1990-5-17", "17/05/1990", "1990-05-17T00:00:00Z"} {
		_, err := ParseDateOfBirth(in, today)
		wantKey(t, err, "date_of_birth", "date_of_birth.invalid")
	}
}

func FuzzParseDocument(f *testing.F) {
	for _, s := range []struct{ kind, number, country string }{
		{"bir", "1234567(8)", ""}, {"bir", "5/123456/7", "MAC"}, {"blue-card", "12345678", ""},
		{"passport", "p1234567", "prt"}, {"hk-id", "A123456(3)", ""}, {"hk-id", "AB9876543", ""},
		{"prc-id", "11010519491231002X", ""}, {"other", "x", "y"},
	} {
		f.Add(s.kind, s.number, s.country)
	}
	f.Fuzz(func(t *testing.T, kind, number, country string) {
		d, err := ParseDocument(DocType(kind), number, country)
		if err != nil {
			return
		}
		for _, n := range []string{d.Number, d.Display()} {
			if again, err := ParseDocument(d.Type, n, d.Country); again != d || err != nil {
				t.Fatalf("ParseDocument(%q, %q, %q) = %+v; re-parse of %q gives %+v, %v",
					kind, number, country, d, n, again, err)
			}
		}
	})
}
