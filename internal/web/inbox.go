package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// The resident's inbox: messages from every entity and from the platform.
//
//	GET  /inbox                           list: ?q= search, ?sender=, ?archived=1, ?page=
//	GET  /inbox/{id}                      open (marks it read)
//	POST /inbox/{id}/archive              move to the archive
//	GET  /inbox/{id}/attachments/{att}    download an attachment
//
// Only the recipient sees a message or its attachments: the store finds
// them by account, so anyone else's ID is not found.

// inboxPageSize is how many messages one inbox page lists.
const inboxPageSize = 20

// mountMessages registers the inbox, message preferences, Web Push and
// dead-job routes of the services that exist.
func (w *Web) mountMessages(page func(string, http.HandlerFunc)) {
	if w.opt.Jobs != nil {
		page("GET /staff/jobs", w.requireUser(w.deadJobs))
		page("POST /staff/jobs/{id}/retry", w.requireUser(w.retryJob))
	}
	if w.opt.Messages == nil {
		return
	}
	page("GET /inbox", w.requireUser(w.inbox))
	page("GET /inbox/{id}", w.requireUser(w.message))
	page("POST /inbox/{id}/archive", w.requireUser(w.archive))
	page("GET /inbox/{id}/attachments/{att}", w.requireUser(w.attachment))
	page("GET /account/messages", w.requireUser(w.messagePrefs))
	page("POST /account/messages", w.requireUser(w.saveMessagePrefs))
	page("POST /account/push", w.requireUserJSON(w.pushSubscribe))
	page("POST /account/push/delete", w.requireUser(w.pushUnsubscribe))
	page("GET /sw.js", w.serviceWorker)
}

// unread tells the header whether to link the inbox, and how many
// messages are unread: residents only, one COUNT query. A failure only
// hides the count.
func (w *Web) unread(r *http.Request, a identity.Account) (bool, int) {
	if w.opt.Messages == nil || a.Kind != identity.Resident {
		return false, 0
	}
	n, err := w.opt.Messages.Unread(r.Context(), a)
	if err != nil {
		w.opt.Log.WarnContext(r.Context(), "unread count", "err", err)
		return true, 0
	}
	return true, n
}

// inboxRow is one message of the list.
type inboxRow struct {
	messages.Message
	From  string
	Title string
	// Lang is the title's language, which differs from the page's when
	// the sender did not write the page's.
	Lang lang.Tag
}

// senderOption is one choice of the sender filter.
type senderOption struct {
	Code, Name string
}

type inboxData struct {
	Rows     []inboxRow
	Total    int
	Page     int
	Pages    int
	Query    string
	Sender   string
	Archived bool
	Senders  []senderOption
	// Filtered is true when a search or a sender narrows the list.
	Filtered bool
	Done     string
	// Prev and Next are the neighbouring pages' URLs, "" for none.
	Prev, Next string
}

