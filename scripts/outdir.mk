# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree builds for the parts of the tree that have a Makefile of
# their own (userspace/, guest-port/, selftests/, benchmarks/). A part's
# Makefile includes this file first and wraps the rest of itself in
# `ifeq ($(IN_PART_OUT),y) ... endif`. Then:
#
#   SRC       the part's source directory (absolute)
#   TOP       the top of the tree
#   PART_OUT  where the part builds: $(BUILD)/PART, BUILD being the
#             top-level Makefile's (the tree's build/ unless make was
#             given BUILD=)
#   PART_FILE_MAP  a compiler flag that keeps __FILE__ relative to SRC
#
# Invoked anywhere but PART_OUT (`make -C userspace`, say), the Makefile
# runs itself again in PART_OUT with the same goals. There, targets are
# named relative to PART_OUT and sources are found in SRC by vpath: a
# part's own names stay short, another part's output is ../PART/..., and
# another part's sources are $(TOP)/PART/.... Only sources are searched
# for, so an object left in the tree by an older build is never taken for
# one in PART_OUT.

PART_MAKEFILE := $(abspath $(firstword $(MAKEFILE_LIST)))
SRC := $(patsubst %/,%,$(dir $(PART_MAKEFILE)))
TOP := $(patsubst %/,%,$(dir $(SRC)))
BUILD ?= $(TOP)/build
PART_OUT := $(abspath $(BUILD))/$(notdir $(SRC))

# For the part's compiler flags: __FILE__ (assertion messages) names a
# source as the part sees it, "tests/assert.c", wherever the tree is.
PART_FILE_MAP := -fmacro-prefix-map=$(SRC)/=

ifeq ($(CURDIR),$(PART_OUT))
IN_PART_OUT := y
vpath %.c $(SRC)
vpath %.S $(SRC)
vpath %.h $(SRC)
vpath %.sh $(SRC)
vpath %.ld $(SRC)
else
IN_PART_OUT :=
PART_GOALS := $(or $(MAKECMDGOALS),all)
.PHONY: $(PART_GOALS) out-of-tree
$(PART_GOALS): out-of-tree ; @:
out-of-tree:
	+@mkdir -p $(PART_OUT) && $(MAKE) -C $(PART_OUT) -f $(PART_MAKEFILE) $(MAKECMDGOALS)
endif
