package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/lang"
)

// cookieName is the language cookie's name; behind HTTPS it gets the
// __Host- prefix.
func (w *Web) cookieName() string {
	if w.opt.Secure {
		return "__Host-lang"
	}
	return "lang"
}

// language picks the page language: the user's choice in the cookie, then
// Accept-Language, then English.
func (w *Web) language(r *http.Request) lang.Tag {
	if c, err := r.Cookie(w.cookieName()); err == nil {
		if t, ok := lang.Parse(c.Value); ok {
			return t
		}
	}
	return lang.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// setLanguage stores the chosen language in a cookie and returns the user
// to the page they were on. Only local paths are followed.
func (w *Web) setLanguage(rw http.ResponseWriter, r *http.Request) {
	t, ok := lang.Parse(r.PathValue("tag"))
	if !ok {
		w.Error(rw, r, http.StatusNotFound)
		return
	}
	http.SetCookie(rw, &http.Cookie{
		Name: w.cookieName(), Value: string(t), Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		Secure: w.opt.Secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(rw, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// localPath returns next when it is a path on this site, else "/".
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") {
		return "/"
	}
	return next
}
