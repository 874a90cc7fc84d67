package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Defaults of SamplerConfig.
const (
	DefaultSampleInterval = 100 * time.Millisecond // BAR-F1's polling period
	DefaultProbeTimeout   = 500 * time.Millisecond
	DefaultProbeTable     = "ledger_probe"
)

// PostgreSQL error codes the sampler tells apart.
const (
	codeUndefinedTable      = "42P01" // the probe table is missing: create it with the next probe
	codeReadOnlyTransaction = "25006" // a standby refused the probe write, as it should
)

// SamplerConfig sets up a Sampler.
type SamplerConfig struct {
	// Instances maps a name to a DSN that reaches exactly that instance (its own address, never an
	// endpoint that follows the primary).
	Instances map[string]string
	// Interval is the period of the sampling rounds, and the window within which two acknowledgements
	// count as simultaneous (default DefaultSampleInterval).
	Interval time.Duration
	// ProbeWrite makes every round also try a write on every instance.
	ProbeWrite bool
	// ProbeTimeout bounds the role query and the connection attempts, and is how long a round waits for
	// its probe write before recording it as not acknowledged (default DefaultProbeTimeout).
	ProbeTimeout time.Duration
	// ProbeTable is where probe writes go, created on demand (default DefaultProbeTable).
	ProbeTable string
	// Clock puts the samples on a caller's axis, typically the Ledger's; the zero Clock means a new one.
	Clock Clock
}

func (c SamplerConfig) withDefaults() SamplerConfig {
	if c.Interval <= 0 {
		c.Interval = DefaultSampleInterval
	}
	if c.ProbeTimeout <= 0 {
		c.ProbeTimeout = DefaultProbeTimeout
	}
	if c.ProbeTable == "" {
		c.ProbeTable = DefaultProbeTable
	}
	if c.Clock.isZero() {
		c.Clock = NewClock()
	}
	return c
}

// Role is what pg_is_in_recovery() said.
type Role int

const (
	RoleUnknown Role = iota // no answer: unreachable, refused, or too slow
	RolePrimary             // not in recovery: it would accept writes
	RoleStandby             // in recovery
)

func (r Role) String() string {
	switch r {
	case RolePrimary:
		return "primary"
	case RoleStandby:
		return "standby"
	}
	return "unknown"
}

// WriteResult is the fate of a round's probe write.
type WriteResult int

const (
	NotProbed     WriteResult = iota // probe writes are off
	WriteAcked                       // the instance acknowledged the write
	WriteFailed                      // the instance refused it (a standby: 25006) or could not be reached
	WriteTimedOut                    // no answer within ProbeTimeout: not acknowledged (yet)
	WriteBusy                        // the previous probe was still waiting, so none was sent
)

func (w WriteResult) String() string {
	switch w {
	case NotProbed:
		return "not-probed"
	case WriteAcked:
		return "acked"
	case WriteFailed:
		return "failed"
	case WriteTimedOut:
		return "timed-out"
	case WriteBusy:
		return "busy"
	}
	return fmt.Sprintf("WriteResult(%d)", int(w))
}

// Sample is what one round learnt of one instance, on the sampler's Clock.
type Sample struct {
	Instance string
	// Round is the number of the sampling period the round began in (its start divided by Interval).
	Round int64
	// At is when the role answer came, or the role query gave up.
	At   time.Duration
	Role Role
	// Write and WriteAt are the probe's result and when it came; for an ack, the acknowledgement instant.
	Write   WriteResult
	WriteAt time.Duration
	// Late marks an extra sample for a probe that its round had recorded as timed out and that the
	// instance acknowledged afterwards, at WriteAt; the other fields repeat that round's.
	Late bool
}

// Overlap is a pair of samples from two different instances whose acknowledgements (for TwoWriters) or
// primary answers (for TwoPrimaries) came less than one sampling interval apart.
type Overlap struct {
	First, Second Sample
}

// TwoWriters finds every moment at which two instances acknowledged writes within one sampling interval
// of each other (BAR-F1: there must be none). The window slides rather than following round boundaries,
// so two acknowledgements a millisecond apart are caught even when a boundary falls between them.
func TwoWriters(samples []Sample, within time.Duration) []Overlap {
	return overlaps(samples, within, func(s Sample) (time.Duration, bool) {
		return s.WriteAt, s.Write == WriteAcked
	})
}

// TwoPrimaries is TwoWriters on the role answers: two reachable instances out of recovery within one
// interval. It is the check for runs without probe writes; with them it may also flag a fenced old primary
// that still answers but can no longer acknowledge writes, which is not split brain by itself.
func TwoPrimaries(samples []Sample, within time.Duration) []Overlap {
	return overlaps(samples, within, func(s Sample) (time.Duration, bool) {
		return s.At, s.Role == RolePrimary && !s.Late
	})
}

