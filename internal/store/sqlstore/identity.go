package sqlstore

// IdentityQueries are the identity domain's statements.
type IdentityQueries struct{}
