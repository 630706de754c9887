package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// The passkey endpoints. Each WebAuthn ceremony is two JSON requests made
// by static/passkey.js: begin returns {"ceremony": token, "options":
// {"publicKey": ...}}, the browser asks the authenticator, and finish
// sends {"ceremony": token, "credential": ...} back. Success answers
// {"redirect": path}; failure answers {"error": {"message", "field"}} in
// the person's language, or {"redirect": "/login"} when the session is
// gone. These are first-party endpoints: the global middleware refuses
// cross-origin unsafe requests, and they take only application/json.
//
//	POST /login/passkey/begin         passwordless sign-in (discoverable)
//	POST /login/passkey/finish
//	POST /login/passkey/mfa/begin     passkey as the second factor
//	POST /login/passkey/mfa/finish
//	POST /account/passkeys/begin      enrol; {"current_password"} first
//	POST /account/passkeys/finish     {"name"} names the new passkey
//	POST /account/passkeys/remove     HTML form: passkey_id, password

// maxPasskeyBody bounds a ceremony request; an attestation is a few KiB.
const maxPasskeyBody = 64 << 10

// mountPasskeys registers the passkey endpoints.
func (w *Web) mountPasskeys(page func(string, http.HandlerFunc)) {
	page("POST /login/passkey/begin", w.passkeySignInBegin)
	page("POST /login/passkey/finish", w.passkeySignInFinish)
	page("POST /login/passkey/mfa/begin", w.passkeyMFABegin)
	page("POST /login/passkey/mfa/finish", w.passkeyMFAFinish)
	page("POST /account/passkeys/begin", w.requireUserJSON(w.passkeyRegisterBegin))
	page("POST /account/passkeys/finish", w.requireUserJSON(w.passkeyRegisterFinish))
	page("POST /account/passkeys/remove", w.requireUser(w.passkeyRemove))
}

// passkeyScript is the versioned URL of passkey.js when passkeys are on,
// else "": the templates show the passkey controls, and load the script,
// only then.
func (w *Web) passkeyScript() string {
	if w.opt.Identity == nil || !w.opt.Identity.PasskeysEnabled() {
		return ""
	}
	return w.static.url("passkey.js")
}

// passkeyRequest is the body of every ceremony request.
type passkeyRequest struct {
	Ceremony        string          `json:"ceremony"`
	Credential      json.RawMessage `json:"credential"`
	Name            string          `json:"name"`
	CurrentPassword string          `json:"current_password"`
	Next            string          `json:"next"`
}

var errPasskeyRequest = &apperr.Error{Code: apperr.Invalid, Key: "error.invalid.title", Detail: "bad passkey request"}

// readPasskeyRequest decodes a JSON body; an empty body is an empty request.
func readPasskeyRequest(r *http.Request) (passkeyRequest, error) {
	var req passkeyRequest
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return req, errPasskeyRequest
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxPasskeyBody))
	if err := dec.Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		return req, errPasskeyRequest
	}
	return req, nil
}

func passkeyJSON(rw http.ResponseWriter, status int, v any) {
	h := rw.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

// passkeyFail answers an error in the person's language. field names the
// form field the error belongs to when the domain names none; rename maps
// the domain's field names to the page's.
func (w *Web) passkeyFail(rw http.ResponseWriter, r *http.Request, err error, rename map[string]string) {
	if isSessionGone(err) {
		passkeyJSON(rw, http.StatusUnauthorized, map[string]any{"redirect": "/login"})
		return
	}
	f := &form{Values: map[string]string{}, Errors: map[string]string{}}
	status := f.fail(err, "")
	key, field := f.Message, ""
	if key == "" && len(f.Order) > 0 {
		field = f.Order[0]
		key = f.Errors[field]
	}
	if n, ok := rename[field]; ok {
		field = n
	}
	switch {
	case status >= http.StatusInternalServerError:
		w.opt.Log.ErrorContext(r.Context(), "passkey request failed", "path", r.URL.Path, "err", err)
	case status == http.StatusTooManyRequests:
		rw.Header().Set("Retry-After", f.Values["wait"])
	}
	l := w.cat.Locale(w.language(r))
	passkeyJSON(rw, status, map[string]any{"error": map[string]string{
		"message": l.T(key, "Wait", f.Values["wait"]), "field": field}})
}

// requireUserJSON answers 401 with a way to sign in when there is no
// session.
func (w *Web) requireUserJSON(h http.HandlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if _, ok := currentUser(r); !ok {
			passkeyJSON(rw, http.StatusUnauthorized, map[string]any{"redirect": "/login?next=/account"})
			return
		}
		h(rw, r)
	}
}

// afterSignIn is where a sign-in goes next: a local path, never back to
// the sign-in pages.
func afterSignIn(next string) string {
	next = localPath(next)
	if next == "/" || strings.HasPrefix(next, "/login") {
		return "/account"
	}
	return next
}

