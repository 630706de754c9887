package api

import (
	"net/http"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// meResponse is the signed-in account as /me gives it.
type meResponse struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Names     meNames  `json:"names"`
	Assurance int      `json:"assurance"`
	Entity    string   `json:"entity,omitempty"`
	Roles     []string `json:"roles"`
}

type meNames struct {
	Zh    string `json:"zh"`
	Latin string `json:"latin"`
}

// getMe answers with the session's account, or 401.
func (a *API) getMe(r *http.Request) (any, error) {
	if a.me == nil {
		return nil, &apperr.Error{Code: apperr.Unauthenticated, Detail: "sign in first"}
	}
	acct, err := a.me(r)
	if err != nil {
		if apperr.CodeOf(err) == apperr.Unauthenticated || apperr.CodeOf(err) == apperr.NotFound {
			return nil, &apperr.Error{Code: apperr.Unauthenticated, Detail: "sign in first", Err: err}
		}
		return nil, err
	}
	return toMe(acct), nil
}

func toMe(acct identity.Account) meResponse {
	m := meResponse{ID: acct.ID, Kind: string(acct.Kind), Names: meNames{Zh: acct.NameZh, Latin: acct.NameLatin},
		Assurance: int(acct.EffectiveLevel()), Entity: acct.Entity, Roles: []string{}}
	for _, r := range acct.Roles {
		m.Roles = append(m.Roles, string(r))
	}
	return m
}
