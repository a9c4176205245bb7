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

bench:
	go test -run '^$$' -bench . -benchmem ./...

# Fuzz the engine (not part of make test).
fuzz:
	go test -run '^$$' -fuzz '^FuzzAnalyze$$' -fuzztime 60s ./scale
