package images

import (
	"strings"
	"testing"
)

func TestImportedID(t *testing.T) {
	tests := []struct {
		name, stream, want, wantErr string
	}{
		{"ok", `{"status":"Importing"}` + "\n" + `{"status":"sha256:abc123"}` + "\n", "sha256:abc123", ""},
		{"in-band error", `{"status":"Importing"}{"errorDetail":{"message":"no space left"},"error":"no space left"}`, "", "no space left"},
		{"no id", `{"status":"Importing"}`, "", "without reporting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := importedID(strings.NewReader(tt.stream))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("importedID = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
