# stackview — the two commands a new machine needs are `make run` and `make test`.
GO       ?= go
BIN      := bin/stackview
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
ARGS     ?=

.PHONY: build run test lint bench fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/stackview

# Always the sandbox, whatever the user's config or environment holds, so
# `make run` never reaches a real account.
run: build
	./$(BIN) --backend sandbox $(ARGS)

# The whole suite with the race detector; fuzz targets run their seed corpora.
# The chaos suite runs verbosely on its own so its per-fault lines show
# (`go test` hides a passing package's output); on failure all of it shows.
CHAOS_PKG := ./internal/backend/sandbox/faults
test:
	$(GO) test -race $$($(GO) list ./... | grep -v '/internal/backend/sandbox/faults$$')
	@out=$$($(GO) test -race -v $(CHAOS_PKG) 2>&1); rc=$$?; \
	if [ $$rc -ne 0 ]; then echo "$$out"; else echo "$$out" | grep -E '^(chaos: |ok )'; fi; exit $$rc

# Each fuzz target in turn for FUZZTIME (`make fuzz FUZZTIME=5m`); a crash
# leaves its input under the package's testdata/fuzz, to commit with the fix.
FUZZTIME ?= 30s
FUZZ_TARGETS := \
	./internal/config:FuzzParse \
	./internal/tfmod:FuzzParseFiles \
	./internal/backend/spacelift:FuzzDecodeResponses \
	./internal/backend/tfc:FuzzParsePlanJSON \
	./internal/backend/tfc:FuzzCredentialsJSON \
	./internal/ui:FuzzFilterAndCommand \
	./internal/sanitize:FuzzSanitize

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Benchmarks print figures (time, allocations); nothing asserts wall-clock
# time. benchscale then prints the scale table of docs/BENCHMARKS.md: loads
# through both API dialects, first frame, keystrokes, heap (BENCH_SIZES to
# change the sizes).
BENCH_SIZES ?= 1000,10000
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/benchscale -n $(BENCH_SIZES)

clean:
	rm -rf bin
