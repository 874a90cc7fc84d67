package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Defaults of Config.
const (
	DefaultWriters        = 16  // BAR-D1 asks for at least 16
	DefaultRate           = 250 // commits per second in total; BAR-D1 asks for at least 200
	DefaultTable          = "ledger"
	DefaultConnectTimeout = 2 * time.Second
	// DefaultBackoff is short because the pause after a failure adds straight to the measured write gap.
	DefaultBackoff = 50 * time.Millisecond
	// DefaultAttemptTimeout bounds one attempt, as an application's timeout would. Without it a writer whose
	// server froze (SIGSTOP, a partition) would wait on its socket for many minutes, and the write gap would
	// measure TCP's patience rather than the failover.
	DefaultAttemptTimeout = 5 * time.Second
)

// Config sets up the writers of one ledger run.
type Config struct {
	// DSN is where the writers connect, normally the server's writer endpoint; each writer reconnects
	// through it after every failure, which is how it follows a failover.
	DSN string
	// Writers is how many writers run concurrently, each on its own connection (default DefaultWriters).
	Writers int
	// Rate is the target number of attempts per second over all writers: zero means DefaultRate, a
	// negative value means as fast as the server allows.
	Rate float64
	// Table is the ledger table, created if missing (default DefaultTable). Rows carry the run's ID, so runs
	// may share a table.
	Table string
	// ConnectTimeout bounds each connection attempt (default DefaultConnectTimeout).
	ConnectTimeout time.Duration
	// Backoff is the pause after a failed connection or attempt (default DefaultBackoff).
	Backoff time.Duration
	// AttemptTimeout bounds one attempt, BEGIN to COMMIT (default DefaultAttemptTimeout). When it expires
	// the connection is closed (never cancelled, see connConfig) and an attempt in COMMIT becomes unknown.
	// A test that wants to see commits block, say while the sync standby is down, sets it long.
	AttemptTimeout time.Duration
	// Clock puts the run's instants on a caller's axis, for instance one shared with a Sampler; the zero
	// Clock means a new one started by Run.
	Clock Clock
}

