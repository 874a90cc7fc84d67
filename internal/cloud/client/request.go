package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

const (
	maxResponseBytes = 32 << 20 // a list of servers or a log tail; far above anything the cloud sends
	maxErrorBytes    = 64 << 10
	redacted         = "[REDACTED]"
)

// request is one API call. body is JSON-encoded and never appears in an error; secrets are scrubbed from
// anything the cloud answers, in case it echoes them.
type request struct {
	method  string
	path    string // escaped, starting with /v1
	query   url.Values
	body    any
	header  http.Header
	accept  string // defaults to application/json
	noAuth  bool   // only GET /v1/health
	secrets []string
}

// response is a 2xx answer, body read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// send performs r. Non-2xx answers become *APIError, transport failures *TransportError (or a wrapped ctx error).
func (c *Client) send(ctx context.Context, r request) (*response, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	req, err := c.newHTTPRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(ctx, r.method, c.endpoint+r.path, err)
	}
	defer resp.Body.Close()

	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	limit := int64(maxResponseBytes)
	if !ok {
		limit = maxErrorBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, transportError(ctx, r.method, c.endpoint+r.path, err)
	}
	if !ok {
		return nil, newAPIError(r, resp.StatusCode, body)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("flexpg cloud: %s %s: response larger than %d bytes", r.method, r.path, limit)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

func (c *Client) newHTTPRequest(ctx context.Context, r request) (*http.Request, error) {
	target := c.endpoint + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		buf, err := json.Marshal(r.body)
		if err != nil {
			// The encoder's message names a type, never a value.
			return nil, fmt.Errorf("flexpg cloud: %s %s: encoding request: %w", r.method, r.path, err)
		}
		body = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("flexpg cloud: %s %s: %w", r.method, r.path, err)
	}
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	accept := r.accept
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.userAgent)
	if !r.noAuth {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// newAPIError decodes the cloud's error envelope. A body that is not one (a proxy page, an echo) is dropped
// rather than quoted: it could hold anything, including what we sent.
func newAPIError(r request, status int, body []byte) *APIError {
	e := &APIError{StatusCode: status, Method: r.method, Path: r.path}
	var env model.ErrorResponse
	if err := json.Unmarshal(body, &env); err == nil && (env.Error.Code != "" || env.Error.Message != "") {
		e.Code = env.Error.Code
		e.Message = env.Error.Message
		e.Field = env.Error.Field
		e.Details = env.Error.Details
	} else {
		e.Message = "unexpected response: " + http.StatusText(status)
	}
	scrub(e, r.secrets)
	return e
}

// scrub replaces every secret of the request, raw or JSON-escaped, in the text the cloud answered.
func scrub(e *APIError, secrets []string) {
	var pairs []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		pairs = append(pairs, s, redacted)
		if enc, err := json.Marshal(s); err == nil {
			if escaped := string(enc[1 : len(enc)-1]); escaped != s {
				pairs = append(pairs, escaped, redacted)
			}
		}
	}
	if len(pairs) == 0 {
		return
	}
	rep := strings.NewReplacer(pairs...)
	e.Code = rep.Replace(e.Code)
	e.Message = rep.Replace(e.Message)
	e.Field = rep.Replace(e.Field)
	details := make([]model.FieldDetail, len(e.Details))
	for i, d := range e.Details {
		details[i] = model.FieldDetail{Field: rep.Replace(d.Field), Rule: d.Rule, Message: rep.Replace(d.Message)}
	}
	if e.Details != nil {
		e.Details = details
	}
}

// getJSON GETs path and decodes the answer into out.
func (c *Client) getJSON(ctx context.Context, path string, out any) error {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: path})
	if err != nil {
		return err
	}
	return decode(resp, http.MethodGet, path, out)
}

func decode(resp *response, method, path string, out any) error {
	if err := json.Unmarshal(resp.body, out); err != nil {
		return fmt.Errorf("flexpg cloud: %s %s: decoding response: %w", method, path, err)
	}
	return nil
}

// valueList is the envelope of every list response.
type valueList[T any] struct {
	Value []T `json:"value"`
}

// list GETs a collection. The result is never nil, so callers can range and compare without a nil check.
func list[T any](ctx context.Context, c *Client, path string) ([]T, error) {
	return listQuery[T](ctx, c, path, nil)
}

// listQuery GETs a collection filtered by query parameters.
func listQuery[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: path, query: query})
	if err != nil {
		return nil, err
	}
	var page valueList[T]
	if err := decode(resp, http.MethodGet, path, &page); err != nil {
		return nil, err
	}
	if page.Value == nil {
		page.Value = []T{}
	}
	return page.Value, nil
}

// get GETs one resource.
func get[T any](ctx context.Context, c *Client, path string) (*T, error) {
	var v T
	if err := c.getJSON(ctx, path, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// apiPath builds /v1/<seg>/<seg>... with each segment escaped. An empty segment would silently address a
// different route (GET /v1/flexibleServers/ is the list), so it is refused here.
func apiPath(segments ...string) (string, error) {
	var b strings.Builder
	b.WriteString(model.APIVersion)
	for _, s := range segments {
		if s == "" {
			return "", fmt.Errorf("%w: empty name in request path %s", ErrInvalid, b.String())
		}
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String(), nil
}
