package push

import (
	"bytes"
	"crypto/ecdh"
	"encoding/base64"
	"testing"
)

func testKEK(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func TestVAPIDKeys(t *testing.T) {
	priv1, pub1, err := VAPIDKeys(testKEK(1))
	if err != nil {
		t.Fatalf("VAPIDKeys: %v", err)
	}
	priv1b, pub1b, _ := VAPIDKeys(testKEK(1))
	if priv1 != priv1b || pub1 != pub1b {
		t.Errorf("VAPIDKeys is not deterministic: %s/%s then %s/%s", priv1, pub1, priv1b, pub1b)
	}
	priv2, pub2, _ := VAPIDKeys(testKEK(2))
	if priv1 == priv2 || pub1 == pub2 {
		t.Errorf("two key-encryption keys gave the same VAPID keys %s", pub1)
	}
	for _, k := range []struct{ priv, pub string }{{priv1, pub1}, {priv2, pub2}} {
		p, err := base64.RawURLEncoding.DecodeString(k.pub)
		if err != nil || len(p) != 65 || p[0] != 4 {
			t.Fatalf("public key %q: %d bytes, err %v; want a 65-byte uncompressed point", k.pub, len(p), err)
		}
		if _, err := ecdh.P256().NewPublicKey(p); err != nil {
			t.Errorf("public key %q is not on P-256: %v", k.pub, err)
		}
		d, err := base64.RawURLEncoding.DecodeString(k.priv)
		if err != nil || len(d) != 32 {
			t.Fatalf("private key: %d bytes, err %v; want 32", len(d), err)
		}
		sk, err := ecdh.P256().NewPrivateKey(d)
		if err != nil || !bytes.Equal(sk.PublicKey().Bytes(), p) {
			t.Errorf("private key does not match the public key (err %v)", err)
		}
	}
}

// TestVAPIDKeysStable pins the derivation: browsers bind their
// subscriptions to the public key, so a change here silently breaks every
// subscription. Change the info string's version instead, on purpose.
// The value was checked with an independent computation (HKDF-SHA256 and
// P-256 scalar multiplication in Python).
func TestVAPIDKeysStable(t *testing.T) {
	_, pub, err := VAPIDKeys(testKEK(1))
	const want = "BGhEIVZ9A351clJRnKRtNX8RhbSvL-9cOVuaMEqFoIwS-WXyqLJsSbqrzUozqKvKcZIQcl916oEJiQNRoK54kZ0"
	if err != nil || pub != want {
		t.Errorf("VAPIDKeys(0x01...) public = %s, %v; want %s", pub, err, want)
	}
}

func TestVAPIDKeysRefusesShortKey(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, _, err := VAPIDKeys(make([]byte, n)); err == nil {
			t.Errorf("VAPIDKeys(%d bytes) = nil error, want one", n)
		}
	}
}
