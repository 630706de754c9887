package oidc

import (
	"crypto"
	"crypto/rand"

	"github.com/go-jose/go-jose/v4"
)

// opaque adapts a crypto.Signer from the key ring to go-jose. The ring's
// ES256 signers already return the JOSE form (r||s), as the engine
// expects, so the signature is passed through.
type opaque struct {
	kid, alg string
	s        crypto.Signer
}

func (o opaque) Public() *jose.JSONWebKey {
	return &jose.JSONWebKey{Key: o.s.Public(), KeyID: o.kid, Algorithm: o.alg, Use: "sig"}
}

func (o opaque) Algs() []jose.SignatureAlgorithm {
	return []jose.SignatureAlgorithm{jose.SignatureAlgorithm(o.alg)}
}

// SignPayload signs the SHA-256 digest of payload.
func (o opaque) SignPayload(payload []byte, _ jose.SignatureAlgorithm) ([]byte, error) {
	h := crypto.SHA256.New()
	h.Write(payload)
	return o.s.Sign(rand.Reader, h.Sum(nil), crypto.SHA256)
}
