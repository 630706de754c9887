// Package refdata ships the Macao reference deployment's directory: its
// entities, services, branches and holidays, as a readable YAML file embedded
// in the binary. A fresh database gets it on first start, and
// `oneaccount directory import` loads it (or another government's file).
package refdata

import (
	"bytes"
	_ "embed"

	"github.com/oneaccount/oneaccount/internal/directory"
)

//go:embed macao.yaml
var macao []byte

// MacaoYAML returns the raw Macao data file.
func MacaoYAML() []byte { return bytes.Clone(macao) }

// Macao parses and returns the Macao dataset.
func Macao() (directory.Dataset, error) {
	return directory.ParseDataset(bytes.NewReader(macao))
}

//go:embed booking.yaml
var booking []byte

// BookingYAML returns the raw booking-rules file.
func BookingYAML() []byte { return bytes.Clone(booking) }

//go:embed queues.yaml
var queues []byte

// QueuesYAML returns the raw queue settings file.
func QueuesYAML() []byte { return bytes.Clone(queues) }
