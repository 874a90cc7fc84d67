package store

// Spare data volumes: volumes the cloud fills from an image's template ahead of time, so a create adopts a
// ready one instead of waiting for the copy. A record is written before its volume is made and marked Ready
// once the volume holds a complete data directory; a record that is not Ready after a crash names a volume
// to remove. Adopting a spare deletes its record and names the volume in the server's record, in one
// transaction, so the volume always has exactly one owner.
const bucketSpares = "spares"

func init() { allBuckets = append(allBuckets, bucketSpares) }

// Spare is one spare data volume.
type Spare struct {
	Volume string `json:"volume"`
	Major  string `json:"major"` // PostgreSQL major version of the image that filled it
	Ready  bool   `json:"ready"`
}

func (t *Tx) PutSpare(s Spare) error          { return t.put(bucketSpares, s.Volume, s) }
func (t *Tx) DeleteSpare(volume string) error { return t.del(bucketSpares, volume) }
func (t *Tx) ListSpares() ([]Spare, error)    { return list[Spare](t, bucketSpares, "") }
func (t *Tx) GetSpare(volume string) (Spare, error) {
	var s Spare
	return s, t.get(bucketSpares, volume, &s)
}

// TakeSpare removes and returns a ready spare of major, if there is one.
func (t *Tx) TakeSpare(major string) (Spare, bool, error) {
	spares, err := t.ListSpares()
	if err != nil {
		return Spare{}, false, err
	}
	for _, s := range spares {
		if s.Ready && s.Major == major {
			return s, true, t.DeleteSpare(s.Volume)
		}
	}
	return Spare{}, false, nil
}
