package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/oneaccount/oneaccount/internal/identity"
)

// loginPage shows the sign-in form. Signed-in people go to their account,
// unless force=1 asks them to sign in again (the OpenID provider does, for
// max_age and prompt=login).
func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request) {
	force := r.URL.Query().Get("force") == "1"
	if _, ok := currentUser(r); ok && !force {
		http.Redirect(rw, r, "/account", http.StatusSeeOther)
		return
	}
	f := &form{Values: map[string]string{"next": localPath(r.URL.Query().Get("next"))}, Errors: map[string]string{}}
	if force {
		f.Values["force"] = "1"
	}
	w.renderForm(rw, r, http.StatusOK, "login", "login.title", f)
}

// login takes username and password and answers 303: to the next page,
// or to /login/mfa when a second factor is needed.
func (w *Web) login(rw http.ResponseWriter, r *http.Request) {
	f := newForm(r, "username", "next", "force")
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
		next = landing(res.Account)
	}
	if res.NeedsSecondFactor {
		w.setCookie(rw, w.pendingCookie(), res.Token, w.opt.Identity.Config().Sessions.MFAWindow)
		http.Redirect(rw, r, "/login/mfa?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	w.replaceSession(r, res)
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
	w.replaceSession(r, res)
	w.startSession(rw, res)
	next := localPath(f.Values["next"])
	if next == "/" {
		next = landing(res.Account)
	}
	http.Redirect(rw, r, next, http.StatusSeeOther)
}

// replaceSession ends the browser's previous session when a sign-in
// (force=1, or a form posted while signed in) replaces it: its cookie is
// about to be overwritten. When the new sign-in is another person's, the
// services the old session signed in to are told it ended; when it is the
// same person signing in again, they are not, and their sign-ins move to
// the new session, so a later sign-out still reaches them.
func (w *Web) replaceSession(r *http.Request, res identity.SignInResult) {
	old := cookieValue(r, w.sessionCookie())
	if old == "" {
		return
	}
	if u, ok := currentUser(r); ok && w.opt.OIDC != nil {
		if u.Account.ID != res.Account.ID {
			w.opt.OIDC.SessionEnded(r.Context(), u.Session)
		} else if _, ns, err := w.opt.Identity.Authenticate(r.Context(), res.Token); err == nil {
			w.opt.OIDC.SessionReplaced(r.Context(), u.Session, ns)
		}
	}
	if err := w.opt.Identity.SignOut(r.Context(), old, w.client(r)); err != nil {
		w.opt.Log.WarnContext(r.Context(), "end replaced session", "err", err)
	}
}

// logout ends the session.
func (w *Web) logout(rw http.ResponseWriter, r *http.Request) {
	w.EndBrowserSession(rw, r)
	http.Redirect(rw, r, "/?signed_out=1", http.StatusSeeOther)
}

// EndBrowserSession signs the browser out: the relying parties its
// session signed in to are told (back-channel logout) and lose the grants
// it made, the session ends and its cookie is cleared. Sign-out and the
// OpenID provider's RP-initiated logout both call it; it reads the cookie
// itself, as the provider's endpoint does not load the user.
func (w *Web) EndBrowserSession(rw http.ResponseWriter, r *http.Request) {
	token := cookieValue(r, w.sessionCookie())
	if token != "" && w.opt.Identity != nil {
		if w.opt.OIDC != nil {
			if _, s, err := w.opt.Identity.Authenticate(r.Context(), token); err == nil {
				w.opt.OIDC.SessionEnded(r.Context(), s)
			}
		}
		if err := w.opt.Identity.SignOut(r.Context(), token, w.client(r)); err != nil {
			w.opt.Log.WarnContext(r.Context(), "sign out", "err", err)
		}
	}
	w.clearCookie(rw, w.sessionCookie())
}

// SessionReader reads the browser session from the cookie, as
// Authenticator does, returning the session too: the OpenID provider
// needs its sign-in time, methods and identifier.
func (w *Web) SessionReader() func(*http.Request) (identity.Account, identity.Session, error) {
	return func(r *http.Request) (identity.Account, identity.Session, error) {
		if w.opt.Identity == nil {
			return identity.Account{}, identity.Session{}, identity.ErrNoSession
		}
		return w.opt.Identity.Authenticate(r.Context(), cookieValue(r, w.sessionCookie()))
	}
}
