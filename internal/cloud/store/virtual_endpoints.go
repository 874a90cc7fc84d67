package store

import "github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"

// bucketVirtualEndpoints holds virtual endpoints by name: their names are DNS labels of one suffix, so they
// are unique in the cloud.
const bucketVirtualEndpoints = "virtualEndpoints"

func init() { allBuckets = append(allBuckets, bucketVirtualEndpoints) }

// VirtualEndpoint is the durable record of a virtual endpoint: what the user set (Endpoint: its name,
// replica_server_id and type), the server it was created on (Owner, the server of its ID), and the servers
// its writer and reader reach now, which promotions move.
type VirtualEndpoint struct {
	Endpoint   model.VirtualEndpoint `json:"endpoint"`
	Owner      string                `json:"owner"`
	Writer     string                `json:"writer"`
	Reader     string                `json:"reader"`
	WriterPort int                   `json:"writer_port,omitempty"`
	ReaderPort int                   `json:"reader_port,omitempty"`
	Ready      bool                  `json:"ready"`
}

func (t *Tx) GetVirtualEndpoint(name string) (VirtualEndpoint, error) {
	var v VirtualEndpoint
	return v, t.get(bucketVirtualEndpoints, name, &v)
}
func (t *Tx) PutVirtualEndpoint(v VirtualEndpoint) error {
	return t.put(bucketVirtualEndpoints, v.Endpoint.Name, v)
}
func (t *Tx) DeleteVirtualEndpoint(name string) error { return t.del(bucketVirtualEndpoints, name) }
func (t *Tx) ListVirtualEndpoints() ([]VirtualEndpoint, error) {
	return list[VirtualEndpoint](t, bucketVirtualEndpoints, "")
}

// VirtualEndpointsOver returns the endpoints whose writer reaches server (it is their primary now).
func (t *Tx) VirtualEndpointsOver(server string) ([]VirtualEndpoint, error) {
	return t.virtualEndpointsWhere(func(v VirtualEndpoint) bool { return v.Writer == server })
}

// VirtualEndpointsReaching returns the endpoints whose writer or reader reaches server.
func (t *Tx) VirtualEndpointsReaching(server string) ([]VirtualEndpoint, error) {
	return t.virtualEndpointsWhere(func(v VirtualEndpoint) bool { return v.Writer == server || v.Reader == server })
}

func (t *Tx) virtualEndpointsWhere(keep func(VirtualEndpoint) bool) ([]VirtualEndpoint, error) {
	all, err := t.ListVirtualEndpoints()
	if err != nil {
		return nil, err
	}
	var out []VirtualEndpoint
	for _, v := range all {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out, nil
}
