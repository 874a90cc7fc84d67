package api

import (
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// presentIn returns present for the servers of one transaction: it also reports each server's replicas,
// found with one pass over the servers.
func presentIn(tx *store.Tx, now time.Time) func(store.Server) model.Server {
	replicasOf := map[string][]string{}
	if all, err := tx.ListServers(); err == nil {
		for _, s := range all {
			if s.IsReplica() {
				replicasOf[s.Replication.Upstream] = append(replicasOf[s.Replication.Upstream], spec.ServerID(s.Spec.Name))
			}
		}
	}
	return func(s store.Server) model.Server {
		out := present(s)
		out.Replicas = replicasOf[s.Spec.Name]
		out.ReplicaCapacity = spec.ReplicaCapacity(s.Spec.SKUName, s.IsReplica(), len(out.Replicas))
		if arch, err := tx.GetArchive(s.ArchiveID); err == nil && !s.IsReplica() {
			if t, ok := arch.Rules(false).EarliestRestoreTime(now); ok {
				out.EarliestRestoreTime = t.Format(time.RFC3339Nano)
			}
		}
		return out
	}
}

// present turns a server record into the API document: the spec plus what the cloud computed.
func present(s store.Server) model.Server {
	out := s.Spec
	out.AdministratorPassword = ""
	out.ID = spec.ServerID(s.Spec.Name)
	out.FQDN = spec.ServerFQDN(s.Spec.Name)
	if s.HostPort != 0 && s.Spec.DelegatedSubnetID == "" {
		out.Host = "127.0.0.1"
		out.Port = s.HostPort
	}
	out.State = s.Phase
	out.ProvisioningState = provisioningState(s.Phase)
	out.HAState = spec.HAStateNotEnabled
	if s.HA.State != "" {
		out.HAState = s.HA.State
	}
	// Where the instances really are: after a failover the primary is in the former standby zone.
	if p, ok := s.Primary(); ok && p.Zone != "" {
		out.Zone = p.Zone
	}
	if sb, ok := s.Standby(); ok {
		out.StandbyZone = sb.Zone
	}
	if s.Replication != nil {
		// A promoted replica keeps its record (without an upstream): its promotion's last state shows.
		out.ReplicationState = s.Replication.State
	}
	if s.IsReplica() {
		out.ReplicaOf = spec.ServerID(s.Replication.Upstream)
	}
	if p := s.Promotion; p != nil {
		out.LastPromotion = &model.Promotion{ReplicationRole: p.Role, PromoteOption: p.Option,
			FromServerID: spec.ServerID(p.From), At: p.At, LagBytes: p.LagBytes}
	}
	pub := true
	if out.PublicNetworkAccessEnabled == nil {
		out.PublicNetworkAccessEnabled = &pub
	}
	return out
}

func provisioningState(phase string) string {
	switch phase {
	case store.PhaseProvisioning:
		return "Provisioning"
	case store.PhaseDropping:
		return "Deleting"
	case store.PhaseFailed:
		return "Failed"
	case store.PhaseReady, store.PhaseStopped:
		return "Succeeded"
	}
	return "Updating"
}

// withDefaults fills what the request left unset with the service's defaults.
func withDefaults(s model.Server) model.Server {
	c := serverConfig(s).WithDefaults()
	s.Version = c.Version
	s.StorageMB = c.StorageMB
	s.StorageTier = c.StorageTier
	s.BackupRetentionDays = int(c.BackupRetentionDays)
	if s.CreateMode == "" {
		s.CreateMode = spec.CreateModeDefault
	}
	if s.PublicNetworkAccessEnabled == nil {
		pub := s.DelegatedSubnetID == ""
		s.PublicNetworkAccessEnabled = &pub
	}
	return s
}

// serverConfig maps the API document onto the rules' view of a server.
func serverConfig(s model.Server) spec.ServerConfig {
	c := spec.ServerConfig{
		Name: s.Name, Location: s.Location, Zone: s.Zone, Version: s.Version, SKUName: s.SKUName,
		StorageMB: s.StorageMB, StorageTier: s.StorageTier, AutoGrowEnabled: s.AutoGrowEnabled,
		AdministratorLogin: s.AdministratorLogin, AdministratorPassword: s.AdministratorPassword,
		BackupRetentionDays: int64(s.BackupRetentionDays), GeoRedundantBackupEnabled: s.GeoRedundantBackupEnabled,
		DelegatedSubnetID: s.DelegatedSubnetID, PrivateDNSZoneID: s.PrivateDNSZoneID,
		PublicNetworkAccessEnabled: s.PublicNetworkAccessEnabled == nil || *s.PublicNetworkAccessEnabled,
		CreateMode:                 s.CreateMode, SourceServerID: s.SourceServerID,
		PointInTimeRestoreTime: s.PointInTimeRestoreTimeInUTC, State: s.State,
	}
	if s.HighAvailability != nil {
		c.HA = &spec.HighAvailability{Mode: s.HighAvailability.Mode, StandbyZone: s.HighAvailability.StandbyAvailabilityZone}
	}
	if m := s.MaintenanceWindow; m != nil {
		c.Maintenance = &spec.MaintenanceWindow{DayOfWeek: int64(m.DayOfWeek), StartHour: int64(m.StartHour), StartMinute: int64(m.StartMinute)}
	}
	return c
}
