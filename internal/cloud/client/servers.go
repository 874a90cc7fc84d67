package client

import (
	"context"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

const serversCollection = "flexibleServers"

// Server actions of POST /v1/flexibleServers/{name}/{action}.
const (
	actionStart   = "start"
	actionStop    = "stop"
	actionRestart = "restart"
)

// ListServers returns every server of the cloud.
func (c *Client) ListServers(ctx context.Context) ([]model.Server, error) {
	p, err := apiPath(serversCollection)
	if err != nil {
		return nil, err
	}
	return list[model.Server](ctx, c, p)
}

// GetServer reads a server; ErrNotFound if it does not exist.
func (c *Client) GetServer(ctx context.Context, name string) (*model.Server, error) {
	p, err := apiPath(serversCollection, name)
	if err != nil {
		return nil, err
	}
	return get[model.Server](ctx, c, p)
}

// PutServer creates or updates a server. With createOnly the request carries If-None-Match: * and fails with
// ErrAlreadyExists if the server exists. s.Name defaults to name. The administrator password in s is sent but
// never appears in an error, even if the cloud echoes it.
func (c *Client) PutServer(ctx context.Context, name string, s model.Server, createOnly bool) (*model.Operation, error) {
	p, err := apiPath(serversCollection, name)
	if err != nil {
		return nil, err
	}
	if s.Name == "" {
		s.Name = name
	}
	r := request{method: http.MethodPut, path: p, body: s, secrets: []string{s.AdministratorPassword}}
	if createOnly {
		r.header = http.Header{"If-None-Match": []string{"*"}}
	}
	return c.startOperation(ctx, r)
}

// DeleteServer deletes a server; ErrNotFound if it does not exist.
func (c *Client) DeleteServer(ctx context.Context, name string) (*model.Operation, error) {
	p, err := apiPath(serversCollection, name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodDelete, path: p})
}

// StartServer starts a stopped server.
func (c *Client) StartServer(ctx context.Context, name string) (*model.Operation, error) {
	return c.serverAction(ctx, name, actionStart)
}

// StopServer stops a server.
func (c *Client) StopServer(ctx context.Context, name string) (*model.Operation, error) {
	return c.serverAction(ctx, name, actionStop)
}

// RestartServer restarts a server.
func (c *Client) RestartServer(ctx context.Context, name string) (*model.Operation, error) {
	return c.serverAction(ctx, name, actionRestart)
}

// FailoverServer fails a server with high availability over to its standby, planned or forced
// (model.FailoverPlanned, model.FailoverForced).
func (c *Client) FailoverServer(ctx context.Context, name, mode string) (*model.Operation, error) {
	p, err := apiPath(serversCollection, name, "failover")
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodPost, path: p, body: model.Failover{Mode: mode}})
}

func (c *Client) serverAction(ctx context.Context, name, action string) (*model.Operation, error) {
	p, err := apiPath(serversCollection, name, action)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodPost, path: p})
}

// InjectFault performs a fault on the cloud's own containers (model.Fault), for drills.
func (c *Client) InjectFault(ctx context.Context, f model.Fault) (*model.FaultResult, error) {
	p, err := apiPath("faults")
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, request{method: http.MethodPost, path: p, body: f})
	if err != nil {
		return nil, err
	}
	var res model.FaultResult
	if err := decode(resp, http.MethodPost, p, &res); err != nil {
		return nil, err
	}
	return &res, nil
}
