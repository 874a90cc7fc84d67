// Package client is the typed Go client of the flexpg cloud's HTTP API. The Terraform provider, the CLI and the
// tests reach the cloud only through it, so request plumbing, error classification (errors.Is on the sentinels in
// errors.go) and operation polling exist in one place.
//
// Mutating calls answer with a *model.Operation; Wait (or Do) polls it to completion. The client never logs, and
// no error it returns ever contains a request body: PutServer carries the administrator password.
package client

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

const (
	defaultPollMin   = 200 * time.Millisecond
	defaultPollMax   = 2 * time.Second
	defaultUserAgent = "flexpg-client"

	// defaultHTTPTimeout bounds one request when the caller brings no http.Client: a cloud that accepted the
	// connection but hangs must not stall a poller until the operation's whole timeout is gone.
	defaultHTTPTimeout = 60 * time.Second
)

// Client talks to one flexpg cloud. It is safe for concurrent use.
type Client struct {
	endpoint  string // scheme://host[:port][/prefix], no trailing slash and no /v1
	baseErr   error  // why endpoint is unusable; returned by every call
	token     string
	http      *http.Client
	userAgent string
	pollMin   time.Duration
	pollMax   time.Duration
	hints     retryHints // Retry-After of 202 responses, consumed by the first poll of Wait
}

// Option configures a Client.
type Option func(*Client)

// WithUserAgent sets the User-Agent header, e.g. "terraform-provider-flexpg/1.2.3".
func WithUserAgent(ua string) Option {
	return func(c *Client) {
		if ua != "" {
			c.userAgent = ua
		}
	}
}

// WithPollInterval sets the operation poll backoff: the first poll waits minInterval, each further one doubles up to
// maxInterval. minInterval is also the floor: a Retry-After of 0 never makes the client poll faster.
// Non-positive values keep the defaults (200 ms, 2 s); a maxInterval below minInterval is raised to it.
func WithPollInterval(minInterval, maxInterval time.Duration) Option {
	return func(c *Client) {
		if minInterval > 0 {
			c.pollMin = minInterval
		}
		if maxInterval > 0 {
			c.pollMax = maxInterval
		}
		c.pollMax = max(c.pollMax, c.pollMin)
	}
}

// New returns a client for the cloud at endpoint (e.g. "http://127.0.0.1:8787") authenticating with token.
// An unusable endpoint is reported by every call rather than here, so constructing a client never fails.
func New(endpoint, token string, opts ...Option) *Client {
	c := &Client{
		token:     token,
		http:      &http.Client{Timeout: defaultHTTPTimeout},
		userAgent: defaultUserAgent,
		pollMin:   defaultPollMin,
		pollMax:   defaultPollMax,
	}
	c.endpoint, c.baseErr = normalizeEndpoint(endpoint)
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// normalizeEndpoint accepts the endpoint with or without a trailing slash or /v1, since users copy either form.
func normalizeEndpoint(endpoint string) (string, error) {
	e := strings.TrimRight(strings.TrimSpace(endpoint), "/")
	e = strings.TrimSuffix(e, model.APIVersion)
	u, err := url.Parse(e)
	if err != nil {
		return e, fmt.Errorf("flexpg cloud: invalid endpoint %q: %w", endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return e, fmt.Errorf("flexpg cloud: invalid endpoint %q: want http(s)://host[:port]", endpoint)
	}
	return e, nil
}

// Endpoint is the cloud's base address as normalised by New.
func (c *Client) Endpoint() string { return c.endpoint }

// String describes the client without its token, so printing a client (or a struct holding one) leaks nothing.
func (c *Client) String() string { return "flexpg client for " + c.endpoint }

// GoString keeps %#v from dumping the token.
func (c *Client) GoString() string { return fmt.Sprintf("&client.Client{endpoint: %q}", c.endpoint) }
