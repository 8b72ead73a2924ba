# SPDX-License-Identifier: GPL-2.0
#
# For programs linking libpvnl and libnl statically (pvctl, pvrun, the
# selftests, the benchmarks): nss.c stubs the name lookups libnl drags in,
# and these linker flags route the calls there. Link PVNL_NSS_OBJ as an
# object, not from an archive: the references to it come later on the
# command line, when an archive would already have been passed over.
#
# The includer sets PVNL_OUT to where userspace/ builds, as seen from its
# own output directory (scripts/outdir.mk): "." in userspace itself,
# "../userspace" beside it.

PVNL_NSS_OBJ := $(PVNL_OUT)/lib/nss.o
PVNL_NSS_WRAP := $(foreach f,getaddrinfo getprotobyname getprotobynumber,-Wl,--wrap=$(f))
