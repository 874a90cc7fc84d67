package store

// Zones taken down by `cloud fault zone-down`: every instance in such a zone is down, and new standbys are
// placed elsewhere until `zone-up`. Kept durably, so a restart of the cloud does not bring a zone back.
const bucketDownZones = "downZones"

func init() { allBuckets = append(allBuckets, bucketDownZones) }

// DownZone is one availability zone of a region that is down.
type DownZone struct {
	Location string `json:"location"`
	Zone     string `json:"zone"`
}

func (d DownZone) key() string { return d.Location + "/" + d.Zone }

func (t *Tx) PutDownZone(d DownZone) error    { return t.put(bucketDownZones, d.key(), d) }
func (t *Tx) DeleteDownZone(d DownZone) error { return t.del(bucketDownZones, d.key()) }
func (t *Tx) ListDownZones() ([]DownZone, error) {
	return list[DownZone](t, bucketDownZones, "")
}
