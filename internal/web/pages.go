package web

import (
	"net/http"
	"strings"

	"github.com/oneaccount/oneaccount/internal/directory"
)

type homeData struct {
	Query    string
	Entity   string
	Entities []directory.Entity
	Results  []directory.CatalogueEntry
	Filtered bool
}

// home is the service catalogue, searchable by text and filterable by
// entity, through a plain GET form.
func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := directory.CatalogueQuery{Text: strings.TrimSpace(r.URL.Query().Get("q")), Entity: r.URL.Query().Get("entity")}
	ents, err := w.opt.Directory.Store().Entities(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if q.Entity != "" && !hasEntity(ents, q.Entity) {
		q.Entity = ""
	}
	results, err := w.opt.Directory.Catalogue(ctx, q)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := homeData{Query: q.Text, Entity: q.Entity, Entities: ents, Results: results, Filtered: q.Text != "" || q.Entity != ""}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("home.title")
	w.render(rw, r, http.StatusOK, "home", p)
}

func hasEntity(ents []directory.Entity, code string) bool {
	for _, e := range ents {
		if e.Code == code {
			return true
		}
	}
	return false
}

type branchRow struct {
	Branch directory.Branch
	Status directory.Status
}

type entityData struct {
	Entity   directory.Entity
	Services []directory.Service
	Branches []branchRow
}

// entity shows one entity, its services and its branches with their status.
func (w *Web) entity(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	code := r.PathValue("code")
	store := w.opt.Directory.Store()
	e, err := store.Entity(ctx, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	svcs, err := store.Services(ctx, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rows, err := w.branchRows(r, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(r, "", entityData{Entity: e, Services: svcs, Branches: rows})
	p.Title = p.L.Text(e.Name)
	w.render(rw, r, http.StatusOK, "entity", p)
}

// branchRows lists the branches of an entity (all when empty) with whether
// each is open now.
func (w *Web) branchRows(r *http.Request, entity string) ([]branchRow, error) {
	d := w.opt.Directory
	bs, err := d.Store().Branches(r.Context(), entity)
	if err != nil {
		return nil, err
	}
	st, err := d.Statuses(r.Context(), bs)
	if err != nil {
		return nil, err
	}
	rows := make([]branchRow, len(bs))
	for i, b := range bs {
		rows[i] = branchRow{Branch: b, Status: st[i]}
	}
	return rows, nil
}

// branches lists every branch with its status.
func (w *Web) branches(rw http.ResponseWriter, r *http.Request) {
	rows, err := w.branchRows(r, "")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(r, "", rows)
	p.Title = p.L.T("branches.title")
	w.render(rw, r, http.StatusOK, "branches", p)
}

// branch shows a branch: address, hours, open now, coming closures.
func (w *Web) branch(rw http.ResponseWriter, r *http.Request) {
	v, err := w.opt.Directory.BranchView(r.Context(), r.PathValue("code"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(r, "", v)
	p.Title = p.L.Text(v.Branch.Name)
	w.render(rw, r, http.StatusOK, "branch", p)
}
