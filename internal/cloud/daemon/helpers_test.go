package daemon_test

import (
	"encoding/json"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

func sprint(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
