package spec

import "testing"

func TestValidateSKUNamePresent(t *testing.T) {
	cases := []struct {
		mode, sku string
		want      string // the rule broken, or "" for none
	}{
		{"", "", "sku_name.required"},
		{CreateModeDefault, "", "sku_name.required"},
		{CreateModeDefault, "B_Standard_B1ms", ""},
		{"", "GP_Standard_D2s_v3", ""},
		{CreateModePointInTimeRestore, "", ""},
		{CreateModeGeoRestore, "", ""},
		{CreateModePointInTimeRestore, "GP_Standard_D2s_v3", ""},
		{"Replica", "", ""}, // an invalid mode is reported by ValidateCreateMode, once
	}
	for _, c := range cases {
		e := ValidateSKUNamePresent(c.mode, c.sku)
		switch {
		case c.want == "" && e != nil:
			t.Errorf("mode %q, sku %q: unexpected %v", c.mode, c.sku, e)
		case c.want != "" && (e == nil || string(e.Rule) != c.want || e.Field != "sku_name"):
			t.Errorf("mode %q, sku %q: got %v, want rule %s on sku_name", c.mode, c.sku, e, c.want)
		}
	}
}

func TestIsDefaultMode(t *testing.T) {
	for mode, want := range map[string]bool{"": true, CreateModeDefault: true, CreateModePointInTimeRestore: false,
		CreateModeGeoRestore: false, "Replica": false} {
		if got := IsDefaultMode(mode); got != want {
			t.Errorf("IsDefaultMode(%q) = %v, want %v", mode, got, want)
		}
	}
}

func TestTakesSourceNetwork(t *testing.T) {
	for mode, want := range map[string]bool{"": false, CreateModeDefault: false, CreateModePointInTimeRestore: true,
		CreateModeGeoRestore: false} {
		if got := TakesSourceNetwork(mode); got != want {
			t.Errorf("TakesSourceNetwork(%q) = %v, want %v", mode, got, want)
		}
	}
}
