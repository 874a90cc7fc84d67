// Temporary driver, deleted before hand-off.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/docker/docker/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/images"
)

func main() {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		panic(err)
	}
	start := time.Now()
	p := func(f string, a ...any) {
		fmt.Printf("[%5.1fs] "+f+"\n", append([]any{time.Since(start).Seconds()}, a...)...)
	}
	var ref string
	ctx := context.Background()
	if d, err := time.ParseDuration(os.Getenv("TIMEOUT")); err == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	if os.Args[1] == "build" {
		ref, err = images.Build(ctx, cli, os.Args[2], p)
	} else {
		ref, err = images.Ensure(context.Background(), cli, os.Args[2], p)
	}
	fmt.Println(ref, err)
}
