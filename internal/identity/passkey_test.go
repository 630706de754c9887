package identity_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/identity/password"
	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/passkey"
	"github.com/oneaccount/oneaccount/internal/store/sqlite"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

const (
	pkOrigin   = "http://localhost:8080"
	pkRPID     = "localhost"
	pkPassword = "correct horse battery staple"
)

// pkClock is a settable time source.
type pkClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *pkClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *pkClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// pkOutbox records the messages sent.
type pkOutbox struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (o *pkOutbox) Send(_ context.Context, m notify.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	return nil
}

func (o *pkOutbox) texts() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, m := range o.msgs {
		out = append(out, m.Text)
	}
	return out
}

type pkFixture struct {
	svc   *identity.Service
	store *sqlstore.Store
	clock *pkClock
	out   *pkOutbox
	auth  *softAuthenticator
	cl    identity.Client
}

// pkRP is the real protocol engine (internal/passkey): these tests run
// whole ceremonies through the service. Only the test imports it, so the
// identity package itself stays free of the library.
func pkRP(t *testing.T) *passkey.Engine {
	t.Helper()
	e, err := passkey.New(passkey.Config{RPID: pkRPID, DisplayName: "OneAccount", Origins: []string{pkOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// pkCreation decodes registration options as the browser gets them.
func pkCreation(t *testing.T, options json.RawMessage) protocol.PublicKeyCredentialCreationOptions {
	t.Helper()
	var c protocol.CredentialCreation
	if err := json.Unmarshal(options, &c); err != nil {
		t.Fatalf("registration options %s: %v", options, err)
	}
	return c.Response
}

// pkAssertion decodes sign-in options as the browser gets them.
func pkAssertion(t *testing.T, options json.RawMessage) protocol.PublicKeyCredentialRequestOptions {
	t.Helper()
	var c protocol.CredentialAssertion
	if err := json.Unmarshal(options, &c); err != nil {
		t.Fatalf("sign-in options %s: %v", options, err)
	}
	return c.Response
}

// pkUserHandle is the user handle of registration options.
func pkUserHandle(t *testing.T, o protocol.PublicKeyCredentialCreationOptions) []byte {
	t.Helper()
	id, _ := o.User.ID.(string)
	h, err := pkB64.DecodeString(id)
	if err != nil || len(h) == 0 {
		t.Fatalf("user handle %v: %v", o.User.ID, err)
	}
	return h
}

func newPKFixture(t *testing.T, passkeys bool) *pkFixture {
	t.Helper()
	if passkeys {
		return newPKFixtureWith(t, pkRP(t))
	}
	return newPKFixtureWith(t, nil)
}

// newPKFixtureWith runs the service over engine; nil turns passkeys off.
func newPKFixtureWith(t *testing.T, engine identity.PasskeyEngine) *pkFixture {
	t.Helper()
	clk := &pkClock{t: time.Now().UTC().Truncate(time.Second)}
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "identity.db"), clk.now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := sqlite.Migrate(context.Background(), s, nil); err != nil {
		t.Fatal(err)
	}
	hasher, err := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	if err != nil {
		t.Fatal(err)
	}
	out := &pkOutbox{}
	d := identity.Deps{Store: s, Hasher: hasher, Policy: password.NewPolicy(password.NewBlocklist(nil)), Sender: out,
		Now: clk.now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), WebAuthn: engine}
	svc := identity.NewService(d, identity.Config{})
	return &pkFixture{svc: svc, store: s, clock: clk, out: out, auth: &softAuthenticator{origin: pkOrigin, uv: true},
		cl: identity.Client{IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/150.0"}}
}

// account stores a level-2 resident with the test password.
func (f *pkFixture) account(t *testing.T, email string, kind identity.Kind) identity.Account {
	t.Helper()
	h, err := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 1)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash(context.Background(), pkPassword)
	if err != nil {
		t.Fatal(err)
	}
	now := f.clock.now()
	a := identity.Account{ID: identity.NewID(), Kind: kind, NameLatin: "Chan Tai Man", Email: contact.Email(email),
		PasswordHash: hash, Assurance: identity.Level2, Lang: "en", CreatedAt: now, UpdatedAt: now}
	a, err = f.store.CreateAccount(context.Background(), a, audit.Event{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// signIn signs in with the password and returns the account and session
// of the full session, failing when a second factor is asked.
func (f *pkFixture) signIn(t *testing.T, email string) (identity.Account, identity.Session, string) {
	t.Helper()
	res, err := f.svc.SignIn(context.Background(), email, pkPassword, f.cl)
	if err != nil || res.NeedsSecondFactor {
		t.Fatalf("sign in: %+v, %v", res, err)
	}
	return f.authenticate(t, res.Token)
}

func (f *pkFixture) authenticate(t *testing.T, token string) (identity.Account, identity.Session, string) {
	t.Helper()
	a, s, err := f.svc.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	return a, s, token
}

// enrol registers a passkey for the signed-in account through the service
// and returns the rotated session token.
func (f *pkFixture) enrol(t *testing.T, a identity.Account, s identity.Session, name string) string {
	t.Helper()
	ctx := context.Background()
	cer, err := f.svc.BeginPasskeyRegistration(ctx, a, s, pkPassword, f.cl)
	if err != nil {
		t.Fatalf("begin registration: %v", err)
	}
	token, err := f.svc.FinishPasskeyRegistration(ctx, a, s, cer.Token, name, f.auth.create(t, cer.Options), f.cl)
	if err != nil {
		t.Fatalf("finish registration: %v", err)
	}
	return token
}

func pkWantKey(t *testing.T, what string, err error, key string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Key != key {
		t.Errorf("%s: err = %v, want an apperr with key %q", what, err, key)
	}
}

func TestPasskeyLifecycle(t *testing.T) {
	f := newPKFixture(t, true)
	ctx := context.Background()
	const email = "chan@example.com"
	f.account(t, email, identity.Resident)
	a, s, token := f.signIn(t, email)
	if a.EffectiveLevel() != identity.Level2 {
		t.Fatalf("level before = %d", a.EffectiveLevel())
	}

	// Enrolling asks for the current password first.
	_, err := f.svc.BeginPasskeyRegistration(ctx, a, s, "wrong password", f.cl)
	pkWantKey(t, "begin with a wrong password", err, "reauth.failed")

	cer, err := f.svc.BeginPasskeyRegistration(ctx, a, s, pkPassword, f.cl)
	if err != nil {
		t.Fatal(err)
	}
	opts := pkCreation(t, cer.Options)
	if sel := opts.AuthenticatorSelection; sel.UserVerification != protocol.VerificationRequired ||
		sel.ResidentKey != protocol.ResidentKeyRequirementRequired {
		t.Errorf("authenticator selection = %+v, want UV and resident key required", sel)
	}
	if opts.Attestation != protocol.PreferNoAttestation || !opts.Extensions.CredProps {
		t.Errorf("attestation %q, extensions %v: want none and credProps", opts.Attestation, opts.Extensions)
	}
	if opts.RelyingParty.ID != pkRPID || bytes.Contains(pkUserHandle(t, opts), []byte(a.ID)) {
		t.Errorf("RP %q, user handle %v: want RP %q and a handle that is not the account ID", opts.RelyingParty.ID, opts.User.ID, pkRPID)
	}
	resp := f.auth.create(t, cer.Options)
	newToken, err := f.svc.FinishPasskeyRegistration(ctx, a, s, cer.Token, "  My\tphone \n", resp, f.cl)
	if err != nil {
		t.Fatalf("finish registration: %v", err)
	}
	if _, _, err := f.svc.Authenticate(ctx, token); err == nil {
		t.Error("the session before enrolment still works; it should have been rotated")
	}
	a, s, _ = f.authenticate(t, newToken)
	if a.Passkeys != 1 || a.EffectiveLevel() != identity.Level3 {
		t.Errorf("after enrolment: %d passkeys, level %d; want 1 and level 3", a.Passkeys, a.EffectiveLevel())
	}
	if !slices.Contains(s.AMR, "hwk") {
		t.Errorf("rotated session AMR = %v, want hwk added", s.AMR)
	}
	ps, err := f.svc.Passkeys(ctx, a.ID)
	if err != nil || len(ps) != 1 || ps[0].Name != "My phone" {
		t.Fatalf("passkeys = %+v, %v; want one named %q", ps, err, "My phone")
	}
	events, _ := f.store.AuditByActor(ctx, a.ID, 10)
	if !pkHasEvent(events, audit.FactorAdded, "factor", "passkey") {
		t.Errorf("no %s passkey audit event in %+v", audit.FactorAdded, events)
	}
	if texts := f.out.texts(); len(texts) == 0 || !strings.Contains(texts[len(texts)-1], "a passkey was added") {
		t.Errorf("messages sent = %q, want a passkey notice", texts)
	}

	// The ceremony is used up.
	_, err = f.svc.FinishPasskeyRegistration(ctx, a, s, cer.Token, "", resp, f.cl)
	pkWantKey(t, "finish the same ceremony twice", err, "passkey.expired")

	// With a passkey, a password sign-in asks for the second factor, and
	// the passkey gives it.
	res, err := f.svc.SignIn(ctx, email, pkPassword, f.cl)
	if err != nil || !res.NeedsSecondFactor {
		t.Fatalf("password sign-in with a passkey enrolled = %+v, %v; want a second factor asked", res, err)
	}
	mfa, err := f.svc.BeginPasskeySecondFactor(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	if got := pkAssertion(t, mfa.Options); got.UserVerification != protocol.VerificationRequired ||
		len(got.AllowedCredentials) != 1 {
		t.Errorf("second-factor options = %+v, want UV required and the one passkey allowed", got)
	}
	full, err := f.svc.FinishPasskeySecondFactor(ctx, res.Token, mfa.Token, f.auth.get(t, mfa.Options), f.cl)
	if err != nil {
		t.Fatalf("passkey as second factor: %v", err)
	}
	_, s2, _ := f.authenticate(t, full.Token)
	if !slices.Equal(s2.AMR, []string{"pwd", "hwk"}) {
		t.Errorf("AMR after password and passkey = %v, want [pwd hwk]", s2.AMR)
	}
	if _, err := f.svc.PendingAccount(ctx, res.Token); err == nil {
		t.Error("the pending session survived the second factor")
	}

	// Passwordless: no username, no password; it replaces a pending session.
	pending, err := f.svc.SignIn(ctx, email, pkPassword, f.cl)
	if err != nil {
		t.Fatal(err)
	}
	login, err := f.svc.BeginPasskeySignIn(ctx, f.cl)
	if err != nil {
		t.Fatal(err)
	}
	if got := pkAssertion(t, login.Options); len(got.AllowedCredentials) != 0 ||
		got.UserVerification != protocol.VerificationRequired {
		t.Errorf("passwordless options = %+v, want no allow list and UV required", got)
	}
	res, err = f.svc.FinishPasskeySignIn(ctx, login.Token, f.auth.get(t, login.Options), pending.Token, f.cl)
	if err != nil {
		t.Fatalf("passwordless sign-in: %v", err)
	}
	a3, s3, _ := f.authenticate(t, res.Token)
	if a3.ID != a.ID || !slices.Equal(s3.AMR, []string{"hwk", "user"}) || s3.State != identity.StateActive {
		t.Errorf("passwordless session: account %s, AMR %v, state %s; want %s, [hwk user], active", a3.ID, s3.AMR, s3.State, a.ID)
	}
	if _, err := f.svc.PendingAccount(ctx, pending.Token); err == nil {
		t.Error("the pending session survived the passwordless sign-in")
	}
	events, _ = f.store.AuditByActor(ctx, a.ID, 20)
	if !pkHasEvent(events, audit.SignIn, "amr", "hwk user") {
		t.Errorf("no sign-in audit event with amr \"hwk user\" in %+v", events)
	}
	ps, _ = f.svc.Passkeys(ctx, a.ID)
	if ps[0].LastUsedAt.IsZero() {
		t.Error("last used time not recorded")
	}
	var cred webauthn.Credential
	if err := json.Unmarshal(ps[0].Credential, &cred); err != nil || cred.Authenticator.SignCount != 2 {
		t.Errorf("stored sign count = %d, %v; want 2 after two sign-ins", cred.Authenticator.SignCount, err)
	}

	// Removing the last passkey needs the password and lowers the level.
	err = f.svc.RemovePasskey(ctx, a3, ps[0].ID, "wrong password", f.cl)
	pkWantKey(t, "remove with a wrong password", err, "reauth.failed")
	err = f.svc.RemovePasskey(ctx, a3, "no-such-passkey", pkPassword, f.cl)
	pkWantKey(t, "remove an unknown passkey", err, "passkey.choose")
	if err := f.svc.RemovePasskey(ctx, a3, ps[0].ID, pkPassword, f.cl); err != nil {
		t.Fatalf("remove: %v", err)
	}
	a4, _, _ := f.authenticate(t, res.Token)
	if a4.Passkeys != 0 || a4.EffectiveLevel() != identity.Level2 {
		t.Errorf("after removal: %d passkeys, level %d; want 0 and level 2", a4.Passkeys, a4.EffectiveLevel())
	}
	if texts := f.out.texts(); !strings.Contains(texts[len(texts)-1], "a passkey was removed") {
		t.Errorf("last message = %q, want the removal notice", texts[len(texts)-1])
	}
	// The removed passkey no longer signs in.
	login, _ = f.svc.BeginPasskeySignIn(ctx, f.cl)
	_, err = f.svc.FinishPasskeySignIn(ctx, login.Token, f.auth.get(t, login.Options), "", f.cl)
	pkWantKey(t, "sign in with a removed passkey", err, "passkey.failed")
}

func pkHasEvent(events []audit.Event, action, key, value string) bool {
	for _, e := range events {
		if e.Action == action && e.Detail[key] == value {
			return true
		}
	}
	return false
}

// TestPasskeyCeremonyExpiry: a ceremony lasts five minutes, and expired
// ones are swept when the next begins.
func TestPasskeyCeremonyExpiry(t *testing.T) {
	f := newPKFixture(t, true)
	ctx := context.Background()
	f.account(t, "lee@example.com", identity.Resident)
	a, s, _ := f.signIn(t, "lee@example.com")
	cer, err := f.svc.BeginPasskeyRegistration(ctx, a, s, pkPassword, f.cl)
	if err != nil {
		t.Fatal(err)
	}
	resp := f.auth.create(t, cer.Options)
	f.clock.add(5*time.Minute + time.Second)
	_, err = f.svc.FinishPasskeyRegistration(ctx, a, s, cer.Token, "", resp, f.cl)
	pkWantKey(t, "finish after five minutes", err, "passkey.expired")

	old, _ := f.svc.BeginPasskeySignIn(ctx, f.cl)
	f.clock.add(6 * time.Minute)
	if _, err := f.svc.BeginPasskeySignIn(ctx, f.cl); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.TakeCeremony(ctx, identity.HashToken(old.Token)); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("expired ceremony not swept by the next begin: %v", err)
	}
	pkWantKey(t, "unknown ceremony token", func() error {
		_, err := f.svc.FinishPasskeySignIn(ctx, "made-up", []byte(`{}`), "", f.cl)
		return err
	}(), "passkey.expired")
}

// TestPasskeyCeremonyBinding: a ceremony finishes only in the session, and
// as the kind, it began.
func TestPasskeyCeremonyBinding(t *testing.T) {
	f := newPKFixture(t, true)
	ctx := context.Background()
	f.account(t, "a@example.com", identity.Resident)
	f.account(t, "b@example.com", identity.Resident)
	a, s, _ := f.signIn(t, "a@example.com")
	b, sb, _ := f.signIn(t, "b@example.com")
	_, sa2, _ := f.signIn(t, "a@example.com")

	cer, _ := f.svc.BeginPasskeyRegistration(ctx, a, s, pkPassword, f.cl)
	_, err := f.svc.FinishPasskeyRegistration(ctx, b, sb, cer.Token, "", f.auth.create(t, cer.Options), f.cl)
	pkWantKey(t, "another account finishes the ceremony", err, "passkey.expired")
	cer, _ = f.svc.BeginPasskeyRegistration(ctx, a, s, pkPassword, f.cl)
	_, err = f.svc.FinishPasskeyRegistration(ctx, a, sa2, cer.Token, "", f.auth.create(t, cer.Options), f.cl)
	pkWantKey(t, "another session of the account finishes the ceremony", err, "passkey.expired")

	f.enrol(t, a, s, "")
	login, _ := f.svc.BeginPasskeySignIn(ctx, f.cl)
	res, _ := f.svc.SignIn(ctx, "a@example.com", pkPassword, f.cl)
	_, err = f.svc.FinishPasskeySecondFactor(ctx, res.Token, login.Token, f.auth.get(t, login.Options), f.cl)
	pkWantKey(t, "a sign-in ceremony used as a second factor", err, "passkey.expired")

	// A second factor ceremony of one pending session does not serve another.
	res2, _ := f.svc.SignIn(ctx, "a@example.com", pkPassword, f.cl)
	mfa, err := f.svc.BeginPasskeySecondFactor(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.FinishPasskeySecondFactor(ctx, res2.Token, mfa.Token, f.auth.get(t, mfa.Options), f.cl)
	pkWantKey(t, "another pending session finishes the ceremony", err, "passkey.expired")

	// No second factor by passkey for an account without one.
	res3, err := f.svc.SignIn(ctx, "b@example.com", pkPassword, f.cl)
	if err != nil || res3.NeedsSecondFactor {
		t.Fatalf("b signs in with the password alone: %+v %v", res3, err)
	}
	_, err = f.svc.BeginPasskeySecondFactor(ctx, res3.Token)
	if err != identity.ErrNoSession {
		t.Errorf("second factor for a full session: %v, want ErrNoSession", err)
	}
}

// TestPasskeyNeedsUserVerification: an authenticator that does not verify
// the person is refused, at enrolment and as a second factor, and the
// failures count.
func TestPasskeyNeedsUserVerification(t *testing.T) {
	f := newPKFixture(t, true)
	ctx := context.Background()
	f.account(t, "uv@example.com", identity.Resident)
	a, s, _ := f.signIn(t, "uv@example.com")
	f.auth.uv = false
	cer, _ := f.svc.BeginPasskeyRegistration(ctx, a, s, pkPassword, f.cl)
	_, err := f.svc.FinishPasskeyRegistration(ctx, a, s, cer.Token, "", f.auth.create(t, cer.Options), f.cl)
	pkWantKey(t, "enrol without user verification", err, "passkey.failed")
	if ps, _ := f.svc.Passkeys(ctx, a.ID); len(ps) != 0 {
		t.Fatalf("a passkey without UV was stored: %+v", ps)
	}

	f.auth.uv = true
	f.enrol(t, a, s, "")
	f.auth.uv = false
	res, _ := f.svc.SignIn(ctx, "uv@example.com", pkPassword, f.cl)
	mfa, _ := f.svc.BeginPasskeySecondFactor(ctx, res.Token)
	_, err = f.svc.FinishPasskeySecondFactor(ctx, res.Token, mfa.Token, f.auth.get(t, mfa.Options), f.cl)
	pkWantKey(t, "second factor without user verification", err, "passkey.failed")
	if st, _ := f.store.Throttle(ctx, "mfa:"+a.ID); st.Failures != 1 {
		t.Errorf("second-factor failures counted = %d, want 1", st.Failures)
	}
	login, _ := f.svc.BeginPasskeySignIn(ctx, f.cl)
	_, err = f.svc.FinishPasskeySignIn(ctx, login.Token, f.auth.get(t, login.Options), "", f.cl)
	pkWantKey(t, "passwordless without user verification", err, "passkey.failed")
	if st, _ := f.store.Throttle(ctx, "ip:"+f.cl.IP); st.Failures != 1 {
		t.Errorf("passwordless failures counted against the address = %d, want 1", st.Failures)
	}
}

// TestPasskeyWrongOrigin: a response made for another site is refused.
func TestPasskeyWrongOrigin(t *testing.T) {
	f := newPKFixture(t, true)
	ctx := context.Background()
	f.account(t, "o@example.com", identity.Resident)
	a, s, _ := f.signIn(t, "o@example.com")
	f.enrol(t, a, s, "")
	f.auth.origin = "http://localhost:9999"
	login, _ := f.svc.BeginPasskeySignIn(ctx, f.cl)
	_, err := f.svc.FinishPasskeySignIn(ctx, login.Token, f.auth.get(t, login.Options), "", f.cl)
	pkWantKey(t, "assertion for another origin", err, "passkey.failed")
}

// TestPasskeyStaffKeepsSecondFactor: staff cannot remove their last second
// factor.
func TestPasskeyStaffKeepsSecondFactor(t *testing.T) {
	f := newPKFixture(t, true)
	h, _ := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 1)
	hash, _ := h.Hash(context.Background(), pkPassword)
	staff := identity.Account{ID: "staff1", Kind: identity.Staff, PasswordHash: hash, Passkeys: 1}
	err := f.svc.RemovePasskey(context.Background(), staff, "cred", pkPassword, f.cl)
	pkWantKey(t, "staff removes the last passkey", err, "mfa.staff_required")
}

// TestPasskeysOff: without a relying party every ceremony is refused.
func TestPasskeysOff(t *testing.T) {
	f := newPKFixture(t, false)
	ctx := context.Background()
	if f.svc.PasskeysEnabled() {
		t.Fatal("PasskeysEnabled with no WebAuthn configured")
	}
	f.account(t, "off@example.com", identity.Resident)
	a, s, _ := f.signIn(t, "off@example.com")
	_, err := f.svc.BeginPasskeyRegistration(ctx, a, s, pkPassword, f.cl)
	pkWantKey(t, "register", err, "passkey.off")
	_, err = f.svc.BeginPasskeySignIn(ctx, f.cl)
	pkWantKey(t, "sign in", err, "passkey.off")
}

// fakeEngine is a PasskeyEngine whose answers the test sets, to check the
// rules the service applies to what an engine reports.
type fakeEngine struct {
	cred identity.StoredCredential
	err  error
	// users are the users the engine was given, last last.
	users []identity.PasskeyUser
}

func (e *fakeEngine) begin() (json.RawMessage, []byte, error) {
	return json.RawMessage(`{"publicKey":{}}`), []byte(`{}`), nil
}

func (e *fakeEngine) BeginRegistration(u identity.PasskeyUser) (json.RawMessage, []byte, error) {
	e.users = append(e.users, u)
	return e.begin()
}

func (e *fakeEngine) FinishRegistration(u identity.PasskeyUser, _, _ []byte) (identity.StoredCredential, error) {
	e.users = append(e.users, u)
	return e.cred, e.err
}

func (e *fakeEngine) BeginLogin(u identity.PasskeyUser) (json.RawMessage, []byte, error) {
	e.users = append(e.users, u)
	return e.begin()
}

func (e *fakeEngine) FinishLogin(u identity.PasskeyUser, _, _ []byte) (identity.StoredCredential, error) {
	e.users = append(e.users, u)
	return e.cred, e.err
}

func (e *fakeEngine) BeginDiscoverableLogin() (json.RawMessage, []byte, error) { return e.begin() }

func (e *fakeEngine) FinishDiscoverableLogin(_, _ []byte, lookup func([]byte) (identity.PasskeyUser, error)) (identity.StoredCredential, error) {
	if e.err != nil {
		return e.cred, e.err
	}
	if _, err := lookup(e.users[0].Handle); err != nil {
		return identity.StoredCredential{}, fmt.Errorf("%w: lookup: %w", identity.ErrPasskeyRejected, err)
	}
	return e.cred, nil
}

// TestPasskeyRulesOverEngine: whatever the engine verified, the service
// refuses a credential that does not show user verification or says it is
// not discoverable, tells refusals from the engine's own failures, and
// keeps the engine's record.
func TestPasskeyRulesOverEngine(t *testing.T) {
	e := &fakeEngine{}
	f := newPKFixtureWith(t, e)
	ctx := context.Background()
	f.account(t, "rules@example.com", identity.Resident)
	a, s, _ := f.signIn(t, "rules@example.com")
	no := false
	register := func(cred identity.StoredCredential, err error) (string, error) {
		t.Helper()
		e.cred, e.err = cred, err
		cer, berr := f.svc.BeginPasskeyRegistration(ctx, a, s, pkPassword, f.cl)
		if berr != nil {
			t.Fatal(berr)
		}
		if string(cer.Options) != `{"publicKey":{}}` {
			t.Errorf("options = %s, want the engine's", cer.Options)
		}
		return f.svc.FinishPasskeyRegistration(ctx, a, s, cer.Token, "", nil, f.cl)
	}
	_, err := register(identity.StoredCredential{ID: []byte("k1"), Data: []byte(`{"k":1}`)}, nil)
	pkWantKey(t, "a credential without user verification", err, "passkey.failed")
	_, err = register(identity.StoredCredential{ID: []byte("k1"), Data: []byte(`{"k":1}`), UserVerified: true, Discoverable: &no}, nil)
	pkWantKey(t, "a credential that is not discoverable", err, "passkey.failed")
	_, err = register(identity.StoredCredential{}, fmt.Errorf("%w: bad origin", identity.ErrPasskeyRejected))
	pkWantKey(t, "a refused attestation", err, "passkey.failed")
	_, err = register(identity.StoredCredential{}, errors.New("engine broke"))
	if _, ok := apperr.As(err); ok || err == nil {
		t.Errorf("engine failure = %v, want an internal error", err)
	}
	if ps, _ := f.svc.Passkeys(ctx, a.ID); len(ps) != 0 {
		t.Fatalf("refused credentials were stored: %+v", ps)
	}

	token, err := register(identity.StoredCredential{ID: []byte("k1"), Data: []byte(`{"k":1}`), UserVerified: true}, nil)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	a, s, _ = f.authenticate(t, token)
	ps, _ := f.svc.Passkeys(ctx, a.ID)
	if len(ps) != 1 || ps[0].ID != pkB64.EncodeToString([]byte("k1")) || string(ps[0].Credential) != `{"k":1}` {
		t.Fatalf("stored passkeys = %+v, want k1 with the engine's record", ps)
	}
	if _, err := f.svc.BeginPasskeyRegistration(ctx, a, s, pkPassword, f.cl); err != nil {
		t.Fatal(err)
	}
	u := e.users[len(e.users)-1]
	if len(u.Credentials) != 1 || string(u.Credentials[0].ID) != "k1" || string(u.Credentials[0].Data) != `{"k":1}` ||
		u.Name != "rules@example.com" || u.DisplayName == "" || len(u.Handle) != 32 {
		t.Errorf("engine's user = %+v, want the account's passkey, email, name and a 32-byte handle", u)
	}

	// Second factor: a refusal counts against the account, an engine
	// failure does not; the engine's new record is kept.
	mfa := func(cred identity.StoredCredential, err error) error {
		t.Helper()
		e.cred, e.err = cred, err
		res, serr := f.svc.SignIn(ctx, "rules@example.com", pkPassword, f.cl)
		if serr != nil || !res.NeedsSecondFactor {
			t.Fatalf("sign in: %+v %v", res, serr)
		}
		cer, berr := f.svc.BeginPasskeySecondFactor(ctx, res.Token)
		if berr != nil {
			t.Fatal(berr)
		}
		_, err = f.svc.FinishPasskeySecondFactor(ctx, res.Token, cer.Token, nil, f.cl)
		return err
	}
	failures := func() int {
		st, _ := f.store.Throttle(ctx, "mfa:"+a.ID)
		return st.Failures
	}
	pkWantKey(t, "refused assertion", mfa(identity.StoredCredential{}, fmt.Errorf("%w: bad signature", identity.ErrPasskeyRejected)), "passkey.failed")
	pkWantKey(t, "assertion without user verification", mfa(identity.StoredCredential{ID: []byte("k1"), Data: []byte(`{"k":2}`)}, nil), "passkey.failed")
	if n := failures(); n != 2 {
		t.Errorf("second-factor failures = %d, want 2", n)
	}
	if err := mfa(identity.StoredCredential{}, errors.New("engine broke")); err == nil || apperr.CodeOf(err) != apperr.Internal {
		t.Errorf("engine failure = %v, want an internal error", err)
	}
	if n := failures(); n != 2 {
		t.Errorf("second-factor failures after an engine failure = %d, want still 2", n)
	}
	if err := mfa(identity.StoredCredential{ID: []byte("k1"), Data: []byte(`{"k":3}`), UserVerified: true, CloneWarning: true}, nil); err != nil {
		t.Fatalf("second factor: %v", err)
	}
	if ps, _ := f.svc.Passkeys(ctx, a.ID); string(ps[0].Credential) != `{"k":3}` || ps[0].LastUsedAt.IsZero() {
		t.Errorf("after use: %s, last used %v; want the engine's new record", ps[0].Credential, ps[0].LastUsedAt)
	}

	// Passwordless: the lookup finds the account by its handle.
	e.cred, e.err = identity.StoredCredential{ID: []byte("k1"), Data: []byte(`{"k":4}`), UserVerified: true}, nil
	login, err := f.svc.BeginPasskeySignIn(ctx, f.cl)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.FinishPasskeySignIn(ctx, login.Token, nil, "", f.cl)
	if err != nil || res.Account.ID != a.ID {
		t.Fatalf("passwordless: %+v, %v; want account %s", res.Account.ID, err, a.ID)
	}
}

// softAuthenticator is a software passkey provider: ES256 keys, "none"
// attestation, and the user-verified flag unless uv is false.
type softAuthenticator struct {
	origin string
	uv     bool
	keys   []*softKey
}

type softKey struct {
	id, handle []byte
	rpID       string
	priv       *ecdsa.PrivateKey
	count      uint32
}

var pkB64 = base64.RawURLEncoding

func (s *softAuthenticator) flags() byte {
	f := byte(0x01) // UP
	if s.uv {
		f |= 0x04 // UV
	}
	return f
}

func (s *softAuthenticator) clientData(t *testing.T, typ string, challenge protocol.URLEncodedBase64) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"type": typ, "challenge": pkB64.EncodeToString(challenge),
		"origin": s.origin, "crossOrigin": false})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// create answers navigator.credentials.create.
func (s *softAuthenticator) create(t *testing.T, options json.RawMessage) []byte {
	t.Helper()
	o := pkCreation(t, options)
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k := &softKey{id: make([]byte, 16), handle: pkUserHandle(t, o), rpID: o.RelyingParty.ID, priv: priv}
	_, _ = rand.Read(k.id)
	pub, err := priv.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: pub[1:33], -3: pub[33:65]})
	if err != nil {
		t.Fatal(err)
	}
	rp := sha256.Sum256([]byte(k.rpID))
	auth := append(rp[:], s.flags()|0x40) // AT: attested credential data follows
	auth = binary.BigEndian.AppendUint32(auth, 0)
	auth = append(auth, make([]byte, 16)...) // AAGUID
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(k.id)))
	auth = append(append(auth, k.id...), cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		t.Fatal(err)
	}
	s.keys = append(s.keys, k)
	return pkJSON(t, map[string]any{"id": pkB64.EncodeToString(k.id), "rawId": pkB64.EncodeToString(k.id),
		"type": "public-key", "authenticatorAttachment": "platform",
		"response": map[string]any{"clientDataJSON": pkB64.EncodeToString(s.clientData(t, "webauthn.create", o.Challenge)),
			"attestationObject": pkB64.EncodeToString(att), "transports": []string{"internal"}},
		"clientExtensionResults": map[string]any{"credProps": map[string]any{"rk": true}}})
}

