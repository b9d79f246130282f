package main

import (
	"io"
	"net/http"
	"sync/atomic"
)

// counter is a RoundTripper that counts requests and the bytes they move:
// request bodies sent and response bodies as the client reads them.
type counter struct {
	base     http.RoundTripper
	requests atomic.Int64
	bytes    atomic.Int64
}

func newCounter() *counter {
	// A transport of its own, with enough idle connections that concurrent
	// page fetches are not measured reconnecting.
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return &counter{base: t}
}

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.requests.Add(1)
	if req.ContentLength > 0 {
		c.bytes.Add(req.ContentLength)
	}
	resp, err := c.base.RoundTrip(req)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.bytes}
	}
	return resp, err
}

// reset zeroes the counts and returns what they were.
func (c *counter) reset() (requests, bytes int64) {
	return c.requests.Swap(0), c.bytes.Swap(0)
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}
