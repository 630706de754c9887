package realtime

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oneaccount/oneaccount/internal/pglisten"
)

// channelPrefix names the NOTIFY channel; a schema other than public
// gets its own channel, so deployments (and tests) sharing a database
// never hear each other.
const channelPrefix = "oneaccount_events"

// Postgres relays events between the nodes on one PostgreSQL database:
// Send issues NOTIFY through the store's pool, Listen receives the other
// nodes' events on a dedicated connection.
type Postgres struct {
	db      *sql.DB
	cfg     *pgx.ConnConfig
	node    string
	channel string
	textOK  bool
	log     *slog.Logger
	seq     atomic.Uint64

	ready     chan struct{}
	readyOnce sync.Once
}

// NewPostgres returns a relay that notifies through db and listens on its
// own connection to url, which must name db's database and schema.
func NewPostgres(ctx context.Context, db *sql.DB, url string, log *slog.Logger) (*Postgres, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("realtime: postgres url: %w", err)
	}
	var schema, encoding string
	if err := db.QueryRowContext(ctx, "SELECT current_schema(), current_setting('server_encoding')").Scan(&schema, &encoding); err != nil {
		return nil, fmt.Errorf("realtime: read schema: %w", err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	node := hex.EncodeToString(b)
	cfg.RuntimeParams["application_name"] = "oneaccount-events " + node
	return &Postgres{db: db, cfg: cfg, node: node, channel: channelName(schema), textOK: encoding == "UTF8",
		log: log, ready: make(chan struct{})}, nil
}

func channelName(schema string) string { return pglisten.Channel(channelPrefix, schema) }

// Node returns this node's ID, which its notifications carry.
func (p *Postgres) Node() string { return p.node }

// Channel returns the NOTIFY channel.
func (p *Postgres) Channel() string { return p.channel }

// Ready is closed once the first LISTEN has succeeded.
func (p *Postgres) Ready() <-chan struct{} { return p.ready }

// Send notifies the other nodes of events, all in one statement, so in
// one transaction; an event too large for one notification goes as
// several parts. Listeners get all of them, together and in order, or
// none.
func (p *Postgres) Send(ctx context.Context, topic string, data ...[]byte) error {
	var parts []string
	for _, d := range data {
		ps, err := encodeParts(p.node, p.seq.Add(1), topic, d, p.textOK)
		if err != nil {
			return err
		}
		parts = append(parts, ps...)
	}
	var err error
	switch len(parts) {
	case 0:
		return nil
	case 1:
		_, err = p.db.ExecContext(ctx, "SELECT pg_notify($1, $2)", p.channel, parts[0])
	default:
		_, err = p.db.ExecContext(ctx, "SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS x (p, n) ORDER BY n",
			p.channel, parts)
	}
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// Listen delivers the other nodes' events to b until ctx is done. When
// the connection fails it reconnects (pglisten.Run); after every
// successful LISTEN it asks b's subscribers to resync, since events may
// have been missed.
func (p *Postgres) Listen(ctx context.Context, b *Broker) {
	var asm assembler
	pglisten.Run(ctx, p.cfg, p.channel, pglisten.Handler{
		Listening: func() {
			asm = assembler{} // parts of an event cut off by the lost connection
			b.Resync()
			p.readyOnce.Do(func() { close(p.ready) })
		},
		Notify: func(payload string) { p.receive(ctx, b, &asm, payload) },
		Lost: func(err error, wait time.Duration) {
			p.log.WarnContext(ctx, "realtime: listening connection lost", "err", err, "retry_in", wait.String())
		},
	})
}

// receive takes one notification: another node's part of an event.
func (p *Postgres) receive(ctx context.Context, b *Broker, asm *assembler, payload string) {
	pt, err := decodePart(payload)
	if err != nil {
		p.log.WarnContext(ctx, "realtime: ignored a notification", "err", err, "bytes", len(payload))
		return
	}
	if pt.node == p.node {
		return // our own echo: delivered here when published
	}
	data, ok, err := asm.add(pt, time.Now())
	if err != nil {
		p.log.WarnContext(ctx, "realtime: ignored a notification", "err", err, "node", pt.node, "topic", pt.topic)
		return
	}
	if ok {
		b.Deliver(pt.topic, data)
	}
}
