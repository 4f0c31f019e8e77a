# Cairn: `make run` and `make test` are the whole setup on a fresh machine.
#
#   make deps      install the C libraries (LMDB, zstd, OpenSSL, zlib) with apt-get when their headers are missing
#   make build     debug build
#   make run       release build, then the server with the demo configuration on ./data (port 8686)
#   make test      the default test suite (well under 10 minutes on 2 cores)
#   make torture   long randomized crash and fault runs (CAIRN_TORTURE=1; CAIRN_SEED=N replays one seed)
#   make load      the server's load figures with wrk (Tools/load/run.sh; LOAD_MINUTES=10 for the memory run)
#   make bench     benchmark figures against same-run baselines, then the per-operation benchmarks
#                  (BENCH_RECORDS=N for the log's, BENCH_EVENTS=N for a quick run of the projector's)

SWIFT ?= swift
DATA ?= ./data
PORT ?= 8686
APT_PACKAGES := liblmdb-dev libzstd-dev libssl-dev zlib1g-dev
HEADERS := /usr/include/lmdb.h /usr/include/zstd.h /usr/include/openssl/evp.h /usr/include/zlib.h
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build run test torture bench load clean

deps:
	@missing=""; for h in $(HEADERS); do [ -f $$h ] || missing="$$missing $$h"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing $(APT_PACKAGES) (missing:$$missing)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build

run: deps
	$(SWIFT) build -c release --product cairn
	.build/release/cairn serve --demo --data $(DATA) --port $(PORT)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

torture: deps
	$(SWIFT) build --build-tests
	CAIRN_TORTURE=1 $(SWIFT) test --skip-build --filter 'SimulationTests|CrashTests|ProjectorCrashTests|ServerCrashTests|IngestFuzzTests|CairnModelTests'

load: deps
	$(SWIFT) build -c release --product cairn
	Tools/load/run.sh

bench: deps
	@# The build plan does not notice files added to the main package: drop it so it is made anew.
	rm -f Benchmarks/.build/release.yaml Benchmarks/.build/*/release/description.json
	cd Benchmarks && $(SWIFT) build -c release --product log-figures
	Benchmarks/.build/release/log-figures $(BENCH_RECORDS)
	cd Benchmarks && $(SWIFT) build -c release --product projection-figures
	Benchmarks/.build/release/projection-figures $(BENCH_EVENTS)
	cd Benchmarks && $(SWIFT) package --allow-writing-to-directory .benchmarkBaselines benchmark

clean:
	rm -rf .build Benchmarks/.build