// overlaps pairs the samples that count (by instant) with those of other instances less than within
// earlier.
func overlaps(samples []Sample, within time.Duration, instant func(Sample) (time.Duration, bool)) []Overlap {
	type event struct {
		at time.Duration
		s  Sample
	}
	var events []event
	for _, s := range samples {
		if at, ok := instant(s); ok {
			events = append(events, event{at, s})
		}
	}
	slices.SortStableFunc(events, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	var found []Overlap
	for i, e := range events {
		for j := i - 1; j >= 0 && e.at-events[j].at < within; j-- {
			if events[j].s.Instance != e.s.Instance {
				found = append(found, Overlap{First: events[j].s, Second: e.s})
			}
		}
	}
	return found
}

// Sampler polls a set of instances every Interval for their role and, optionally, whether they accept a
// write; see StartSampler.
type Sampler struct {
	cfg    SamplerConfig
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	samples []Sample
}

// StartSampler starts one poller per instance. Each round, a poller asks its instance
// pg_is_in_recovery() and, with ProbeWrite, sends an INSERT into the probe table as its own transaction;
// the two run side by side on two sessions, so a blocked write does not hide the role.
//
// A probe write that gets no answer within ProbeTimeout is recorded as not acknowledged, but it is neither
// cancelled nor abandoned. A cancel would turn a write waiting for synchronous replication into a local
// commit (reference §6.2); closing the session would leave the backend waiting all the same, one more at
// every round, until the server ran out of connections. So the session keeps waiting, rounds send no
// other write to that instance meanwhile (WriteBusy), and if the instance acknowledges the write later the
// sampler records it then (a Late sample): a late acknowledgement from a fenced primary is exactly what
// BAR-F1 must see. The probe session's statement_timeout still ends lock waits; it does not reach the
// wait for synchronous replication, which PostgreSQL runs after the statement's timeout is disabled.
func StartSampler(ctx context.Context, cfg SamplerConfig) (*Sampler, error) {
	cfg = cfg.withDefaults()
	if len(cfg.Instances) == 0 {
		return nil, errors.New("ledger: sampler: no instances")
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Sampler{cfg: cfg, cancel: cancel}
	var pollers []*poller
	for _, name := range slices.Sorted(maps.Keys(cfg.Instances)) {
		p, err := s.newPoller(name, cfg.Instances[name])
		if err != nil {
			cancel()
			return nil, fmt.Errorf("ledger: sampler: instance %s: %w", name, err)
		}
		pollers = append(pollers, p)
	}
	for _, p := range pollers {
		s.wg.Add(1)
		go p.run(ctx)
	}
	return s, nil
}

// Stop ends the polling, closing the sessions (a probe still waiting then counts as never acknowledged),
// and waits for the pollers to exit.
func (s *Sampler) Stop() {
	s.cancel()
	s.wg.Wait()
}

// Interval is the sampling period.
func (s *Sampler) Interval() time.Duration { return s.cfg.Interval }

// Samples returns a copy of the samples so far, in the order they were recorded.
func (s *Sampler) Samples() []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.samples)
}

// TwoWriters is TwoWriters over the samples so far, within one Interval.
func (s *Sampler) TwoWriters() []Overlap { return TwoWriters(s.Samples(), s.cfg.Interval) }

// TwoPrimaries is TwoPrimaries over the samples so far, within one Interval.
func (s *Sampler) TwoPrimaries() []Overlap { return TwoPrimaries(s.Samples(), s.cfg.Interval) }

func (s *Sampler) add(smp Sample) {
	s.mu.Lock()
	s.samples = append(s.samples, smp)
	s.mu.Unlock()
}

// poller samples one instance.
type poller struct {
	s       *Sampler
	name    string
	roleCfg *pgx.ConnConfig
	role    *pgx.Conn // used by the poller goroutine only

	probeCfg *pgx.ConnConfig
	insert   string // the probe statement
	create   string // run with it while the table may be missing

	mu         sync.Mutex // guards probing; the fields below belong to whoever set probing
	probing    bool
	probe      *pgx.Conn
	tableReady bool
}

