package passkey

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/oneaccount/oneaccount/internal/identity"
)

// The whole ceremonies, with a software authenticator, run through the
// identity service in internal/identity/passkey_test.go; these tests check
// the engine's options and how it reports failures.

func newEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := New(Config{RPID: "localhost", DisplayName: "OneAccount", Origins: []string{"http://localhost:8080"}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestOptions(t *testing.T) {
	e := newEngine(t)
	existing, _ := json.Marshal(webauthn.Credential{ID: []byte("old-key"), PublicKey: []byte{1}})
	u := identity.PasskeyUser{Handle: []byte("0123456789abcdef0123456789abcdef"), Name: "ana@example.com",
		DisplayName: "Ana", Credentials: []identity.StoredCredential{{ID: []byte("old-key"), Data: existing}}}

	opts, sess, err := e.BeginRegistration(u)
	if err != nil {
		t.Fatal(err)
	}
	var c protocol.CredentialCreation
	if err := json.Unmarshal(opts, &c); err != nil {
		t.Fatalf("options %s: %v", opts, err)
	}
	r := c.Response
	if sel := r.AuthenticatorSelection; sel.UserVerification != protocol.VerificationRequired ||
		sel.ResidentKey != protocol.ResidentKeyRequirementRequired || sel.RequireResidentKey == nil || !*sel.RequireResidentKey {
		t.Errorf("authenticator selection = %+v, want a user-verified resident key", sel)
	}
	if r.Attestation != protocol.PreferNoAttestation || !r.Extensions.CredProps || r.RelyingParty.ID != "localhost" ||
		r.User.Name != "ana@example.com" || r.User.DisplayName != "Ana" {
		t.Errorf("registration options = %s", opts)
	}
	if len(r.CredentialExcludeList) != 1 || string(r.CredentialExcludeList[0].CredentialID) != "old-key" {
		t.Errorf("exclusions = %+v, want the existing passkey", r.CredentialExcludeList)
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal(sess, &sd); err != nil || sd.Challenge == "" || sd.UserVerification != protocol.VerificationRequired {
		t.Errorf("session data %s, %v: want a challenge and UV required", sess, err)
	}

	for name, begin := range map[string]func() (json.RawMessage, []byte, error){
		"login":        func() (json.RawMessage, []byte, error) { return e.BeginLogin(u) },
		"discoverable": e.BeginDiscoverableLogin,
	} {
		opts, _, err := begin()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var a protocol.CredentialAssertion
		if err := json.Unmarshal(opts, &a); err != nil {
			t.Fatalf("%s options %s: %v", name, opts, err)
		}
		allowed := 0
		if name == "login" {
			allowed = 1
		}
		if a.Response.UserVerification != protocol.VerificationRequired || len(a.Response.AllowedCredentials) != allowed {
			t.Errorf("%s options = %s, want UV required and %d allowed", name, opts, allowed)
		}
	}
}

// TestFailures: an answer that does not parse or verify is a rejection;
// broken session data or records are the engine's own failure.
func TestFailures(t *testing.T) {
	e := newEngine(t)
	u := identity.PasskeyUser{Handle: []byte("h"), Name: "a@example.com", DisplayName: "A"}
	_, sess, err := e.BeginRegistration(u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.FinishRegistration(u, sess, []byte(`{"id":"x"}`)); !errors.Is(err, identity.ErrPasskeyRejected) {
		t.Errorf("garbage attestation: %v, want a rejection", err)
	}
	if _, err := e.FinishRegistration(u, []byte(`not json`), []byte(`{}`)); err == nil || errors.Is(err, identity.ErrPasskeyRejected) {
		t.Errorf("broken session data: %v, want a failure that is not a rejection", err)
	}
	broken := identity.PasskeyUser{Handle: []byte("h"), Credentials: []identity.StoredCredential{{ID: []byte("k"), Data: []byte(`{`)}}}
	if _, _, err := e.BeginLogin(broken); err == nil || errors.Is(err, identity.ErrPasskeyRejected) {
		t.Errorf("broken credential record: %v, want a failure that is not a rejection", err)
	}

	_, sess, err = e.BeginDiscoverableLogin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.FinishDiscoverableLogin(sess, []byte(`{}`), func([]byte) (identity.PasskeyUser, error) {
		t.Error("lookup called for an answer that does not parse")
		return u, nil
	}); !errors.Is(err, identity.ErrPasskeyRejected) {
		t.Errorf("garbage assertion: %v, want a rejection", err)
	}
}

// TestNewRefusesBadRelyingParty: an IP address cannot be an RP ID (the
// app then turns passkeys off), and some origin must be accepted.
func TestNewRefusesBadRelyingParty(t *testing.T) {
	if _, err := New(Config{RPID: "192.0.2.1", DisplayName: "OneAccount", Origins: []string{"http://192.0.2.1"}}); err == nil {
		t.Error("New with an IP address as RP ID succeeded")
	}
	if _, err := New(Config{RPID: "localhost", DisplayName: "OneAccount"}); err == nil {
		t.Error("New with no origin succeeded")
	}
}
