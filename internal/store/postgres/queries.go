package postgres

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

// queries gathers this engine's statements; each domain's are in their own
// queries_DOMAIN.go file.
var queries = sqlstore.Queries{
	Directory:   directoryQueries,
	Audit:       auditQueries,
	Identity:    identityQueries,
	Passkey:     passkeyQueries,
	Org:         orgQueries,
	Keys:        keyQueries,
	Client:      clientQueries,
	OIDC:        oidcQueries,
	Job:         jobQueries,
	Message:     messageQueries,
	Appointment: appointmentQueries,
	Push:        pushQueries,
	Queue:       queueQueries,
}
