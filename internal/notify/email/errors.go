package email

import (
	"errors"

	mail "github.com/wneessen/go-mail"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// classify maps a go-mail delivery error to an apperr code: a recipient the
// relay refuses with a 5xx reply is Invalid (retrying cannot help); every
// other failure is Unavailable.
func classify(err error) error {
	code := apperr.Unavailable
	var se *mail.SendError
	if errors.As(err, &se) && se.Reason == mail.ErrSMTPRcptTo && !se.IsTemp() {
		code = apperr.Invalid
	}
	return &apperr.Error{Code: code, Detail: "email: delivery failed", Err: err}
}
