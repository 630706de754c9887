package web

import (
	"net/http"
	"time"

	"github.com/oneaccount/oneaccount/internal/identity"
)

func (w *Web) recoveryCookie() string { return w.prefixed("recovery") }

// recoverPage asks for the email address or mobile number.
func (w *Web) recoverPage(rw http.ResponseWriter, r *http.Request) {
	w.renderForm(rw, r, http.StatusOK, "recover", "recover.title", &form{Values: map[string]string{}, Errors: map[string]string{}})
}

// recover sends a code to the contact; the next page looks the same
// whether or not an account exists.
func (w *Web) recover(rw http.ResponseWriter, r *http.Request) {
	f := newForm(r, "username")
	token, err := w.opt.Identity.StartRecovery(r.Context(), f.Values["username"], w.language(r))
	if err != nil {
		w.renderForm(rw, r, f.fail(err, "username"), "recover", "recover.title", f)
		return
	}
	w.setCookie(rw, w.recoveryCookie(), token, 15*time.Minute)
	http.Redirect(rw, r, "/recover/reset", http.StatusSeeOther)
}

// resetPage asks for the code, a second factor if the person still has
// one, and the new password.
func (w *Web) resetPage(rw http.ResponseWriter, r *http.Request) {
	if cookieValue(r, w.recoveryCookie()) == "" {
		http.Redirect(rw, r, "/recover", http.StatusSeeOther)
		return
	}
	w.renderForm(rw, r, http.StatusOK, "recover-reset", "recover.reset_title", &form{Values: map[string]string{}, Errors: map[string]string{}})
}

// reset completes the recovery.
func (w *Web) reset(rw http.ResponseWriter, r *http.Request) {
	f := newForm(r)
	if r.PostFormValue("new_password") != r.PostFormValue("new_password_confirm") {
		e := apperrMismatch
		e.Field = "new_password_confirm"
		w.renderForm(rw, r, f.fail(&e, ""), "recover-reset", "recover.reset_title", f)
		return
	}
	_, err := w.opt.Identity.CompleteRecovery(r.Context(), identity.RecoveryRequest{Token: cookieValue(r, w.recoveryCookie()),
		Code: r.PostFormValue("code"), SecondFactor: r.PostFormValue("second_factor"), NewPassword: r.PostFormValue("new_password")}, w.client(r))
	if err != nil {
		w.renderForm(rw, r, f.fail(err, "code"), "recover-reset", "recover.reset_title", f)
		return
	}
	w.clearCookie(rw, w.recoveryCookie())
	http.Redirect(rw, r, "/login?recovered=1", http.StatusSeeOther)
}
