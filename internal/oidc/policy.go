package oidc

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/luikyv/go-oidc/pkg/goidc"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// Keys of the interaction state kept in the authorization session.
const (
	stDecision = "decision" // "approve" or "deny", set by the consent page
	stOrg      = "org"      // the organisation chosen on the consent page
	stStarted  = "started"  // unix time the request first reached the policy
	stDenyCode = "deny_code"
)

// Interaction paths, served by the web pages.
const (
	PathConsent = "/oidc/consent/"
	PathStepUp  = "/step-up"
)

// authenticate is the engine's authentication policy: it runs when an
// authorization request arrives and each time the browser comes back to
// /oidc/authorize/{callback}. It sends the person to sign in, to sign in
// again (max_age, prompt=login), to step up, or to consent, and finishes
// only when all of that is satisfied.
func (p *Provider) authenticate(w http.ResponseWriter, r *http.Request, as *goidc.AuthnSession) (goidc.AuthnStatus, error) {
	ctx := r.Context()
	if d, _ := as.StoredParameter(stDecision).(string); d == "deny" {
		code, _ := as.StoredParameter(stDenyCode).(string)
		if code == "" {
			code = string(goidc.ErrorCodeAccessDenied)
		}
		desc := "the resident did not agree"
		if code != string(goidc.ErrorCodeAccessDenied) {
			desc = "the resident did not reach the assurance level the request needs"
		}
		return goidc.StatusFailure, goidc.NewError(goidc.ErrorCode(code), desc)
	}
	if as.StoredParameter(stStarted) == nil {
		as.StoreParameter(stStarted, p.d.Now().Unix())
	}
	resume := PathAuthorize + "/" + as.CallbackID
	acct, sess, err := p.d.Sessions(r)
	if err != nil {
		if as.Prompt == goidc.PromptTypeNone {
			return goidc.StatusFailure, goidc.NewError(goidc.ErrorCodeLoginRequired, "no session")
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(resume), http.StatusSeeOther)
		return goidc.StatusInProgress, nil
	}
	if acct.Kind != identity.Resident {
		return goidc.StatusFailure, goidc.NewError(goidc.ErrorCodeAccessDenied, "staff accounts do not sign in to e-services")
	}
	as.StoreParameter(storeAccount, acct.ID)
	if p.needsFreshSignIn(as, sess) {
		http.Redirect(w, r, "/login?force=1&next="+url.QueryEscape(resume), http.StatusSeeOther)
		return goidc.StatusInProgress, nil
	}
	cl, err := p.d.Clients.Client(ctx, as.ClientID)
	if err != nil {
		return goidc.StatusFailure, err
	}
	need := requiredLevel(cl, as.ACRValues)
	if level := sessionLevel(acct, sess); level < need {
		if as.Prompt == goidc.PromptTypeNone {
			return goidc.StatusFailure, goidc.NewError("unmet_authentication_requirements", "level too low")
		}
		http.Redirect(w, r, PathStepUp+"?level="+strconv.Itoa(need)+"&next="+url.QueryEscape(resume)+
			"&cancel="+url.QueryEscape(PathConsent+as.CallbackID+"/cancel"), http.StatusSeeOther)
		return goidc.StatusInProgress, nil
	}
	scopes := strings.Fields(as.Scopes)
	consent, err := p.d.Clients.Consent(ctx, acct.ID, cl.ID)
	if err != nil {
		return goidc.StatusFailure, err
	}
	decided, _ := as.StoredParameter(stDecision).(string)
	wantsOrg := slices.Contains(scopes, clients.ScopeOrganisation)
	if decided != "approve" && (!consent.Covers(scopes) || as.Prompt == goidc.PromptTypeConsent || wantsOrg) {
		if as.Prompt == goidc.PromptTypeNone {
			return goidc.StatusFailure, goidc.NewError("consent_required", "consent required")
		}
		http.Redirect(w, r, PathConsent+as.CallbackID, http.StatusSeeOther)
		return goidc.StatusInProgress, nil
	}
	if err := p.release(r, as, cl, acct, sess, need); err != nil {
		return goidc.StatusFailure, err
	}
	return goidc.StatusSuccess, nil
}