func (c Config) withDefaults() Config {
	if c.Writers <= 0 {
		c.Writers = DefaultWriters
	}
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.Table == "" {
		c.Table = DefaultTable
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.Backoff <= 0 {
		c.Backoff = DefaultBackoff
	}
	if c.AttemptTimeout <= 0 {
		c.AttemptTimeout = DefaultAttemptTimeout
	}
	if c.Clock.isZero() {
		c.Clock = NewClock()
	}
	return c
}

// ErrRunning is returned by Resolve and Check while the writers still run: the table would not match the
// attempts, since some are in flight.
var ErrRunning = errors.New("ledger: the writers are still running; call Stop first")

// Ledger is one run of writers and everything they recorded.
type Ledger struct {
	cfg     Config
	connCfg *pgx.ConnConfig
	runID   string
	table   string // quoted identifier
	pacer   *pacer

	stop     chan struct{} // closed by Stop: finish the attempt in flight, then exit
	stopOnce sync.Once
	abort    context.CancelFunc // ends attempts in flight
	wg       sync.WaitGroup

	connects, connectFailures atomic.Int64

	mu       sync.Mutex
	attempts []Attempt
	faults   []Fault
	started  time.Duration
	stopped  time.Duration
	done     bool
}

// Run creates the ledger table if it is missing and starts the writers. It returns once they are started;
// an error means the table could not be reached or created, and no writer was started. Cancelling ctx stops
// the writers at once, as Stop does when its own context expires; call Stop in either case.
func Run(ctx context.Context, cfg Config) (*Ledger, error) {
	cfg = cfg.withDefaults()
	connCfg, err := connConfig(cfg.DSN, cfg.ConnectTimeout, WriterApplicationName)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	runID, err := newRunID()
	if err != nil {
		return nil, err
	}
	l := &Ledger{
		cfg:     cfg,
		connCfg: connCfg,
		runID:   runID,
		table:   pgx.Identifier{cfg.Table}.Sanitize(),
		pacer:   newPacer(cfg.Rate),
		stop:    make(chan struct{}),
	}
	if err := l.createTable(ctx); err != nil {
		return nil, err
	}
	writeCtx, abort := context.WithCancel(ctx)
	l.abort = abort
	l.started = cfg.Clock.Now()
	for id := range cfg.Writers {
		l.wg.Add(1)
		go l.write(writeCtx, id)
	}
	return l, nil
}

func newRunID() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("ledger: run ID: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func (l *Ledger) createTable(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, l.connCfg)
	if err != nil {
		return fmt.Errorf("ledger: connect: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+l.table+` (
		run text NOT NULL,
		writer integer NOT NULL,
		seq bigint NOT NULL,
		payload text NOT NULL,
		PRIMARY KEY (run, writer, seq))`)
	if err != nil {
		return fmt.Errorf("ledger: create table %s: %w", l.table, err)
	}
	return nil
}

// RunID identifies this run's rows in the table.
func (l *Ledger) RunID() string { return l.runID }

// Clock is the clock of the run's instants, to share with a Sampler.
func (l *Ledger) Clock() Clock { return l.cfg.Clock }

// MarkFault records that the fault name is being injected now. Call it just before injecting, so that
// the outage cannot begin before the mark.
func (l *Ledger) MarkFault(name string) Fault {
	f := Fault{Name: name, At: l.cfg.Clock.Now()}
	l.mu.Lock()
	l.faults = append(l.faults, f)
	l.mu.Unlock()
	return f
}

// Faults returns the faults marked so far, in order.
func (l *Ledger) Faults() []Fault {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Fault(nil), l.faults...)
}

// Attempts returns a copy of the attempts recorded so far, in the order they ended. It may be called while
// the writers run, for instance to wait until writes are acknowledged again after a fault.
func (l *Ledger) Attempts() []Attempt {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Attempt(nil), l.attempts...)
}

// Stop lets every writer finish its attempt in flight and waits for them. If ctx ends first, the attempts
// still in flight are ended by closing their connections (they become failed or unknown) and Stop returns
// ctx's error once the writers are gone. Stopping twice is harmless.
func (l *Ledger) Stop(ctx context.Context) error {
	l.stopOnce.Do(func() { close(l.stop) })
	exited := make(chan struct{})
	go func() {
		l.wg.Wait()
		close(exited)
	}()
	var err error
	select {
	case <-exited:
	case <-ctx.Done():
		err = ctx.Err()
		l.abort()
		<-exited
	}
	l.abort()
	l.mu.Lock()
	if !l.done {
		l.done = true
		l.stopped = l.cfg.Clock.Now()
	}
	l.mu.Unlock()
	return err
}

func (l *Ledger) record(a Attempt) {
	l.mu.Lock()
	l.attempts = append(l.attempts, a)
	l.mu.Unlock()
}

// pause waits d, or less if the run is stopping; it reports whether the writer should go on.
func (l *Ledger) pause(ctx context.Context, d time.Duration) bool {
	select {
	case <-l.stop:
		return false
	case <-ctx.Done():
		return false
	default:
	}
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-l.stop:
		return false
	case <-ctx.Done():
		return false
	}
}

// writer is one writer goroutine's state.
type writer struct {
	l    *Ledger
	id   int
	seq  int64
	conn *pgx.Conn
	// syncCancelled is set by the connection's notice handler, which pgx calls on the writer's own
	// goroutine while it reads COMMIT's reply; atomic all the same, so the handler needs no reasoning.
	syncCancelled atomic.Bool
}

func (l *Ledger) write(ctx context.Context, id int) {
	defer l.wg.Done()
	w := &writer{l: l, id: id}
	defer w.drop()
	for {
		if w.conn == nil && !w.connect(ctx) {
			if !l.pause(ctx, l.cfg.Backoff) {
				return
			}
			continue
		}
		if !l.pause(ctx, l.pacer.reserve(l.cfg.Clock.Now())) {
			return
		}
		a := w.attempt(ctx)
		l.record(a)
		if a.Outcome != Acked {
			// Whatever went wrong, a fresh session through the DSN is how the writer finds the current
			// primary; and ending the old session rolls back a transaction that never reached COMMIT.
			w.drop()
			if !l.pause(ctx, l.cfg.Backoff) {
				return
			}
		}
	}
}

func (w *writer) connect(ctx context.Context) bool {
	cfg := w.l.connCfg.Copy()
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		if isSyncCancel(n) {
			w.syncCancelled.Store(true)
		}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	w.l.connects.Add(1)
	if err != nil {
		w.l.connectFailures.Add(1)
		return false
	}
	w.conn = conn
	return true
}

func (w *writer) drop() {
	if w.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = w.conn.Close(ctx) // the session is being abandoned; a failed goodbye changes nothing
	w.conn = nil
}

// attempt commits the writer's next row and records what the client was told.
func (w *writer) attempt(ctx context.Context) Attempt {
	w.seq++
	a := Attempt{Key: Key{Writer: w.id, Seq: w.seq}, Start: w.l.cfg.Clock.Now()}
	ctx, cancel := context.WithTimeout(ctx, w.l.cfg.AttemptTimeout)
	defer cancel()
	p, err := w.commitRow(ctx, &a)
	a.End = w.l.cfg.Clock.Now()
	a.Outcome = classify(p, err)
	a.Err = err
	return a
}

// commitRow runs one transaction: BEGIN, INSERT returning the transaction ID, COMMIT. The ID is read with
// the INSERT, in the same round trip, so it is known before COMMIT is sent (BAR-D3).
func (w *writer) commitRow(ctx context.Context, a *Attempt) (phase, error) {
	tx, err := w.conn.Begin(ctx)
	if err != nil {
		return beforeCommit, err
	}
	insert := `INSERT INTO ` + w.l.table + ` (run, writer, seq, payload) VALUES ($1, $2, $3, $4)
		RETURNING pg_current_xact_id()::text`
	if err := tx.QueryRow(ctx, insert, w.l.runID, a.Writer, a.Seq, a.Key.String()).Scan(&a.Xid); err != nil {
		return beforeCommit, err
	}
	w.syncCancelled.Store(false)
	err = tx.Commit(ctx)
	a.SyncCancelled = w.syncCancelled.Load()
	return inCommit, err
}
