package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves the embedded assets, gzipped once at start, with a
// content hash in their URLs so browsers may cache them for a year.
type staticFiles struct {
	files map[string]*asset
}

type asset struct {
	raw, gz []byte
	hash    string
	ctype   string
}

func newStaticFiles() (*staticFiles, error) {
	s := &staticFiles{files: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = zw.Write(raw)
		_ = zw.Close()
		sum := sha256.Sum256(raw)
		name := strings.TrimPrefix(p, "static/")
		s.files[name] = &asset{raw: raw, gz: gz.Bytes(), hash: hex.EncodeToString(sum[:6]),
			ctype: mime.TypeByExtension(path.Ext(name))}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	return s, nil
}

// url returns the versioned URL of an asset.
func (s *staticFiles) url(name string) string {
	if a, ok := s.files[name]; ok {
		return "/static/" + name + "?v=" + a.hash
	}
	return "/static/" + name
}

func (s *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := s.files[strings.TrimPrefix(r.URL.Path, "/static/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Vary", "Accept-Encoding")
	h.Set("ETag", `"`+a.hash+`"`)
	if r.URL.Query().Get("v") == a.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	if r.Header.Get("If-None-Match") == `"`+a.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.raw
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	_, _ = w.Write(body)
}
