package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/buildid"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/local"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// connect returns a client for the cloud named by FLEXPG_ENDPOINT/FLEXPG_TOKEN, else the local cloud.
func connect(ctx context.Context) (*client.Client, error) {
	if ep := os.Getenv("FLEXPG_ENDPOINT"); ep != "" {
		return client.New(ep, os.Getenv("FLEXPG_TOKEN")), nil
	}
	info, err := local.Probe(ctx, local.Home())
	if err != nil {
		return nil, fmt.Errorf("no flexpg cloud answers (start one with `terraform-provider-flexpg cloud up`): %w", err)
	}
	return client.New(info.Endpoint, info.Token), nil
}

func cmdStatus(ctx context.Context, e *env, args []string) error {
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	build := st.Build
	if build == "" {
		build = "not reported"
	}
	fmt.Fprintf(e.stdout, "cloud %s (version %s, build %s): %d servers, %d running operations, %d engine objects owned, %d spare\n",
		st.CloudID, st.Version, build, st.Servers, st.RunningOperations, len(st.Owned), len(st.Spares))
	if self := buildid.Of(Version); st.Build != self {
		hint := ""
		if os.Getenv("FLEXPG_ENDPOINT") == "" {
			hint = "; `cloud up` (or the provider) restarts the local cloud from this binary"
		}
		fmt.Fprintf(e.stdout, "this binary is build %s%s\n", self, hint)
	}
	if len(st.Unowned) == 0 {
		fmt.Fprintln(e.stdout, "unowned: none")
	}
	for _, o := range st.Unowned {
		fmt.Fprintf(e.stdout, "UNOWNED %s %s: %s\n", o.Kind, o.Name, o.Reason)
	}
	for _, o := range st.OtherClouds {
		fmt.Fprintf(e.stdout, "other cloud %s: %s %s\n", o.CloudID, o.Kind, o.Name)
	}
	if len(st.Unowned) > 0 {
		return fmt.Errorf("%d unowned engine objects", len(st.Unowned))
	}
	return nil
}

func cmdServer(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("server needs a verb: " + serverVerbs)
	}
	verb, rest := args[0], args[1:]
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	if verb == "list" {
		return listServers(ctx, e, c)
	}
	fs := flags(e, "server "+verb)
	planned := fs.Bool("planned", false, "failover: wait for the standby to catch up, then switch (loses nothing)")
	forced := fs.Bool("forced", false, "failover: stop the primary at once, then promote the standby")
	asJSON := fs.Bool("json", false, "metrics, backups: print the JSON document instead of a table")
	name, err := oneArg(fs, rest, "server name")
	if err != nil {
		return err
	}
	switch verb {
	case "show":
		s, err := c.GetServer(ctx, name)
		if err != nil {
			return err
		}
		out, _ := json.MarshalIndent(s, "", "  ")
		fmt.Fprintln(e.stdout, string(out))
		return nil
	case "restart":
		return wait(ctx, e, c, name, "restart")(c.RestartServer(ctx, name))
	case "stop":
		return wait(ctx, e, c, name, "stop")(c.StopServer(ctx, name))
	case "start":
		return wait(ctx, e, c, name, "start")(c.StartServer(ctx, name))
	case "metrics":
		return showMetrics(ctx, e, c, name, *asJSON)
	case "backups":
		return showBackups(ctx, e, c, name, *asJSON)
	case "endpoints":
		return listEndpoints(ctx, e, c, name)
	case "failover":
		if *planned == *forced {
			return usagef("server failover needs exactly one of --planned or --forced")
		}
		mode := model.FailoverPlanned
		if *forced {
			mode = model.FailoverForced
		}
		return wait(ctx, e, c, name, mode+" failover")(c.FailoverServer(ctx, name, mode))
	}
	return usagef("unknown server verb %q: use %s", verb, serverVerbs)
}

// serverVerbs lists the verbs of `cloud server`.
const serverVerbs = "list, show, metrics, backups, endpoints, restart, stop, start, failover"

