package keyring

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// sealVersion prefixes a sealed private key: AES-256-GCM, a 12-byte
// random nonce, the key ID as additional data.
const sealVersion = "v1."

// rsaBits is the size of new RS256 keys.
const rsaBits = 2048

func newAEAD(kek []byte) (cipher.AEAD, error) {
	if len(kek) != 32 {
		return nil, fmt.Errorf("keyring: key-encryption key is %d bytes, want 32", len(kek))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return cipher.NewGCM(block)
}

// newKey generates a key of alg, created at now and signing from from.
func (r *Ring) newKey(alg string, now, from time.Time) (Key, error) {
	kid, err := newKID()
	if err != nil {
		return Key{}, err
	}
	var priv crypto.Signer
	if alg == ES256 {
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		priv, err = rsa.GenerateKey(rand.Reader, rsaBits)
	}
	if err != nil {
		return Key{}, fmt.Errorf("generate %s key: %w", alg, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return Key{}, fmt.Errorf("encode %s key: %w", alg, err)
	}
	pub, err := jose.JSONWebKey{Key: priv.Public(), KeyID: kid, Algorithm: alg, Use: "sig"}.MarshalJSON()
	if err != nil {
		return Key{}, fmt.Errorf("encode %s public key: %w", alg, err)
	}
	sealed, err := r.seal(kid, der)
	if err != nil {
		return Key{}, err
	}
	return Key{ID: kid, Alg: alg, PublicJWK: pub, PrivateSealed: sealed, CreatedAt: now, ActiveFrom: from}, nil
}

// newKID returns a random, URL-safe key ID of 16 bytes.
func newKID() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return "", fmt.Errorf("key ID: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// seal encrypts a PKCS#8 key, binding it to its key ID.
func (r *Ring) seal(kid string, der []byte) (string, error) {
	nonce := make([]byte, r.aead.NonceSize(), r.aead.NonceSize()+len(der)+r.aead.Overhead())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return "", fmt.Errorf("seal key %s: %w", kid, err)
	}
	out := r.aead.Seal(nonce, nonce, der, []byte(kid))
	return sealVersion + base64.RawURLEncoding.EncodeToString(out), nil
}

// unseal decrypts k's private key and checks it against k's alg and public
// JWK. Every error names the key ID.
func (r *Ring) unseal(k Key) (crypto.Signer, error) {
	body, ok := strings.CutPrefix(k.PrivateSealed, sealVersion)
	if !ok {
		return nil, fmt.Errorf("signing key %s: unknown sealed format", k.ID)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < r.aead.NonceSize()+r.aead.Overhead() {
		return nil, fmt.Errorf("signing key %s: sealed key is malformed", k.ID)
	}
	n := r.aead.NonceSize()
	der, err := r.aead.Open(nil, raw[:n], raw[n:], []byte(k.ID))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", k.ID, ErrUnseal)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: parse PKCS#8: %w", k.ID, err)
	}
	s, err := asSigner(k.Alg, priv)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", k.ID, err)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(k.PublicJWK); err != nil {
		return nil, fmt.Errorf("signing key %s: public JWK: %w", k.ID, err)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if e, ok := s.Public().(equaler); !ok || !e.Equal(jwk.Key) {
		return nil, fmt.Errorf("signing key %s: private key does not match the published public key", k.ID)
	}
	return s, nil
}

// asSigner checks that priv suits alg and returns its signer.
func asSigner(alg string, priv any) (crypto.Signer, error) {
	switch p := priv.(type) {
	case *ecdsa.PrivateKey:
		if alg == ES256 && p.Curve == elliptic.P256() {
			return jwsECDSA{p}, nil
		}
	case *rsa.PrivateKey:
		if alg == RS256 && p.N.BitLen() >= rsaBits {
			return p, nil
		}
	}
	return nil, fmt.Errorf("private key %T does not suit %s", priv, alg)
}

// jwsECDSA signs with a P-256 key and returns the signature as JWS wants
// it: R and S as two 32-byte big-endian integers, not an ASN.1 sequence.
type jwsECDSA struct{ k *ecdsa.PrivateKey }

func (s jwsECDSA) Public() crypto.PublicKey { return s.k.Public() }

func (s jwsECDSA) Sign(rand io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	der, err := ecdsa.SignASN1(rand, s.k, digest)
	if err != nil {
		return nil, err
	}
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) > 0 {
		return nil, errors.New("ecdsa: malformed signature")
	}
	out := make([]byte, 64)
	sig.R.FillBytes(out[:32])
	sig.S.FillBytes(out[32:])
	return out, nil
}
