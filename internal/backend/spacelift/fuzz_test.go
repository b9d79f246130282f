package spacelift

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stackview/stackview/internal/model"
)

// onceTransport answers the first request with body and every later one
// with HTTP 400, so a fuzzed "next page" cannot loop forever.
type onceTransport struct {
	body []byte
	sent atomic.Bool
}

func (o *onceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	status, body := http.StatusOK, o.body
	if o.sent.Swap(true) {
		status, body = http.StatusBadRequest, nil
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}

// FuzzDecodeResponses decodes arbitrary GraphQL response bodies through the
// client's queries and mutations: any answer must become data or an error,
// never a panic.
func FuzzDecodeResponses(f *testing.F) {
	f.Add([]byte(`{"data":{"viewer":{"id":"u"},"searchStacks":{"edges":[{"node":{"id":"s","name":"n","labels":["env:dev"]}}],"pageInfo":{"hasNextPage":true,"endCursor":"c"}}}}`))
	f.Add([]byte(`{"data":{"viewer":null,"searchStacks":{"edges":[]}}}`))
	f.Add([]byte(`{"data":{"stack":{"runs":[{"id":"r","state":"FINISHED","type":"TRACKED","createdAt":1}]}}}`))
	f.Add([]byte(`{"data":null,"errors":[{"message":"unauthorized","extensions":{"code":"UNAUTHORIZED"}}]}`))
	f.Add([]byte(`{"data":{"runTrigger":{"id":"r"}},"errors":[{"message":"stack is locked","path":["runTrigger"]}]}`))
	f.Add([]byte(`{"data":{"stack":{"run":{"id":"r","logs":{"phase":"PLANNING","messages":[{"message":"x","timestamp":1}],"finished":false}}}}}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx := context.Background()
		for op := range 6 {
			c, err := New(ctx, Config{
				Endpoint:   "https://fuzz.app.spacelift.io",
				Env:        func(k string) string { return map[string]string{"SPACELIFT_API_TOKEN": "tok.en.x"}[k] },
				HTTPClient: &http.Client{Transport: &onceTransport{body: body}},
			})
			if err != nil {
				t.Fatal(err)
			}
			switch op {
			case 0:
				_, _ = c.ListStacks(ctx)
			case 1:
				_, _, _ = c.ListRuns(ctx, "s", "")
			case 2:
				_, _ = c.GetRun(ctx, "s", "r")
			case 3:
				_, _ = c.RunLogs(ctx, "s", "r", "")
			case 4:
				_, _ = c.Trigger(ctx, "s", model.RunPlan)
			case 5:
				_, _ = c.ListModules(ctx)
			}
		}
		_, _ = parseToken(string(body))
	})
}
