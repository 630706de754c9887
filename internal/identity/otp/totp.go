package otp

import (
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings: the RFC 6238 defaults every authenticator app supports.
const (
	// TOTPPeriod is the length of one time step.
	TOTPPeriod = 30 * time.Second
	// TOTPSkew is how many steps either side of now are accepted, for
	// clock drift and typing time.
	TOTPSkew = 1
)

// totpOpts are the code parameters: SHA-1, 6 digits, 30 s.
var totpOpts = totp.ValidateOpts{Period: uint(TOTPPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTPSecret returns a fresh 160-bit secret in base32 (what the account
// stores, encrypted) and its otpauth://totp/ URI (what the QR code shows),
// labelled "issuer:account".
func NewTOTPSecret(issuer, account string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpOpts.Period,
		SecretSize:  20,
		Digits:      totpOpts.Digits,
		Algorithm:   totpOpts.Algorithm,
	})
	if err != nil {
		return "", "", fmt.Errorf("new TOTP secret: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// ValidateTOTP checks code (normalised as by ParseCode) against secret at
// now, accepting the time steps from now−TOTPSkew to now+TOTPSkew. It returns
// the time step (Unix time / 30 s) the code belongs to. A match is not
// enough: the caller must also require TOTPAccepts(lastUsedStep, step) and
// then store step as the new last used step.
func ValidateTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code, err := ParseCode(code)
	if err != nil {
		return 0, false
	}
	period := int64(totpOpts.Period)
	current := now.Unix() / period
	for s := current - TOTPSkew; s <= current+TOTPSkew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*period, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		// Keep the latest matching step, so replay protection errs on the
		// side of refusing.
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			step, ok = s, true
		}
	}
	return step, ok
}

// TOTPAccepts is the replay rule (OWASP ASVS 2.8.4): a valid code is accepted
// only if its time step is later than the last step accepted for the
// account, so a code, or an older code still inside the skew window, cannot
// be used twice. Store 0 as the last used step of a fresh enrolment.
func TOTPAccepts(lastUsedStep, step int64) bool { return step > lastUsedStep }