// get answers navigator.credentials.get with the newest key for the RP
// that the allow list permits.
func (s *softAuthenticator) get(t *testing.T, options json.RawMessage) []byte {
	t.Helper()
	o := pkAssertion(t, options)
	var k *softKey
	for _, c := range slices.Backward(s.keys) {
		if c.rpID != o.RelyingPartyID {
			continue
		}
		if len(o.AllowedCredentials) > 0 && !slices.ContainsFunc(o.AllowedCredentials, func(d protocol.CredentialDescriptor) bool {
			return bytes.Equal(d.CredentialID, c.id)
		}) {
			continue
		}
		k = c
		break
	}
	if k == nil {
		t.Fatal("soft authenticator: no key for these options")
	}
	k.count++
	rp := sha256.Sum256([]byte(k.rpID))
	auth := binary.BigEndian.AppendUint32(append(rp[:], s.flags()), k.count)
	cd := s.clientData(t, "webauthn.get", o.Challenge)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(slices.Clone(auth), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return pkJSON(t, map[string]any{"id": pkB64.EncodeToString(k.id), "rawId": pkB64.EncodeToString(k.id),
		"type": "public-key", "authenticatorAttachment": "platform",
		"response": map[string]any{"clientDataJSON": pkB64.EncodeToString(cd), "authenticatorData": pkB64.EncodeToString(auth),
			"signature": pkB64.EncodeToString(sig), "userHandle": pkB64.EncodeToString(k.handle)},
		"clientExtensionResults": map[string]any{}})
}

func pkJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
