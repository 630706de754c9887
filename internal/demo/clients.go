package demo

import (
	"context"
	"fmt"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// The demo relying party: the DSAT driving-licence e-service that
// cmd/demo-rp runs beside the server.
const (
	RPClientID    = "dsat-driving-licence-demo"
	RPSecret      = "demo-rp-secret-not-for-production-2026"
	RPRedirectURI = "http://127.0.0.1:8081/callback"
	RPLogoutURI   = "http://127.0.0.1:8081/"
	RPBackchannel = "http://127.0.0.1:8081/backchannel-logout"
)

// RPClient is the demo relying party's registration.
func RPClient() clients.Client {
	purpose := func(zh, pt, en string) lang.Text { return lang.Text{ZhHant: zh, Pt: pt, En: en} }
	return clients.Client{
		ID: RPClientID, Entity: "DSAT", Name: "Driving licence renewal (demo)",
		RedirectURIs: []string{RPRedirectURI}, PostLogoutRedirectURIs: []string{RPLogoutURI},
		BackchannelLogoutURI: RPBackchannel,
		Grants:               []clients.GrantType{clients.AuthorizationCode},
		Scopes: []clients.ScopePurpose{
			{Scope: clients.ScopeOpenID, Purpose: purpose("登入", "Iniciar sessão", "Sign you in")},
			{Scope: clients.ScopeProfile, Purpose: purpose("在駕駛執照上印上您的姓名", "Imprimir o seu nome na carta de condução", "Print your name on the licence")},
			{Scope: clients.ScopeEmail, Purpose: purpose("寄送續期收據", "Enviar o recibo da renovação", "Send the renewal receipt")},
			{Scope: clients.ScopeIdentity, Purpose: purpose("核對駕駛執照持有人的身份", "Confirmar a identidade do titular da carta", "Check the licence holder's identity")},
		},
		Level: 2, AuthMethod: clients.SecretBasic,
	}
}

// LoadClients registers the demo relying party.
func LoadClients(ctx context.Context, reg *clients.Service) error {
	if err := reg.Seed(ctx, RPClient(), RPSecret); err != nil {
		return fmt.Errorf("demo client: %w", err)
	}
	return nil
}
