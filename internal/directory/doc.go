// Package directory holds the government entities, the services they offer,
// their branches (service points) with opening hours and counters, public
// holidays, one-off closures, and the working-day calendar that bookings,
// queues and case deadlines use.
//
// Everything here is data: the Macao reference deployment ships as a YAML
// dataset (see Dataset) and another government loads its own. Every record is
// editable, because entities merge and rename.
package directory
