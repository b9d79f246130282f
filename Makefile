# stackview — the two commands a new machine needs are `make run` and `make test`.
GO       ?= go
BIN      := bin/stackview
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
ARGS     ?=

.PHONY: build run test lint bench fuzz mutate clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/stackview

# Always the sandbox, whatever the user's config or environment holds, so
# `make run` never reaches a real account.
run: build
	./$(BIN) --backend sandbox $(ARGS)

# The whole suite with the race detector; fuzz targets run their seed corpora.
# The chaos suite runs verbosely on its own so its per-fault lines show
# (`go test` hides a passing package's output); on failure all of it shows.
# -timeout 30m: internal/ui and the Spacelift client take minutes under the
# race detector, and go test's 10-minute default cut them off on a loaded
# 2-core machine.
CHAOS_PKG := ./internal/backend/sandbox/faults
test:
	$(GO) test -race -timeout 30m $$($(GO) list ./... | grep -v '/internal/backend/sandbox/faults$$')
	@out=$$($(GO) test -race -timeout 30m -v $(CHAOS_PKG) 2>&1); rc=$$?; \
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

# Mutation testing, not part of `make test` (docs/TESTING.md says how long it
# takes): gremlins, pinned and installed from the Go module proxy into bin/,
# breaks each listed package one token at a time and runs its tests;
# cmd/mutate runs it package by package and prints test efficacy and
# mutator coverage for each. An entry is a package directory, or
# DIR=Func,... to mutate only those functions of a package whose whole
# suite is too slow to run once per mutant. Add a package by adding a line.
# `make mutate PKG=internal/vcs` runs one entry; MUTATE_FLAGS passes flags
# (e.g. -workers 1, -v).
GREMLINS_VERSION := v0.5.0
GREMLINS := bin/gremlins-$(GREMLINS_VERSION)/gremlins
# The client code every run mutation goes through, request to answer.
MUTATE_SPACELIFT := Trigger,PlanCommit,Confirm,Discard,Retry,Stop,Promote,Review,Cancel,runMutation,mutate,do,lockConflict,triggerDriftCheck,Lock,Unlock,SyncCommit
MUTATE_TFC := Trigger,create,Retry,act,Confirm,Discard,Cancel,Stop,Review,Promote,SyncCommit,Lock,Unlock,changing,call,classify
MUTATE := \
	internal/ops \
	internal/promote \
	internal/promotion \
	internal/vcs \
	internal/tfmod \
	internal/debuglog \
	internal/config \
	internal/audit \
	internal/backend/scheduler \
	internal/backend/spacelift=$(MUTATE_SPACELIFT) \
	internal/backend/tfc=$(MUTATE_TFC)
MUTATE_FLAGS ?=

$(GREMLINS):
	GOBIN=$(CURDIR)/$(dir $(GREMLINS)) $(GO) install github.com/go-gremlins/gremlins/cmd/gremlins@$(GREMLINS_VERSION)

mutate: $(GREMLINS)
	$(GO) run ./cmd/mutate -gremlins $(CURDIR)/$(GREMLINS) $(MUTATE_FLAGS) $(if $(PKG),$(filter $(PKG) $(PKG)=%,$(MUTATE)),$(MUTATE))

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
