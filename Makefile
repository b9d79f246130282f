# stackview — the two commands a new machine needs are `make run` and `make test`.
GO       ?= go
BIN      := bin/stackview
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
ARGS     ?=

.PHONY: build run test lint bench clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/stackview

# Always the sandbox, whatever the user's config or environment holds, so
# `make run` never reaches a real account.
run: build
	./$(BIN) --backend sandbox $(ARGS)

# The whole suite with the race detector; fuzz targets run their seed corpora.
test:
	$(GO) test -race ./...

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
