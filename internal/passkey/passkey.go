// Package passkey is the WebAuthn protocol engine, wrapping
// github.com/go-webauthn/webauthn. It implements identity.PasskeyEngine:
// it makes the options and session data of each ceremony and checks the
// authenticator's answers (challenge, RP ID, origin, signature, counter,
// user verification). The rules of passkeys (who may run which ceremony,
// what follows it) are identity's; this package is infrastructure, so that
// the library's HTTP-shaped dependencies stay out of the domain
// (docs/decisions/0011-passkeys.md).
package passkey

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/oneaccount/oneaccount/internal/identity"
)

// Config names the relying party.
type Config struct {
	// RPID is the relying party ID: a domain (not an IP address), the host
	// of the site's base URL. Every passkey is bound to it.
	RPID string
	// DisplayName names the service in the authenticator's prompts.
	DisplayName string
	// Origins are the origins whose answers are accepted, such as
	// "https://oneaccount.example".
	Origins []string
}

// Engine runs the WebAuthn ceremonies of one relying party.
type Engine struct {
	wa *webauthn.WebAuthn
}

var _ identity.PasskeyEngine = (*Engine)(nil)

// selection is what every passkey ceremony demands of the authenticator: a
// discoverable credential (passwordless sign-in needs no username), and
// user verification (NIST SP 800-63B: UV=required).
var selection = protocol.AuthenticatorSelection{
	ResidentKey:        protocol.ResidentKeyRequirementRequired,
	RequireResidentKey: protocol.ResidentKeyRequired(),
	UserVerification:   protocol.VerificationRequired,
}

// New returns the engine of the relying party c; an RP ID or origins the
// library refuses (an IP address, say) is an error.
func New(c Config) (*Engine, error) {
	wa, err := webauthn.New(&webauthn.Config{
		RPID:                   c.RPID,
		RPDisplayName:          c.DisplayName,
		RPOrigins:              c.Origins,
		AuthenticatorSelection: selection,
		AttestationPreference:  protocol.PreferNoAttestation,
	})
	if err != nil {
		return nil, fmt.Errorf("webauthn relying party: %w", err)
	}
	return &Engine{wa: wa}, nil
}

// user is an identity.PasskeyUser as go-webauthn sees it, with its
// credential records decoded.
type user struct {
	u     identity.PasskeyUser
	creds []webauthn.Credential
}

func (u *user) WebAuthnID() []byte                         { return u.u.Handle }
func (u *user) WebAuthnName() string                       { return u.u.Name }
func (u *user) WebAuthnDisplayName() string                { return u.u.DisplayName }
func (u *user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func newUser(u identity.PasskeyUser) (*user, error) {
	out := &user{u: u}
	for _, c := range u.Credentials {
		var cred webauthn.Credential
		if err := json.Unmarshal(c.Data, &cred); err != nil {
			return nil, fmt.Errorf("passkey %x: %w", c.ID, err)
		}
		out.creds = append(out.creds, cred)
	}
	return out, nil
}

// begun encodes what a Begin method returns.
func begun(options any, session *webauthn.SessionData, err error) (json.RawMessage, []byte, error) {
	if err != nil {
		return nil, nil, err
	}
	o, err := json.Marshal(options)
	if err != nil {
		return nil, nil, fmt.Errorf("encode options: %w", err)
	}
	s, err := json.Marshal(session)
	if err != nil {
		return nil, nil, fmt.Errorf("encode session: %w", err)
	}
	return o, s, nil
}

func session(raw []byte) (webauthn.SessionData, error) {
	var s webauthn.SessionData
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("decode ceremony: %w", err)
	}
	return s, nil
}

// rejected marks an error refusing the authenticator's answer, keeping
// go-webauthn's reason for the log.
func rejected(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if pe.DevInfo != "" {
			return fmt.Errorf("%w: %s: %w (%s)", identity.ErrPasskeyRejected, pe.Type, err, pe.DevInfo)
		}
		return fmt.Errorf("%w: %s: %w", identity.ErrPasskeyRejected, pe.Type, err)
	}
	return fmt.Errorf("%w: %w", identity.ErrPasskeyRejected, err)
}

