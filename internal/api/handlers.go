package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
)

//go:embed openapi.json
var openapiDoc []byte

// openAPI serves the OpenAPI document describing every route of table.
func (a *API) openAPI(http.ResponseWriter, *http.Request) (any, error) {
	return json.RawMessage(openapiDoc), nil
}

// listEntities serves GET /api/v1/entities.
func (a *API) listEntities(_ http.ResponseWriter, r *http.Request) (any, error) {
	ents, err := a.dir.Store().Entities(r.Context())
	if err != nil {
		return nil, fmt.Errorf("list entities: %w", err)
	}
	return EntityList{Entities: mapAll(ents, toEntity)}, nil
}

// getEntity serves GET /api/v1/entities/{code}.
func (a *API) getEntity(_ http.ResponseWriter, r *http.Request) (any, error) {
	code, err := pathCode(r, "entity")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	e, err := a.dir.Store().Entity(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("get entity: %w", err)
	}
	svcs, err := a.dir.Store().Services(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("get entity services: %w", err)
	}
	brs, err := a.dir.Store().Branches(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("get entity branches: %w", err)
	}
	return EntityDetail{
		Entity:   toEntity(e),
		Services: mapAll(svcs, func(s directory.Service) string { return s.Code }),
		Branches: mapAll(brs, func(b directory.Branch) string { return b.Code }),
	}, nil
}

// listServices serves GET /api/v1/services?entity=CODE&q=TEXT.
func (a *API) listServices(_ http.ResponseWriter, r *http.Request) (any, error) {
	q, err := parseServicesQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	if err := a.entityExists(r, q.Entity); err != nil {
		return nil, err
	}
	entries, err := a.dir.Catalogue(r.Context(), q)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return ServiceList{Services: mapAll(entries, func(e directory.CatalogueEntry) Service {
		return toService(e.Service)
	})}, nil
}

// listBranches serves GET /api/v1/branches?entity=CODE.
func (a *API) listBranches(_ http.ResponseWriter, r *http.Request) (any, error) {
	entity, err := parseBranchesQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	if err := a.entityExists(r, entity); err != nil {
		return nil, err
	}
	brs, err := a.dir.Store().Branches(r.Context(), entity)
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	return BranchList{Branches: mapAll(brs, toBranch)}, nil
}

// getBranch serves GET /api/v1/branches/{code}.
func (a *API) getBranch(_ http.ResponseWriter, r *http.Request) (any, error) {
	code, err := pathCode(r, "branch")
	if err != nil {
		return nil, err
	}
	v, err := a.dir.BranchView(r.Context(), code)
	if err != nil {
		return nil, fmt.Errorf("get branch: %w", err)
	}
	loc := a.dir.Location()
	return BranchDetail{
		Branch:   toBranch(v.Branch),
		Status:   toStatus(v.Status, loc),
		Closures: mapAll(v.Closures, func(c directory.Closure) Closure { return toClosure(c, loc) }),
		Holidays: mapAll(v.Holidays, toHoliday),
	}, nil
}

// entityExists returns a NotFound error when a filter names no entity; an
// empty code filters nothing.
func (a *API) entityExists(r *http.Request, code string) error {
	if code == "" {
		return nil
	}
	if _, err := a.dir.Store().Entity(r.Context(), code); err != nil {
		return fmt.Errorf("entity filter: %w", err)
	}
	return nil
}

// pathCode returns the {code} path value; a malformed code names nothing,
// so it is NotFound rather than Invalid.
func pathCode(r *http.Request, what string) (string, error) {
	code := r.PathValue("code")
	if !directory.ValidCode(code) {
		return "", apperr.NotFoundf("no %s has this code", what)
	}
	return code, nil
}
