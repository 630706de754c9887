package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"bench"},
		{"serve", "-db", "mysql://127.0.0.1/x"},
		{"serve", "-db", "postgres://db.example.com/x"},
		{"serve", "-db", "sqlite:/tmp/x.db", "-addr", "0.0.0.0:8089"},
		{"serve", "-db", "sqlite:/tmp/x.db", "-control", "10.0.0.1:8090"},
		{"load", "-url", "http://example.com"},
		{"load", "-control", "http://10.1.1.1:80"},
		{"load", "-streams", "0"},
		{"load", "-calls", "100000"},
		{"load", "-timeout", "1h"},
	} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
	for _, db := range []string{"sqlite:/tmp/x.db", "postgres://postgres@127.0.0.1/x", "postgres:///x?host=/run/postgresql"} {
		if err := checkDB(db); err != nil {
			t.Errorf("checkDB(%q) = %v", db, err)
		}
	}
}

// TestServeAndLoad runs both roles in this process with a few streams:
// every stream must receive every call.
func TestServeAndLoad(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	served := make(chan error, 1)
	db := "sqlite:" + filepath.Join(t.TempDir(), "sse.db")
	go func() {
		served <- run(ctx, []string{"serve", "-db", db, "-addr", "127.0.0.1:0", "-control", "127.0.0.1:0"}, pw, io.Discard)
		_ = pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		stop()
		t.Fatalf("serve: %v (%v)", err, <-served)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	m := regexp.MustCompile(`platform on (\S+), control on (\S+),`).FindStringSubmatch(line)
	if m == nil {
		stop()
		t.Fatalf("serve printed %q", line)
	}
	var out bytes.Buffer
	err = run(context.Background(), []string{"load", "-url", m[1], "-control", m[2], "-streams", "30", "-calls", "3",
		"-every", "100ms", "-timeout", "30s"}, &out, io.Discard)
	stop()
	if err != nil {
		t.Fatalf("load = %v\n%s", err, out.String())
	}
	t.Log(out.String())
	for _, want := range []string{"30 open", "deliveries 90, missed 0", "p99", "KiB per stream"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("serve did not stop")
	}
}
