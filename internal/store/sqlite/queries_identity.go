package sqlite

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

var identityQueries = sqlstore.IdentityQueries{}
