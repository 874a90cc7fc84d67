// Package pgfake fakes what the controller's high-availability calls see of PostgreSQL, for the
// controller's unit tests and the in-memory cloud: physical slots, a synchronous standby streaming on every
// slot, promotions that raise the timeline. It holds no data; the Docker tests show the real behaviour.
package pgfake

import (
	"context"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/fake"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
)

// Cluster is the replication state of every instance the fake has seen, by host.
type Cluster struct {
	mu       sync.Mutex
	slots    map[string]map[string]bool // host → slots
	timeline map[string]uint32
	lsn      postgres.LSN
	// Lagging, when set, makes the standbys of every slot report themselves behind and not synchronous.
	lagging  bool
	promoted map[string]bool
	// IsStandby, when set, says whether the instance at host is configured as a standby (the caller reads
	// its files); without it every host is a primary.
	IsStandby func(host string) bool
}

// New returns an empty cluster.
func New() *Cluster {
	return &Cluster{slots: map[string]map[string]bool{}, timeline: map[string]uint32{}, promoted: map[string]bool{}, lsn: 0x3000000}
}

// SetLagging makes every standby report itself behind (async, flush before the primary's position).
func (c *Cluster) SetLagging(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lagging = on
}

// Session is the HA part of a management session to host.
func (c *Cluster) Session(host string) *Session { return &Session{c: c, host: host} }

// Session implements the HA methods of controller.Session for one host.
type Session struct {
	c    *Cluster
	host string
}

func (s *Session) EnsureReplicationRole(context.Context) error { return nil }

func (s *Session) EnsureSlot(_ context.Context, slot string) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if s.c.slots[s.host] == nil {
		s.c.slots[s.host] = map[string]bool{}
	}
	s.c.slots[s.host][slot] = true
	return nil
}

func (s *Session) DropSlot(_ context.Context, slot string) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	delete(s.c.slots[s.host], slot)
	return nil
}

// Replication reports a streaming standby for every slot of the host, named like the slot.
func (s *Session) Replication(context.Context) ([]postgres.Replica, postgres.LSN, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.lsn += 0x100
	var out []postgres.Replica
	for slot := range s.c.slots[s.host] {
		r := postgres.Replica{ApplicationName: slot, State: "streaming", SyncState: "sync",
			Sent: s.c.lsn, Write: s.c.lsn, Flush: s.c.lsn, Replay: s.c.lsn}
		if s.c.lagging {
			r.SyncState, r.Flush, r.Replay = "async", s.c.lsn-0x80, s.c.lsn-0x80
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ApplicationName < out[j].ApplicationName })
	return out, s.c.lsn, nil
}

// Status reports the host in recovery while it is configured as a standby and was not promoted since, and
// its timeline (1 until it is promoted); a standby reports the WAL it replayed. A promoted host whose files say primary again is an ordinary
// primary, which a later rewind may turn into a standby once more.
func (s *Session) Status(context.Context) (postgres.Status, error) {
	s.c.mu.Lock()
	standby := s.c.IsStandby != nil && s.c.IsStandby(s.host)
	if !standby {
		delete(s.c.promoted, s.host)
	}
	tl := s.c.timeline[s.host]
	if tl == 0 {
		tl = 1
	}
	inRecovery := standby && !s.c.promoted[s.host]
	st := postgres.Status{InRecovery: inRecovery, Timeline: tl, CurrentLSN: s.c.lsn}
	if inRecovery {
		// A standby has everything (lagging: 0x80 behind), and streams.
		st.CurrentLSN, st.ReceiveLSN, st.ReplayLSN, st.Receiver = 0, s.c.lsn, s.c.lsn, "streaming"
		if s.c.lagging {
			st.ReplayLSN -= 0x80
		}
	}
	s.c.mu.Unlock()
	return st, nil
}

// Promote moves the host to a timeline above every timeline seen so far.
func (s *Session) Promote(context.Context, time.Duration) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	top := uint32(1)
	for _, tl := range s.c.timeline {
		top = max(top, tl)
	}
	s.c.timeline[s.host] = top + 1
	s.c.promoted[s.host] = true
	return nil
}

func (s *Session) TerminateClients(context.Context) (int, error) { return 0, nil }
func (s *Session) Checkpoint(context.Context) error              { return nil }

// ReplicaSlotLags reports every read-replica slot of the host active and caught up (lagging: 0x80 behind).
func (s *Session) ReplicaSlotLags(context.Context) ([]postgres.SlotLag, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	var out []postgres.SlotLag
	for slot := range s.c.slots[s.host] {
		if !strings.HasPrefix(slot, "flexpg_rr_") {
			continue
		}
		l := postgres.SlotLag{Slot: slot, Active: true}
		if s.c.lagging {
			l.Bytes = 0x80
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slot < out[j].Slot })
	return out, nil
}

// ReplayLagSeconds reports a replica that replayed its last transaction a second ago.
func (s *Session) ReplayLagSeconds(context.Context) (*float64, error) {
	one := 1.0
	return &one, nil
}

// WaitReplayed returns at once: the fake's standbys have replayed everything.
func (s *Session) WaitReplayed(context.Context, postgres.LSN) error { return nil }

// StandbyByConfig is an IsStandby for instances in the fake runtime: the container at host is a standby
// while its rendered postgresql.conf names a primary to stream from, as the cloud writes a standby's (or a
// read replica's) files.
func StandbyByConfig(rt *fake.Runtime) func(host string) bool {
	return func(host string) bool {
		ctx := context.Background()
		objs, _ := rt.List(ctx, runtime.Labels{runtime.LabelRole: "server"})
		for _, o := range objs {
			if o.Kind != runtime.KindContainer {
				continue
			}
			info, err := rt.InspectContainer(ctx, o.Name)
			if err != nil {
				continue
			}
			for _, ip := range info.IPs {
				if ip == host {
					conf, _ := rt.File(o.Name, postgres.ConfigFile)
					return strings.Contains(string(conf), "primary_conninfo")
				}
			}
		}
		return false
	}
}

// fakeWALFile is the WAL file every fake instance reports archived: the fake has no WAL.
const fakeWALFile = "000000010000000000000001"

// SealArchive reports the archive sealed at once.
func (s *Session) SealArchive(context.Context) (postgres.ArchivePoint, error) {
	return postgres.ArchivePoint{WALFile: fakeWALFile}, nil
}

// ArchivedFile reports everything archived.
func (s *Session) ArchivedFile(context.Context) (string, error) { return fakeWALFile, nil }

// DatabaseNames reports no user databases: the fake keeps no data.
func (s *Session) DatabaseNames(context.Context) ([]string, error) { return nil, nil }
