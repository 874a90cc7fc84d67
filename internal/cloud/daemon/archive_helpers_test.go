package daemon_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

// containerOf is the container of a server's first instance.
func containerOf(t *testing.T, cloud *cloudtest.Cloud, server string) string {
	t.Helper()
	ins, err := cloud.Controller().Instances(server)
	if err != nil || len(ins) == 0 {
		t.Fatalf("instances of %s: %v %v", server, ins, err)
	}
	return ins[0].Container
}

// inArchive runs a shell script in a server's container, where $1 is the server's archive directory on
// the backup volume, and returns its output's words.
func inArchive(t *testing.T, cloud *cloudtest.Cloud, server, script string, args ...string) []string {
	t.Helper()
	dir := postgres.BackupVolume + "/servers/" + server + "-*"
	cmd := append([]string{"exec", containerOf(t, cloud, server), "sh", "-c", `cd ` + dir + ` && ` + script, "sh"}, args...)
	out, err := exec.Command("docker", cmd...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s in the archive of %s: %v: %s", script, server, err, out)
	}
	return strings.Fields(string(out))
}

// archiveListing lists the WAL archive files of a server whose names match an extended regular expression.
func archiveListing(t *testing.T, cloud *cloudtest.Cloud, server, pattern string) []string {
	t.Helper()
	return inArchive(t, cloud, server, `ls wal/ | grep -E "$1" || true`, pattern)
}

// archiveBase lists the full backups in a server's archive.
func archiveBase(t *testing.T, cloud *cloudtest.Cloud, server string) []string {
	t.Helper()
	return inArchive(t, cloud, server, `ls base/`)
}

// walOf is the WAL segment a full backup starts in, from the backup_label pg_basebackup wrote into it.
func walOf(t *testing.T, cloud *cloudtest.Cloud, server, backup string) string {
	t.Helper()
	w := inArchive(t, cloud, server, `sed -n 's/^START WAL LOCATION: .*(file \(.*\))$/\1/p' "base/$1/backup_label"`, backup)
	if len(w) != 1 {
		t.Fatalf("the start WAL of backup %s: %v", backup, w)
	}
	return w[0]
}
