package sqlstore

// PasskeyQueries are the passkey statements.
type PasskeyQueries struct{}
