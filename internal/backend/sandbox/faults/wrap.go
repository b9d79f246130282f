package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

// Wrap puts the injector in front of h.
func (in *Injector) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in.opts.Every > 0 {
			in.opts.Delay(r.Context(), in.opts.Every)
		}
		switch k := in.pick(r); k {
		case "":
			h.ServeHTTP(w, r)
		case Latency:
			in.opts.Delay(r.Context(), in.opts.Latency)
			h.ServeHTTP(w, r)
		case Status500, Status502, Status503:
			code, _ := strconv.Atoi(string(k))
			in.writeError(w, code, "injected fault: "+http.StatusText(code))
		case RateLimit:
			in.writeRateLimited(w)
		case Expire:
			in.writeError(w, http.StatusUnauthorized, "unauthorized: the token has expired")
		default:
			// The server applies the request; only its answer is damaged,
			// which is how a mutation's reply gets lost.
			rec := &recorder{header: http.Header{}, status: http.StatusOK}
			h.ServeHTTP(rec, r)
			in.damage(k, w, rec)
		}
	})
}

func (in *Injector) writeError(w http.ResponseWriter, code int, msg string) {
	var body any
	if in.opts.Dialect == TFC {
		body = map[string]any{"errors": []map[string]string{{"status": strconv.Itoa(code), "title": http.StatusText(code), "detail": msg}}}
		w.Header().Set("Content-Type", "application/vnd.api+json")
	} else {
		body = map[string]any{"errors": []map[string]string{{"message": msg}}}
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// writeRateLimited answers 429 the way each API does: Spacelift with
// Retry-After in whole seconds, TFC with X-RateLimit-Limit and a fractional
// X-RateLimit-Reset.
func (in *Injector) writeRateLimited(w http.ResponseWriter) {
	if in.opts.Dialect == TFC {
		w.Header().Set("X-RateLimit-Limit", "30")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatFloat(in.opts.RetryAfter.Seconds(), 'f', 3, 64))
	} else {
		w.Header().Set("Retry-After", strconv.Itoa(int(in.opts.RetryAfter.Seconds()))) // "0" below 1s: the client's own backoff decides
	}
	in.writeError(w, http.StatusTooManyRequests, "rate limit exceeded")
}

// damage sends a served answer broken the way kind k says.
func (in *Injector) damage(k Kind, w http.ResponseWriter, rec *recorder) {
	body := rec.body.Bytes()
	copyHeader(w.Header(), rec.header)
	w.Header().Del("Content-Length")
	switch k {
	case Drop:
		drop(w, rec)
		return
	case Malformed:
		body = append(body[:len(body)/2:len(body)/2], []byte(`,"\x00}{`)...)
	case Partial:
		if in.opts.Dialect == Spacelift {
			body = partial(body)
		}
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(body)
}

// drop writes the status line, the headers and half the body straight to
// the connection, announcing the full length, then closes it.
func drop(w http.ResponseWriter, rec *recorder) {
	body := rec.body.Bytes()
	rec.header.Set("Content-Length", strconv.Itoa(len(body)))
	hj, ok := w.(http.Hijacker)
	if !ok {
		// A short body under a longer Content-Length makes net/http close
		// the connection after the handler returns.
		copyHeader(w.Header(), rec.header)
		w.WriteHeader(rec.status)
		_, _ = w.Write(body[:len(body)/2])
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.status, http.StatusText(rec.status))
	_ = rec.header.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

// partial turns a GraphQL answer into one with partial data: its first
// top-level field by name is nulled and an error names it.
func partial(body []byte) []byte {
	var doc struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []any                      `json:"errors,omitempty"`
	}
	if json.Unmarshal(body, &doc) != nil || len(doc.Data) == 0 {
		return body
	}
	name := slices.Sorted(maps.Keys(doc.Data))[0]
	doc.Data[name] = json.RawMessage("null")
	doc.Errors = append(doc.Errors, map[string]any{"message": "injected fault: internal error resolving " + name, "path": []string{name}})
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

// recorder holds a handler's answer so it can be damaged before sending.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.body.Write(p)
}
