package identity

import (
	"fmt"

	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/notify"
)

// The texts of the messages identity sends, in the three languages. They
// are short on purpose: an SMS in Chinese holds 70 characters.
var (
	codeSubject = lang.Text{ZhHant: "一戶通驗證碼", Pt: "Código da Conta Única", En: "Your One Account code"}
	codeBody    = lang.Text{
		ZhHant: "你的一戶通驗證碼是 %s，10 分鐘內有效。切勿告訴任何人。",
		Pt:     "O seu código da Conta Única é %s. Válido por 10 minutos. Não o diga a ninguém.",
		En:     "Your One Account code is %s. It expires in 10 minutes. Never share it.",
	}
	changeSubject = lang.Text{ZhHant: "一戶通帳戶安全通知", Pt: "Aviso de segurança da Conta Única", En: "One Account security notice"}
	changeBody    = lang.Text{
		ZhHant: "你的一戶通帳戶剛剛%s。如非本人操作，請立即聯絡我們。",
		Pt:     "Na sua Conta Única: %s. Se não foi você, contacte-nos de imediato.",
		En:     "On your One Account: %s. If this was not you, contact us at once.",
	}
)

// changeWhat names a security change for the notice.
var changeWhat = map[string]lang.Text{
	"password": {ZhHant: "更改了密碼", Pt: "a palavra-passe foi alterada", En: "your password was changed"},
	"totp":     {ZhHant: "設定了驗證器應用程式", Pt: "foi configurada uma aplicação autenticadora", En: "an authenticator app was set up"},
	"totp-off": {ZhHant: "移除了驗證器應用程式", Pt: "foi removida a aplicação autenticadora", En: "the authenticator app was removed"},
	"passkey":  {ZhHant: "新增了通行密鑰", Pt: "foi adicionada uma chave de acesso", En: "a passkey was added"},
	"recovery": {ZhHant: "重新產生了備用碼", Pt: "foram gerados novos códigos de recuperação", En: "new recovery codes were made"},
	"email":    {ZhHant: "更改了電郵地址", Pt: "o endereço de correio electrónico foi alterado", En: "your email address was changed"},
	"phone":    {ZhHant: "更改了手提電話號碼", Pt: "o número de telemóvel foi alterado", En: "your mobile number was changed"},
	"recover":  {ZhHant: "已透過帳戶恢復登入", Pt: "a conta foi recuperada", En: "the account was recovered"},
}

func codeMessage(kind notify.Kind, to, code, purpose string, l lang.Tag) notify.Message {
	return notify.Message{Kind: kind, To: to, Subject: codeSubject.In(l), Text: fmt.Sprintf(codeBody.In(l), code),
		Lang: l, Category: "security", DedupeKey: purpose + ":" + to + ":" + code}
}

func changeMessage(kind notify.Kind, to, what string, l lang.Tag) notify.Message {
	return notify.Message{Kind: kind, To: to, Subject: changeSubject.In(l),
		Text: fmt.Sprintf(changeBody.In(l), changeWhat[what].In(l)), Lang: l, Category: "security"}
}
