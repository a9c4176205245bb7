# The checks CI runs: formatting, vet, and every test.
.PHONY: test golden reports bench fuzz

test:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt -l lists:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go test ./...

# Regenerate testdata/golden, print which headline numbers moved, rerun the tests.
golden:
	go run ./tools/refreshgoldens

# Write every preset's report into ./output.
reports:
	go run ./cmd/tscale

# Benchmarks: every report (BenchmarkAllReports) and its writing alone, one
# report per format; then the built binary against its floor, cp -rT of the
# same files into the same folder (tools/benchreports, a ratio of paired runs).
bench:
	go test -run '^$$' -bench . -benchmem ./...
	@tmp="$$(mktemp -d)" && go build -o "$$tmp/tscale" ./cmd/tscale && go run ./tools/benchreports -bin "$$tmp/tscale"; status=$$?; rm -rf "$$tmp"; exit $$status

# Fuzz each fuzz target for FUZZTIME (not part of make test): the engine (alone,
# and on layouts and devices), the command line, the config.json importer, the
# GGUF header reader and its mapping to a config, and the YAML emitter. make
# fuzz FUZZTIME=10m for longer.
FUZZTIME ?= 60s
fuzz:
	go test -run '^$$' -fuzz '^FuzzAnalyze$$' -fuzztime $(FUZZTIME) ./scale
	go test -run '^$$' -fuzz '^FuzzAnalyzeOn$$' -fuzztime $(FUZZTIME) ./scale
	go test -run '^$$' -fuzz '^FuzzRun$$' -fuzztime $(FUZZTIME) ./cmd/tscale
	go test -run '^$$' -fuzz '^FuzzFromHFConfig$$' -fuzztime $(FUZZTIME) ./presets
	go test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) -parallel 1 ./gguf
	go test -run '^$$' -fuzz '^FuzzFromGGUF$$' -fuzztime $(FUZZTIME) -parallel 1 ./presets
	go test -run '^$$' -fuzz '^FuzzEmitYAML$$' -fuzztime $(FUZZTIME) ./render
