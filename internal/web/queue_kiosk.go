package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
)

// The branch's own screens, with no sign-in: the kiosk where visitors take
// a ticket, and the display board on the TV. The kiosk's language is in
// the URL (?lang=), never in a cookie, so the next visitor starts afresh.
//
//	GET  /kiosk/{branch}               big buttons, one per queue
//	GET  /kiosk/{branch}/take?queue=Q  priority class and an optional phone number
//	POST /kiosk/{branch}/tickets       take the ticket (queue, class, phone, lang)
//	GET  /kiosk/{branch}/tickets/{id}  the printable ticket with its QR code
//	GET  /board/{branch}               the display board (queue-board.js)

// mountKiosk registers the kiosk and the board.
func (w *Web) mountKiosk(page func(string, http.HandlerFunc)) {
	page("GET /kiosk/{branch}", w.kioskHome)
	page("GET /kiosk/{branch}/take", w.kioskOptions)
	page("POST /kiosk/{branch}/tickets", w.kioskTake)
	page("GET /kiosk/{branch}/tickets/{id}", w.kioskTicket)
	page("GET /board/{branch}", w.board)
}

// kioskClasses are the classes offered at the kiosk, normal first.
var kioskClasses = []queue.Class{queue.Normal, queue.Elderly, queue.Pregnant, queue.Disability}

// kioskData is every kiosk screen.
type kioskData struct {
	// Mode is "home", "options" or "ticket".
	Mode    string
	Branch  directory.Branch
	Rows    []queueRow
	Queue   queue.Queue
	Classes []queue.Class
	Form    *form
	Lang    lang.Tag
	// Home is the kiosk's first screen in its default language, where it
	// returns when left alone; Start is the first screen in the language
	// chosen. Idle is set when the screen should not stay as it is.
	Home, Start string
	Idle        bool
	Ticket      *ticketData
}

// kioskLang is the kiosk's language: ?lang= (or the form's lang), else
// the browser's.
func (w *Web) kioskLang(r *http.Request) lang.Tag {
	v := r.URL.Query().Get("lang")
	if r.Method == http.MethodPost {
		v = r.PostFormValue("lang")
	}
	if t, ok := lang.Parse(v); ok {
		return t
	}
	return w.language(r)
}

// kioskURL is a kiosk path in a language.
func kioskURL(path string, t lang.Tag, pairs ...string) string {
	q := url.Values{"lang": {string(t)}}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Set(pairs[i], pairs[i+1])
	}
	return path + "?" + q.Encode()
}

// kioskPage is a page for a branch's own screen in the kiosk's language,
// whose language links keep the visitor on the same screen.
func (w *Web) kioskPage(r *http.Request, t lang.Tag, d *kioskData) *page {
	p := w.newPage(r, "", d)
	p.L, p.User, p.Inbox, p.Acting = w.cat.Locale(t), nil, false, nil
	p.Sheet = w.static.url("queue.css")
	p.Langs = p.Langs[:0]
	q := r.URL.Query()
	chosen := q.Get("lang") != "" || r.Method == http.MethodPost
	for _, tag := range lang.All {
		q.Set("lang", string(tag))
		p.Langs = append(p.Langs, langLink{Tag: tag, Name: tag.Autonym(), Current: tag == t, URL: r.URL.Path + "?" + q.Encode()})
	}
	d.Home = "/kiosk/" + url.PathEscape(d.Branch.Code)
	d.Lang, d.Start = t, kioskURL(d.Home, t)
	d.Idle = d.Mode != "home" || chosen
	return p
}

