# SPDX-License-Identifier: GPL-2.0
#
# pvisor's entry points:
#
#   make               build pvisor.ko, userspace/, selftests/ and the
#                      Linux guest (build/linux/linux.elf; make linux-guest)
#   make check         install missing tools, build against the test kernel,
#                      run every test (host side, sparse, QEMU test host);
#                      T="test_a test_b*" runs only those tests;
#                      KERNEL=debug boots the debug kernel instead (KASAN,
#                      lockdep, kmemleak, UBSAN; built once into build/);
#                      KERNEL=6.12 boots Debian 12's newest 6.12 cloud
#                      kernel (fetched into build/, not installed)
#   make run           a shell in the QEMU test host with pvisor.ko loaded;
#                      SCRIPT=file runs that script there instead
#   make soak          the hypercall fuzzer alone, SOAK_CALLS calls
#   make scale         SCALE_DOMAINS (1000) domains at once, in a test host
#                      of SCALE_MEM MiB of its own (test_scale.sh)
#   make debug-kernel  only build the debug kernel and the module for it
#   make sparse        sparse over the module's sources
#   make deps          only install missing tools (scripts/install-deps.sh)
#   make install       the module, tools, systemd unit and man pages
#                      (DESTDIR, PREFIX); make uninstall removes them;
#                      make dkms-install hands the module to DKMS
#   make clean
#
# Documentation/testing.rst explains the test host and its knobs.
# kbuild reads ./Kbuild, never this file.