// needsFreshSignIn reports whether max_age or prompt=login ask for a
// sign-in newer than the session's.
func (p *Provider) needsFreshSignIn(as *goidc.AuthnSession, sess identity.Session) bool {
	started, _ := as.StoredParameter(stStarted).(int64)
	if f, ok := as.StoredParameter(stStarted).(float64); ok {
		started = int64(f)
	}
	if as.Prompt == goidc.PromptTypeLogin && sess.AuthAt.Unix() < started {
		return true
	}
	if as.MaxAuthnAgeSecs != nil && p.d.Now().Sub(sess.AuthAt).Seconds() > float64(*as.MaxAuthnAgeSecs) {
		return true
	}
	return false
}

// requiredLevel is the client's level, raised by the lowest acr value the
// request lists that we know. Unknown values are ignored; none lowers the
// client's own level.
func requiredLevel(cl clients.Client, acrValues string) int {
	need := cl.Level
	asked := 0
	for _, v := range strings.Fields(acrValues) {
		if l, ok := clients.LevelOfACR(v); ok && (asked == 0 || l < asked) {
			asked = l
		}
	}
	return max(need, asked)
}

// sessionLevel is the level this sign-in reached: the account's level,
// where level 3 also needs the session to have used a passkey.
func sessionLevel(a identity.Account, s identity.Session) int {
	l := int(a.EffectiveLevel())
	if l == 3 && !slices.Contains(s.AMR, "hwk") {
		l = 2
	}
	return l
}

// SID is the session identifier relying parties receive for a browser
// session. It is derived from the account and the moment the session
// began, which survive the session's rotations (a new token at every
// change of privilege), and reveals neither.
func SID(s identity.Session) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("oneaccount sid\x00%s\x00%d", s.AccountID, s.CreatedAt.UnixMicro())))
	return base64.RawURLEncoding.EncodeToString(h[:16])
}

// release fills the session with the subject, scopes and claims the
// sign-in releases, and records the login for back-channel logout.
func (p *Provider) release(r *http.Request, as *goidc.AuthnSession, cl clients.Client, a identity.Account,
	s identity.Session, level int) error {
	ctx := r.Context()
	var acting *identity.Membership
	if orgID, _ := as.StoredParameter(stOrg).(string); orgID != "" {
		ms, err := p.d.Identity.MyOrgs(ctx, a)
		if err != nil {
			return err
		}
		for i := range ms {
			if ms[i].Org.ID == orgID {
				acting = &ms[i]
			}
		}
		if acting == nil {
			return goidc.NewError(goidc.ErrorCodeAccessDenied, "not a member of that organisation")
		}
	}
	rel := clients.Claims(a, strings.Fields(as.Scopes), acting)
	sub := p.d.Clients.PairwiseSubject(cl.Entity, a.ID)
	sid := SID(s)
	as.SetUserID(sub)
	as.GrantScopes(strings.Join(rel.Scopes, " "))
	for k, v := range rel.Claims {
		as.SetIDTokenClaim(k, v)
		as.SetUserInfoClaim(k, v)
	}
	as.SetIDTokenClaimACR(goidc.ACR(clients.ACR(level)))
	as.SetIDTokenClaimAuthTime(int(s.AuthAt.Unix()))
	amr := make([]goidc.AMR, 0, len(s.AMR))
	for _, m := range s.AMR {
		amr = append(amr, goidc.AMR(m))
	}
	as.SetIDTokenClaimAMR(amr...)
	as.SetIDTokenClaim("sid", sid)
	as.SetTokenClaim("acr", clients.ACR(level))
	if acting != nil {
		for _, k := range []string{"org_id", "org_registration", "org_name", "org_role"} {
			as.SetTokenClaim(k, rel.Claims[k])
		}
	}
	as.StoreParameter(storeSID, sid)
	if err := p.d.Store.RecordSubject(ctx, cl.Entity, sub, a.ID, p.d.Now()); err != nil {
		return err
	}
	return p.d.Store.RecordLogin(ctx, Login{SID: sid, ClientID: cl.ID, AccountID: a.ID, Subject: sub, CreatedAt: p.d.Now()})
}

// renderError shows an error the engine cannot send back to the client,
// such as an unknown client or a redirect URI that does not match: the
// browser must never be sent to an unregistered address.
func (p *Provider) renderError(w http.ResponseWriter, r *http.Request, err error) error {
	p.d.Log.InfoContext(r.Context(), "authorization request refused", "err", err)
	status := http.StatusBadRequest
	var oe goidc.Error
	if errors.As(err, &oe) && oe.Code == goidc.ErrorCodeInternalError {
		status = http.StatusInternalServerError
	}
	if p.d.RenderError != nil {
		p.d.RenderError(w, r, status)
		return nil
	}
	http.Error(w, http.StatusText(status), status)
	return nil
}
