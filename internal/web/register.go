package web

import (
	"errors"
	"net/http"

	"github.com/oneaccount/oneaccount/internal/identity"
)

func isSessionGone(err error) bool { return errors.Is(err, identity.ErrNoSession) }

// registerPage asks for the email address and mobile number.
func (w *Web) registerPage(rw http.ResponseWriter, r *http.Request) {
	w.renderForm(rw, r, http.StatusOK, "register", "register.title", &form{Values: map[string]string{}, Errors: map[string]string{}})
}

// register sends a code to each contact.
func (w *Web) register(rw http.ResponseWriter, r *http.Request) {
	f := newForm(r, "email", "phone")
	l := w.language(r)
	token, err := w.opt.Identity.StartRegistration(r.Context(), f.Values["email"], f.Values["phone"], l)
	if err != nil {
		w.renderForm(rw, r, f.fail(err, ""), "register", "register.title", f)
		return
	}
	w.setCookie(rw, w.regCookie(), token, 30*60e9)
	http.Redirect(rw, r, "/register/verify", http.StatusSeeOther)
}

// verifyPage asks for the two codes.
func (w *Web) verifyPage(rw http.ResponseWriter, r *http.Request) {
	reg, err := w.opt.Identity.Registration(r.Context(), cookieValue(r, w.regCookie()))
	if err != nil {
		http.Redirect(rw, r, "/register", http.StatusSeeOther)
		return
	}
	f := &form{Values: map[string]string{}, Errors: map[string]string{}, Extra: reg}
	w.renderForm(rw, r, http.StatusOK, "register-verify", "register.verify_title", f)
}

// verify checks the codes.
func (w *Web) verify(rw http.ResponseWriter, r *http.Request) {
	f := newForm(r)
	reg, err := w.opt.Identity.VerifyRegistration(r.Context(), cookieValue(r, w.regCookie()),
		r.PostFormValue("email_code"), r.PostFormValue("phone_code"))
	f.Extra = reg
	if err != nil {
		if reg.IDHash == "" {
			http.Redirect(rw, r, "/register", http.StatusSeeOther)
			return
		}
		w.renderForm(rw, r, f.fail(err, ""), "register-verify", "register.verify_title", f)
		return
	}
	http.Redirect(rw, r, "/register/details", http.StatusSeeOther)
}

var detailFields = []string{"name_zh", "name_latin", "doc_type", "doc_number", "doc_country", "birth_date"}

// detailsPage asks for names, document, birth date and password.
func (w *Web) detailsPage(rw http.ResponseWriter, r *http.Request) {
	reg, err := w.opt.Identity.Registration(r.Context(), cookieValue(r, w.regCookie()))
	if err != nil || !reg.EmailVerified || !reg.PhoneVerified {
		http.Redirect(rw, r, "/register", http.StatusSeeOther)
		return
	}
	f := &form{Values: map[string]string{"doc_type": "bir"}, Errors: map[string]string{}}
	w.renderForm(rw, r, http.StatusOK, "register-details", "register.details_title", f)
}

// details creates the account and signs the resident in.
func (w *Web) details(rw http.ResponseWriter, r *http.Request) {
	f := newForm(r, detailFields...)
	if r.PostFormValue("password") != r.PostFormValue("password_confirm") {
		f.fail(&apperrMismatch, "password_confirm")
		w.renderForm(rw, r, http.StatusUnprocessableEntity, "register-details", "register.details_title", f)
		return
	}
	d := identity.Details{NameZh: f.Values["name_zh"], NameLatin: f.Values["name_latin"], DocType: f.Values["doc_type"],
		DocNumber: f.Values["doc_number"], DocCountry: f.Values["doc_country"], BirthDate: f.Values["birth_date"],
		Password: r.PostFormValue("password")}
	token := cookieValue(r, w.regCookie())
	a, err := w.opt.Identity.CompleteRegistration(r.Context(), token, d, w.client(r))
	if err != nil {
		w.renderForm(rw, r, f.fail(err, ""), "register-details", "register.details_title", f)
		return
	}
	w.clearCookie(rw, w.regCookie())
	res, err := w.opt.Identity.SignIn(r.Context(), string(a.Email), d.Password, w.client(r))
	if err != nil {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	w.startSession(rw, res)
	http.Redirect(rw, r, "/account?welcome=1", http.StatusSeeOther)
}
