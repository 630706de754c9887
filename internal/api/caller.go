package api

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// Caller is who an access token speaks for.
type Caller struct {
	// AccountID is the resident, "" for a client-credentials token.
	AccountID string
	// Subject is the identifier the client knows the resident by.
	Subject, ClientID, Entity string
	Scopes                    []string
}

// TokenVerifier checks a request's access token. It reports whether the
// request carried one at all; with none, the session cookie is used.
type TokenVerifier func(*http.Request) (Caller, bool, error)

// SetTokenVerifier sets how bearer and DPoP tokens are checked.
func (a *API) SetTokenVerifier(f TokenVerifier) { a.tokens = f }

// errScope is the answer to a token without the route's scope.
type errScope struct{ scope string }

func (e errScope) Error() string { return fmt.Sprintf("the token lacks the %s scope", e.scope) }

// bearer returns the caller of a request that carries a token, checking
// that the token holds scope. ok is false for a request without a token.
func (a *API) bearer(w http.ResponseWriter, r *http.Request, scope string) (c Caller, ok bool, err error) {
	if a.tokens == nil {
		return Caller{}, false, nil
	}
	c, ok, err = a.tokens(r)
	if !ok {
		return Caller{}, false, nil
	}
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oneaccount", error="invalid_token"`)
		return Caller{}, true, &apperr.Error{Code: apperr.Unauthenticated, Detail: "invalid access token", Err: err}
	}
	if scope != "" && !slices.Contains(c.Scopes, scope) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="oneaccount", error="insufficient_scope", scope=%q`, scope))
		return Caller{}, true, &apperr.Error{Code: apperr.Forbidden, Detail: errScope{scope}.Error()}
	}
	return c, true, nil
}
