package realtime

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func roundTrip(t testing.TB, data []byte, textOK bool) ([]string, []byte) {
	t.Helper()
	parts, err := encodeParts("0123456789abcdef", 42, "queue.MAC-01", data, textOK)
	if err != nil {
		t.Fatalf("encodeParts(%d bytes) = %v", len(data), err)
	}
	var asm assembler
	var out []byte
	for i, p := range parts {
		if len(p) > maxPayload {
			t.Fatalf("part %d is %d bytes, over %d", i, len(p), maxPayload)
		}
		pt, err := decodePart(p)
		if err != nil {
			t.Fatalf("decodePart(part %d) = %v", i, err)
		}
		if pt.topic != "queue.MAC-01" || pt.node != "0123456789abcdef" || pt.msg != 42 {
			t.Fatalf("decodePart = %+v", pt)
		}
		got, ok, err := asm.add(pt, time.Now())
		if err != nil || ok != (i == len(parts)-1) {
			t.Fatalf("add(part %d of %d) = ok %v, %v", i+1, len(parts), ok, err)
		}
		out = got
	}
	return parts, out
}

func TestWire_RoundTrip(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		textOK bool
		parts  int
		enc    byte
	}{
		{"small JSON", []byte(`{"kind":"called","call":{"number":"A001"}}`), true, 1, 't'},
		{"empty", nil, true, 1, 't'},
		{"large Chinese text", []byte(strings.Repeat("陳大文 A012 ", 3000)), true, 6, 't'},
		{"binary with NUL", []byte{0, 1, 2, 0xff, '\n'}, true, 1, 'b'},
		{"invalid UTF-8", bytes.Repeat([]byte{0xc3}, 9000), true, 2, 'b'},
		{"text on a non-UTF-8 database", []byte("Calçada"), false, 1, 'b'},
		{"largest", bytes.Repeat([]byte("x"), MaxEvent), true, 132, 't'},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parts, got := roundTrip(t, c.data, c.textOK)
			if !bytes.Equal(got, c.data) {
				t.Errorf("round trip changed the event (%d bytes -> %d)", len(c.data), len(got))
			}
			if len(parts) != c.parts || parts[0][1] != c.enc {
				t.Errorf("encoded as %d parts, encoding %c; want %d, %c", len(parts), parts[0][1], c.parts, c.enc)
			}
		})
	}
	if _, err := encodeParts("n", 1, "t", make([]byte, MaxEvent+1), true); !errors.Is(err, ErrTooLarge) {
		t.Errorf("encodeParts(MaxEvent+1) = %v, want ErrTooLarge", err)
	}
}

func TestWire_Malformed(t *testing.T) {
	for _, p := range []string{
		"", "hello", "1t n 1 1/1 t", "2t n 1 1/1 t x", "1x n 1 1/1 t x", "1t  1 1/1 t x",
		"1t n zz 1/1 t x", "1t n 1 0/1 t x", "1t n 1 2/1 t x", "1t n 1 1/1000 t x", "1t n 1 1-1 t x",
	} {
		if _, err := decodePart(p); err == nil {
			t.Errorf("decodePart(%q) accepted", p)
		}
	}
	var asm assembler
	if _, _, err := asm.add(part{enc: 'b', n: 1, data: "!!"}, time.Now()); err == nil {
		t.Error("bad base64 accepted")
	}
	p := part{enc: 't', node: "n", msg: 1, i: 1, n: 2, topic: "t", data: "a"}
	_, _, _ = asm.add(p, time.Now())
	if _, _, err := asm.add(p, time.Now()); err == nil {
		t.Error("a repeated part accepted")
	}
}

func TestWire_PendingBounded(t *testing.T) {
	var asm assembler
	start := time.Now()
	for i := range 500 {
		p := part{enc: 't', node: "n", msg: uint64(i), i: 1, n: 2, topic: "t", data: "a"}
		if _, ok, err := asm.add(p, start); ok || err != nil {
			t.Fatalf("add = %v, %v", ok, err)
		}
	}
	if len(asm.pending) > maxPending {
		t.Errorf("%d incomplete events kept, want at most %d", len(asm.pending), maxPending)
	}
	p := part{enc: 't', node: "n", msg: 9999, i: 1, n: 2, topic: "t", data: "a"}
	_, _, _ = asm.add(p, start.Add(time.Minute))
	if len(asm.pending) != 1 {
		t.Errorf("%d incomplete events kept after they went stale, want 1", len(asm.pending))
	}
}

func FuzzWire(f *testing.F) {
	f.Add([]byte(`{"kind":"changed"}`), "1t n 1 1/1 t x")
	f.Add([]byte{0, 0xff}, "1b n ff 2/3 queue.X abc")
	f.Fuzz(func(t *testing.T, data []byte, payload string) {
		if len(data) > 3*maxPayload {
			data = data[:3*maxPayload]
		}
		_, got := roundTrip(t, data, true)
		if !bytes.Equal(got, data) {
			t.Fatalf("round trip changed %q to %q", data, got)
		}
		if p, err := decodePart(payload); err == nil {
			var asm assembler
			_, _, _ = asm.add(p, time.Now())
		}
	})
}
