package web

import (
	"net/http"

	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
)

// accountData is the account page: profile, security, sessions and the
// access log.
type accountData struct {
	Account       identity.Account
	Current       string
	Sessions      []identity.Session
	Accesses      []audit.Event
	History       []audit.Event
	RecoveryLeft  int
	Welcome       bool
	Level         identity.Level
	TOTP          *identity.TOTPEnrolment
	RecoveryCodes []string
	Done          string
	// ContactSent shows the form for the code sent to a new contact.
	ContactSent bool
	// Passkeys are the account's passkeys (passkey.go).
	Passkeys []identity.Passkey
}

func (w *Web) accountData(r *http.Request) (*accountData, error) {
	u, _ := currentUser(r)
	ctx := r.Context()
	d := &accountData{Account: u.Account, Current: u.Session.IDHash, Level: u.Account.EffectiveLevel(),
		Welcome: r.URL.Query().Get("welcome") != "", Done: r.URL.Query().Get("done"),
		ContactSent: r.URL.Query().Get("contact") == "sent"}
	var err error
	if d.Sessions, err = w.opt.Identity.Sessions(ctx, u.Account.ID); err != nil {
		return nil, err
	}
	if d.Accesses, err = w.opt.Identity.AccessLog(ctx, u.Account.ID); err != nil {
		return nil, err
	}
	if d.History, err = w.opt.Identity.Store().AuditByActor(ctx, u.Account.ID, 10); err != nil {
		return nil, err
	}
	if d.Passkeys, err = w.opt.Identity.Passkeys(ctx, u.Account.ID); err != nil {
		return nil, err
	}
	d.RecoveryLeft, err = w.opt.Identity.Store().RecoveryCodesLeft(ctx, u.Account.ID)
	return d, err
}

// account shows the account page.
func (w *Web) account(rw http.ResponseWriter, r *http.Request) {
	d, err := w.accountData(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderForm(rw, r, http.StatusOK, "account", "account.title", &form{Values: map[string]string{},
		Errors: map[string]string{}, Extra: d})
}

// accountForm re-renders the account page with a form's errors.
func (w *Web) accountForm(rw http.ResponseWriter, r *http.Request, f *form, err error, field string, fill func(*accountData)) {
	d, derr := w.accountData(r)
	if derr != nil {
		w.fail(rw, r, derr)
		return
	}
	if fill != nil {
		fill(d)
	}
	f.Extra = d
	status := http.StatusOK
	if err != nil {
		status = f.fail(err, field)
	}
	w.renderForm(rw, r, status, "account", "account.title", f)
}

// totpBegin shows a new secret to scan.
func (w *Web) totpBegin(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	enr, err := w.opt.Identity.BeginTOTP(u.Account)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.accountForm(rw, r, &form{Values: map[string]string{}, Errors: map[string]string{}}, nil, "", func(d *accountData) { d.TOTP = &enr })
}

// totpConfirm enrols the secret and shows the recovery codes once.
func (w *Web) totpConfirm(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	f := newForm(r, "secret")
	secret := f.Values["secret"]
	codes, token, err := w.opt.Identity.ConfirmTOTP(r.Context(), u.Account, u.Session, secret,
		r.PostFormValue("code"), r.PostFormValue("current_password_totp"), w.client(r))
	if err != nil {
		enr := w.opt.Identity.TOTPEnrolmentFor(u.Account, secret)
		err = renameField(err, "current_password", "current_password_totp")
		w.accountForm(rw, r, f, err, "code", func(d *accountData) { d.TOTP = &enr })
		return
	}
	w.setCookie(rw, w.sessionCookie(), token, w.opt.Identity.Config().Sessions.Absolute)
	w.showCodes(rw, r, codes)
}

// showCodes renders the recovery codes page.
func (w *Web) showCodes(rw http.ResponseWriter, r *http.Request, codes []string) {
	rw.Header().Set("Cache-Control", "no-store")
	p := w.newPage(r, "", codes)
	p.Title = p.L.T("recovery.title")
	w.render(rw, r, http.StatusOK, "recovery-codes", p)
}

// totpDisable removes the authenticator.
func (w *Web) totpDisable(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := w.opt.Identity.DisableTOTP(r.Context(), u.Account, r.PostFormValue("current_password_off"), w.client(r)); err != nil {
		w.accountForm(rw, r, newForm(r), renameField(err, "current_password", "current_password_off"), "current_password_off", nil)
		return
	}
	http.Redirect(rw, r, "/account?done=totp-off#security", http.StatusSeeOther)
}

// recoveryCodes makes new recovery codes.
func (w *Web) recoveryCodes(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	codes, err := w.opt.Identity.RegenerateRecoveryCodes(r.Context(), u.Account, r.PostFormValue("current_password_rec"), w.client(r))
	if err != nil {
		w.accountForm(rw, r, newForm(r), renameField(err, "current_password", "current_password_rec"), "current_password_rec", nil)
		return
	}
	w.showCodes(rw, r, codes)
}

// changePassword sets a new password.
func (w *Web) changePassword(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	f := newForm(r)
	if r.PostFormValue("new_password") != r.PostFormValue("new_password_confirm") {
		e := apperrMismatch
		e.Field = "new_password_confirm"
		w.accountForm(rw, r, f, &e, "", nil)
		return
	}
	token, err := w.opt.Identity.ChangePassword(r.Context(), u.Account, u.Session, r.PostFormValue("current_password"),
		r.PostFormValue("new_password"), w.client(r))
	if err != nil {
		if e, ok := asField(err, "password"); ok {
			err = e
		}
		w.accountForm(rw, r, f, err, "current_password", nil)
		return
	}
	w.setCookie(rw, w.sessionCookie(), token, w.opt.Identity.Config().Sessions.Absolute)
	http.Redirect(rw, r, "/account?done=password#security", http.StatusSeeOther)
}

// revokeSession ends one of the person's sessions.
func (w *Web) revokeSession(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	w.endForRelyingParties(r, u.Account.ID, r.PathValue("id"))
	if err := w.opt.Identity.RevokeSession(r.Context(), u.Account, r.PathValue("id"), w.client(r)); err != nil {
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/account?done=revoked#sessions", http.StatusSeeOther)
}

// revokeAll signs out everywhere, this browser included.
func (w *Web) revokeAll(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	w.endForRelyingParties(r, u.Account.ID, "")
	if _, err := w.opt.Identity.SignOutEverywhere(r.Context(), u.Account, w.client(r)); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.clearCookie(rw, w.sessionCookie())
	http.Redirect(rw, r, "/login?signed_out=all", http.StatusSeeOther)
}

// endForRelyingParties tells the relying parties that the account's
// session idHash (every session, when idHash is "") signed in to that it
// is ending, and revokes the grants it made.
func (w *Web) endForRelyingParties(r *http.Request, accountID, idHash string) {
	if w.opt.OIDC == nil {
		return
	}
	sessions, err := w.opt.Identity.Sessions(r.Context(), accountID)
	if err != nil {
		w.opt.Log.WarnContext(r.Context(), "list sessions", "err", err)
		return
	}
	for _, s := range sessions {
		if idHash == "" || s.IDHash == idHash {
			w.opt.OIDC.SessionEnded(r.Context(), s)
		}
	}
}
