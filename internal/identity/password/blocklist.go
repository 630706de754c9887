package password

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"strings"
)

// commonPasswords is the gzipped, lower-cased, sorted list of common and
// breached passwords, one a line. gen-blocklist.sh regenerates it and names
// its source and licence.
//
//go:embed common-passwords.txt.gz
var commonPasswords []byte

// Blocklist is a set of passwords refused at registration and change. It is
// read-only once built and safe for concurrent use.
type Blocklist struct {
	words map[string]struct{}
}

// LoadBlocklist decodes the embedded list of common passwords (about 49,000
// entries from @zxcvbn-ts/language-common, MIT licence). Call it once at
// start-up and share the result; it takes a few milliseconds.
func LoadBlocklist() (*Blocklist, error) {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswords))
	if err != nil {
		return nil, fmt.Errorf("password blocklist: %w", err)
	}
	defer zr.Close()
	var words []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := sc.Text(); w != "" {
			words = append(words, w)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("password blocklist: %w", err)
	}
	return NewBlocklist(words), nil
}

// NewBlocklist builds a Blocklist from words, for tests and for deployments
// that add local words (the names of the government or the city, say). Words
// are compared case-insensitively after NFKC normalisation.
func NewBlocklist(words []string) *Blocklist {
	b := &Blocklist{words: make(map[string]struct{}, len(words))}
	for _, w := range words {
		b.words[blockKey(w)] = struct{}{}
	}
	return b
}

// Len returns the number of distinct entries.
func (b *Blocklist) Len() int { return len(b.words) }

// Contains reports whether pw is on the list, ignoring case and comparing
// NFKC forms.
func (b *Blocklist) Contains(pw string) bool {
	_, ok := b.words[blockKey(pw)]
	return ok
}

// blockKey is the form entries and candidates are compared in.
func blockKey(s string) string { return strings.ToLower(Normalize(s)) }
