package web

import (
	"net/http"
	"time"
)

func (w *Web) contactCookie() string { return w.prefixed("contact") }

// contactBegin re-authenticates and sends a code to the new contact.
func (w *Web) contactBegin(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	f := newForm(r, "field", "value")
	id, err := w.opt.Identity.BeginContactChange(r.Context(), u.Account, f.Values["field"], f.Values["value"],
		r.PostFormValue("contact_password"), w.client(r))
	if err != nil {
		err = renameField(err, "current_password", "contact_password")
		w.accountForm(rw, r, f, err, "value", nil)
		return
	}
	w.setCookie(rw, w.contactCookie(), id, 15*time.Minute)
	http.Redirect(rw, r, "/account?contact=sent#contact", http.StatusSeeOther)
}

// contactVerify checks the code and stores the new contact.
func (w *Web) contactVerify(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	f := newForm(r)
	_, err := w.opt.Identity.CompleteContactChange(r.Context(), u.Account, cookieValue(r, w.contactCookie()),
		r.PostFormValue("contact_code"), w.client(r))
	if err != nil {
		w.accountForm(rw, r, f, err, "contact_code", func(d *accountData) { d.ContactSent = true })
		return
	}
	w.clearCookie(rw, w.contactCookie())
	http.Redirect(rw, r, "/account?done=contact#profile", http.StatusSeeOther)
}
