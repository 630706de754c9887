package push

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
)

// vapidInfo is the HKDF info of the VAPID key; a new version makes a new
// key (and invalidates every subscription).
const vapidInfo = "oneaccount vapid v1"

// p256Order is n, the order of the P-256 base point.
var p256Order, _ = new(big.Int).SetString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16)

// VAPIDKeys derives the VAPID key pair from the key-encryption key kek (32
// bytes) and returns the private scalar (32 bytes) and the public key (the
// 65-byte uncompressed point), both unpadded base64url as webpush-go and
// the browser's applicationServerKey take them. The same kek always gives
// the same pair.
func VAPIDKeys(kek []byte) (priv, pub string, err error) {
	k, err := vapidKey(kek)
	if err != nil {
		return "", "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(k.Bytes()), enc.EncodeToString(k.PublicKey().Bytes()), nil
}

// vapidKey derives the private key: 48 bytes of HKDF-SHA256 output, 128
// more than the order's 256 bits so that reducing them modulo n-1 has no
// useful bias, plus one to land in [1, n-1] (FIPS 186-5 A.2.1, "extra
// random bits").
func vapidKey(kek []byte) (*ecdh.PrivateKey, error) {
	if len(kek) != 32 {
		return nil, errors.New("push: the key-encryption key must be 32 bytes")
	}
	okm, err := hkdf.Key(sha256.New, kek, nil, vapidInfo, 48)
	if err != nil {
		return nil, fmt.Errorf("push: derive VAPID key: %w", err)
	}
	nMinus1 := new(big.Int).Sub(p256Order, big.NewInt(1))
	d := new(big.Int).SetBytes(okm)
	d.Mod(d, nMinus1).Add(d, big.NewInt(1))
	k, err := ecdh.P256().NewPrivateKey(d.FillBytes(make([]byte, 32)))
	if err != nil {
		return nil, fmt.Errorf("push: VAPID key: %w", err)
	}
	return k, nil
}
