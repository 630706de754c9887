package postgres_test

import (
	"testing"

	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.PostgresURL(t) // skips, or fails under CI, without a server
	storetest.Run(t, storetest.Postgres)
}
