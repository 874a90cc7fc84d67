package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

const faultUsage = "fault kill|pause|resume|isolate|heal <server> [--instance primary|standby] | fault zone-down|zone-up <region> <zone>"

// cmdFault performs a fault through the cloud's API, for drills; the cloud's reaction follows on its own.
func cmdFault(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("usage: %s", faultUsage)
	}
	f := model.Fault{Action: args[0]}
	switch f.Action {
	case model.FaultZoneDown, model.FaultZoneUp:
		if len(args) != 3 {
			return usagef("usage: fault %s <region> <zone>", f.Action)
		}
		f.Location, f.Zone = args[1], args[2]
	case model.FaultKill, model.FaultPause, model.FaultResume, model.FaultIsolate, model.FaultHeal:
		fs := flags(e, "fault "+f.Action)
		instance := fs.String("instance", "primary", "which instance: primary or standby")
		name, err := oneArg(fs, args[1:], "server name")
		if err != nil {
			return err
		}
		f.Server, f.Instance = name, *instance
	default:
		return usagef("unknown fault %q; usage: %s", f.Action, faultUsage)
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	res, err := c.InjectFault(ctx, f)
	if err != nil {
		return err
	}
	if len(res.Containers) == 0 {
		fmt.Fprintf(e.stdout, "%s: no container acted on\n", res.Action)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s: %s\n", res.Action, strings.Join(res.Containers, ", "))
	return nil
}
