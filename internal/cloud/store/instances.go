package store

import (
	"encoding/json"
	"fmt"
)

// Instance roles. A server runs one instance, or two with high availability: the primary, which clients
// reach, and a standby streaming from it synchronously.
const (
	RolePrimary = "primary"
	RoleStandby = "standby"
)

// Instance is one PostgreSQL instance of a server: a container with its own data volume, in one zone. Read
// replicas and restores build on the same record.
type Instance struct {
	// Name is unique within the server and never reused, so a rebuilt standby never inherits the engine
	// objects, slot or application_name of the instance it replaces. The first instance is "0".
	Name      string `json:"name"`
	Role      string `json:"role"`
	Zone      string `json:"zone,omitempty"`
	Container string `json:"container,omitempty"`
	Volume    string `json:"volume,omitempty"`
	IP        string `json:"ip,omitempty"` // last address seen on the server's network
	// Timeline is the PostgreSQL timeline the instance was last seen on; promotions raise it.
	Timeline int `json:"timeline,omitempty"`
}

// legacyServer is a server record written before instances existed: its one container and volume sat on
// the server itself.
type legacyServer struct {
	Container string `json:"container,omitempty"`
	Volume    string `json:"volume,omitempty"`
	IP        string `json:"ip,omitempty"`
}

// UnmarshalJSON reads a server record, moving the single container and volume of an older record onto its
// first instance, so clouds upgraded in place keep managing their servers.
func (s *Server) UnmarshalJSON(data []byte) error {
	type plain Server
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*s = Server(p)
	if len(s.Instances) > 0 {
		return nil
	}
	var old legacyServer
	if err := json.Unmarshal(data, &old); err != nil {
		return err
	}
	if old.Container != "" || old.Volume != "" {
		s.Instances = []Instance{{Name: "0", Role: RolePrimary, Zone: s.Spec.Zone, Container: old.Container, Volume: old.Volume, IP: old.IP}}
		s.NextInstance = 1
	}
	return nil
}

// Primary returns the server's primary instance.
func (s *Server) Primary() (*Instance, bool) { return s.instanceWithRole(RolePrimary) }

// Standby returns the server's HA standby.
func (s *Server) Standby() (*Instance, bool) { return s.instanceWithRole(RoleStandby) }

func (s *Server) instanceWithRole(role string) (*Instance, bool) {
	for i := range s.Instances {
		if s.Instances[i].Role == role {
			return &s.Instances[i], true
		}
	}
	return nil, false
}

// Instance returns the named instance.
func (s *Server) Instance(name string) (*Instance, bool) {
	for i := range s.Instances {
		if s.Instances[i].Name == name {
			return &s.Instances[i], true
		}
	}
	return nil, false
}

// AddInstance records a new instance with the next unused name and returns it.
func (s *Server) AddInstance(role, zone string) Instance {
	in := Instance{Name: fmt.Sprint(s.NextInstance), Role: role, Zone: zone}
	s.NextInstance++
	s.Instances = append(s.Instances, in)
	return in
}

// RemoveInstance forgets the named instance.
func (s *Server) RemoveInstance(name string) {
	out := s.Instances[:0]
	for _, in := range s.Instances {
		if in.Name != name {
			out = append(out, in)
		}
	}
	s.Instances = out
}

// HA is the durable state of a server's high availability.
type HA struct {
	// State is the ha_state the API reports (spec.HAState*); empty means NotEnabled.
	State string `json:"state,omitempty"`
	// SyncOn is true while the primary's synchronous_standby_names names its standby, so that commits wait
	// for the standby to flush them.
	SyncOn bool `json:"sync_on,omitempty"`
	// SyncStandby is the instance the cloud last saw synchronous and caught up with every commit the primary
	// acknowledged before sync was turned on: the only instance an automatic failover may promote. It is
	// cleared before the primary ever stops waiting for that standby, and set again only once it is
	// synchronous again, so a stale standby is never promoted.
	SyncStandby string `json:"sync_standby,omitempty"`
	// SyncFrom is the primary's WAL position right after it began to wait for the standby: every commit
	// acknowledged without the standby lies below it, so the standby counts as synchronous only once it has
	// flushed up to here.
	SyncFrom uint64 `json:"sync_from,omitempty"`
	// Timeline is the highest timeline the server has reached; promotions raise it, it never goes down.
	Timeline int `json:"timeline,omitempty"`
	// Failovers counts the failovers the server has been through.
	Failovers int `json:"failovers,omitempty"`
}
