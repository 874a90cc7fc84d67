package daemon_test

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

func itoa(n int) string { return strconv.Itoa(n) }

func sprint(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// leftOver is what the audit still owns besides the cloud's own objects (its public network, each region's
// backup storage, which outlives the servers whose archives it keeps): after every resource is deleted it
// must be empty.
func leftOver(st *model.Status) []model.EngineObject {
	var left []model.EngineObject
	for _, o := range st.Owned {
		if !strings.HasPrefix(o.Resource, "/cloud/"+st.CloudID+"/") {
			left = append(left, o)
		}
	}
	return left
}
