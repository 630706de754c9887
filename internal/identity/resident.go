package identity

import (
	"context"
	"net/url"
	"unicode"

	"github.com/oneaccount/oneaccount/internal/audit"
)

// ResidentRequest creates a resident from the command line or demo data:
// the operator vouches for the contacts, so no codes are sent.
type ResidentRequest struct {
	Email, Phone, Password, Name string
	Assurance                    Level
	DocType, DocNumber           string
	DocCountry                   string
	BirthDate                    string
}

// CreateResident creates a resident account for the platform operator.
// A name with Chinese characters is stored as the Chinese name.
func (s *Service) CreateResident(ctx context.Context, actor Actor, r ResidentRequest) (Account, error) {
	if !actor.Platform {
		return Account{}, forbidden("only the platform creates residents directly")
	}
	d := Details{Password: r.Password, DocType: r.DocType, DocNumber: r.DocNumber, DocCountry: r.DocCountry,
		BirthDate: r.BirthDate}
	if hasHan(r.Name) {
		d.NameZh = r.Name
	} else {
		d.NameLatin = r.Name
	}
	a, err := s.newAccount(ctx, Resident, r.Email, r.Phone, d, false)
	if err != nil {
		return Account{}, err
	}
	if r.Assurance < Level1 || r.Assurance > Level3 {
		r.Assurance = Level1
	}
	a.Assurance = r.Assurance
	if a.Assurance >= Level2 {
		a.VerifiedBy, a.VerifiedAt = "platform", s.now()
	}
	ev := s.staffEvent(actor, audit.AccountCreated, a.ID)
	return s.store.CreateAccount(ctx, a, ev)
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// totpURI builds the otpauth URI for a given secret.
func totpURI(issuer, account, secret string) string {
	v := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}
