package sqlstore

// OrgQueries are the organisation statements.
type OrgQueries struct{}
