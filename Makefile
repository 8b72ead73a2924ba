# SPDX-License-Identifier: GPL-2.0
#
# pvisor's entry points:
#
#   make               build pvisor.ko, userspace/ and selftests/
#   make check         install missing tools, build against the test kernel,
#                      run every test (host side, sparse, QEMU test host);
#                      T="test_a test_b*" runs only those tests
#   make run           a shell in the QEMU test host with pvisor.ko loaded;
#                      SCRIPT=file runs that script there instead
#   make sparse        sparse over the module's sources
#   make deps          only install missing tools (scripts/install-deps.sh)
#   make clean
#
# Documentation/testing.rst explains the test host and its knobs.
# kbuild reads ./Kbuild, never this file.

# The kernel the QEMU test host boots: the newest Debian cloud kernel with
# both an image and a build tree installed (selftests/qemu/run.sh agrees).
ifeq ($(origin TEST_KVER),undefined)
TEST_KVER := $(shell cd /lib/modules 2>/dev/null && for k in *-cloud-amd64; do \
	[ -f /boot/vmlinuz-$$k ] && [ -d $$k/build ] && echo $$k; \
	done | sort -V | tail -n 1)
endif
TEST_KDIR ?= /lib/modules/$(TEST_KVER)/build

# The tree plain `make` builds against: the running kernel's if it has one,
# else the test kernel's.
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
ifeq ($(origin KDIR),undefined)
KDIR := $(if $(wildcard $(RUNNING_KDIR)),$(RUNNING_KDIR),$(TEST_KDIR))
endif

BUILD ?= $(CURDIR)/build
T ?=
SCRIPT ?=

# Subdirectories others own may not exist yet in a young tree.
SUBDIRS := $(patsubst %/Makefile,%,$(wildcard userspace/Makefile guest-port/Makefile selftests/Makefile))

MAKEFLAGS += --no-print-directory

.PHONY: all module userspace selftests check run sparse deps clean help \
	check-built run-built need-test-kernel

all: module $(SUBDIRS)

module:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "No kernel build tree at '$(KDIR)': run 'make deps' or set KDIR=." >&2; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Each subdirectory has its own Makefile; they are directories, so make
# would otherwise take them for up-to-date files.
.PHONY: $(SUBDIRS)
$(SUBDIRS):
	$(MAKE) -C $@

# selftests may link against userspace's netlink library.
selftests: $(filter userspace,$(SUBDIRS))

# Runs a command holding $(BUILD)/.lock: checks and runs in one tree share
# build/ (and the module's objects), so they take turns.
LOCKED = mkdir -p $(BUILD) && \
	{ flock -n $(BUILD)/.lock true || \
	  echo "waiting for another check or run in $(BUILD)" >&2; } && \
	flock $(BUILD)/.lock

# `check` and `run` install what is missing first, then start a fresh make:
# a kernel that was just installed must be seen by TEST_KVER. Only the TAP
# stream goes to stdout; the build reports on stderr.
check:
	@scripts/install-deps.sh >&2
	@$(LOCKED) $(MAKE) check-built

check-built: need-test-kernel
	@$(MAKE) KDIR=$(TEST_KDIR) all >&2 || \
		{ selftests/qemu/check.py --build $(BUILD) --build-failed; exit 1; }
	@selftests/qemu/check.py --kver $(TEST_KVER) --kdir $(TEST_KDIR) \
		--build $(BUILD) $(if $(strip $(T)),--only "$(T)")

# In `make run`, stdout is the test host's (or the script's) alone; the
# build reports on stderr. make's own status is 0 or 2: the script's exact
# status is in $(BUILD)/qemu/script.status, and selftests/qemu/run.sh
# returns it as is.
run:
	@scripts/install-deps.sh >&2
	@$(LOCKED) $(MAKE) run-built

run-built: need-test-kernel
	@$(MAKE) KDIR=$(TEST_KDIR) all >&2
	@selftests/qemu/run.sh --kver $(TEST_KVER) --build $(BUILD) \
		$(if $(SCRIPT),--mode script --script $(SCRIPT),--mode interactive)

sparse: need-test-kernel
	@$(LOCKED) selftests/qemu/sparse.sh $(TEST_KDIR) $(BUILD)/sparse.log

deps:
	@scripts/install-deps.sh

need-test-kernel:
	@if [ -z "$(TEST_KVER)" ] || [ ! -d "$(TEST_KDIR)" ]; then \
		echo "No test kernel: need linux-image-cloud-amd64 and" \
			"linux-headers-cloud-amd64 (scripts/install-deps.sh)." >&2; \
		exit 1; \
	fi

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	@for d in $(SUBDIRS); do $(MAKE) -C $$d clean || exit 1; done
	rm -rf $(BUILD)
	rm -f *.o *.ko *.mod *.mod.c Module.symvers modules.order .*.cmd \
		kmod/*.o kmod/.*.cmd

help:
	@sed -n '3,15s/^# \{0,1\}//p' Makefile

# make bench: build, then run benchmarks/run-bench.sh in the QEMU test host
# as `make run SCRIPT=` would. It prints figures and does not fail on a
# missed target; Documentation/performance.rst explains them.
.PHONY: bench bench-built
bench:
	@scripts/install-deps.sh >&2
	@$(LOCKED) $(MAKE) bench-built

bench-built: need-test-kernel
	@$(MAKE) KDIR=$(TEST_KDIR) all >&2
	@$(MAKE) -C benchmarks >&2
	@selftests/qemu/run.sh --kver $(TEST_KVER) --build $(BUILD) \
		--mode script --script benchmarks/run-bench.sh
