# Juece: `make run` starts everything on this machine; `make test` proves it.
GO      ?= go
BIN     := bin/juece
export GOFLAGS := -buildvcs=false

.PHONY: run build test setup lint vet fmt-check fuzz bench clean

build:
	$(GO) build -o $(BIN) .

## run: PostgreSQL + Temporal dev server + worker + API/UI with demo data (juece dev)
run: build
	./$(BIN) dev

## setup: install PostgreSQL, headless Chromium and poppler-utils when missing (as root) and build the Temporal CLI once
setup:
	$(GO) run . setup

## test: vet, format, unit, workflow, PostgreSQL, HTTP and end-to-end tests,
## then each fuzz target for a bounded time. Does its own set-up on a fresh machine.
test: setup fmt-check vet
	$(GO) test -count=1 -timeout 40m -p 2 ./...
	$(MAKE) fuzz

## fuzz: each decoder of user input fuzzed for FUZZ_TIME (the seed corpora run
## in every `go test` too); a crash fails and leaves its input in testdata/fuzz/.
## A failed target runs once more: its crasher, kept, fails it again.
FUZZ_TIME ?= 5s
FUZZ_TARGETS := ./server/input:FuzzJSON ./server/input:FuzzText ./db/participation:FuzzSplitClauses \
	./db/participation:FuzzReceiptNumber ./workflows/rules:FuzzCreditCode ./db/numbering:FuzzNormalize ./db:FuzzAppendCanonical \
	./server/web:FuzzDecodeForm ./server:FuzzQueryParams ./server:FuzzReadUpload ./server:FuzzSniffDocument \
	./db/calendar:FuzzParseYearJSON ./db/calendar:FuzzParseYearCSV ./workflows:FuzzLoadProfiles .:FuzzVerifyDossierZIP ./db/dossier:FuzzVerifyDossier
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn ($$pkg, $(FUZZ_TIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZ_TIME) $$pkg || { \
			echo "fuzz $$fn: once more (a run whose time ends mid-input can fail with context deadline exceeded; a crasher is kept in testdata/fuzz and fails again)"; \
			$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZ_TIME) $$pkg; } || exit 1; \
	done

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## lint: gofmt, vet, staticcheck and Temporal's workflowcheck on workflows/
lint: fmt-check vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.7.0 ./...
	$(GO) run go.temporal.io/sdk/contrib/tools/workflowcheck@latest -config workflowcheck.config.yaml ./workflows/...

## bench: benchmarks (figures, never asserted)
bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

clean:
	rm -rf bin
