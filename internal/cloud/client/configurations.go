package client

import (
	"context"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

const (
	configurationsCollection = "configurations"
	sourceUserOverride       = "user-override"
)

// configurationPut is the body of PUT …/configurations/{name}: only what a user may set, so the computed
// fields of model.Configuration are never sent.
type configurationPut struct {
	Value  string `json:"value"`
	Source string `json:"source"`
}

// ListConfigurations returns every server parameter of a server.
func (c *Client) ListConfigurations(ctx context.Context, server string) ([]model.Configuration, error) {
	p, err := apiPath(serversCollection, server, configurationsCollection)
	if err != nil {
		return nil, err
	}
	return list[model.Configuration](ctx, c, p)
}

// GetConfiguration reads one server parameter.
func (c *Client) GetConfiguration(ctx context.Context, server, name string) (*model.Configuration, error) {
	p, err := apiPath(serversCollection, server, configurationsCollection, name)
	if err != nil {
		return nil, err
	}
	return get[model.Configuration](ctx, c, p)
}

// PutConfiguration sets a server parameter as a user override.
func (c *Client) PutConfiguration(ctx context.Context, server, name, value string) (*model.Operation, error) {
	p, err := apiPath(serversCollection, server, configurationsCollection, name)
	if err != nil {
		return nil, err
	}
	body := configurationPut{Value: value, Source: sourceUserOverride}
	return c.startOperation(ctx, request{method: http.MethodPut, path: p, body: body})
}

// ResetConfiguration returns a server parameter to its default (DELETE on the parameter).
func (c *Client) ResetConfiguration(ctx context.Context, server, name string) (*model.Operation, error) {
	p, err := apiPath(serversCollection, server, configurationsCollection, name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodDelete, path: p})
}