// stored describes a credential after a ceremony; uv is whether that
// ceremony verified the person.
func stored(c *webauthn.Credential, uv bool) (identity.StoredCredential, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return identity.StoredCredential{}, fmt.Errorf("encode passkey: %w", err)
	}
	return identity.StoredCredential{ID: c.ID, Data: data, UserVerified: uv, Discoverable: c.Extensions.RK,
		BackupEligible: c.Flags.BackupEligible, BackedUp: c.Flags.BackupState,
		SignCount: c.Authenticator.SignCount, CloneWarning: c.Authenticator.CloneWarning}, nil
}

// BeginRegistration asks for a discoverable, user-verified credential
// with no attestation and the credProps extension, excluding the user's
// passkeys.
func (e *Engine) BeginRegistration(pu identity.PasskeyUser) (json.RawMessage, []byte, error) {
	u, err := newUser(pu)
	if err != nil {
		return nil, nil, err
	}
	return begun(e.wa.BeginRegistration(u,
		webauthn.WithAuthenticatorSelection(selection),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()),
		webauthn.WithExtensions(webauthn.WithExtensionCredProps())))
}

// FinishRegistration checks the attestation answering a registration.
func (e *Engine) FinishRegistration(pu identity.PasskeyUser, raw, response []byte) (identity.StoredCredential, error) {
	data, err := session(raw)
	if err != nil {
		return identity.StoredCredential{}, err
	}
	u, err := newUser(pu)
	if err != nil {
		return identity.StoredCredential{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return identity.StoredCredential{}, rejected(err)
	}
	cred, err := e.wa.CreateCredential(u, data, parsed)
	if err != nil {
		return identity.StoredCredential{}, rejected(err)
	}
	return stored(cred, parsed.Response.AttestationObject.AuthData.Flags.HasUserVerified())
}

// BeginLogin asks for one of the user's passkeys, user-verified.
func (e *Engine) BeginLogin(pu identity.PasskeyUser) (json.RawMessage, []byte, error) {
	u, err := newUser(pu)
	if err != nil {
		return nil, nil, err
	}
	return begun(e.wa.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationRequired)))
}

// FinishLogin checks the assertion answering BeginLogin.
func (e *Engine) FinishLogin(pu identity.PasskeyUser, raw, response []byte) (identity.StoredCredential, error) {
	data, err := session(raw)
	if err != nil {
		return identity.StoredCredential{}, err
	}
	u, err := newUser(pu)
	if err != nil {
		return identity.StoredCredential{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return identity.StoredCredential{}, rejected(err)
	}
	cred, err := e.wa.ValidateLogin(u, data, parsed)
	if err != nil {
		return identity.StoredCredential{}, rejected(err)
	}
	return stored(cred, parsed.Response.AuthenticatorData.Flags.HasUserVerified())
}

// BeginDiscoverableLogin asks for any passkey of this relying party,
// user-verified: no allow list, no username.
func (e *Engine) BeginDiscoverableLogin() (json.RawMessage, []byte, error) {
	return begun(e.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired)))
}

// FinishDiscoverableLogin checks the assertion answering
// BeginDiscoverableLogin; lookup finds the user of the answer's user
// handle.
func (e *Engine) FinishDiscoverableLogin(raw, response []byte, lookup func(userHandle []byte) (identity.PasskeyUser, error)) (identity.StoredCredential, error) {
	data, err := session(raw)
	if err != nil {
		return identity.StoredCredential{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return identity.StoredCredential{}, rejected(err)
	}
	handler := func(_, userHandle []byte) (webauthn.User, error) {
		pu, err := lookup(userHandle)
		if err != nil {
			return nil, err
		}
		u, err := newUser(pu)
		if err != nil {
			return nil, err
		}
		return u, nil
	}
	_, cred, err := e.wa.ValidatePasskeyLogin(handler, data, parsed)
	if err != nil {
		return identity.StoredCredential{}, rejected(err)
	}
	return stored(cred, parsed.Response.AuthenticatorData.Flags.HasUserVerified())
}