// inbox lists the resident's messages, or the archive, newest first.
func (w *Web) inbox(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	q := r.URL.Query()
	d := &inboxData{Query: strings.TrimSpace(q.Get("q")), Sender: q.Get("sender"), Archived: q.Get("archived") == "1",
		Done: q.Get("done"), Page: 1}
	if utf8.RuneCountInString(d.Query) > 100 {
		d.Query = string([]rune(d.Query)[:100])
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n < 100000 {
		d.Page = n
	}
	l := w.cat.Locale(w.language(r))
	names, codes, err := w.senderNames(r, l)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, code := range codes {
		d.Senders = append(d.Senders, senderOption{Code: code, Name: names[code]})
	}
	if _, ok := names[d.Sender]; !ok {
		d.Sender = ""
	}
	d.Filtered = d.Query != "" || d.Sender != ""
	f := messages.Filter{Archived: d.Archived, Query: d.Query, Sender: d.Sender, Limit: inboxPageSize,
		Offset: (d.Page - 1) * inboxPageSize}
	msgs, total, err := w.opt.Messages.Inbox(r.Context(), u.Account, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Total, d.Pages = total, max(1, (total+inboxPageSize-1)/inboxPageSize)
	for _, m := range msgs {
		d.Rows = append(d.Rows, inboxRow{Message: m, From: senderName(names, m.Sender), Title: m.Title.In(l.Tag),
			Lang: textLang(m.Title, l.Tag)})
	}
	if d.Page > 1 {
		d.Prev = d.pageURL(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.Next = d.pageURL(d.Page + 1)
	}
	title := "inbox.title"
	if d.Archived {
		title = "inbox.archive_title"
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.T(title)
	if d.Page > 1 {
		p.Title += " – " + p.L.T("inbox.page_of", "Page", d.Page, "Pages", d.Pages)
	}
	w.render(rw, r, http.StatusOK, "inbox", p)
}

// pageURL is the inbox URL of page n with the same search.
func (d *inboxData) pageURL(n int) string {
	v := url.Values{}
	if d.Query != "" {
		v.Set("q", d.Query)
	}
	if d.Sender != "" {
		v.Set("sender", d.Sender)
	}
	if d.Archived {
		v.Set("archived", "1")
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return "/inbox"
	}
	return "/inbox?" + v.Encode()
}

// senderNames names every sender in the page's language, the platform
// itself and the entities of the directory, and lists their codes in that
// order.
func (w *Web) senderNames(r *http.Request, l *Locale) (map[string]string, []string, error) {
	names := map[string]string{messages.Platform: l.T("site.name")}
	codes := []string{messages.Platform}
	if w.opt.Directory == nil {
		return names, codes, nil
	}
	ents, err := w.opt.Directory.Store().Entities(r.Context())
	if err != nil {
		return nil, nil, err
	}
	for _, e := range ents {
		names[e.Code] = l.Text(e.Name)
		codes = append(codes, e.Code)
	}
	return names, codes, nil
}

// senderName names a sender, falling back to its code for an entity no
// longer in the directory.
func senderName(names map[string]string, code string) string {
	if n, ok := names[code]; ok && n != "" {
		return n
	}
	return code
}

// messageData is one opened message.
type messageData struct {
	Message messages.Message
	From    string
	// Link is the message's link when it is safe to follow, and External
	// tells an https URL of another site from a page of ours.
	Link     string
	External bool
	Host     string
	Title    string
	Body     string
	// Lang is the language the title and body are shown in.
	Lang  lang.Tag
	Files []fileRow
}

// fileRow is an attachment as the message page lists it.
type fileRow struct {
	ID, Name, Size, Type string
}

// message opens one of the resident's messages and marks it read.
func (w *Web) message(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	m, err := w.opt.Messages.Open(r.Context(), u.Account, r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	l := w.cat.Locale(w.language(r))
	names, _, err := w.senderNames(r, l)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &messageData{Message: m, From: senderName(names, m.Sender), Title: m.Title.In(l.Tag), Body: m.Body.In(l.Tag),
		Lang: textLang(m.Body, l.Tag)}
	d.Link, d.External, d.Host = safeLink(m.Link)
	for _, a := range m.Attachments {
		d.Files = append(d.Files, fileRow{ID: a.ID, Name: a.Name, Size: fileSize(l, a.Size), Type: fileKind(a.ContentType)})
	}
	p := w.newPage(r, d.Title, d)
	w.render(rw, r, http.StatusOK, "message", p)
}

// archive moves a message to the archive.
func (w *Web) archive(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := w.opt.Messages.Archive(r.Context(), u.Account, r.PathValue("id")); err != nil {
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/inbox?done=archived", http.StatusSeeOther)
}

// attachment sends an attachment of one of the resident's messages as a
// download, never shown inline.
func (w *Web) attachment(rw http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	a, err := w.opt.Messages.Attachment(r.Context(), u.Account, r.PathValue("att"))
	if err == nil && a.MessageID != r.PathValue("id") {
		w.Error(rw, r, http.StatusNotFound)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", attachmentType(a.ContentType))
	h.Set("Content-Disposition", contentDisposition(a.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	_, _ = rw.Write(a.Data)
}

// attachmentType is the stored content type when it is one the platform
// accepts, else a type no browser renders.
func attachmentType(t string) string {
	switch t {
	case "application/pdf", "image/png", "image/jpeg":
		return t
	case "text/plain":
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

// contentDisposition makes an attachment header for a file name that a
// sender chose: an ASCII fallback of safe characters only, and the real
// name percent-encoded as RFC 5987 (RFC 6266) says. No character of the
// name reaches the header unencoded except letters, digits and . - _.
func contentDisposition(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == '\\' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" {
		name = "attachment"
	}
	var fallback, encoded strings.Builder
	for _, r := range name {
		if r < utf8.RuneSelf && (r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			fallback.WriteRune(r)
		} else {
			fallback.WriteByte('_')
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			encoded.WriteByte(b)
		} else {
			encoded.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(b)|0x100, 16)[1:]))
		}
	}
	return `attachment; filename="` + fallback.String() + `"; filename*=UTF-8''` + encoded.String()
}

// isAttrChar reports whether b is an RFC 5987 attr-char.
func isAttrChar(b byte) bool {
	switch {
	case b >= '0' && b <= '9', b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

// safeLink checks a message's link again before it becomes an href: a
// path on the platform, or an https URL of another site (external, with
// its host to show). Anything else is dropped.
func safeLink(link string) (href string, external bool, host string) {
	if link == "" || len(link) > 2000 || strings.ContainsAny(link, "\\\r\n\t") {
		return "", false, ""
	}
	if strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//") {
		return link, false, ""
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return "", false, ""
	}
	return u.String(), true, u.Hostname()
}

// paragraphs splits plain text into paragraphs (at blank lines), each a
// list of lines, for templates to show without any markup of the sender's.
func paragraphs(s string) [][]string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out [][]string
	for _, para := range strings.Split(s, "\n\n") {
		var lines []string
		for _, line := range strings.Split(strings.Trim(para, "\n"), "\n") {
			lines = append(lines, strings.TrimRight(line, " \t"))
		}
		if strings.TrimSpace(strings.Join(lines, "")) != "" {
			out = append(out, lines)
		}
	}
	return out
}

// fileSize formats a byte count for people, in the page's language.
func fileSize(l *Locale, n int) string {
	switch {
	case n < 1024:
		return l.N("inbox.size_bytes", n)
	case n < 1024*1024:
		return l.T("inbox.size_kb", "Size", strconv.FormatFloat(float64(n)/1024, 'f', 0, 64))
	}
	return l.T("inbox.size_mb", "Size", strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64))
}

// textLang is the language lang.Text.In(t) picks: t when the text has
// it, else the first of English, Chinese and Portuguese that it has.
func textLang(x lang.Text, t lang.Tag) lang.Tag {
	switch {
	case t == lang.ZhHant && x.ZhHant != "", t == lang.Pt && x.Pt != "", t == lang.En && x.En != "":
		return t
	case x.En != "":
		return lang.En
	case x.ZhHant != "":
		return lang.ZhHant
	case x.Pt != "":
		return lang.Pt
	}
	return t
}

// fileKind names a file's type for people: PDF, PNG, JPEG or text.
func fileKind(contentType string) string {
	switch contentType {
	case "application/pdf":
		return "PDF"
	case "image/png":
		return "PNG"
	case "image/jpeg":
		return "JPEG"
	case "text/plain":
		return "TXT"
	}
	return ""
}