// renderKiosk renders a kiosk screen with its own bare layout.
func (w *Web) renderKiosk(rw http.ResponseWriter, r *http.Request, status int, titleKey string, d *kioskData) {
	p := w.kioskPage(r, w.kioskLang(r), d)
	p.Title = p.L.T(titleKey, "Branch", p.L.Text(d.Branch.Name))
	if d.Form != nil && d.Form.HasErrors() {
		p.Title = p.L.T("form.error_prefix") + " " + p.Title
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.renderRoot(rw, r, status, "queue-kiosk", "bare", p)
}

// kioskHome shows a button per queue.
func (w *Web) kioskHome(rw http.ResponseWriter, r *http.Request) {
	b, rows, _, err := w.branchQueues(r.Context(), r.PathValue("branch"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderKiosk(rw, r, http.StatusOK, "queue.kiosk_title", &kioskData{Mode: "home", Branch: b, Rows: rows})
}

// kioskQueue loads the branch and the queue chosen for the options screen.
func (w *Web) kioskQueue(r *http.Request, code string) (*kioskData, error) {
	b, rows, _, err := w.branchQueues(r.Context(), r.PathValue("branch"))
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		if row.Queue.Code == code {
			f := &form{Values: map[string]string{"class": string(queue.Normal)}, Errors: map[string]string{}}
			return &kioskData{Mode: "options", Branch: b, Rows: rows, Queue: row.Queue, Classes: kioskClasses, Form: f}, nil
		}
	}
	return nil, &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.body", Detail: "no such queue"}
}

// kioskOptions asks for a priority class and an optional phone number.
func (w *Web) kioskOptions(rw http.ResponseWriter, r *http.Request) {
	d, err := w.kioskQueue(r, r.URL.Query().Get("queue"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderKiosk(rw, r, http.StatusOK, "queue.kiosk_options_title", d)
}

// phoneRE is a phone number once spaces, dashes and brackets are gone.
var phoneRE = regexp.MustCompile(`^\+?[0-9]{8,15}$`)

// kioskPhone normalises the phone number typed at the kiosk: "" stays "";
// eight digits are a Macao number (+853).
func kioskPhone(s string) (string, bool) {
	s = strings.Map(func(c rune) rune {
		if strings.ContainsRune(" -()", c) {
			return -1
		}
		return c
	}, strings.TrimSpace(s))
	switch {
	case s == "":
		return "", true
	case !phoneRE.MatchString(s):
		return "", false
	case len(s) == 8:
		return "+853" + s, true
	case !strings.HasPrefix(s, "+"):
		return "+" + s, true
	}
	return s, true
}

// A kiosk screen (a branch and a client address) takes at most
// kioskPerMinute tickets a minute, kioskBurst at once: far more than a
// queue at a counter forms, and far fewer than a script could flood a
// branch's queues with.
const (
	kioskPerMinute = 20
	kioskBurst     = 10
)

// kioskTake issues the kiosk ticket: 303 to the printable ticket.
func (w *Web) kioskTake(rw http.ResponseWriter, r *http.Request) {
	f := newForm(r, "queue", "class", "phone")
	d, err := w.kioskQueue(r, f.Values["queue"])
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Form = f
	if ok, wait := w.kioskLimit.Allow(d.Branch.Code + " " + w.client(r).IP); !ok {
		rw.Header().Set("Retry-After", strconv.Itoa(max(1, int((wait+time.Second-1)/time.Second))))
		f.Message = "queue.kiosk_busy"
		w.renderKiosk(rw, r, http.StatusTooManyRequests, "queue.kiosk_options_title", d)
		return
	}
	class := queue.Class(f.Values["class"])
	if class == "" {
		class = queue.Normal
	}
	phone, ok := kioskPhone(f.Values["phone"])
	switch {
	case !validClass(class):
		addFieldError(f, "class", "queue.kiosk_class_invalid")
	case !ok:
		addFieldError(f, "phone", "queue.kiosk_phone_invalid")
	}
	if f.HasErrors() {
		w.renderKiosk(rw, r, http.StatusUnprocessableEntity, "queue.kiosk_options_title", d)
		return
	}
	t, err := w.opt.Queue.TakeKiosk(r.Context(), d.Branch.Code, d.Queue.Code, class, phone)
	if err != nil {
		status := f.fail(err, "")
		if status >= 500 || isCode(err, apperr.NotFound) {
			w.fail(rw, r, err)
			return
		}
		w.renderKiosk(rw, r, status, "queue.kiosk_options_title", d)
		return
	}
	path := "/kiosk/" + url.PathEscape(d.Branch.Code) + "/tickets/" + url.PathEscape(t.ID)
	http.Redirect(rw, r, kioskURL(path, w.kioskLang(r)), http.StatusSeeOther)
}

// validClass reports whether c is one of the kiosk's classes.
func validClass(c queue.Class) bool {
	for _, k := range kioskClasses {
		if c == k {
			return true
		}
	}
	return false
}

// kioskTicket shows a kiosk ticket of the branch, to print: its number, the
// wait, and a QR code of the ticket page to follow it on a phone.
func (w *Web) kioskTicket(rw http.ResponseWriter, r *http.Request) {
	v, err := w.opt.Queue.View(r.Context(), r.PathValue("id"))
	if err == nil && (v.Ticket.Source != queue.Kiosk || v.Ticket.Branch != r.PathValue("branch")) {
		err = &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.body", Detail: "no such kiosk ticket"}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	td, err := w.loadTicket(r, v.Ticket.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	td.PageURL = siteURL(r, w.opt.Secure) + "/tickets/" + url.PathEscape(v.Ticket.ID)
	td.QR = referenceQR(td.PageURL)
	w.renderKiosk(rw, r, http.StatusOK, "queue.kiosk_ticket_title", &kioskData{Mode: "ticket", Branch: td.Branch, Ticket: td})
}

// siteURL is the scheme and host the request came to, for addresses
// printed on paper.
func siteURL(r *http.Request, secure bool) string {
	scheme := "http"
	if secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + requestHost(r)
}

// requestHost is the request's host with its port, when the host is sane.
func requestHost(r *http.Request) string {
	for _, c := range r.Host {
		if !(c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return "localhost"
		}
	}
	if r.Host == "" {
		return "localhost"
	}
	return r.Host
}

// boardData is the display board.
type boardData struct {
	Branch    directory.Branch
	Rows      []queueRow
	Calls     []boardCall
	Locales   []*Locale
	EventsURL string
	// Script is what queue-board.js needs: the counters' names and the
	// spoken call in each language.
	Script template.JS
}

// boardCall is one call on the board, its counter named in each language.
type boardCall struct {
	queue.Call
	Names []langName
}

// langName is a text in one language.
type langName struct {
	Tag  lang.Tag
	Text string
}

// boardScript is the board's JSON for queue-board.js.
type boardScript struct {
	Counters map[string]map[lang.Tag]string `json:"counters"`
	Say      map[lang.Tag]string            `json:"say"`
	Labels   map[string]string              `json:"labels"`
}

// board shows the latest calls with their counters and the waiting count
// per queue; queue-board.js keeps it live, chimes and speaks each call.
func (w *Web) board(rw http.ResponseWriter, r *http.Request) {
	b, rows, st, err := w.branchQueues(r.Context(), r.PathValue("branch"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &boardData{Branch: b, Rows: rows, EventsURL: eventsURL(b.Code)}
	sc := boardScript{Counters: map[string]map[lang.Tag]string{}, Say: map[lang.Tag]string{}, Labels: map[string]string{}}
	for _, t := range lang.All {
		l := w.cat.Locale(t)
		d.Locales = append(d.Locales, l)
		sc.Say[t] = l.T("queue.board_say", "Number", "{number}", "Counter", "{counter}")
		for _, c := range b.Counters {
			if sc.Counters[c.Code] == nil {
				sc.Counters[c.Code] = map[lang.Tag]string{}
			}
			sc.Counters[c.Code][t] = l.Text(c.Name)
		}
	}
	p := w.newPage(r, "", d)
	for _, k := range []string{"queue.board_sound_on", "queue.board_sound_off", "queue.board_fullscreen",
		"queue.board_fullscreen_exit", "queue.reconnecting"} {
		sc.Labels[k] = p.L.T(k)
	}
	raw, err := json.Marshal(sc)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Script = template.JS(raw)
	for _, c := range st.Calls {
		bc := boardCall{Call: c}
		for _, l := range d.Locales {
			bc.Names = append(bc.Names, langName{Tag: l.Tag, Text: counterText(l, b, c.Counter, c.Counter)})
		}
		d.Calls = append(d.Calls, bc)
	}
	p.Title = p.L.T("queue.board_title", "Branch", p.L.Text(b.Name))
	p.Sheet = w.static.url("queue.css")
	w.renderRoot(rw, r, http.StatusOK, "queue-board", "bare", p)
}
