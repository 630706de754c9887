package contact

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// Phone is a phone number in E.164 form, "+85366123456". Only ParsePhone and
// ParseMobile make valid values.
type Phone string

// macaoCode is Macao's country calling code.
const macaoCode = "853"

// maxPhoneInput bounds the text ParsePhone looks at.
const maxPhoneInput = 64

// ParsePhone parses a phone number as people write it: "+853 6612 3456",
// "(+853) 6612-3456", "0085366123456", or a bare 8-digit Macao number
// "66123456". Numbers elsewhere need their country code ("+852 9123 4567").
// Macao numbers must be a mobile (6xxxxxxx) or fixed line (28[2-9]xxxxx,
// 8xxxxxxx); other countries' numbers must have a possible length for their
// country (libphonenumber metadata). Ownership is proven by a code sent to
// the number, not here. Errors have key "phone.invalid".
func ParsePhone(s string) (Phone, error) {
	digits, intl, err := phoneDigits(s)
	if err != nil {
		return "", err
	}
	switch {
	case !intl && len(digits) == 8:
		return macaoPhone(digits)
	case !intl:
		return "", invalid("phone", "phone.invalid", "a number outside Macao needs its +country code")
	case strings.HasPrefix(digits, macaoCode):
		return macaoPhone(digits[len(macaoCode):])
	}
	return foreignPhone(digits)
}

// ParseMobile is ParsePhone restricted to numbers that can receive SMS:
// Macao fixed lines, and numbers elsewhere that libphonenumber knows to be
// fixed, toll-free or premium lines, fail with key "phone.not_mobile".
// Numbers in ranges it cannot classify are accepted.
func ParseMobile(s string) (Phone, error) {
	p, err := ParsePhone(s)
	if err != nil {
		return "", err
	}
	if !p.mobile() {
		return "", invalid("phone", "phone.not_mobile", "not a mobile number")
	}
	return p, nil
}

// String returns the E.164 form.
func (p Phone) String() string { return string(p) }

// IsMacao reports whether p is a Macao number.
func (p Phone) IsMacao() bool { return strings.HasPrefix(string(p), "+"+macaoCode) }

// IsMacaoMobile reports whether p is a Macao mobile number (+853 6xxx xxxx).
func (p Phone) IsMacaoMobile() bool { return p.IsMacao() && isMacaoMobile(p.national()) }

// Display returns p for people: "+853 6612 3456", or the international
// format of its country ("+852 9123 4567", "+44 7700 900123").
func (p Phone) Display() string {
	if p.IsMacao() {
		n := p.national()
		if len(n) == 8 {
			return fmt.Sprintf("+%s %s %s", macaoCode, n[:4], n[4:])
		}
		return string(p)
	}
	num, err := phonenumbers.Parse(string(p), "")
	if err != nil {
		return string(p)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// national returns the digits after +853.
func (p Phone) national() string { return strings.TrimPrefix(string(p), "+"+macaoCode) }

// mobile reports whether p may receive SMS.
func (p Phone) mobile() bool {
	if p.IsMacao() {
		return p.IsMacaoMobile()
	}
	num, err := phonenumbers.Parse(string(p), "")
	if err != nil {
		return false
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.FIXED_LINE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.UAN, phonenumbers.VOICEMAIL, phonenumbers.PAGER:
		return false
	}
	return true
}

// phoneDigits strips separators from s. intl reports a leading "+" or "00"
// (which are removed from digits).
func phoneDigits(s string) (digits string, intl bool, err error) {
	if len(s) > maxPhoneInput {
		return "", false, invalid("phone", "phone.invalid", "too long")
	}
	var b strings.Builder
	for _, r := range norm.NFKC.String(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && !intl:
			intl = true
		case strings.ContainsRune(" \t-.()/", r):
		default:
			return "", false, invalid("phone", "phone.invalid", fmt.Sprintf("unexpected character %q", r))
		}
	}
	digits = b.String()
	if !intl && strings.HasPrefix(digits, "00") {
		digits, intl = digits[2:], true
	}
	if digits == "" || (intl && digits[0] == '0') {
		return "", false, invalid("phone", "phone.invalid", "no number")
	}
	return digits, intl, nil
}

// macaoPhone validates the 8 national digits of a Macao number.
func macaoPhone(n string) (Phone, error) {
	if !isMacaoMobile(n) && !isMacaoFixed(n) {
		return "", invalid("phone", "phone.invalid", "not a Macao mobile (6xxxxxxx) or fixed line")
	}
	return Phone("+" + macaoCode + n), nil
}

// isMacaoMobile matches 6\d{7}.
func isMacaoMobile(n string) bool { return len(n) == 8 && n[0] == '6' && allDigits(n) }

// isMacaoFixed matches 28[2-9]\d{5} and 8\d{7}.
func isMacaoFixed(n string) bool {
	if len(n) != 8 || !allDigits(n) {
		return false
	}
	return n[0] == '8' || n[0] == '2' && n[1] == '8' && n[2] >= '2'
}

// foreignPhone validates a number after its "+", outside Macao.
func foreignPhone(digits string) (Phone, error) {
	e164, err := libE164(digits)
	if err != nil {
		return "", err
	}
	// libphonenumber drops national prefixes ("+44 (0)20…"). Accept only a
	// result it leaves alone, so that parsing is idempotent.
	if again, err := libE164(e164[1:]); err != nil || again != e164 {
		return "", invalid("phone", "phone.invalid", "number does not normalise stably")
	}
	if strings.HasPrefix(e164, "+"+macaoCode) {
		return macaoPhone(strings.TrimPrefix(e164, "+"+macaoCode))
	}
	return Phone(e164), nil
}

// libE164 checks "+digits" with libphonenumber and returns its E.164 form.
func libE164(digits string) (string, error) {
	if len(digits) > 15 {
		return "", invalid("phone", "phone.invalid", "longer than 15 digits")
	}
	num, err := phonenumbers.Parse("+"+digits, "")
	if err != nil {
		return "", invalid("phone", "phone.invalid", err.Error())
	}
	if r := phonenumbers.IsPossibleNumberWithReason(num); r != phonenumbers.IS_POSSIBLE {
		return "", invalid("phone", "phone.invalid", "impossible number for its country")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// allDigits reports whether s is only ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
