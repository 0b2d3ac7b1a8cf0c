# A thin wrapper over CMake.  Each build directory remembers the arguments it
# was configured with and is configured afresh when they change.
#
#   make [all]      build into $(BUILD); the CLI lands at $(BUILD)/rdy
#   make test       install missing packages, build, run the tests
#   make demo       install missing packages, build, run the example host and plugins
#   make bench      install missing packages, build, run the benchmarks
#   make install    build, then install under $(DESTDIR)$(PREFIX) (docs/packaging.md)
#   make asan | tsan | valgrind | fuzz     checked builds in build-<name>/
#   make deps | clean

BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
RDY_WERROR ?= OFF
RDY_SANITIZE ?=
RDY_FUZZ ?= OFF
RDY_VALGRIND ?= OFF
CMAKE_ARGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_JOBS ?= 2
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local
DESTDIR ?=
ctest = ctest --test-dir $(1) --output-on-failure -j$(CTEST_JOBS)

CONFIG_ARGS = -DCMAKE_C_COMPILER=$(CC) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	-DRDY_WERROR=$(RDY_WERROR) -DRDY_SANITIZE=$(RDY_SANITIZE) \
	-DRDY_FUZZ=$(RDY_FUZZ) -DRDY_VALGRIND=$(RDY_VALGRIND) \
	-DCMAKE_INSTALL_PREFIX=$(abspath $(PREFIX)) $(CMAKE_ARGS)

# Sanitizer and fuzz builds: asserts on, optimised enough to be quick.
CHECKED = BUILD_TYPE=Debug CMAKE_ARGS='-DCMAKE_C_FLAGS_DEBUG="-g -O1" $(CMAKE_ARGS)'

MAKEFLAGS += --no-print-directory

.NOTPARALLEL:
.PHONY: all configure deps test demo bench install asan tsan valgrind fuzz clean

all: configure
	cmake --build $(BUILD) -j$(JOBS)

configure:
	@args='$(strip $(CONFIG_ARGS))'; \
	if [ ! -f $(BUILD)/CMakeCache.txt ] || \
	   [ "$$(cat $(BUILD)/.rdy-configure 2>/dev/null)" != "$$args" ]; then \
		echo "cmake -S . -B $(BUILD) --fresh $$args"; \
		cmake -S . -B $(BUILD) --fresh $(CONFIG_ARGS) && \
		printf '%s\n' "$$args" > $(BUILD)/.rdy-configure; \
	fi

deps:
	@scripts/deps.sh

test: deps all
	$(call ctest,$(BUILD))

# A host and four plugins of one world (examples/filters/), built and run;
# the script checks the outcome and fails when it is not the expected one.
demo: deps all
	scripts/demo.sh $(BUILD)

bench: deps all
	@test -x bench/run || { echo "make bench: bench/run is missing" >&2; exit 1; }
	bench/run $(BUILD)

# The prefix is configured (GNUInstallDirs picks the library directory from
# it, lib/<multiarch> for /usr on Debian) and given again to cmake --install,
# which is what writes it into rdy.pc.  DESTDIR stages the whole tree under
# another root, for packaging.
install: all
	DESTDIR='$(DESTDIR)' cmake --install $(BUILD) --prefix '$(abspath $(PREFIX))'

asan: deps
	$(MAKE) all BUILD=build-asan RDY_SANITIZE=address,undefined $(CHECKED)
	ASAN_OPTIONS=$${ASAN_OPTIONS-detect_leaks=1} \
	UBSAN_OPTIONS=$${UBSAN_OPTIONS-print_stacktrace=1:halt_on_error=1} \
	$(call ctest,build-asan)

tsan: deps
	$(MAKE) all BUILD=build-tsan RDY_SANITIZE=thread $(CHECKED)
	$(call ctest,build-tsan) -L concurrency

valgrind: deps
	$(MAKE) all BUILD=build-valgrind RDY_VALGRIND=ON BUILD_TYPE=Debug
	$(call ctest,build-valgrind) -L memcheck

fuzz: deps
	$(MAKE) all BUILD=build-fuzz CC=clang RDY_FUZZ=ON \
		RDY_SANITIZE=address,undefined $(CHECKED)
	scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(wildcard build-*)