# The kernel the QEMU test host boots: the newest Debian 6.1 cloud kernel
# (Debian 12's default) with both an image and a build tree installed
# (selftests/qemu/run.sh agrees). Other series: KERNEL=6.12.
ifeq ($(origin TEST_KVER),undefined)
TEST_KVER := $(shell cd /lib/modules 2>/dev/null && for k in 6.1.*-cloud-amd64; do \
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
# pvisor.ko is built out of the tree: each build of it (stock, debug, a
# kernel series, sparse) has a directory under $(BUILD) that mirrors the
# module's sources as symbolic links (scripts/module-dir.sh).
MODULE_OBJ := $(BUILD)/module
KO := $(MODULE_OBJ)/pvisor.ko
T ?=
SCRIPT ?=

# KERNEL=debug: the test host boots the debug kernel that
# scripts/debug-kernel.sh builds into $(BUILD)/debug-kernel from Debian's
# linux-source-6.1 (selftests/qemu/debug.config), with pvisor.ko built
# against it in $(BUILD)/debug-module. Its checkers slow everything down:
# the default time limits are DEBUG_TIMEOUT_SCALE times the usual, the
# fuzzer makes DEBUG_FUZZ_CALLS calls, test_user_context
# DEBUG_CONTEXT_CYCLES context create/destroy cycles (10000 elsewhere) and
# the Linux guest of test_linux_stress.sh DEBUG_LINUX_FORKS fork+exec+exit
# in a row (1000 elsewhere) and test_linux_cycles.sh DEBUG_LINUX_CYCLES
# boots (20 elsewhere). Documentation/testing.rst has the figures behind
# them.
KERNEL ?= stock
DEBUG_KDIR := $(BUILD)/debug-kernel/obj
DEBUG_IMAGE := $(DEBUG_KDIR)/arch/x86/boot/bzImage
DEBUG_MODULE := $(BUILD)/debug-module
DEBUG_TIMEOUT_SCALE ?= 12
DEBUG_FUZZ_CALLS ?= 1000000
DEBUG_CONTEXT_CYCLES ?= 1000
DEBUG_LINUX_FORKS ?= 100
DEBUG_LINUX_CYCLES ?= 6
SOAK_CALLS ?= 20000000
ifeq ($(KERNEL),debug)
DEPS_FLAGS := --debug-kernel
# What run.sh and check.py need to boot it; the kernel's release is known
# only once it is built.
BOOT_ARGS = --kver $$(cat $(DEBUG_KDIR)/include/config/kernel.release) \
	--kernel $(DEBUG_IMAGE) --ko $(DEBUG_MODULE)/pvisor.ko
CHECK_ARGS = $(BOOT_ARGS) --timeout-scale $(DEBUG_TIMEOUT_SCALE)
CHECK_ENV = PVISOR_FUZZ_CALLS=$${PVISOR_FUZZ_CALLS:-$(DEBUG_FUZZ_CALLS)} \
	PVISOR_FUZZ_RUN_CALLS=$${PVISOR_FUZZ_RUN_CALLS:-100000} \
	PVISOR_CONTEXT_CYCLES=$${PVISOR_CONTEXT_CYCLES:-$(DEBUG_CONTEXT_CYCLES)} \
	PVISOR_LINUX_FORKS=$${PVISOR_LINUX_FORKS:-$(DEBUG_LINUX_FORKS)} \
	PVISOR_LINUX_CYCLES=$${PVISOR_LINUX_CYCLES:-$(DEBUG_LINUX_CYCLES)}
BUILD_DEBUG = $(MAKE) debug-kernel >&2
else ifneq ($(shell echo '$(KERNEL)' | grep -xE '[0-9]+\.[0-9]+'),)
# KERNEL=6.12 (a series): the newest Debian 12 cloud kernel of it, fetched
# and unpacked under $(BUILD)/host-kernel by scripts/host-kernel.sh (never
# installed on this machine), with pvisor.ko built against its headers in
# $(BUILD)/host-module-$(KERNEL).
DEPS_FLAGS :=
HOST_REL_FILE := $(BUILD)/host-kernel/$(KERNEL).release
HOST_ROOT = $(BUILD)/host-kernel/$$(cat $(HOST_REL_FILE))/root
HOST_MODULE := $(BUILD)/host-module-$(KERNEL)
BOOT_ARGS = --kver $$(cat $(HOST_REL_FILE)) \
	--kernel $(HOST_ROOT)/boot/vmlinuz-$$(cat $(HOST_REL_FILE)) \
	--ko $(HOST_MODULE)/pvisor.ko
CHECK_ARGS = $(BOOT_ARGS)
CHECK_ENV =
BUILD_DEBUG = $(MAKE) host-kernel >&2
else ifeq ($(KERNEL),stock)
DEPS_FLAGS :=
BOOT_ARGS = --kver $(TEST_KVER)
CHECK_ARGS = $(BOOT_ARGS)
CHECK_ENV =
BUILD_DEBUG = true
else
$(error KERNEL must be stock, debug or a series such as 6.12, not '$(KERNEL)')
endif

# Subdirectories others own may not exist yet in a young tree.
SUBDIRS := $(patsubst %/Makefile,%,$(wildcard userspace/Makefile guest-port/Makefile selftests/Makefile))

MAKEFLAGS += --no-print-directory

.PHONY: all module userspace selftests check run sparse deps clean help \
	check-built run-built need-test-kernel debug-kernel host-kernel soak soak-built \
	scale scale-built

all: module $(SUBDIRS) linux-guest

# The Linux guest kernel: Debian's linux-source-6.1 with guest-port/linux's
# patch series, stamped, so that a warm make only checks the stamp
# (Documentation/linux-port.rst).
.PHONY: linux-guest
linux-guest:
	@scripts/linux-guest.sh --build $(BUILD)

module:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "No kernel build tree at '$(KDIR)': run 'make deps' or set KDIR=." >&2; \
		exit 1; \
	fi
	@scripts/module-dir.sh $(MODULE_OBJ)
	$(MAKE) -C $(KDIR) M=$(MODULE_OBJ) modules

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
	@scripts/install-deps.sh $(DEPS_FLAGS) >&2
	@$(LOCKED) $(MAKE) check-built

# Everything a check's test host needs, built; a failed build is one TAP
# failure, so that a check's stream always says what happened.
BUILD_FOR_CHECK = { $(MAKE) KDIR=$(TEST_KDIR) all >&2 && $(BUILD_DEBUG); } || \
	{ selftests/qemu/check.py --build $(BUILD) --build-failed; exit 1; }

# The stock build comes first in both cases: sparse and the host-side
# tests judge the module against the stock kernel's tree.
check-built: need-test-kernel
	@$(BUILD_FOR_CHECK)
	@$(CHECK_ENV) selftests/qemu/check.py $(CHECK_ARGS) --kdir $(TEST_KDIR) \
		--build $(BUILD) $(if $(strip $(T)),--only "$(T)")

# The debug kernel (stamped: a warm run rebuilds nothing) and pvisor.ko
# built against it, into a module directory of its own like every build
# of the module.
debug-kernel:
	@scripts/debug-kernel.sh --build $(BUILD)
	@scripts/module-dir.sh $(DEBUG_MODULE)
	$(MAKE) -C $(DEBUG_KDIR) M=$(DEBUG_MODULE) CC="ccache gcc" modules

# KERNEL=SERIES: fetch that Debian kernel and build pvisor.ko against it.
host-kernel:
	@mkdir -p $(BUILD)/host-kernel
	@scripts/host-kernel.sh --build $(BUILD) $(KERNEL) >$(HOST_REL_FILE).new && \
		mv $(HOST_REL_FILE).new $(HOST_REL_FILE)
	@scripts/module-dir.sh $(HOST_MODULE)
	$(MAKE) -C $(HOST_ROOT)/usr/src/linux-headers-$$(cat $(HOST_REL_FILE)) \
		M=$(HOST_MODULE) modules

# make soak: only the fuzzer, SOAK_CALLS calls (20 million by default,
# hours under TCG), with time limits to match; KERNEL=debug works too.
soak:
	@scripts/install-deps.sh $(DEPS_FLAGS) >&2
	@$(LOCKED) $(MAKE) soak-built

soak-built: need-test-kernel
	@$(BUILD_FOR_CHECK)
	@PVISOR_FUZZ_CALLS=$(SOAK_CALLS) \
		PVISOR_FUZZ_RUN_CALLS=$${PVISOR_FUZZ_RUN_CALLS:-1000000} \
		PVISOR_TEST_TIMEOUT=$${PVISOR_TEST_TIMEOUT:-$$(($(SOAK_CALLS) / 50 + 600))} \
		PVISOR_QEMU_TIMEOUT=$${PVISOR_QEMU_TIMEOUT:-$$(($(SOAK_CALLS) / 50 + 1200))} \
		selftests/qemu/check.py $(BOOT_ARGS) --build $(BUILD) --only test_fuzz.sh

# make scale: test_scale.sh alone, SCALE_DOMAINS store_idle guests at
# once, in a test host sized for them: each domain takes its 2 MiB of
# guest frames (half the host's RAM is the module's default limit for
# those) and under 1 MiB of host memory besides. make check's host has no
# room for it, and the test skips there.
SCALE_DOMAINS ?= 1000
SCALE_MEM ?= $$(( $(SCALE_DOMAINS) * 5 + 1024 ))
scale:
	@scripts/install-deps.sh $(DEPS_FLAGS) >&2
	@$(LOCKED) $(MAKE) scale-built

scale-built: need-test-kernel
	@$(BUILD_FOR_CHECK)
	@PVISOR_SCALE_DOMAINS=$(SCALE_DOMAINS) PVISOR_QEMU_MEM=$(SCALE_MEM) \
		selftests/qemu/check.py $(BOOT_ARGS) --build $(BUILD) --only test_scale.sh

# In `make run`, stdout is the test host's (or the script's) alone; the
# build reports on stderr. make's own status is 0 or 2: the script's exact
# status is in $(BUILD)/qemu/script.status, and selftests/qemu/run.sh
# returns it as is.
run:
	@scripts/install-deps.sh $(DEPS_FLAGS) >&2
	@$(LOCKED) $(MAKE) run-built

run-built: need-test-kernel
	@$(MAKE) KDIR=$(TEST_KDIR) all >&2
	@$(BUILD_DEBUG)
	@selftests/qemu/run.sh $(BOOT_ARGS) --build $(BUILD) \
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

# make install / uninstall: the module for the kernel KDIR belongs to, the
# tools, pvisord's systemd unit and the man pages, to FHS paths under
# DESTDIR and PREFIX (Documentation/admin-guide.rst, "Installing").
# make dkms-install hands the module's sources to DKMS instead, which
# rebuilds it for every kernel installed later.
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR := $(PREFIX)/sbin
MANDIR := $(PREFIX)/share/man
UNITDIR := $(PREFIX)/lib/systemd/system
# The release pvisor.ko was built for, from its own vermagic.
MODULE_RELEASE = $(shell modinfo -F vermagic $(KO) 2>/dev/null | cut -d' ' -f1)
MODULE_DIR = /lib/modules/$(MODULE_RELEASE)/extra
TOOLS := $(addprefix $(BUILD)/userspace/,pvctl/pvctl runner/pvrun pvisord/pvisord)
PVISOR_VERSION := $(shell sed -n 's/^\#define PVISOR_VERSION\t"\(.*\)"/\1/p' kmod/version.h)
DKMS_SRC := /usr/src/pvisor-$(PVISOR_VERSION)

.PHONY: install uninstall dkms-install dkms-uninstall man
man:
	@scripts/man.py $(BUILD)/man

install: all man
	@[ -n "$(MODULE_RELEASE)" ] || { echo "cannot read pvisor.ko's kernel release (modinfo)" >&2; exit 1; }
	install -D -m 0644 $(KO) $(DESTDIR)$(MODULE_DIR)/pvisor.ko
	install -d $(DESTDIR)$(SBINDIR)
	install -m 0755 $(TOOLS) $(DESTDIR)$(SBINDIR)/
	install -d $(DESTDIR)$(UNITDIR)
	sed 's#^ExecStart=/usr/sbin/#ExecStart=$(SBINDIR)/#' \
		userspace/pvisord/pvisord.service >$(DESTDIR)$(UNITDIR)/pvisord.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/pvisord.service
	for page in $(BUILD)/man/man*/*; do \
		sec=$${page%/*}; sec=$${sec##*/}; \
		install -D -m 0644 $$page $(DESTDIR)$(MANDIR)/$$sec/$${page##*/} || exit 1; \
	done
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(MODULE_RELEASE); fi

uninstall:
	rm -f $(DESTDIR)$(MODULE_DIR)/pvisor.ko
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(TOOLS)))
	rm -f $(DESTDIR)$(UNITDIR)/pvisord.service
	for src in Documentation/man/*.rst; do \
		name=$${src##*/}; name=$${name%.rst}; \
		rm -f $(DESTDIR)$(MANDIR)/man$${name##*.}/$$name; \
	done
	@if [ -z "$(DESTDIR)" ] && [ -n "$(MODULE_RELEASE)" ]; then depmod -a $(MODULE_RELEASE); fi

dkms-install:
	install -d $(DESTDIR)$(DKMS_SRC)
	cp -r --parents dkms.conf Kbuild $$(find kmod -name '*.[ch]') \
		$$(find uapi -name '*.h') $(DESTDIR)$(DKMS_SRC)/
	@if [ -z "$(DESTDIR)" ]; then \
		dkms add pvisor/$(PVISOR_VERSION) && \
		dkms build pvisor/$(PVISOR_VERSION) && \
		dkms install pvisor/$(PVISOR_VERSION); \
	fi

dkms-uninstall:
	@if [ -z "$(DESTDIR)" ]; then dkms remove pvisor/$(PVISOR_VERSION) --all || true; fi
	rm -rf $(DESTDIR)$(DKMS_SRC)

clean:
	@for d in $(SUBDIRS); do $(MAKE) -C $$d clean || exit 1; done
	rm -rf $(BUILD)

help:
	@sed -n '3,28s/^# \{0,1\}//p' Makefile

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
		--mode script --script benchmarks/run-bench.sh --uml
