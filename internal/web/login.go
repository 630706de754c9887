package web

import (
	"net/http"
	"strings"

	"github.com/oneaccount/oneaccount/internal/identity"
)

// loginPage shows the sign-in form.
func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request) {
	if _, ok := currentUser(r); ok {
		http.Redirect(rw, r, "/account", http.StatusSeeOther)
		return
	}
	f := &form{Values: map[string]string{"next": localPath(r.URL.Query().Get("next"))}, Errors: map[string]string{}}
	w.renderForm(rw, r, http.StatusOK, "login", "login.title", f)
}

// login takes username and password and answers 303: to the next page,
// or to /login/mfa when a second factor is needed.
func (w *Web) login(rw http.ResponseWriter, r *http.Request) {
	f := newForm(r, "username", "next")
	res, err := w.opt.Identity.SignIn(r.Context(), r.PostFormValue("username"), r.PostFormValue("password"), w.client(r))
	if err != nil {
		status := f.fail(err, "password")
		if status == http.StatusTooManyRequests {
			rw.Header().Set("Retry-After", f.Values["wait"])
		}
		if status == http.StatusServiceUnavailable {
			rw.Header().Set("Retry-After", "5")
		}
		w.renderForm(rw, r, status, "login", "login.title", f)
		return
	}
	next := localPath(f.Values["next"])
	if next == "/" || strings.HasPrefix(next, "/login") {
		next = "/account"
	}
	if res.NeedsSecondFactor {
		w.setCookie(rw, w.pendingCookie(), res.Token, w.opt.Identity.Config().Sessions.MFAWindow)
		http.Redirect(rw, r, "/login/mfa?next="+next, http.StatusSeeOther)
		return
	}
	w.startSession(rw, res)
	http.Redirect(rw, r, next, http.StatusSeeOther)
}

// mfaPage asks for the second factor.
func (w *Web) mfaPage(rw http.ResponseWriter, r *http.Request) {
	a, err := w.opt.Identity.PendingAccount(r.Context(), cookieValue(r, w.pendingCookie()))
	if err != nil {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	f := &form{Values: map[string]string{"next": localPath(r.URL.Query().Get("next"))}, Errors: map[string]string{},
		Extra: w.mfaOptions(a)}
	w.renderForm(rw, r, http.StatusOK, "mfa", "mfa.title", f)
}

// mfaOptions tells the second-factor page which methods to offer.
type mfaOptions struct{ TOTP, SMS, Passkey bool }

func (w *Web) mfaOptions(a identity.Account) mfaOptions {
	return mfaOptions{TOTP: a.TOTPSecret != "", SMS: a.SMSAllowed(w.opt.Identity.Config().SMSFallback), Passkey: a.Passkeys > 0}
}

// mfa takes the field code by POST.
func (w *Web) mfa(rw http.ResponseWriter, r *http.Request) {
	f := newForm(r, "next")
	token := cookieValue(r, w.pendingCookie())
	if a, err := w.opt.Identity.PendingAccount(r.Context(), token); err == nil {
		f.Extra = w.mfaOptions(a)
	}
	if r.PostFormValue("send_sms") != "" {
		if err := w.opt.Identity.SendSMSCode(r.Context(), token); err != nil {
			w.renderForm(rw, r, f.fail(err, ""), "mfa", "mfa.title", f)
			return
		}
		f.Values["sent"] = "1"
		w.renderForm(rw, r, http.StatusOK, "mfa", "mfa.title", f)
		return
	}
	res, err := w.opt.Identity.CompleteSecondFactor(r.Context(), token, r.PostFormValue("code"), w.client(r))
	if err != nil {
		if isSessionGone(err) {
			http.Redirect(rw, r, "/login", http.StatusSeeOther)
			return
		}
		w.renderForm(rw, r, f.fail(err, "code"), "mfa", "mfa.title", f)
		return
	}
	w.startSession(rw, res)
	next := localPath(f.Values["next"])
	if next == "/" {
		next = "/account"
	}
	http.Redirect(rw, r, next, http.StatusSeeOther)
}

// logout ends the session.
func (w *Web) logout(rw http.ResponseWriter, r *http.Request) {
	_ = w.opt.Identity.SignOut(r.Context(), cookieValue(r, w.sessionCookie()), w.client(r))
	w.clearCookie(rw, w.sessionCookie())
	http.Redirect(rw, r, "/?signed_out=1", http.StatusSeeOther)
}
