package clients

import (
	"fmt"
	"slices"

	"github.com/oneaccount/oneaccount/internal/identity"
)

// The acr values: our assurance levels.
const acrPrefix = "urn:oneaccount:loa:"

// ACR is the acr value of level.
func ACR(level int) string { return fmt.Sprintf("%s%d", acrPrefix, level) }

// LevelOfACR parses an acr value, reporting false for one we do not know.
func LevelOfACR(acr string) (int, bool) {
	for l := 1; l <= 3; l++ {
		if acr == ACR(l) {
			return l, true
		}
	}
	return 0, false
}

// ACRValues lists the acr values we support, lowest first.
func ACRValues() []string { return []string{ACR(1), ACR(2), ACR(3)} }

// Acting is the organisation a person acts for in a sign-in.
type Acting struct {
	Membership identity.Membership
}

// Release is what a sign-in releases to a client.
type Release struct {
	// Scopes are the scopes granted.
	Scopes []string
	// Claims are the user claims, for the ID token and userinfo.
	Claims map[string]any
}

// Claims builds the claims scopes release about a. The identity scope is
// released only from IdentityLevel up; below it the scope is dropped (the
// policy never lets a sign-in below the client's level through, so this is
// a second guard). The organisation scope needs an organisation the
// person acts for; without one it is dropped.
func Claims(a identity.Account, scopes []string, acting *identity.Membership) Release {
	r := Release{Claims: map[string]any{}}
	for _, sc := range scopes {
		switch sc {
		case ScopeOpenID, ScopeAccountRead, ScopeAppointments:
		case ScopeProfile:
			r.Claims["name"] = a.DisplayName()
			r.Claims["name#zh-Hant"] = a.NameZh
			r.Claims["name#pt"] = a.NameLatin
			r.Claims["name#en"] = a.NameLatin
			r.Claims["locale"] = string(a.Lang)
		case ScopeEmail:
			r.Claims["email"] = a.Email.String()
			r.Claims["email_verified"] = true
		case ScopePhone:
			r.Claims["phone_number"] = a.Phone.String()
			r.Claims["phone_number_verified"] = true
		case ScopeIdentity:
			if int(a.EffectiveLevel()) < IdentityLevel {
				continue
			}
			r.Claims["document_type"] = string(a.Document.Type)
			r.Claims["document_number"] = a.Document.Number
			r.Claims["birthdate"] = a.BirthDate
		case ScopeOrganisation:
			if acting == nil {
				continue
			}
			r.Claims["org_id"] = acting.Org.ID
			r.Claims["org_registration"] = acting.Org.RegNumber
			r.Claims["org_name"] = acting.Org.Name.In(a.Lang)
			r.Claims["org_role"] = string(acting.Role)
		default:
			continue
		}
		if !slices.Contains(r.Scopes, sc) {
			r.Scopes = append(r.Scopes, sc)
		}
	}
	for k, v := range r.Claims {
		if v == "" {
			delete(r.Claims, k)
		}
	}
	return r
}
