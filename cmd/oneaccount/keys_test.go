package main

import (
	"encoding/base64"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestKeysRotateAndList(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "oa.db")
	env := map[string]string{"ONEACCOUNT_KEY_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(make([]byte, 32))}

	out, stderr, code := runArgs(t, nil, "keys", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "no signing keys") {
		t.Fatalf("list on a fresh database: exit %d, %q %q", code, out, stderr)
	}
	out, stderr, code = runArgs(t, env, "keys", "rotate", "--db", db)
	first := regexp.MustCompile(`new ES256 key ([A-Za-z0-9_-]{22}): published now, signs from \S+Z`).FindStringSubmatch(out)
	if code != 0 || first == nil || !strings.Contains(out, "no older ES256 key") {
		t.Fatalf("first rotate: exit %d, %q %q", code, out, stderr)
	}
	out, stderr, code = runArgs(t, env, "keys", "rotate", "--db", db)
	second := regexp.MustCompile(`new ES256 key ([A-Za-z0-9_-]{22})`).FindStringSubmatch(out)
	if code != 0 || second == nil || !strings.Contains(out, "old ES256 key "+first[1]+": retires at ") {
		t.Fatalf("second rotate: exit %d, %q %q; want the first key %s retiring", code, out, stderr, first[1])
	}
	_, stderr, code = runArgs(t, env, "keys", "rotate", "--db", db)
	if code != 1 || !strings.Contains(stderr, "pending") {
		t.Errorf("third rotate while one is pending: exit %d, %q; want 1 and a pending-key error", code, stderr)
	}
	out, _, code = runArgs(t, env, "keys", "rotate", "--alg", "RS256", "--db", db)
	if code != 0 || !strings.Contains(out, "new RS256 key ") {
		t.Errorf("rotate --alg RS256: exit %d, %q", code, out)
	}

	out, stderr, code = runArgs(t, nil, "keys", "list", "--db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 {
		t.Fatalf("list: exit %d, %d lines %q %q; want one line per key (3)", code, len(lines), out, stderr)
	}
	want := map[string]string{first[1]: "ES256 active", second[1]: "ES256 pending"}
	for kid, st := range want {
		found := false
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) == 5 && f[0] == kid && f[1]+" "+f[2] == st {
				found = true
			}
		}
		if !found {
			t.Errorf("list has no line %q for %s:\n%s", st, kid, out)
		}
	}
}

func TestKeysUsageErrors(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "oa.db")
	kek := base64.StdEncoding.EncodeToString(make([]byte, 32))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"keys"}, "keys rotate"},
		{[]string{"keys", "delete"}, "keys rotate"},
		{[]string{"keys", "rotate", "--db", db}, "--key-encryption-key"},
		{[]string{"keys", "rotate", "--db", db, "--key-encryption-key", "c2hvcnQ="}, "--key-encryption-key:"},
		{[]string{"keys", "rotate", "--db", db, "--key-encryption-key", kek, "--alg", "HS256"}, "--alg"},
		{[]string{"keys", "list", "--db", db, "extra"}, "extra"},
	}
	for _, tt := range tests {
		_, stderr, code := runArgs(t, nil, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("run(%v): exit %d, %q; want 2 and one line naming %q", tt.args, code, stderr, tt.want)
		}
	}
	if out, stderr, code := runArgs(t, nil, "keys", "rotate", "--demo", "--db", db); code != 0 || !strings.Contains(out, "new ES256 key") {
		t.Errorf("rotate --demo without a key: exit %d, %q %q; want the demo key used", code, out, stderr)
	}
}
