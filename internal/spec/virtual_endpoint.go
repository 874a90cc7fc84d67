package spec

// Virtual endpoint types (type): the service has one, a writer and a reader.
const VirtualEndpointTypeReadWrite = "ReadWrite"

// VirtualEndpointTypes returns the values of a virtual endpoint's type.
func VirtualEndpointTypes() []string { return []string{VirtualEndpointTypeReadWrite} }

// MaxVirtualEndpoints is how many virtual endpoints one primary may have (seed 004: one writer and one
// reader per primary).
const MaxVirtualEndpoints = 1

// WriterFQDN and ReaderFQDN are the names of a virtual endpoint under the default suffix.
func WriterFQDN(name string) string { return name + ".writer." + DNSSuffix }
func ReaderFQDN(name string) string { return name + ".reader." + DNSSuffix }

// VirtualEndpointConfig is the desired configuration of a flexpg_virtual_endpoint.
type VirtualEndpointConfig struct {
	Name, SourceServerID, ReplicaServerID, Type string
}

// ValidateVirtualEndpoint checks every rule of a virtual endpoint's configuration that needs nothing else.
// Its name follows the server-name rules: it is a DNS label of the writer and reader names.
func ValidateVirtualEndpoint(c VirtualEndpointConfig) FieldErrors {
	var errs FieldErrors
	requireThen(&errs, "name", c.Name, ValidateServerName)
	requireThen(&errs, "source_server_id", c.SourceServerID, func(v string) *FieldError {
		return ValidateServerIDField("source_server_id", v)
	})
	requireThen(&errs, "replica_server_id", c.ReplicaServerID, func(v string) *FieldError {
		return ValidateServerIDField("replica_server_id", v)
	})
	if c.Type != "" {
		errs.Add(validateOneOf("type", KindAllowedValues, c.Type, VirtualEndpointTypes()))
	}
	return errs
}

// ReaderAfterPromotion is where a virtual endpoint's reader points after a promotion, as seed 004's table
// says. reader is its target before; promoted is the replica promoted, from the primary it left. A
// promotion to primary server moves a reader on the promoted replica to the old primary (now the replica);
// a promotion to independent server moves it to the primary. A reader on any other server stays.
func ReaderAfterPromotion(role, reader, promoted, from string) string {
	if reader != promoted {
		return reader
	}
	return from // Primary: the old primary is the replica now; None: the primary it stays with
}

// WriterAfterPromotion is the writer's target after a promotion: the promoted server for a promotion to
// primary server; unchanged for one to independent server.
func WriterAfterPromotion(role, writer, promoted string) string {
	if role == ReplicationRolePrimary {
		return promoted
	}
	return writer
}
