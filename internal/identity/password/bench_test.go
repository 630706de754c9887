package password

import (
	"context"
	"testing"
)

// BenchmarkArgon2idDefault hashes one password at DefaultParams, one at a
// time: the CPU cost of a sign-in before any HTTP or database work.
func BenchmarkArgon2idDefault(b *testing.B) {
	h, err := NewHasher(DefaultParams, 1)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "violet tram hums under harbour fog"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}
