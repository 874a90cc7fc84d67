package client

import "net/http"

// WithHTTPClient makes the client send its requests through h (timeouts, TLS, proxies are then h's business).
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}