func (s *Sampler) newPoller(name, dsn string) (*poller, error) {
	roleCfg, err := connConfig(dsn, s.cfg.ProbeTimeout, SamplerApplicationName)
	if err != nil {
		return nil, err
	}
	probeCfg := roleCfg.Copy()
	probeCfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(s.cfg.ProbeTimeout.Milliseconds(), 10)
	table := pgx.Identifier{s.cfg.ProbeTable}.Sanitize()
	return &poller{
		s:        s,
		name:     name,
		roleCfg:  roleCfg,
		probeCfg: probeCfg,
		create:   `CREATE TABLE IF NOT EXISTS ` + table + ` (round bigint NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
		insert:   `INSERT INTO ` + table + ` (round) VALUES (`,
	}, nil
}

func (p *poller) run(ctx context.Context) {
	defer p.s.wg.Done()
	defer closeConn(&p.role)
	defer func() {
		// A probe still waiting closes its own session when it sees the context end.
		p.mu.Lock()
		if !p.probing {
			closeConn(&p.probe)
		}
		p.mu.Unlock()
	}()
	t := time.NewTicker(p.s.cfg.Interval) // a slow round makes the ticker drop ticks, not queue them
	defer t.Stop()
	for {
		p.round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// round takes one sample.
func (p *poller) round(ctx context.Context) {
	clock := p.s.cfg.Clock
	start := clock.Now()
	smp := Sample{Instance: p.name, Round: int64(start / p.s.cfg.Interval)}
	var written <-chan probeResult
	if p.s.cfg.ProbeWrite {
		smp.Write = WriteBusy
		written = p.startProbe(ctx, smp.Round)
	}
	smp.Role = p.askRole(ctx)
	smp.At = clock.Now()
	if written != nil {
		wait := time.NewTimer(p.s.cfg.ProbeTimeout - (clock.Now() - start))
		select {
		case r := <-written:
			smp.Write, smp.WriteAt = r.result, r.at
		case <-wait.C:
			smp.Write, smp.WriteAt = WriteTimedOut, clock.Now()
			p.awaitLate(smp, written)
		case <-ctx.Done():
			smp.Write, smp.WriteAt = WriteTimedOut, clock.Now()
		}
		wait.Stop()
	}
	if smp.Write == WriteBusy {
		smp.WriteAt = smp.At
	}
	p.s.add(smp)
}

func (p *poller) askRole(ctx context.Context) Role {
	ctx, cancel := context.WithTimeout(ctx, p.s.cfg.ProbeTimeout)
	defer cancel()
	if p.role == nil {
		conn, err := pgx.ConnectConfig(ctx, p.roleCfg)
		if err != nil {
			return RoleUnknown
		}
		p.role = conn
	}
	var inRecovery bool
	if err := p.role.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&inRecovery); err != nil {
		closeConn(&p.role)
		return RoleUnknown
	}
	if inRecovery {
		return RoleStandby
	}
	return RolePrimary
}

type probeResult struct {
	result WriteResult
	at     time.Duration
}

// startProbe sends a probe write in the background and returns where its result will come, or nil when
// the previous probe is still waiting.
func (p *poller) startProbe(ctx context.Context, round int64) <-chan probeResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.probing {
		return nil
	}
	p.probing = true
	done := make(chan probeResult, 1)
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		r := p.write(ctx, round)
		p.mu.Lock()
		p.probing = false
		if ctx.Err() != nil {
			closeConn(&p.probe)
		}
		p.mu.Unlock()
		done <- r
	}()
	return done
}

// awaitLate records the acknowledgement of a probe that its round gave up on, should it ever come.
func (p *poller) awaitLate(smp Sample, written <-chan probeResult) {
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		if r := <-written; r.result == WriteAcked {
			smp.Write, smp.WriteAt, smp.Late = WriteAcked, r.at, true
			p.s.add(smp)
		}
	}()
}

// write runs one probe write. Only the goroutine startProbe launched calls it, so it owns the probe
// session and tableReady while it runs. Its context is the sampler's: see StartSampler for why a slow
// write is not cut short.
func (p *poller) write(ctx context.Context, round int64) probeResult {
	clock := p.s.cfg.Clock
	if p.probe == nil {
		cctx, cancel := context.WithTimeout(ctx, p.s.cfg.ProbeTimeout)
		conn, err := pgx.ConnectConfig(cctx, p.probeCfg)
		cancel()
		if err != nil {
			return probeResult{WriteFailed, clock.Now()}
		}
		p.probe = conn
	}
	sql := p.insert + strconv.FormatInt(round, 10) + `)`
	if !p.tableReady {
		// Both statements in one simple-protocol query: one implicit transaction, one commit to wait for.
		sql = p.create + `; ` + sql
	}
	_, err := p.probe.Exec(ctx, sql)
	at := clock.Now()
	if err == nil {
		p.tableReady = true
		return probeResult{WriteAcked, at}
	}
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == codeUndefinedTable:
		p.tableReady = false
	case errors.As(err, &pgErr) && pgErr.Code == codeReadOnlyTransaction:
		// A standby's expected answer; the session is fine.
	default:
		closeConn(&p.probe)
	}
	return probeResult{WriteFailed, at}
}

func closeConn(c **pgx.Conn) {
	if *c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = (*c).Close(ctx) // abandoning the session; a failed goodbye changes nothing
	*c = nil
}
