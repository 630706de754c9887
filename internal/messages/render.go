package messages

import (
	"strings"

	"github.com/oneaccount/oneaccount/internal/lang"
)

// Rendered is a message written out for one channel in one language.
type Rendered struct {
	// Subject is the email subject and the push title.
	Subject string
	// Text is the email body.
	Text string
	// SMS is the text message: short, with a link to the inbox.
	SMS string
	// Short is the push notification's body.
	Short string
	// URL opens the message in the inbox.
	URL string
}

// template holds the words around a message in one language.
type template struct {
	greeting, from, open, link, footer string
}

// templates are the message templates in the three languages.
var templates = map[lang.Tag]template{
	lang.ZhHant: {
		greeting: "您好：",
		from:     "寄件機構：",
		open:     "在「一戶通」收件箱閱讀：",
		link:     "相關連結：",
		footer:   "此訊息由「一戶通」代為傳送。如要更改接收訊息的方式，請前往：",
	},
	lang.Pt: {
		greeting: "Olá,",
		from:     "Enviada por: ",
		open:     "Leia na caixa de mensagens da Conta Única: ",
		link:     "Ligação: ",
		footer:   "Mensagem enviada através da Conta Única. Para mudar a forma como recebe mensagens: ",
	},
	lang.En: {
		greeting: "Hello,",
		from:     "From: ",
		open:     "Read it in your OneAccount inbox: ",
		link:     "Link: ",
		footer:   "Sent through OneAccount. To change how you receive messages: ",
	},
}

// Languages lists the languages templates exist in.
func Languages() []lang.Tag { return []lang.Tag{lang.ZhHant, lang.Pt, lang.En} }

// Render writes m in language l (falling back to the languages the sender
// gave) for every channel. sender is the sender's name.
func Render(m Message, l lang.Tag, sender lang.Text, baseURL string) Rendered {
	t, ok := templates[l]
	if !ok {
		t = templates[lang.En]
	}
	base := strings.TrimSuffix(baseURL, "/")
	open := base + "/inbox/" + m.ID
	title, body, from := m.Title.In(l), m.Body.In(l), sender.In(l)
	var b strings.Builder
	b.WriteString(t.greeting + "\n\n" + body + "\n\n")
	if m.Link != "" {
		link := m.Link
		if strings.HasPrefix(link, "/") {
			link = base + link
		}
		b.WriteString(t.link + link + "\n")
	}
	b.WriteString(t.open + open + "\n\n" + t.from + from + "\n\n-- \n" + t.footer + base + "/account/messages\n")
	sms := from + ": " + title + " " + open
	return Rendered{Subject: from + " — " + title, Text: b.String(), SMS: sms, Short: truncate(body, 140), URL: open}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
