package web

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/oneaccount/oneaccount/internal/messages"
)

// How messages reach the resident besides the inbox, and Web Push.
//
//	GET  /account/messages      categories × channels, checkboxes
//	POST /account/messages      saves every box: unchecked is off
//	POST /account/push          JSON: the browser's PushSubscription; 204
//	POST /account/push/delete   form or JSON {"endpoint"}: 303 or 204
//	GET  /sw.js                 the service worker, from the site's root
//
// Security messages by email cannot be turned off: the box is shown
// checked and disabled, and the handler never writes it, whatever the
// form says.

// maxPushBody bounds a push subscription; a real one is under 1 KiB.
const maxPushBody = 8 << 10

// prefCell is one checkbox of the preferences table.
type prefCell struct {
	Channel messages.Channel
	On      bool
	Locked  bool
}

// prefRow is one category of the preferences table.
type prefRow struct {
	Category messages.Category
	Cells    []prefCell
}

type prefsData struct {
	Channels []messages.Channel
	Rows     []prefRow
	Done     string
	// NoPhone warns that text messages need a mobile number.
	NoPhone bool
	// PushKey and PushScript turn on the Web Push section.
	PushKey    string
	PushScript string
}

// prefChannels are the channels the resident can choose here: Web Push
// only when the platform has a VAPID key.
func (w *Web) prefChannels() []messages.Channel {
	var out []messages.Channel
	for _, ch := range messages.Channels() {
		if ch != messages.Push || w.opt.PushKey != "" {
			out = append(out, ch)
		}
	}
	return out
}

// messagePrefs shows the preferences table.
func (w *Web) messagePrefs(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	prefs, err := w.opt.Messages.Preferences(r.Context(), u.Account)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &prefsData{Channels: w.prefChannels(), Done: r.URL.Query().Get("done"), NoPhone: u.Account.Phone == "",
		PushKey: w.opt.PushKey}
	if d.PushKey != "" {
		d.PushScript = w.static.url("push.js")
	}
	for _, c := range messages.Categories() {
		row := prefRow{Category: c}
		for _, ch := range d.Channels {
			row.Cells = append(row.Cells, prefCell{Channel: ch, On: prefs.Enabled(c, ch), Locked: messages.Locked(c, ch)})
		}
		d.Rows = append(d.Rows, row)
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("prefs.title")
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, http.StatusOK, "message-preferences", p)
}

// saveMessagePrefs saves every box of the table: a box not sent is off.
// The locked box is skipped, so no form can turn it off.
func (w *Web) saveMessagePrefs(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := r.ParseForm(); err != nil {
		w.Error(rw, r, http.StatusBadRequest)
		return
	}
	on := map[string]bool{}
	for _, v := range r.PostForm["pref"] {
		on[v] = true
	}
	for _, c := range messages.Categories() {
		for _, ch := range w.prefChannels() {
			if messages.Locked(c, ch) {
				continue
			}
			if err := w.opt.Messages.SetPreference(r.Context(), u.Account, c, ch, on[string(c)+"."+string(ch)]); err != nil {
				w.fail(rw, r, err)
				return
			}
		}
	}
	http.Redirect(rw, r, "/account/messages?done=saved", http.StatusSeeOther)
}

// pushSubscribe keeps the browser's push subscription: the JSON body as
// the browser's PushSubscription.toJSON() gives it.
func (w *Web) pushSubscribe(rw http.ResponseWriter, r *http.Request) {
	if w.opt.PushKey == "" || w.opt.PushSubscribe == nil {
		w.jsonError(rw, r, http.StatusNotFound, "error.not_found.title")
		return
	}
	if !isJSON(r) {
		w.jsonError(rw, r, http.StatusUnsupportedMediaType, "error.invalid.title")
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxPushBody))
	if err != nil || !json.Valid(raw) {
		w.jsonError(rw, r, http.StatusBadRequest, "error.invalid.title")
		return
	}
	u, _ := currentUser(r)
	if err := w.opt.PushSubscribe(r.Context(), u.Account.ID, raw, w.client(r).UserAgent); err != nil {
		w.jsonFail(rw, r, err)
		return
	}
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(http.StatusNoContent)
}

// pushUnsubscribe forgets a browser's subscription, by its endpoint: JSON
// {"endpoint": ...} from the script answers 204, a form answers 303.
func (w *Web) pushUnsubscribe(rw http.ResponseWriter, r *http.Request) {
	if w.opt.PushUnsubscribe == nil {
		w.Error(rw, r, http.StatusNotFound)
		return
	}
	u, _ := currentUser(r)
	if isJSON(r) {
		var req struct {
			Endpoint string `json:"endpoint"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, maxPushBody)).Decode(&req); err != nil || req.Endpoint == "" {
			w.jsonError(rw, r, http.StatusBadRequest, "error.invalid.title")
			return
		}
		if err := w.opt.PushUnsubscribe(r.Context(), u.Account.ID, req.Endpoint); err != nil {
			w.jsonFail(rw, r, err)
			return
		}
		rw.Header().Set("Cache-Control", "no-store")
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	endpoint := r.PostFormValue("endpoint")
	if endpoint == "" {
		w.Error(rw, r, http.StatusBadRequest)
		return
	}
	if err := w.opt.PushUnsubscribe(r.Context(), u.Account.ID, endpoint); err != nil {
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/account/messages?done=push-off#push", http.StatusSeeOther)
}

// isJSON reports whether the request body is declared JSON.
func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// jsonFail answers a domain error as JSON {"error": {"message"}} in the
// person's language.
func (w *Web) jsonFail(rw http.ResponseWriter, r *http.Request, err error) {
	f := &form{Values: map[string]string{}, Errors: map[string]string{}}
	status := f.fail(err, "")
	key := f.Message
	if key == "" && len(f.Order) > 0 {
		key = f.Errors[f.Order[0]]
	}
	if status >= http.StatusInternalServerError {
		w.opt.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	}
	w.jsonError(rw, r, status, key)
}

// jsonError answers status with a message by catalogue key.
func (w *Web) jsonError(rw http.ResponseWriter, r *http.Request, status int, key string) {
	l := w.cat.Locale(w.language(r))
	passkeyJSON(rw, status, map[string]any{"error": map[string]string{"message": l.T(key)}})
}

// serviceWorker serves static/sw.js from the root, so that its scope is
// the whole site; browsers check it for updates on every visit.
func (w *Web) serviceWorker(rw http.ResponseWriter, r *http.Request) {
	a, ok := w.static.files["sw.js"]
	if !ok {
		w.Error(rw, r, http.StatusNotFound)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", `"`+a.hash+`"`)
	if r.Header.Get("If-None-Match") == `"`+a.hash+`"` {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(a.raw)))
	_, _ = rw.Write(a.raw)
}
