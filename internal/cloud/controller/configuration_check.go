package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
)

// postgresOSUser is the image's postgres OS user, which PostgreSQL must run as (it refuses root).
var postgresOSUser = fmt.Sprintf("%d:%d", postgres.OSUserUID, postgres.OSUserGID)

// checkConfiguration writes the server's files with the new value and, on a running server, has PostgreSQL
// read postgresql.conf and check every value in it (postgres.CheckConfigCommand). A value PostgreSQL refuses
// (a time zone that does not exist, say) is rolled back before a reload would silently ignore it and the
// next restart fail on it. On a stopped server the files take effect, and are checked, at its next start.
func (c *Controller) checkConfiguration(ctx context.Context, name string, p ConfigurationPayload) error {
	if err := c.writeAllFiles(ctx, name); err != nil {
		return err
	}
	if c.isStopped(name) {
		return nil
	}
	primary, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	// The primary's file is checked: the settings users change are the same on every instance.
	res, err := c.cfg.Runtime.Exec(ctx, primary.Container, postgresOSUser, postgres.CheckConfigCommand(), nil)
	if err != nil {
		return fmt.Errorf("have PostgreSQL check postgresql.conf: %w", err)
	}
	if res.ExitCode != 0 {
		said := postgres.StartError(string(res.Stderr))
		if said == "" {
			said = strings.TrimSpace(string(res.Stderr))
		}
		return rejected(p, "PostgreSQL refuses the configuration file with it", said, res.ExitCode)
	}
	return nil
}

// rejectedByStart turns a failed start of the server into the user's error: the value made PostgreSQL give
// up. Other failures (the engine, a timeout) stay as they are; the rollback runs either way.
func rejectedByStart(p ConfigurationPayload, err error) error {
	var sf *startFailure
	if !errors.As(err, &sf) {
		return err
	}
	return rejected(p, "PostgreSQL did not start with it", sf.reason, sf.exitCode)
}

// rejected is the error of a configuration change PostgreSQL refused. It is the operation's error once the
// rollback has restored the previous value, so it says so; a failed rollback reports its own error instead.
func rejected(p ConfigurationPayload, what, said string, exitCode int) error {
	return &OpError{Code: model.CodeInvalidParameter, Field: "value", Message: rejectionMessage(p, what, said, exitCode)}
}

// rejectionMessage names the parameter and the value, says what PostgreSQL did with it, quotes PostgreSQL's
// own error lines and says that the change was undone.
func rejectionMessage(p ConfigurationPayload, what, said string, exitCode int) string {
	change := fmt.Sprintf("%s = %q", p.Name, p.Value)
	if p.Reset {
		change = p.Name + " reset to its default"
	}
	if said == "" {
		said = fmt.Sprintf("nothing (it exited with code %d; it may have been killed for memory)", exitCode)
	}
	return fmt.Sprintf("value %s was rolled back: %s, so the server runs with its previous settings. PostgreSQL said: %s",
		change, what, said)
}
