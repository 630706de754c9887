package postgres

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

var orgQueries = sqlstore.OrgQueries{}
