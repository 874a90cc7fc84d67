package acctest

import (
	"context"
	"os"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

// StartCloud starts a real cloud in this process for the acceptance tests (a temporary home, a free port,
// real Docker) and returns how to reach it and how to stop it; stop removes every engine object the cloud
// created, whatever the tests left.
func StartCloud() (endpoint, token string, stop func(), err error) {
	home, err := os.MkdirTemp("", "flexpg-acc-")
	if err != nil {
		return "", "", nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := cloudtest.Start(ctx, home)
	if err != nil {
		return "", "", nil, err
	}
	stop = func() {
		_ = c.Stop()
		if os.Getenv("FLEXPG_KEEP_HOME") == "" {
			_ = os.RemoveAll(home)
		}
	}
	return c.Endpoint(), c.Token(), stop, nil
}