// wait prints the operation's progress until it finishes.
func wait(ctx context.Context, e *env, c *client.Client, name, what string) func(*model.Operation, error) error {
	return func(op *model.Operation, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s %s: operation %s\n", what, name, op.ID)
		done, err := c.Wait(ctx, op, func(o model.Operation) { fmt.Fprintf(e.stdout, "  %s\n", o.Step) })
		if err == nil {
			fmt.Fprintf(e.stdout, "%s %s: done\n", what, name)
			writeSteps(e.stdout, *done)
		}
		return err
	}
}

func listServers(ctx context.Context, e *env, c *client.Client) error {
	servers, err := c.ListServers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tVERSION\tSKU\tHOST ENDPOINT\tFQDN")
	for _, s := range servers {
		ep := "-"
		if s.Port != 0 {
			ep = fmt.Sprintf("%s:%d", s.Host, s.Port)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.State, s.Version, s.SKUName, ep, s.FQDN)
	}
	return tw.Flush()
}

func cmdLogs(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "logs")
	tail := fs.Int("tail", 100, "number of lines")
	name, err := oneArg(fs, args, "server name")
	if err != nil {
		return err
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	text, err := c.Logs(ctx, name, *tail)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, text)
	return nil
}

// cmdPsql runs psql against the server's host endpoint with sslmode=verify-full: the certificate is checked
// against the cloud CA and the server's FQDN, while hostaddr routes to 127.0.0.1. The password comes from
// PGPASSWORD or psql's prompt; the cloud never keeps it.
func cmdPsql(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "psql")
	db := fs.String("d", "postgres", "database")
	user := fs.String("U", "", "user (default: the server's administrator_login)")
	command := fs.String("c", "", "run one command and exit")
	name, err := oneArg(fs, args, "server name")
	if err != nil {
		return err
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	s, err := c.GetServer(ctx, name)
	if err != nil {
		return err
	}
	if s.Port == 0 {
		return fmt.Errorf("server %s has no host endpoint (state %s)", name, s.State)
	}
	caPath, err := writeCA(ctx, c)
	if err != nil {
		return err
	}
	if *user == "" {
		*user = s.AdministratorLogin
	}
	conninfo := fmt.Sprintf("host=%s hostaddr=%s port=%d dbname=%s user=%s sslmode=verify-full sslrootcert=%s",
		s.FQDN, s.Host, s.Port, *db, *user, caPath)
	psqlArgs := []string{conninfo}
	if *command != "" {
		psqlArgs = append(psqlArgs, "-c", *command)
	}
	cmd := exec.CommandContext(ctx, "psql", psqlArgs...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, e.stdout, e.stderr
	return cmd.Run()
}

// writeCA saves the cloud CA next to the local cloud's state so clients can verify servers.
func writeCA(ctx context.Context, c *client.Client) (string, error) {
	pem, err := c.GetCACertificate(ctx)
	if err != nil {
		return "", err
	}
	dir := local.Home()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "ca.crt")
	return path, os.WriteFile(path, []byte(pem), 0o644)
}

// cmdClock shows the cloud's time (clock now), which restore targets are on, or moves it forward.
func cmdClock(ctx context.Context, e *env, args []string) error {
	var d time.Duration
	switch {
	case len(args) == 1 && args[0] == "now":
	case len(args) == 2 && args[0] == "advance":
		var err error
		if d, err = time.ParseDuration(args[1]); err != nil || d <= 0 {
			return usagef("duration must be positive, like 168h or 90m; got %q", args[1])
		}
	default:
		return usagef("usage: clock now | clock advance <duration>, e.g. clock advance 168h")
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	var now time.Time
	if d == 0 {
		now, err = c.Clock(ctx)
	} else {
		now, err = c.AdvanceClock(ctx, d)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "cloud time is now %s\n", cloudTime(now))
	return nil
}
