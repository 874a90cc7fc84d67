package netguard

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/docker/docker/api/types/image"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/docker"
)

// nettoolRef is the test image: the static program in testdata/nettool as /nettool and nothing else.
// Nothing can be pulled, so the test builds and imports it; a label records the source it was built from,
// so an image from an older version of the program is replaced.
const (
	nettoolRef         = "flexpg/nettool:latest"
	nettoolSourceLabel = "io.flexpg.nettool.source"
)

func ensureNettool(ctx context.Context, rt *docker.Runtime) error {
	src, err := os.ReadFile(filepath.Join("testdata", "nettool", "main.go"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(src)
	version := hex.EncodeToString(sum[:8])
	if img, err := rt.Client().ImageInspect(ctx, nettoolRef); err == nil && img.Config != nil &&
		img.Config.Labels[nettoolSourceLabel] == version {
		return nil
	}
	bin, err := buildNettool(ctx)
	if err != nil {
		return err
	}
	return importNettool(ctx, rt, bin, version)
}

func buildNettool(ctx context.Context) ([]byte, error) {
	dir, err := os.MkdirTemp("", "flexpg-nettool-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "nettool")
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "main.go")
	cmd.Dir = filepath.Join("testdata", "nettool")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build nettool: %w: %s", err, msg)
	}
	return os.ReadFile(out)
}

func importNettool(ctx context.Context, rt *docker.Runtime, bin []byte, version string) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: "nettool", Mode: 0o755, Size: int64(len(bin)), ModTime: time.Now()}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := tw.Write(bin); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	rc, err := rt.Client().ImageImport(ctx, image.ImportSource{Source: &buf, SourceName: "-"}, nettoolRef, image.ImportOptions{
		Changes: []string{
			`ENTRYPOINT ["/nettool"]`,
			"LABEL " + runtime.LabelManaged + "=true",
			"LABEL " + nettoolSourceLabel + "=" + version,
		},
	})
	if err != nil {
		return fmt.Errorf("import nettool: %w", err)
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if msg.Error != "" {
			return fmt.Errorf("import nettool: %s", msg.Error)
		}
	}
}
