package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
)

type userKey struct{}

// user is the signed-in person of a request.
type user struct {
	Account identity.Account
	Session identity.Session
}

// currentUser returns the request's signed-in user, if any.
func currentUser(r *http.Request) (user, bool) {
	u, ok := r.Context().Value(userKey{}).(user)
	return u, ok
}

// cookie names: __Host- prefixed behind HTTPS (ASVS 3.4.4).
func (w *Web) sessionCookie() string { return w.prefixed("session") }
func (w *Web) deviceCookie() string  { return w.prefixed("device") }
func (w *Web) pendingCookie() string { return w.prefixed("pending") }
func (w *Web) regCookie() string     { return w.prefixed("registration") }

func (w *Web) prefixed(name string) string {
	if w.opt.Secure {
		return "__Host-" + name
	}
	return name
}

func (w *Web) setCookie(rw http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(rw, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		Secure: w.opt.Secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (w *Web) clearCookie(rw http.ResponseWriter, name string) {
	http.SetCookie(rw, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		Secure: w.opt.Secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func cookieValue(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

// client describes the request for sessions and the audit log.
func (w *Web) client(r *http.Request) identity.Client {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ua := r.UserAgent()
	if len(ua) > 300 {
		ua = ua[:300]
	}
	return identity.Client{IP: host, UserAgent: ua, Device: cookieValue(r, w.deviceCookie())}
}

// withUser loads the session, when there is one, into the request context.
func (w *Web) withUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		token := cookieValue(r, w.sessionCookie())
		if token == "" || w.opt.Identity == nil {
			next.ServeHTTP(rw, r)
			return
		}
		a, s, err := w.opt.Identity.Authenticate(r.Context(), token)
		if err != nil {
			if !errors.Is(err, identity.ErrNoSession) {
				w.opt.Log.ErrorContext(r.Context(), "authenticate", "err", err)
			}
			w.clearCookie(rw, w.sessionCookie())
			next.ServeHTTP(rw, r)
			return
		}
		ctx := context.WithValue(r.Context(), userKey{}, user{Account: a, Session: s})
		next.ServeHTTP(rw, r.WithContext(ctx))
	})
}

// Authenticator exposes the session check for the API, which reads the
// same cookie.
func (w *Web) Authenticator() func(r *http.Request) (identity.Account, error) {
	return func(r *http.Request) (identity.Account, error) {
		token := cookieValue(r, w.sessionCookie())
		if w.opt.Identity == nil {
			return identity.Account{}, identity.ErrNoSession
		}
		a, _, err := w.opt.Identity.Authenticate(r.Context(), token)
		return a, err
	}
}

// requireUser sends people without a session to the sign-in page.
func (w *Web) requireUser(h http.HandlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if _, ok := currentUser(r); !ok {
			http.Redirect(rw, r, "/login?next="+localPath(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(rw, r)
	}
}

// startSession sets the session (and device) cookies after a sign-in.
func (w *Web) startSession(rw http.ResponseWriter, res identity.SignInResult) {
	w.clearCookie(rw, w.pendingCookie())
	w.setCookie(rw, w.sessionCookie(), res.Token, w.opt.Identity.Config().Sessions.Absolute)
	if res.Device != "" {
		w.setCookie(rw, w.deviceCookie(), res.Device, 400*24*time.Hour)
	}
}

// isCode reports whether err carries apperr code c.
func isCode(err error, c apperr.Code) bool { return apperr.CodeOf(err) == c }
