package password

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// tiny are fast parameters for tests.
var tiny = Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func newHasher(t *testing.T, p Params, n int) *Hasher {
	t.Helper()
	h, err := NewHasher(p, n)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashVerifyRoundTrip(t *testing.T) {
	h := newHasher(t, tiny, 2)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	phcRE := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phcRE.MatchString(enc) {
		t.Fatalf("Hash = %q, not a PHC string", enc)
	}
	if ok, rehash, err := h.Verify(ctx, "correct horse battery staple", enc); !ok || rehash || err != nil {
		t.Fatalf("Verify(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	if ok, rehash, err := h.Verify(ctx, "correct horse battery stapler", enc); ok || rehash || err != nil {
		t.Fatalf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
	}
	again, _ := h.Hash(ctx, "correct horse battery staple")
	if again == enc {
		t.Fatal("two hashes of one password are equal; salt is not random")
	}
}

func TestDefaultHashFormat(t *testing.T) {
	if testing.Short() {
		t.Skip("19 MiB hash")
	}
	h := newHasher(t, DefaultParams, 1)
	enc, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("Hash = %q", enc)
	}
}

// TestKnownVector checks interoperability with the reference implementation:
// the Argon2id vector of phc-winner-argon2's src/test.c (password
// "password", salt "somesalt", t=2, m=64 MiB, p=1, 32-byte hash
// 09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7).
func TestKnownVector(t *testing.T) {
	const enc = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	h := newHasher(t, tiny, 1)
	ok, rehash, err := h.Verify(context.Background(), "password", enc)
	if !ok || !rehash || err != nil {
		t.Fatalf("Verify(reference vector) = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	ctx := context.Background()
	old := newHasher(t, tiny, 1)
	enc, err := old.Hash(ctx, "a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	stronger := tiny
	stronger.MemoryKiB = 128
	h := newHasher(t, stronger, 1)
	ok, rehash, err := h.Verify(ctx, "a long enough passphrase", enc)
	if !ok || !rehash || err != nil {
		t.Fatalf("Verify = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	if ok, rehash, _ := h.Verify(ctx, "not the passphrase", enc); ok || rehash {
		t.Fatalf("Verify(wrong) = %v, %v; want no rehash hint for a wrong password", ok, rehash)
	}
}

func TestVerifyCorrupt(t *testing.T) {
	h := newHasher(t, tiny, 1)
	for _, enc := range []string{"", "plain", "$argon2id$v=19$m=2000000,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8"} {
		if ok, _, err := h.Verify(context.Background(), "whatever password", enc); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want an error", enc, ok, err)
		}
	}
}

func TestNFKCEquivalentFormsVerifyAlike(t *testing.T) {
	h := newHasher(t, tiny, 1)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "ｃａｆé ｐａｓｓｗｏｒｄ ①") // full-width, precomposed é, circled one
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"café password 1", "cafe\u0301 password 1"} {
		if ok, _, err := h.Verify(ctx, pw, enc); !ok || err != nil {
			t.Errorf("Verify(%q) = %v, %v; want true", pw, ok, err)
		}
	}
}

func TestConcurrencyCap(t *testing.T) {
	const limit, extra = 3, 4
	h := newHasher(t, tiny, limit)
	var inFlight, peak atomic.Int32
	entered := make(chan struct{}, limit+extra)
	release := make(chan struct{})
	h.derive = func(pw, salt []byte, p Params) []byte {
		n := inFlight.Add(1)
		for old := peak.Load(); n > old && !peak.CompareAndSwap(old, n); old = peak.Load() {
		}
		entered <- struct{}{}
		<-release
		inFlight.Add(-1)
		return make([]byte, p.KeyLen)
	}
	var wg sync.WaitGroup
	for range limit + extra {
		wg.Go(func() {
			if _, err := h.Hash(context.Background(), "a long enough passphrase"); err != nil {
				t.Error(err)
			}
		})
	}
	for range limit {
		<-entered
	}
	// All slots are taken: a caller whose ctx ends while waiting gets 503.
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := h.Hash(ctx, "a long enough passphrase"); errc <- err }()
	cancel()
	if err := <-errc; apperr.CodeOf(err) != apperr.Unavailable || !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash while saturated and cancelled: %v; want Unavailable wrapping context.Canceled", err)
	}
	close(release)
	wg.Wait()
	if got := peak.Load(); got != limit {
		t.Fatalf("peak in-flight derivations = %d; want %d", got, limit)
	}
}

func TestCancelledContextNeverHashes(t *testing.T) {
	h := newHasher(t, tiny, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h.derive = func(pw, salt []byte, p Params) []byte {
		t.Error("derived a key for a cancelled request")
		return make([]byte, p.KeyLen)
	}
	if _, err := h.Hash(ctx, "a long enough passphrase"); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("Hash = %v; want Unavailable", err)
	}
	if err := h.VerifyDummy(ctx, "a long enough passphrase"); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("VerifyDummy = %v; want Unavailable", err)
	}
}

func TestVerifyDummyDerivesWithHasherParams(t *testing.T) {
	h := newHasher(t, tiny, 1)
	var got Params
	h.derive = func(pw, salt []byte, p Params) []byte {
		got = p
		return argon2id(pw, salt, p)
	}
	if err := h.VerifyDummy(context.Background(), "a long enough passphrase"); err != nil {
		t.Fatal(err)
	}
	if got != tiny {
		t.Fatalf("VerifyDummy derived with %+v; want %+v", got, tiny)
	}
}

func TestHashRefusesHugeInput(t *testing.T) {
	h := newHasher(t, tiny, 1)
	_, err := h.Hash(context.Background(), strings.Repeat("x", maxInputBytes+1))
	if e, ok := apperr.As(err); !ok || e.Key != "password.too_long" {
		t.Fatalf("Hash(huge) = %v; want password.too_long", err)
	}
}

func TestNewHasherRejectsBadParams(t *testing.T) {
	for _, p := range []Params{{}, {MemoryKiB: 64, Time: 11, Threads: 1, KeyLen: 32, SaltLen: 16},
		{MemoryKiB: 2 << 20, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}} {
		if _, err := NewHasher(p, 1); err == nil {
			t.Errorf("NewHasher(%+v) succeeded", p)
		}
	}
}
