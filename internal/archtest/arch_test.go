package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// infrastructure lists the packages (under internal/) allowed to touch HTTP,
// SQL, templates and stores. Every other internal package is domain code.
var infrastructure = []string{"app", "web", "api", "server", "store", "config", "e2e", "archtest", "realtime", "pglisten",
	"notify/email", "notify/sms", "notify/smtpsink", "passkey", "oidc", "push"}

// forbidden are imports no domain package may have, directly or not.
var forbidden = []string{"net/http", "database/sql", "html/template"}

const module = "github.com/oneaccount/oneaccount"

func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = root(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

func isInfrastructure(pkg string) bool {
	rel := strings.TrimPrefix(pkg, module+"/internal/")
	for _, p := range infrastructure {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}

func TestDomainPackagesStayPure(t *testing.T) {
	pkgs := goList(t, "./internal/...")
	checked := 0
	for _, pkg := range pkgs {
		if isInfrastructure(pkg) {
			continue
		}
		checked++
		for _, dep := range goList(t, "-deps", pkg) {
			for _, f := range forbidden {
				if dep == f {
					t.Errorf("domain package %s depends on %s", pkg, f)
				}
			}
			if strings.HasPrefix(dep, module+"/internal/store") {
				t.Errorf("domain package %s depends on the store %s", pkg, dep)
			}
		}
	}
	if checked < 3 {
		t.Fatalf("checked %d domain packages; the package list is wrong", checked)
	}
}

func TestEverythingIsDocumented(t *testing.T) {
	base := root(t)
	dirs := map[string]bool{}
	err := filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != base {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			dirs[filepath.Dir(p)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range dirs {
		checkDocs(t, dir)
	}
}

func checkDocs(t *testing.T, dir string) {
	fset := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	hasPkgDoc := false
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		if f.Doc != nil && strings.HasPrefix(f.Doc.Text(), "Package ") || f.Doc != nil && f.Name.Name == "main" {
			hasPkgDoc = true
		}
		for _, name := range undocumented(f) {
			t.Errorf("%s: exported %s has no doc comment", fset.Position(f.Pos()).Filename, name)
		}
	}
	if !hasPkgDoc {
		t.Errorf("package in %s has no package doc comment", dir)
	}
}

// undocumented lists the exported top-level names of f without a doc
// comment. A name in a documented group counts as documented.
func undocumented(f *ast.File) []string {
	var out []string
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && d.Doc == nil && exportedRecv(d) {
				out = append(out, d.Name.Name)
			}
		case *ast.GenDecl:
			if d.Doc != nil && d.Lparen.IsValid() {
				continue
			}
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && d.Doc == nil && s.Doc == nil {
						out = append(out, s.Name.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() && d.Doc == nil && s.Doc == nil && s.Comment == nil {
							out = append(out, n.Name)
						}
					}
				}
			}
		}
	}
	return out
}

// exportedRecv reports whether a method's receiver type is exported (plain
// functions count as exported receivers).
func exportedRecv(d *ast.FuncDecl) bool {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return true
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}
