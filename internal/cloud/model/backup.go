package model

import "time"

// Backup is one full (base) backup of a server, as GET /v1/flexibleServers/{name}/backups lists it. Times
// are on the cloud's clock.
type Backup struct {
	ID   string `json:"id"`   // /flexibleServers/<server>/backups/<name>
	Name string `json:"name"` // e.g. backup_20261202T230101Z
	// BackupType is always Full; Source is Automatic (the cloud's schedule), as on the service.
	BackupType    string    `json:"backup_type"`
	Source        string    `json:"source"`
	StartedTime   time.Time `json:"started_time"`
	CompletedTime time.Time `json:"completed_time"`
	SizeBytes     int64     `json:"size_bytes"`
	// Timeline is the PostgreSQL timeline the server was on when the backup was taken.
	Timeline int `json:"timeline"`
	// GeoCopied is set once the backup is copied to the region's pair (geo_redundant_backup_enabled).
	GeoCopied bool `json:"geo_copied,omitempty"`
}

// BackupList is the answer of GET /v1/flexibleServers/{name}/backups: the backups retention keeps, oldest
// first, and the earliest time a point-in-time restore may target (absent while there is none).
type BackupList struct {
	Value               []Backup `json:"value"`
	EarliestRestoreTime string   `json:"earliest_restore_time,omitempty"`
	// GeoRegion is where the geo-redundant copy is kept (absent without geo_redundant_backup_enabled).
	GeoRegion string `json:"geo_region,omitempty"`
}
