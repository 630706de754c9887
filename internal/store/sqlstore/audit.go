package sqlstore

// AuditQueries are the audit log's statements.
type AuditQueries struct{}