// passkeySignInBegin starts a passwordless sign-in.
func (w *Web) passkeySignInBegin(rw http.ResponseWriter, r *http.Request) {
	cer, err := w.opt.Identity.BeginPasskeySignIn(r.Context(), w.client(r))
	if err != nil {
		w.passkeyFail(rw, r, err, nil)
		return
	}
	passkeyJSON(rw, http.StatusOK, map[string]any{"ceremony": cer.Token, "options": cer.Options})
}

// passkeySignInFinish signs in with the passkey alone. A half-done
// password sign-in (or a session) in this browser is replaced.
func (w *Web) passkeySignInFinish(rw http.ResponseWriter, r *http.Request) {
	req, err := readPasskeyRequest(r)
	if err != nil {
		w.passkeyFail(rw, r, err, nil)
		return
	}
	replace := cookieValue(r, w.pendingCookie())
	if replace == "" {
		replace = cookieValue(r, w.sessionCookie())
	}
	res, err := w.opt.Identity.FinishPasskeySignIn(r.Context(), req.Ceremony, req.Credential, replace, w.client(r))
	if err != nil {
		w.passkeyFail(rw, r, err, nil)
		return
	}
	w.startSession(rw, res)
	next := afterSignIn(req.Next)
	if next == "/account" && localPath(req.Next) != "/account" {
		next = landing(res.Account)
	}
	passkeyJSON(rw, http.StatusOK, map[string]any{"redirect": next})
}

// passkeyMFABegin starts checking a passkey as the second factor.
func (w *Web) passkeyMFABegin(rw http.ResponseWriter, r *http.Request) {
	cer, err := w.opt.Identity.BeginPasskeySecondFactor(r.Context(), cookieValue(r, w.pendingCookie()))
	if err != nil {
		w.passkeyFail(rw, r, err, nil)
		return
	}
	passkeyJSON(rw, http.StatusOK, map[string]any{"ceremony": cer.Token, "options": cer.Options})
}

// passkeyMFAFinish completes the sign-in with the passkey.
func (w *Web) passkeyMFAFinish(rw http.ResponseWriter, r *http.Request) {
	req, err := readPasskeyRequest(r)
	if err != nil {
		w.passkeyFail(rw, r, err, nil)
		return
	}
	res, err := w.opt.Identity.FinishPasskeySecondFactor(r.Context(), cookieValue(r, w.pendingCookie()), req.Ceremony,
		req.Credential, w.client(r))
	if err != nil {
		w.passkeyFail(rw, r, err, nil)
		return
	}
	w.startSession(rw, res)
	passkeyJSON(rw, http.StatusOK, map[string]any{"redirect": afterSignIn(req.Next)})
}

// The account page's passkey fields.
var registerFields = map[string]string{"current_password": "current_password_pk", "name": "passkey_name"}

// passkeyRegisterBegin checks the current password and starts enrolling.
func (w *Web) passkeyRegisterBegin(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	req, err := readPasskeyRequest(r)
	if err != nil {
		w.passkeyFail(rw, r, err, nil)
		return
	}
	cer, err := w.opt.Identity.BeginPasskeyRegistration(r.Context(), u.Account, u.Session, req.CurrentPassword, w.client(r))
	if err != nil {
		w.passkeyFail(rw, r, err, registerFields)
		return
	}
	passkeyJSON(rw, http.StatusOK, map[string]any{"ceremony": cer.Token, "options": cer.Options})
}

// passkeyRegisterFinish stores the new passkey and rotates the session.
func (w *Web) passkeyRegisterFinish(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	req, err := readPasskeyRequest(r)
	if err != nil {
		w.passkeyFail(rw, r, err, nil)
		return
	}
	token, err := w.opt.Identity.FinishPasskeyRegistration(r.Context(), u.Account, u.Session, req.Ceremony, req.Name,
		req.Credential, w.client(r))
	if err != nil {
		w.passkeyFail(rw, r, err, registerFields)
		return
	}
	w.setCookie(rw, w.sessionCookie(), token, w.opt.Identity.Config().Sessions.Absolute)
	passkeyJSON(rw, http.StatusOK, map[string]any{"redirect": "/account?done=passkey#passkeys"})
}

// passkeyRemove removes a passkey: an ordinary form, no script needed.
func (w *Web) passkeyRemove(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	id := r.PostFormValue("passkey_id")
	var err error
	if id == "" {
		err = &apperr.Error{Code: apperr.Invalid, Field: "passkey_id", Key: "passkey.choose"}
	} else {
		err = w.opt.Identity.RemovePasskey(r.Context(), u.Account, id, r.PostFormValue("current_password_pkrm"), w.client(r))
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Field == "current_password" {
			c := *e
			c.Field = "current_password_pkrm"
			err = &c
		}
		w.accountForm(rw, r, newForm(r), err, "current_password_pkrm", nil)
		return
	}
	http.Redirect(rw, r, "/account?done=passkey-off#passkeys", http.StatusSeeOther)
}
