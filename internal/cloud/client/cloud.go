package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// Health asks whether a cloud answers at the endpoint. It sends no token, so it also tells "no cloud here"
// (ErrUnavailable) apart from "wrong token" (the other calls' ErrUnauthorized).
func (c *Client) Health(ctx context.Context) (*model.Health, error) {
	p, err := apiPath("health")
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, request{method: http.MethodGet, path: p, noAuth: true})
	if err != nil {
		return nil, err
	}
	var h model.Health
	if err := decode(resp, http.MethodGet, p, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// GetCACertificate returns the PEM of the cloud CA that signs every server certificate.
func (c *Client) GetCACertificate(ctx context.Context) (string, error) {
	p, err := apiPath("caCertificate")
	if err != nil {
		return "", err
	}
	ca, err := get[model.CACertificate](ctx, c, p)
	if err != nil {
		return "", err
	}
	return ca.CertificatePEM, nil
}

// Logs returns the last tail lines of a server's PostgreSQL log; tail <= 0 leaves the count to the cloud.
func (c *Client) Logs(ctx context.Context, server string, tail int) (string, error) {
	p, err := apiPath(serversCollection, server, "logs")
	if err != nil {
		return "", err
	}
	r := request{method: http.MethodGet, path: p, accept: "text/plain"}
	if tail > 0 {
		r.query = url.Values{"tail": []string{strconv.Itoa(tail)}}
	}
	resp, err := c.send(ctx, r)
	if err != nil {
		return "", err
	}
	return string(resp.body), nil
}
