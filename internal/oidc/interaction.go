package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/luikyv/go-oidc/pkg/goidc"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// ScopeRequest is one scope on the consent page: the claims it releases
// and the purpose the client gave.
type ScopeRequest struct {
	Scope   string
	Claims  []string
	Purpose clients.ScopePurpose
	// Withheld is set for the identity scope below its level: it will not
	// be released.
	Withheld bool
}

// Pending is an authorization request waiting for the resident's answer.
type Pending struct {
	CallbackID string
	Client     clients.Client
	Scopes     []ScopeRequest
	// Orgs are the organisations the person may act for, when the
	// organisation scope is asked for.
	Orgs []identity.Membership
	// Resume is where the browser goes after answering.
	Resume string
}

// errNoRequest is the answer for an unknown, expired or foreign request.
var errNoRequest = &apperr.Error{Code: apperr.NotFound, Detail: "no such authorization request"}

func (p *Provider) pendingSession(ctx context.Context, callbackID string, a identity.Account) (*goidc.AuthnSession, error) {
	row, err := p.d.Store.AuthnSessionBy(ctx, "callback_id", callbackID)
	if err != nil {
		return nil, errNoRequest
	}
	var as goidc.AuthnSession
	if err := json.Unmarshal(row.Data, &as); err != nil {
		return nil, fmt.Errorf("decode authn session: %w", err)
	}
	if as.IsExpired() {
		return nil, errNoRequest
	}
	if owner, _ := as.StoredParameter(storeAccount).(string); owner != a.ID {
		return nil, errNoRequest
	}
	return &as, nil
}

// Pending returns the request behind callbackID for the consent page. It
// is found only for the account the policy bound it to.
func (p *Provider) Pending(ctx context.Context, callbackID string, a identity.Account) (Pending, error) {
	as, err := p.pendingSession(ctx, callbackID, a)
	if err != nil {
		return Pending{}, err
	}
	cl, err := p.d.Clients.Client(ctx, as.ClientID)
	if err != nil {
		return Pending{}, err
	}
	v := Pending{CallbackID: callbackID, Client: cl, Resume: PathAuthorize + "/" + callbackID}
	for _, s := range strings.Fields(as.Scopes) {
		if s == clients.ScopeOpenID {
			continue
		}
		sr := ScopeRequest{Scope: s, Claims: clients.ClaimsOf(s), Purpose: clients.ScopePurpose{Scope: s, Purpose: cl.Purpose(s)}}
		sr.Withheld = s == clients.ScopeIdentity && int(a.EffectiveLevel()) < clients.IdentityLevel
		v.Scopes = append(v.Scopes, sr)
		if s == clients.ScopeOrganisation {
			if v.Orgs, err = p.d.Identity.MyOrgs(ctx, a); err != nil {
				return Pending{}, err
			}
		}
	}
	return v, nil
}

// Decide records the resident's answer: approve stores the consent (and
// the organisation chosen, which must be one of theirs); deny ends the
// request with access_denied. The browser then goes to Resume.
func (p *Provider) Decide(ctx context.Context, callbackID string, a identity.Account, approve bool, orgID string) (string, error) {
	as, err := p.pendingSession(ctx, callbackID, a)
	if err != nil {
		return "", err
	}
	resume := PathAuthorize + "/" + callbackID
	if !approve {
		as.StoreParameter(stDecision, "deny")
		return resume, authnStore{s: p.d.Store}.Save(ctx, as)
	}
	scopes := strings.Fields(as.Scopes)
	if slices.Contains(scopes, clients.ScopeOrganisation) && orgID != "" {
		ms, err := p.d.Identity.MyOrgs(ctx, a)
		if err != nil {
			return "", err
		}
		if !slices.ContainsFunc(ms, func(m identity.Membership) bool { return m.Org.ID == orgID }) {
			return "", &apperr.Error{Code: apperr.Invalid, Field: "org", Key: "consent.invalid.org",
				Detail: "not a member of that organisation"}
		}
		as.StoreParameter(stOrg, orgID)
	}
	cl, err := p.d.Clients.Client(ctx, as.ClientID)
	if err != nil {
		return "", err
	}
	if err := p.d.Clients.Grant(ctx, a.ID, cl, scopes); err != nil {
		return "", err
	}
	as.StoreParameter(stDecision, "approve")
	return resume, authnStore{s: p.d.Store}.Save(ctx, as)
}

// Cancel ends a request at the step-up page: the client learns that the
// level it asked for was not reached.
func (p *Provider) Cancel(ctx context.Context, callbackID string, a identity.Account) (string, error) {
	as, err := p.pendingSession(ctx, callbackID, a)
	if err != nil {
		return "", err
	}
	as.StoreParameter(stDecision, "deny")
	as.StoreParameter(stDenyCode, "unmet_authentication_requirements")
	return PathAuthorize + "/" + callbackID, authnStore{s: p.d.Store}.Save(ctx, as)
}
