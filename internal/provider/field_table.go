package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// withFieldTable makes a resource schema follow its spec field table, the one place that decides which
// changes replace a resource: every immutable field plans a replacement (RequiresReplace) and its
// description says so, with the table's reason. The schemas themselves never write RequiresReplace, so
// the cloud's API (which refuses an in-place change of the same fields), the plan and the docs cannot
// disagree. An attribute of a type this does not handle keeps no modifier, which the parity test reports.
func withFieldTable(s schema.Schema, t spec.Table) schema.Schema {
	for _, f := range t.Fields {
		a, ok := s.Attributes[f.Attribute]
		if !ok || !f.Immutable {
			continue
		}
		s.Attributes[f.Attribute] = requireReplace(a, t.ReplaceSentence(f))
	}
	return s
}

func requireReplace(a schema.Attribute, sentence string) schema.Attribute {
	switch a := a.(type) {
	case schema.StringAttribute:
		a.PlanModifiers = append(a.PlanModifiers, stringplanmodifier.RequiresReplace())
		a.MarkdownDescription = withSentence(a.MarkdownDescription, sentence)
		return a
	case schema.BoolAttribute:
		a.PlanModifiers = append(a.PlanModifiers, boolplanmodifier.RequiresReplace())
		a.MarkdownDescription = withSentence(a.MarkdownDescription, sentence)
		return a
	case schema.Int64Attribute:
		a.PlanModifiers = append(a.PlanModifiers, int64planmodifier.RequiresReplace())
		a.MarkdownDescription = withSentence(a.MarkdownDescription, sentence)
		return a
	}
	return a
}

// withSentence appends a sentence to a description, after its own final period.
func withSentence(description, sentence string) string {
	description = strings.TrimSpace(description)
	if description == "" {
		return sentence
	}
	if !strings.HasSuffix(description, ".") {
		description += "."
	}
	return description + " " + sentence
}
