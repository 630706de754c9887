package oidc_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/oneaccount/oneaccount/internal/clients"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
)

func TestActingForAnOrganisation(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("IAM", func(c *clients.Client) {
			c.Level = 2
			c.Scopes = append(c.Scopes, clients.ScopePurpose{Scope: "organisation", Purpose: lang.Text{En: "your restaurant"}})
		})
		acct, b := e.resident(identity.Level2)
		org, err := e.app.Identity().CreateOrg(context.Background(), acct, identity.OrgRequest{RegNumber: "SO-" + digits(5),
			Name: lang.Text{ZhHant: "澳門小食店", Pt: "Petiscos de Macau", En: "Macau Snacks"}}, identity.Client{})
		if err != nil {
			t.Fatalf("create org: %v", err)
		}
		r := e.rpFor(t, c, "openid", "organisation", "account:read")
		verifier := oauth2.GenerateVerifier()
		p := b.visit(r.conf.AuthCodeURL("st-123", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "n")))
		if !strings.HasPrefix(p.URL.Path, "/oidc/consent/") || !strings.Contains(p.Body, "Macau Snacks") {
			t.Fatalf("consent page does not offer the organisation: %s", p.URL)
		}
		// Someone else's organisation is refused.
		if q := b.post(p.URL.Path, url.Values{"decision": {"approve"}, "org": {"not-mine"}}); q.Left != nil {
			t.Fatal("approved with an organisation the person does not belong to")
		}
		q := b.post(p.URL.Path, url.Values{"decision": {"approve"}, "org": {org.ID}})
		if q.Left == nil || q.Left.Query().Get("code") == "" {
			t.Fatalf("no code: %d %s", q.Status, q.URL)
		}
		tok, err := r.conf.Exchange(context.Background(), q.Left.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := r.verifier.Verify(context.Background(), raw)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		_ = idt.Claims(&claims)
		if claims["org_id"] != org.ID || claims["org_role"] != "admin" {
			t.Errorf("ID token does not say who the person acts for: %v", claims)
		}
		at := accessClaims(t, tok.AccessToken)
		if at["org_id"] != org.ID || at["org_role"] != "admin" {
			t.Errorf("access token does not say who the person acts for: %v", at)
		}
	})
}

// accessClaims reads a JWT access token's claims without verifying them.
func accessClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	var m map[string]any
	if err := jsonUnmarshal(jws.UnsafePayloadWithoutVerification(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRS256ForAClientThatAsks(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := e.client("DSF", func(c *clients.Client) { c.IDTokenAlg = "RS256" })
		_, b := e.resident(identity.Level1)
		r := e.rpFor(t, c, "openid")
		tok, _ := r.signIn(t, b) // verified by coreos/go-oidc against the JWKS
		raw, _ := tok.Extra("id_token").(string)
		jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
		if err != nil || jws.Signatures[0].Header.Algorithm != "RS256" {
			t.Fatalf("ID token alg: %v %v", err, jws)
		}
		other := e.client("DSF", nil)
		tok2, _ := e.rpFor(t, other, "openid").signIn(t, b)
		raw2, _ := tok2.Extra("id_token").(string)
		if jws2, err := jose.ParseSigned(raw2, []jose.SignatureAlgorithm{jose.RS256, jose.ES256}); err != nil ||
			jws2.Signatures[0].Header.Algorithm != "ES256" {
			t.Fatalf("default ID token alg is not ES256")
		}
	})
}
