/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The domain builder: lays out a guest's memory before it first runs
 * (the kernel image, the ramdisk, start_info, the boot page tables and
 * the boot stack). Documentation/runner.rst describes the layout.
 */
#ifndef PVRUN_BUILDER_H
#define PVRUN_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#define BUILDER_PAGE_SIZE	4096ULL
#define BUILDER_STACK_PAGES	4		/* 16 KiB boot stack */

struct builder_input {
	const void *kernel;		/* the ELF image, as read from its file */
	size_t kernel_len;
	const void *ramdisk;		/* NULL: none */
	size_t ramdisk_len;
	const char *cmdline;		/* NULL: empty */
	uint32_t nr_vcpus;
};

/* Where the boot vCPU starts: the fields of struct pvisor_vcpu_context. */
struct builder_output {
	uint64_t entry;			/* window addresses */
	uint64_t stack_top;
	uint64_t start_info;
	uint64_t pt_base_pfn;
	uint64_t first_free_pfn;	/* for the record (pvrun --verbose) */
	uint64_t start_info_pfn;
	uint64_t store_pfn;		/* the xenstore ring, zeroed */
};

/*
 * Build a domain in @mem, the domain's @nr_pages frames mapped in order
 * (guest pfn 0 at @mem), which the caller has zeroed or got zeroed from
 * the module. Checks everything it reads: on a bad image or too little
 * memory it says why with runner_error() and returns -EINVAL or -ENOSPC,
 * having possibly written part of @mem.
 */
int builder_build(void *mem, uint64_t nr_pages, const struct builder_input *in,
		  struct builder_output *out);

/*
 * Name @port, the guest's event channel for its xenstore ring (from
 * PVISOR_IOCTL_STORE_SETUP), in the start_info builder_build() wrote.
 */
void builder_set_store_evtchn(void *mem, const struct builder_output *out,
			      uint32_t port);

#endif /* PVRUN_BUILDER_H */
