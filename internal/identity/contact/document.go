package contact

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// DocType is a kind of identity document.
type DocType string

// The identity documents a resident can register with.
const (
	// DocBIR is the Macao resident identity card (BIR).
	DocBIR DocType = "bir"
	// DocPassport is a passport of any country.
	DocPassport DocType = "passport"
	// DocHKID is the Hong Kong identity card.
	DocHKID DocType = "hk-id"
	// DocPRCID is the mainland China resident identity card.
	DocPRCID DocType = "prc-id"
	// DocBlueCard is the Macao non-resident worker's identification card.
	DocBlueCard DocType = "blue-card"
)

// Document is a normalised identity document number.
type Document struct {
	// Type is the kind of document.
	Type DocType
	// Number is the normalised number: upper case, without spaces,
	// separators or check-digit brackets ("12345678", "A1234563").
	Number string
	// Country is the ISO 3166-1 alpha-3 code of the issuer: given for
	// passports, implied for the others (MAC, HKG, CHN).
	Country string
}

// issuers are the implied issuing countries.
var issuers = map[DocType]string{DocBIR: "MAC", DocBlueCard: "MAC", DocHKID: "HKG", DocPRCID: "CHN"}

// Shapes after normalisation (upper case, spaces removed).
var (
	birRE      = regexp.MustCompile(`^[157]\d{6}\(?\d\)?$`)
	birOldRE   = regexp.MustCompile(`^[157]/\d{6}/\d$`)
	blueCardRE = regexp.MustCompile(`^\d{8}$`)
	passportRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9<]{4,19}$`)
	hkidRE     = regexp.MustCompile(`^([A-Z]{1,2}\d{6})\(?([0-9A])\)?$`)
	prcRE      = regexp.MustCompile(`^\d{17}[\dX]$`)
	countryRE  = regexp.MustCompile(`^[A-Z]{3}$`)
)

// maxDocInput bounds the text ParseDocument looks at.
const maxDocInput = 64

// ParseDocument validates and normalises a document number. It ignores case,
// spaces and full-width characters, and checks:
//   - bir: 1/5/7 then 7 digits, "1234567(8)", "12345678" or the pre-2002
//     "1/234567/8" (shape only: the check digit algorithm is not public);
//   - blue-card: 8 digits;
//   - passport: 5–20 of A–Z, 0–9 and "<" (not first), with country an ISO 3166-1
//     alpha-3 code (required);
//   - hk-id: 1–2 letters, 6 digits and a check digit (verified);
//   - prc-id: 17 digits and an ISO 7064 MOD 11-2 check character (verified),
//     with a real birth date in digits 7–14.
//
// For the other types country may be empty or must match the issuer. Errors
// have key "document.invalid" or "document.checksum".
func ParseDocument(kind DocType, number, country string) (Document, error) {
	if len(number) > maxDocInput || len(country) > maxDocInput {
		return Document{}, invalidDoc("too long")
	}
	n := strings.Join(strings.Fields(strings.ToUpper(norm.NFKC.String(number))), "")
	c, err := docCountry(kind, strings.ToUpper(strings.TrimSpace(norm.NFKC.String(country))))
	if err != nil {
		return Document{}, err
	}
	switch kind {
	case DocBIR:
		n, err = parseBIR(n)
	case DocBlueCard:
		err = match(blueCardRE, n)
	case DocPassport:
		err = match(passportRE, n)
	case DocHKID:
		n, err = parseHKID(n)
	case DocPRCID:
		err = checkPRCID(n)
	}
	if err != nil {
		return Document{}, err
	}
	return Document{Type: kind, Number: n, Country: c}, nil
}

// Display returns the number as printed on the card: "1234567(8)" for BIR,
// "A123456(3)" for HK ID, the number itself otherwise.
func (d Document) Display() string {
	switch d.Type {
	case DocBIR, DocHKID:
		if len(d.Number) > 1 {
			return d.Number[:len(d.Number)-1] + "(" + d.Number[len(d.Number)-1:] + ")"
		}
	}
	return d.Number
}

// docCountry returns the issuing country for kind, checking a given one.
func docCountry(kind DocType, c string) (string, error) {
	if kind == DocPassport {
		if !countryRE.MatchString(c) {
			return "", invalid("country", "document.invalid", "passport needs an ISO 3166-1 alpha-3 country")
		}
		return c, nil
	}
	issuer, ok := issuers[kind]
	if !ok {
		return "", invalidDoc(fmt.Sprintf("unknown document type %q", kind))
	}
	if c != "" && c != issuer {
		return "", invalid("country", "document.invalid", fmt.Sprintf("%s documents are issued by %s", kind, issuer))
	}
	return issuer, nil
}

// parseBIR returns the 8 digits of a BIR number.
func parseBIR(n string) (string, error) {
	if !birRE.MatchString(n) && !birOldRE.MatchString(n) {
		return "", invalidDoc("BIR number is 1, 5 or 7 and 7 more digits")
	}
	return strings.NewReplacer("(", "", ")", "", "/", "").Replace(n), nil
}

// parseHKID returns an HK ID without brackets after checking its check digit:
// letters count A=10…Z=35, a missing first letter counts 36, weights 9…2, and
// the check digit makes the weighted sum divisible by 11 (10 is written A).
func parseHKID(n string) (string, error) {
	m := hkidRE.FindStringSubmatch(n)
	if m == nil {
		return "", invalidDoc("HK ID is 1–2 letters, 6 digits and a check digit")
	}
	body := m[1]
	if len(body) == 7 {
		body = " " + body
	}
	sum := 0
	for i, r := range body {
		v := 36
		switch {
		case r >= 'A' && r <= 'Z':
			v = int(r-'A') + 10
		case r >= '0' && r <= '9':
			v = int(r - '0')
		}
		sum += v * (9 - i)
	}
	want := "0123456789A"[(11-sum%11)%11]
	if m[2][0] != want {
		return "", invalid("document", "document.checksum", "HK ID check digit does not match")
	}
	return m[1] + m[2], nil
}

// checkPRCID checks a mainland resident ID: shape, birth date and the
// ISO 7064 MOD 11-2 check character.
func checkPRCID(n string) error {
	if !prcRE.MatchString(n) {
		return invalidDoc("PRC ID is 17 digits and a check digit or X")
	}
	if b, err := time.Parse("20060102", n[6:14]); err != nil || b.Year() < 1900 {
		return invalidDoc("PRC ID has no valid birth date")
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(n[i]-'0') * w
	}
	if "10X98765432"[sum%11] != n[17] {
		return invalid("document", "document.checksum", "PRC ID check digit does not match")
	}
	return nil
}

// match checks n against re.
func match(re *regexp.Regexp, n string) error {
	if !re.MatchString(n) {
		return invalidDoc("number has the wrong shape")
	}
	return nil
}

// invalidDoc is a ParseDocument refusal of the number.
func invalidDoc(detail string) error { return invalid("document", "document.invalid", detail) }

// ParseDateOfBirth parses "YYYY-MM-DD" and returns midnight UTC of that day.
// The date may not be after today's date (in today's location) nor before
// 1900-01-01. Errors have field "date_of_birth" and key
// "date_of_birth.invalid".
func ParseDateOfBirth(s string, today time.Time) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, invalid("date_of_birth", "date_of_birth.invalid", "want YYYY-MM-DD")
	}
	y, m, day := today.Date()
	if d.After(time.Date(y, m, day, 0, 0, 0, 0, time.UTC)) || d.Year() < 1900 {
		return time.Time{}, invalid("date_of_birth", "date_of_birth.invalid", "not between 1900-01-01 and today")
	}
	return d, nil
}
