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

// ScopeMe is the scope an access token needs for /me.
const ScopeMe = "account:read"

// SetAccountLoader sets how /me loads the account behind an access token.
func (a *API) SetAccountLoader(f func(r *http.Request, id string) (identity.Account, error)) {
	a.accounts = f
}

// getMe answers with the caller's account: from an access token holding
// account:read (the id is then the subject the client knows), or from the
// session cookie; 401 otherwise.
func (a *API) getMe(w http.ResponseWriter, r *http.Request) (any, error) {
	c, ok, err := a.bearer(w, r, ScopeMe)
	if ok {
		if err != nil {
			return nil, err
		}
		if c.AccountID == "" || a.accounts == nil {
			return nil, &apperr.Error{Code: apperr.Forbidden, Detail: "the token does not speak for a resident"}
		}
		acct, err := a.accounts(r, c.AccountID)
		if err != nil {
			return nil, err
		}
		m := toMe(acct)
		m.ID = c.Subject
		return m, nil
	}
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
