package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

func TestServerBackups(t *testing.T) {
	started := time.Date(2026, 12, 3, 6, 0, 1, 250_000_000, time.UTC)
	fakeCloud(t, map[string]any{
		"/v1/flexibleServers/geo/backups": model.BackupList{
			EarliestRestoreTime: "2026-12-03T06:00:04.5Z", GeoRegion: "northeurope",
			Value: []model.Backup{
				{Name: "backup_1", BackupType: "Full", Source: "Automatic", StartedTime: started,
					CompletedTime: started.Add(3250 * time.Millisecond), SizeBytes: 4_194_304, Timeline: 1, GeoCopied: true},
				{Name: "backup_2", BackupType: "Full", Source: "Automatic", StartedTime: started.Add(24 * time.Hour),
					CompletedTime: started.Add(24*time.Hour + time.Second), SizeBytes: 5_000_000, Timeline: 2},
			},
		},
		"/v1/flexibleServers/fresh/backups": model.BackupList{Value: []model.Backup{}},
	})
	expectLines(t, []string{"server", "backups", "geo"}, []string{
		"earliest restore time: 2026-12-03T06:00:04.5Z",
		"geo-redundant copy in: northeurope",
		"NAME TYPE SOURCE STARTED COMPLETED SIZE BYTES TIMELINE GEO COPIED",
		"backup_1 Full Automatic 2026-12-03T06:00:01.250Z 2026-12-03T06:00:04.500Z 4194304 1 true",
		"backup_2 Full Automatic 2026-12-04T06:00:01.250Z 2026-12-04T06:00:02.250Z 5000000 2 false",
	})
	// A server before its first backup: no restore window yet, no geo copy, and no rows.
	expectLines(t, []string{"server", "backups", "fresh"}, []string{
		"earliest restore time: -",
		"geo-redundant copy in: -",
	})
	if _, out, _ := runCLI("server", "backups", "fresh"); strings.Count(strings.TrimSpace(out), "\n") != 2 {
		t.Errorf("a server without backups lists rows:\n%s", out)
	}
	expectLines(t, []string{"server", "backups", "-json", "geo"}, []string{
		`"earliest_restore_time": "2026-12-03T06:00:04.5Z",`,
		`"geo_region": "northeurope"`,
		`"name": "backup_1",`,
		`"geo_copied": true`,
	})
	if code, _, errOut := runCLI("server", "backups", "nope"); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("backups of a missing server: exit %d, %s", code, errOut)
	}
}
