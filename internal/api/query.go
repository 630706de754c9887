package api

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
)

// maxText bounds the search text in characters (the document's maxLength).
const maxText = 200

// parseServicesQuery reads the query string of GET /api/v1/services:
// entity (an entity code) and q (search text), both optional, each at most
// once. Other parameters are ignored.
func parseServicesQuery(raw string) (directory.CatalogueQuery, error) {
	vals, err := parseQuery(raw)
	if err != nil {
		return directory.CatalogueQuery{}, err
	}
	entity, err := entityParam(vals)
	if err != nil {
		return directory.CatalogueQuery{}, err
	}
	text, err := single(vals, "q")
	if err != nil {
		return directory.CatalogueQuery{}, err
	}
	if !utf8.ValidString(text) {
		return directory.CatalogueQuery{}, apperr.Invalidf("q", "not valid UTF-8")
	}
	if utf8.RuneCountInString(text) > maxText {
		return directory.CatalogueQuery{}, apperr.Invalidf("q", "longer than %d characters", maxText)
	}
	return directory.CatalogueQuery{Entity: entity, Text: strings.TrimSpace(text)}, nil
}

// parseBranchesQuery reads the query string of GET /api/v1/branches: an
// optional entity code.
func parseBranchesQuery(raw string) (string, error) {
	vals, err := parseQuery(raw)
	if err != nil {
		return "", err
	}
	return entityParam(vals)
}

func parseQuery(raw string) (url.Values, error) {
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Field: "query",
			Detail: "malformed query string", Err: err}
	}
	return vals, nil
}

// entityParam returns the entity parameter: empty, or a well-formed code.
func entityParam(vals url.Values) (string, error) {
	entity, err := single(vals, "entity")
	if err != nil {
		return "", err
	}
	if entity != "" && !directory.ValidCode(entity) {
		return "", apperr.Invalidf("entity", "want an entity code such as DSI")
	}
	return entity, nil
}

// single returns the one value of key, "" when absent, or an Invalid error
// when it is given more than once.
func single(vals url.Values, key string) (string, error) {
	vs := vals[key]
	switch len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	default:
		return "", apperr.Invalidf(key, "give %s at most once", key)
	}
}
