package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"time"
)

// page is the only page: signed out, signed in, or an error.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Driving licence renewal — DSAT (demo e-service)</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;word-break:break-all}
.note{background:#eef;padding:.5rem 1rem}.error{background:#fee;padding:.5rem 1rem}button{font-size:1rem;padding:.4rem 1rem}</style>
</head><body>
<h1>Driving licence renewal — DSAT (demo e-service)</h1>
<p>This is a demonstration e-service, not a real DSAT service. It is a relying party of OneAccount:
it signs you in with OpenID Connect and asks for identity assurance level 2, since renewing a licence needs a verified identity.</p>
{{with .Notice}}<p class="note">{{.}}</p>{{end}}
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
{{if .Rows}}
<h2>You are signed in</h2>
<p>These are the claims OneAccount released, after the signatures were verified. The <code>sub</code> is pairwise: another entity sees another value.</p>
<table><tr><th>Claim</th><th>Value</th><th>From</th></tr>
{{range .Rows}}<tr><td><code>{{.Name}}</code></td><td>{{.Value}}</td><td>{{.From}}</td></tr>
{{end}}</table>
<form method="post" action="/logout"><p><button type="submit">Sign out</button></p></form>
{{else}}
<form method="get" action="/login"><p><button type="submit">Sign in with OneAccount</button></p></form>
{{end}}
</body></html>
`))

type pageData struct {
	Notice, Error string
	Rows          []row
}

// row is one claim to show.
type row struct{ Name, Value, From string }

// rowsOf lists claims sorted by name, times shown as dates.
func rowsOf(from string, claims map[string]any) []row {
	var out []row
	for k, v := range claims {
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case float64:
			s = fmt.Sprint(v)
			if k == "auth_time" || k == "iat" || k == "exp" || k == "nbf" {
				s = fmt.Sprintf("%s (%d)", time.Unix(int64(v), 0).UTC().Format(time.RFC3339), int64(v))
			}
		default:
			b, _ := json.Marshal(v)
			s = string(b)
		}
		out = append(out, row{Name: k, Value: s, From: from})
	}
	slices.SortFunc(out, func(a, b row) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// index shows the sign-in button, or the signed-in resident's claims. Back
// from the provider's logout, it checks the echoed state.
func (a *rp) index(w http.ResponseWriter, r *http.Request) {
	var d pageData
	if c, err := r.Cookie(sessionCookie); err == nil {
		if s, ok := a.sessions.Load(c.Value); ok {
			d.Rows = s.(*session).rows
		} else {
			a.setCookie(w, sessionCookie, "", -1)
			d.Notice = "Your session here has ended (you may have signed out of OneAccount elsewhere)."
		}
	}
	if st := r.URL.Query().Get("state"); st != "" {
		c, err := r.Cookie(logoutCookie)
		a.setCookie(w, logoutCookie, "", -1)
		if err == nil && c.Value == st {
			d.Notice = "You have signed out of this e-service and of OneAccount."
		} else {
			d.Error = "The sign-out response does not match a sign-out started here."
		}
	}
	a.render(w, http.StatusOK, d)
}

// fail logs err and shows msg.
func (a *rp) fail(w http.ResponseWriter, status int, msg string, err error) {
	slog.Info("sign-in refused", "status", status, "err", err)
	a.render(w, status, pageData{Error: msg})
}

func (a *rp) render(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' "+a.cfg.issuer)
	w.WriteHeader(status)
	if err := page.Execute(w, d); err != nil {
		slog.Error("render page", "err", err)
	}
}
