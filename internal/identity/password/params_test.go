package password

import (
	"testing"
)

func TestDecodeRejects(t *testing.T) {
	const salt, hash = "c29tZXNhbHQ", "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	for _, s := range []string{
		"$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$m=64,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=2097152,t=1,p=1$" + salt + "$" + hash, // 2 GiB
		"$argon2id$v=19$m=64,t=11,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + hash,
		"$argon2id$v=19$m=64,t=1,p=255$" + salt + "$" + hash,
		"$argon2id$v=19$m=64,t=1,p=4294967296$" + salt + "$" + hash,
		"$argon2id$v=19$m=4,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + hash,
		"$argon2id$v=19$m=64,t=1,p=1$c29t$" + hash,          // 3-byte salt
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$CTFhFdXP", // 6-byte hash
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash + "$",
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash + hash + hash + hash,
	} {
		if _, err := decode(s); err == nil {
			t.Errorf("decode(%q) accepted", s)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$c29tZXNhbHRzb21lc2FsdA")
	f.Add("$argon2i$v=19$m=4294967295,t=4294967295,p=255$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := decode(s)
		if err != nil {
			return
		}
		if err := h.params.Validate(); err != nil {
			t.Fatalf("decode(%q) accepted out-of-bounds params: %v", s, err)
		}
		if h.params.MemoryKiB > maxMemoryKiB || h.params.Time > maxTime {
			t.Fatalf("decode(%q) = %+v", s, h.params)
		}
		if got := h.encode(); got != s {
			t.Fatalf("decode(%q).encode() = %q; not canonical", s, got)
		}
	})
}
