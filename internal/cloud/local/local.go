// Package local finds or starts the embedded default cloud on this machine: the cloud a user gets with no
// `endpoint` configured. Its home directory holds the state file, the CA, and an info file that tells
// clients (the provider, the CLI) where the cloud listens and which token it accepts.
package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
)

// DefaultAddr is where the local cloud listens unless told otherwise.
const DefaultAddr = "127.0.0.1:7461"

// Info says how to reach a running cloud. It is written by the cloud into its home (mode 0600).
type Info struct {
	Endpoint string `json:"endpoint"`
	Token    string `json:"token"`
	CloudID  string `json:"cloud_id"`
	PID      int    `json:"pid"`
	// Build is the identity of the binary the cloud runs (see package buildid). Probe sets it from the
	// cloud's health answer, which is the word of the process that actually answers.
	Build string `json:"build,omitempty"`
}

// Home is the local cloud's directory: $FLEXPG_HOME, else ~/.flexpg. The address it listens on is
// DefaultAddr unless $FLEXPG_ADDR says otherwise.
func Home() string {
	if h := os.Getenv("FLEXPG_HOME"); h != "" {
		return h
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".flexpg")
	}
	return filepath.Join(os.TempDir(), "flexpg")
}

// Addr is where a cloud started here listens: $FLEXPG_ADDR, else DefaultAddr.
func Addr() string {
	if a := os.Getenv("FLEXPG_ADDR"); a != "" {
		return a
	}
	return DefaultAddr
}

func infoPath(home string) string { return filepath.Join(home, "cloud.json") }

// LogPath is where a detached cloud writes its log.
func LogPath(home string) string { return filepath.Join(home, "cloud.log") }

// ReadInfo reads the info file of the cloud in home.
func ReadInfo(home string) (Info, error) {
	data, err := os.ReadFile(infoPath(home))
	if err != nil {
		return Info{}, err
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return Info{}, fmt.Errorf("read %s: %w", infoPath(home), err)
	}
	return info, nil
}

// WriteInfo writes the info file atomically, readable only by the user.
func WriteInfo(home string, info Info) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	tmp := infoPath(home) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, infoPath(home))
}

// RemoveInfo deletes the info file (the cloud stopped).
func RemoveInfo(home string) error {
	err := os.Remove(infoPath(home))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Probe returns the info of the cloud in home if it answers, and which cloud answered.
func Probe(ctx context.Context, home string) (Info, error) {
	info, err := ReadInfo(home)
	if err != nil {
		return Info{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	h, err := client.New(info.Endpoint, info.Token).Health(ctx)
	if err != nil {
		return Info{}, err
	}
	if h.CloudID != info.CloudID {
		return Info{}, fmt.Errorf("the cloud answering at %s is %s, not %s from %s", info.Endpoint, h.CloudID, info.CloudID, infoPath(home))
	}
	info.Build = h.Build
	return info, nil
}
