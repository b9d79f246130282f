package tfc_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// Issue 20: a run TFC refused with a JSON:API error document and a 4xx
// applied nothing; a run whose answer was cut, or that met a 5xx after it
// was sent, may have been queued (backend.AnswerLost).
func TestRunRefusalsAndLostAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request, next http.Handler)
		lost   bool
		kind   error
		says   string
	}{
		{"422 with its reason", refuse(http.StatusUnprocessableEntity, "invalid attribute", "Refresh-only and destroy runs are mutually exclusive"),
			false, backend.ErrInvalid, "Refresh-only and destroy runs are mutually exclusive"},
		{"400 with its reason", refuse(http.StatusBadRequest, "bad request", "malformed relationship"),
			false, backend.ErrInvalid, "malformed relationship"},
		{"409 with its reason", refuse(http.StatusConflict, "conflict", "the workspace is locked"),
			false, backend.ErrConflict, "the workspace is locked"},
		{"5xx after the run was queued", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			next.ServeHTTP(httptest.NewRecorder(), r)
			refuse(http.StatusBadGateway, "bad gateway", "upstream reset")(w, r, next)
		}, true, nil, "upstream reset"},
		{"cut answer", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes()[:rec.Body.Len()/2])
		}, true, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{wrap: func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/runs") {
						tc.answer(w, r, next)
						return
					}
					next.ServeHTTP(w, r)
				})
			}})
			_, err := h.client.Trigger(ctxFor(t), "ws-network-dev", model.RunPlan)
			if err == nil || backend.AnswerLost(err) != tc.lost || (tc.kind != nil && !errors.Is(err, tc.kind)) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%v: lost %t, want %t (kind %v, saying %q)", err, backend.AnswerLost(err), tc.lost, tc.kind, tc.says)
			}
		})
	}
}

// refuse answers a JSON:API error document.
func refuse(code int, title, detail string) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"errors":[{"status":"` + strconv.Itoa(code) + `","title":"` + title + `","detail":"` + detail + `"}]}`))
	}
}
