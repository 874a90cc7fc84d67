package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// showBackups prints a server's backups (`server backups <name>`): the restore window's start, where the
// geo-redundant copy is, and the full backups retention keeps, oldest first; the JSON document with asJSON.
func showBackups(ctx context.Context, e *env, c *client.Client, name string, asJSON bool) error {
	list, err := c.ListBackups(ctx, name)
	if err != nil {
		return err
	}
	if asJSON {
		out, _ := json.MarshalIndent(list, "", "  ")
		fmt.Fprintln(e.stdout, string(out))
		return nil
	}
	fmt.Fprintf(e.stdout, "earliest restore time: %s\n", orAbsent(list.EarliestRestoreTime))
	fmt.Fprintf(e.stdout, "geo-redundant copy in: %s\n", orAbsent(list.GeoRegion))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tSOURCE\tSTARTED\tCOMPLETED\tSIZE BYTES\tTIMELINE\tGEO COPIED")
	for _, b := range list.Value {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", b.Name, b.BackupType, b.Source, cloudTime(b.StartedTime),
			cloudTime(b.CompletedTime), b.SizeBytes, b.Timeline, geoCopied(list, b))
	}
	return tw.Flush()
}

// orAbsent is v, or absent for a value the cloud does not report.
func orAbsent(v string) string {
	if v == "" {
		return absent
	}
	return v
}

// cloudTime is how the backup commands show a time of the cloud's clock: RFC 3339 in UTC, to the
// millisecond (a restore target between two commits may need it).
func cloudTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// geoCopied says whether a backup is in the geo-redundant copy; absent for a server without one.
func geoCopied(list *model.BackupList, b model.Backup) string {
	if list.GeoRegion == "" {
		return absent
	}
	return strconv.FormatBool(b.GeoCopied)
}
