package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/refdata"
	_ "modernc.org/sqlite"
)

func runArgs(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	code := exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func TestBadSettingExitsTwo(t *testing.T) {
	for _, args := range [][]string{{"--addr", "nope"}, {"serve", "--db", "mysql://x"}, {"frobnicate"}, {"directory", "export"}} {
		_, stderr, code := runArgs(t, nil, args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "oneaccount: ") {
			t.Errorf("run(%v) exit %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
	_, stderr, code := runArgs(t, map[string]string{"ONEACCOUNT_BASE_URL": "localhost"}, "migrate")
	if code != 2 || !strings.Contains(stderr, "ONEACCOUNT_BASE_URL") {
		t.Errorf("bad env: exit %d, %q", code, stderr)
	}
}

func TestHelp(t *testing.T) {
	out, _, code := runArgs(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "--base-url") || !strings.Contains(out, "ONEACCOUNT_DB") || !strings.Contains(out, "directory import") {
		t.Errorf("--help exit %d:\n%s", code, out)
	}
}

func TestMigrateAndImportTwice(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "oa.db")
	if _, stderr, code := runArgs(t, nil, "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate exit %d: %s", code, stderr)
	}
	file := filepath.Join(dir, "macao.yaml")
	if err := os.WriteFile(file, refdata.MacaoYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runArgs(t, nil, "directory", "import", "--db", db, file)
	if code != 0 || !strings.Contains(out, ": 14 entities") {
		t.Fatalf("first import exit %d: %s %s", code, out, stderr)
	}
	out, _, code = runArgs(t, map[string]string{"ONEACCOUNT_DB": db}, "directory", "import", file)
	if code != 0 || !strings.Contains(out, "0 entities, 0 services, 0 branches, 0 holidays changed; 0 holidays removed") {
		t.Errorf("second import exit %d: %s", code, out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("version: 1\nentities: [{code: lower}]\n"), 0o600)
	if _, stderr, code := runArgs(t, nil, "directory", "import", "--db", db, bad); code != 1 || !strings.Contains(stderr, "entities[0].code") {
		t.Errorf("bad import exit %d: %s", code, stderr)
	}
}

func TestAuditVerifyNamesTheFirstBadEvent(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "oa.db")
	for i, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		_, stderr, code := runArgs(t, nil, "users", "create", "--db", db, "--email", email,
			"--phone", "+8536600000"+string(rune('1'+i)), "--password", "a long enough password", "--name", "N")
		if code != 0 {
			t.Fatalf("users create: %s", stderr)
		}
	}
	out, _, code := runArgs(t, nil, "audit", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "3 events") {
		t.Fatalf("intact log: exit %d, %q", code, out)
	}
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "oa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range []string{"DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET purpose = 'edited' WHERE seq = 2"} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	_, stderr, code := runArgs(t, nil, "audit", "verify", "--db", db)
	if code != 1 || !strings.Contains(stderr, "event 2") {
		t.Errorf("tampered log: exit %d, %q; want 1 naming event 2", code, stderr)
	}
}
