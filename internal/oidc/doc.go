// Package oidc is the OpenID provider. It wraps a certified protocol
// engine (github.com/luikyv/go-oidc, see docs/decisions/0014) and gives it
// our storage, our client registry, our sign-in, consent and step-up pages,
// our signing keys, and what the engine lacks: refresh-token reuse
// detection that revokes the whole grant, fast client-secret checks,
// RP-initiated and back-channel logout, and bearer-token checks for the
// JSON API.
package oidc
