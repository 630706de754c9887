// Package contact parses and normalises what a resident types about how to
// reach them and who they are: phone numbers (stored in E.164), e-mail
// addresses, identity document numbers and dates of birth.
//
// Every parser is lenient about presentation (spaces, dashes, brackets,
// full-width characters, case) and strict about content, returns one
// canonical value, and accepts that value again unchanged, so a stored value
// can always be re-validated. Refusals are apperr.Invalid errors whose Key is
// a UI message key such as "phone.invalid".
package contact

import "github.com/oneaccount/oneaccount/internal/apperr"

// invalid returns an apperr.Invalid error on field with a UI message key.
func invalid(field, key, detail string) error {
	return &apperr.Error{Code: apperr.Invalid, Field: field, Key: key, Detail: detail}
}
