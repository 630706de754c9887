package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/messages"
)

// backOffice registers an entity's back-office client with scopes and
// returns a token.
func (e *env) backOffice(t testing.TB, entity string, scopes ...string) string {
	t.Helper()
	c := e.client(entity, func(c *clients.Client) {
		c.Grants = []clients.GrantType{clients.ClientCredentials}
		c.RedirectURIs, c.PostLogoutRedirectURIs, c.BackchannelLogoutURI = nil, nil, ""
		c.Scopes = nil
		for _, s := range scopes {
			c.Scopes = append(c.Scopes, clients.ScopePurpose{Scope: s, Purpose: lang.Text{En: "notify"}})
		}
	})
	tok, err := (&clientcredentials.Config{ClientID: c.Client.ID, ClientSecret: c.Secret, TokenURL: e.issuer + "/oidc/token",
		Scopes: scopes}).Token(context.Background())
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	return tok.AccessToken
}

func (e *env) postMessage(t *testing.T, token string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/api/v1/messages", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestEntityMessagingAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		rp := e.client("DSAT", nil)
		acct, b := e.resident(identity.Level1)
		_, idt := e.rpFor(t, rp, "openid").signIn(t, b)
		dsat := e.backOffice(t, "DSAT", clients.ScopeMessagesSend)
		msg := map[string]any{"subject": idt.Subject, "category": "general",
			"title": map[string]string{"en": "Your licence is ready", "zh-Hant": "您的駕駛執照已備妥"},
			"body":  map[string]string{"en": "Collect it at the Areia Preta centre."}, "link": "/inbox",
			"dedupe_key":  "lic-1",
			"attachments": []map[string]any{{"name": "decision.pdf", "content_type": "application/pdf", "data": []byte("%PDF-1.7 test")}}}
		status, out := e.postMessage(t, dsat, msg)
		if status != http.StatusAccepted || out["id"] == "" {
			t.Fatalf("send: %d %v", status, out)
		}
		// A retry with the same dedupe key sends nothing twice.
		if s2, out2 := e.postMessage(t, dsat, msg); s2 != http.StatusAccepted || out2["id"] != out["id"] {
			t.Fatalf("retry: %d %v, want the first message's ID", s2, out2)
		}
		got, total, err := e.app.Messages().Inbox(context.Background(), acct, messages.Filter{})
		if err != nil || total != 1 || got[0].Sender != "DSAT" || got[0].Title.ZhHant != "您的駕駛執照已備妥" {
			t.Fatalf("inbox: %v %d %+v", err, total, got)
		}
		full, err := e.app.Messages().Open(context.Background(), acct, got[0].ID)
		if err != nil || len(full.Attachments) != 1 {
			t.Fatalf("attachment: %v %+v", err, full.Attachments)
		}
		// Another entity, with a valid token, cannot address DSAT's subject.
		dsi := e.backOffice(t, "DSI", clients.ScopeMessagesSend)
		if s, _ := e.postMessage(t, dsi, msg); s != http.StatusNotFound {
			t.Errorf("DSI to a DSAT subject: %d, want 404", s)
		}
		unknown := map[string]any{"subject": "nobody", "category": "general", "title": map[string]string{"en": "x"},
			"body": map[string]string{"en": "y"}}
		if s, _ := e.postMessage(t, dsat, unknown); s != http.StatusNotFound {
			t.Errorf("unknown subject: %d", s)
		}
		if s, _ := e.postMessage(t, "", msg); s != http.StatusUnauthorized {
			t.Errorf("no token: %d", s)
		}
		reader := e.backOffice(t, "DSAT", clients.ScopeDirectoryRead)
		if s, _ := e.postMessage(t, reader, msg); s != http.StatusForbidden {
			t.Errorf("token without messages:send: %d", s)
		}
		for name, bad := range map[string]map[string]any{
			"unknown field": {"subject": idt.Subject, "category": "general", "title": map[string]string{"en": "x"},
				"body": map[string]string{"en": "y"}, "bcc": "x"},
			"category": {"subject": idt.Subject, "category": "spam", "title": map[string]string{"en": "x"},
				"body": map[string]string{"en": "y"}},
			"no title": {"subject": idt.Subject, "category": "general", "body": map[string]string{"en": "y"}},
		} {
			if s, out := e.postMessage(t, dsat, bad); s != http.StatusBadRequest {
				t.Errorf("%s: %d %v", name, s, out)
			}
		}
	})
}

func TestEntityMessagingRateLimit(t *testing.T) {
	e := newEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "rate.db"), "--messages-rate", "1")
	rp := e.client("DSAT", nil)
	_, b := e.resident(identity.Level1)
	_, idt := e.rpFor(t, rp, "openid").signIn(t, b)
	tok := e.backOffice(t, "DSAT", clients.ScopeMessagesSend)
	limited := 0
	for i := range 5 {
		msg := map[string]any{"subject": idt.Subject, "category": "general", "title": map[string]string{"en": "x"},
			"body": map[string]string{"en": strings.Repeat("y", i+1)}}
		if s, _ := e.postMessage(t, tok, msg); s == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("five messages at once passed a limit of one per second")
	}
}
