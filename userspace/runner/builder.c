// SPDX-License-Identifier: GPL-2.0
/*
 * The domain builder.
 *
 * A guest sees its memory through the *physmap*: guest pfn p is mapped at
 * window address PVISOR_WINDOW_BASE + p * 4096, for every p below the
 * reservation. A guest kernel is linked inside the window, so an ELF
 * segment's virtual address names the pfns it lands in, and loading is a
 * copy. Above the highest segment the builder places, each starting on a
 * page boundary:
 *
 *   the ramdisk (if any) -> start_info -> boot page tables -> boot stack
 *   -> xenstore ring
 *
 * and tells the guest where the free memory starts (first_free_pfn). The
 * page tables map the whole physmap with 4 KiB pages, read-write, and
 * no-execute except for the pages of the kernel's executable segments.
 *
 * The image comes from the user: every field is checked before use, and
 * every sum is checked for overflow before it is compared.
 */

#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <pvisor/hypercall.h>

#include "builder.h"
#include "runner.h"

#define PAGE_SIZE	BUILDER_PAGE_SIZE
#define PTRS_PER_TABLE	512ULL
/* More program headers than any sane kernel has; bounds the checks. */
#define MAX_PHDRS	64

/* One PT_LOAD segment, as window addresses. */
struct segment {
	uint64_t start, end;		/* [start, end), end = start + memsz */
	uint64_t offset, filesz;
	bool exec;
};

struct image {
	struct segment seg[MAX_PHDRS];
	unsigned int nr;
	uint64_t entry;
	uint64_t end_pfn;		/* first pfn above every segment */
};

/* About 2 KiB: kept off the stack; pvrun builds one domain, once. */
static struct image image;

static uint64_t pages_for(uint64_t bytes)
{
	return bytes / PAGE_SIZE + (bytes % PAGE_SIZE != 0);
}

static uint64_t pfn_to_va(uint64_t pfn)
{
	return PVISOR_WINDOW_BASE + pfn * PAGE_SIZE;
}

static int check_header(const Elf64_Ehdr *eh, size_t len)
{
	if (len < SELFMAG || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		runner_error("kernel: not an ELF file");
		return -EINVAL;
	}
	if (len < sizeof(*eh)) {
		runner_error("kernel: truncated ELF header (%zu bytes)", len);
		return -EINVAL;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
		runner_error("kernel: not a 64-bit ELF file (class %u)",
			     eh->e_ident[EI_CLASS]);
		return -EINVAL;
	}
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT) {
		runner_error("kernel: not a little-endian ELF version 1 file");
		return -EINVAL;
	}
	if (eh->e_machine != EM_X86_64) {
		runner_error("kernel: not an x86-64 ELF file (machine %u)",
			     eh->e_machine);
		return -EINVAL;
	}
	if (eh->e_type != ET_EXEC) {
		runner_error("kernel: not an executable (ELF type %u); link "
			     "it static, not PIE, inside the guest window",
			     eh->e_type);
		return -EINVAL;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
		runner_error("kernel: unexpected program header size %u",
			     eh->e_phentsize);
		return -EINVAL;
	}
	if (eh->e_phnum == 0 || eh->e_phnum > MAX_PHDRS) {
		runner_error("kernel: %u program headers (1-%d allowed)",
			     eh->e_phnum, MAX_PHDRS);
		return -EINVAL;
	}
	/* e_phnum is small, so only the offset can overflow. */
	if (eh->e_phoff > len ||
	    len - eh->e_phoff < (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)) {
		runner_error("kernel: truncated file: program headers beyond "
			     "its end");
		return -EINVAL;
	}
	if (eh->e_phoff % 8) {
		runner_error("kernel: misaligned program headers");
		return -EINVAL;
	}
	return 0;
}

static int add_segment(struct image *img, const Elf64_Phdr *ph, size_t len,
		       uint64_t mem_bytes)
{
	const uint64_t base = PVISOR_WINDOW_BASE;
	struct segment *s;
	unsigned int i;

	if (ph->p_filesz > ph->p_memsz) {
		runner_error("kernel: segment at 0x%llx has more file than "
			     "memory bytes", (unsigned long long)ph->p_vaddr);
		return -EINVAL;
	}
	if (ph->p_offset > len || len - ph->p_offset < ph->p_filesz) {
		runner_error("kernel: truncated file: segment at 0x%llx "
			     "reaches beyond its end",
			     (unsigned long long)ph->p_vaddr);
		return -EINVAL;
	}
	if (ph->p_vaddr < base || ph->p_vaddr - base >= PVISOR_WINDOW_SIZE) {
		runner_error("kernel: segment at 0x%llx lies outside the guest "
			     "window [0x%llx, 0x%llx): link the kernel inside it",
			     (unsigned long long)ph->p_vaddr,
			     (unsigned long long)base,
			     (unsigned long long)(base + PVISOR_WINDOW_SIZE));
		return -EINVAL;
	}
	if (ph->p_memsz > mem_bytes ||
	    ph->p_vaddr - base > mem_bytes - ph->p_memsz) {
		runner_error("kernel: segment [0x%llx, +0x%llx) does not fit in "
			     "the domain's %llu KiB of memory (the physmap ends "
			     "at 0x%llx)", (unsigned long long)ph->p_vaddr,
			     (unsigned long long)ph->p_memsz,
			     (unsigned long long)(mem_bytes / 1024),
			     (unsigned long long)(base + mem_bytes));
		return -ENOSPC;
	}

	s = &img->seg[img->nr];
	s->start = ph->p_vaddr;
	s->end = ph->p_vaddr + ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->exec = ph->p_flags & PF_X;
	for (i = 0; i < img->nr; i++) {
		const struct segment *o = &img->seg[i];

		if (s->start < o->end && o->start < s->end) {
			runner_error("kernel: segments at 0x%llx and 0x%llx "
				     "overlap", (unsigned long long)o->start,
				     (unsigned long long)s->start);
			return -EINVAL;
		}
	}
	img->nr++;
	if (pages_for(s->end - base) > img->end_pfn)
		img->end_pfn = pages_for(s->end - base);
	return 0;
}

static int parse_image(const void *kernel, size_t len, uint64_t nr_pages,
		       struct image *img)
{
	const Elf64_Ehdr *eh = kernel;
	const Elf64_Phdr *ph;
	bool entry_ok = false;
	unsigned int i;
	int ret;

	ret = check_header(eh, len);
	if (ret)
		return ret;

	memset(img, 0, sizeof(*img));
	ph = (const Elf64_Phdr *)((const char *)kernel + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		switch (ph[i].p_type) {
		case PT_LOAD:
			if (!ph[i].p_memsz)
				break;
			ret = add_segment(img, &ph[i], len,
					  nr_pages * PAGE_SIZE);
			if (ret)
				return ret;
			break;
		case PT_INTERP:
		case PT_DYNAMIC:
			runner_error("kernel: dynamically linked; a guest "
				     "kernel must be static");
			return -EINVAL;
		case PT_TLS:
			runner_error("kernel: has thread-local storage, which "
				     "a guest kernel cannot use");
			return -EINVAL;
		default:
			break;		/* notes, GNU_STACK and the like */
		}
	}
	if (!img->nr) {
		runner_error("kernel: nothing to load (no PT_LOAD segment)");
		return -EINVAL;
	}

	img->entry = eh->e_entry;
	for (i = 0; i < img->nr; i++)
		if (img->seg[i].exec && img->entry >= img->seg[i].start &&
		    img->entry < img->seg[i].end)
			entry_ok = true;
	if (!entry_ok) {
		runner_error("kernel: entry point 0x%llx is not in an "
			     "executable segment",
			     (unsigned long long)img->entry);
		return -EINVAL;
	}
	return 0;
}

static void load_image(void *mem, const void *kernel, const struct image *img)
{
	unsigned int i;

	for (i = 0; i < img->nr; i++) {
		const struct segment *s = &img->seg[i];
		char *dst = (char *)mem + (s->start - PVISOR_WINDOW_BASE);

		memcpy(dst, (const char *)kernel + s->offset, s->filesz);
		/* bss: the memory is fresh, but say what the guest relies on. */
		memset(dst + s->filesz, 0, s->end - s->start - s->filesz);
	}
}

/* Frames needed to map @nr_pages pages from a 512 GiB aligned address. */
static uint64_t table_frames(uint64_t nr_pages)
{
	uint64_t pt = pages_for(nr_pages * 8);
	uint64_t pd = pages_for(pt * 8);
	uint64_t pdpt = pages_for(pd * 8);

	return pt + pd + pdpt + 1;
}

static bool page_is_exec(const struct image *img, uint64_t pfn)
{
	uint64_t va = pfn_to_va(pfn);
	unsigned int i;

	for (i = 0; i < img->nr; i++)
		if (img->seg[i].exec && va + PAGE_SIZE > img->seg[i].start &&
		    va < img->seg[i].end)
			return true;
	return false;
}

/*
 * The tables sit in frames [first, first + table_frames): the top table
 * first, then the PDPTs, the PDs and the PTs, each level in address
 * order, so table k of a level maps the k-th slice of the physmap.
 */
static void build_tables(void *mem, uint64_t nr_pages, uint64_t first,
			 const struct image *img)
{
	const uint64_t table = PVISOR_PTE_PRESENT | PVISOR_PTE_RW;
	uint64_t nr_pt = pages_for(nr_pages * 8);
	uint64_t nr_pd = pages_for(nr_pt * 8);
	uint64_t nr_pdpt = pages_for(nr_pd * 8);
	uint64_t pml4 = first, pdpt = pml4 + 1, pd = pdpt + nr_pdpt;
	uint64_t pt = pd + nr_pd;
	uint64_t *e = mem;
	/* Slot of the physmap in the top table: the window is aligned. */
	uint64_t top = (PVISOR_WINDOW_BASE >> 39) & (PTRS_PER_TABLE - 1);
	uint64_t i;

	memset((char *)mem + first * PAGE_SIZE, 0,
	       table_frames(nr_pages) * PAGE_SIZE);
	for (i = 0; i < nr_pdpt; i++)
		e[pml4 * 512 + top + i] = ((pdpt + i) << 12) | table;
	for (i = 0; i < nr_pd; i++)
		e[pdpt * 512 + i] = ((pd + i) << 12) | table;
	for (i = 0; i < nr_pt; i++)
		e[pd * 512 + i] = ((pt + i) << 12) | table;
	for (i = 0; i < nr_pages; i++)
		e[pt * 512 + i] = (i << 12) | table |
				  (page_is_exec(img, i) ? 0 : PVISOR_PTE_NX);
}

int builder_build(void *mem, uint64_t nr_pages, const struct builder_input *in,
		  struct builder_output *out)
{
	uint64_t ramdisk_pfn, si_pfn, pt_pfn, nr_pt, stack_pfn, store_pfn;
	uint64_t free_pfn;
	struct pvisor_start_info *si;
	struct image *img;
	size_t cmdline_len;
	int ret;

	/* The physmap must leave the hypercall page alone. */
	if (nr_pages >= PVISOR_WINDOW_SIZE / PAGE_SIZE) {
		runner_error("%llu pages of memory do not fit in the guest "
			     "window", (unsigned long long)nr_pages);
		return -EINVAL;
	}
	cmdline_len = in->cmdline ? strlen(in->cmdline) : 0;
	if (cmdline_len >= PVISOR_CMDLINE_MAX) {
		runner_error("command line too long (%zu bytes, at most %d)",
			     cmdline_len, PVISOR_CMDLINE_MAX - 1);
		return -EINVAL;
	}

	img = &image;
	ret = parse_image(in->kernel, in->kernel_len, nr_pages, img);
	if (ret)
		return ret;

	/* Everything below is in pfns, far from overflowing. */
	ramdisk_pfn = img->end_pfn;
	si_pfn = ramdisk_pfn + pages_for(in->ramdisk ? in->ramdisk_len : 0);
	pt_pfn = si_pfn + 1;
	nr_pt = table_frames(nr_pages);
	stack_pfn = pt_pfn + nr_pt;
	store_pfn = stack_pfn + BUILDER_STACK_PAGES;
	free_pfn = store_pfn + 1;
	if (free_pfn > nr_pages) {
		runner_error("too little memory: the kernel, ramdisk, start_info, "
			     "page tables, boot stack and xenstore ring need "
			     "%llu KiB, the "
			     "domain has %llu KiB",
			     (unsigned long long)(free_pfn * PAGE_SIZE / 1024),
			     (unsigned long long)(nr_pages * PAGE_SIZE / 1024));
		return -ENOSPC;
	}

	load_image(mem, in->kernel, img);
	if (in->ramdisk && in->ramdisk_len)
		memcpy((char *)mem + ramdisk_pfn * PAGE_SIZE, in->ramdisk,
		       in->ramdisk_len);

	si = (struct pvisor_start_info *)((char *)mem + si_pfn * PAGE_SIZE);
	memset(si, 0, PAGE_SIZE);
	memcpy(si->magic, PVISOR_START_MAGIC, sizeof(PVISOR_START_MAGIC));
	si->nr_pages = nr_pages;
	si->pt_base = pfn_to_va(pt_pfn);
	si->nr_pt_frames = nr_pt;
	si->first_free_pfn = free_pfn;
	if (in->ramdisk) {
		si->mod_start = pfn_to_va(ramdisk_pfn);
		si->mod_len = in->ramdisk_len;
	}
	si->nr_vcpus = in->nr_vcpus;
	if (cmdline_len)
		memcpy(si->cmd_line, in->cmdline, cmdline_len);

	build_tables(mem, nr_pages, pt_pfn, img);
	memset((char *)mem + stack_pfn * PAGE_SIZE, 0,
	       BUILDER_STACK_PAGES * PAGE_SIZE);
	/* An empty ring; its port comes later (builder_set_store_evtchn). */
	memset((char *)mem + store_pfn * PAGE_SIZE, 0, PAGE_SIZE);
	si->store_mfn = store_pfn;

	out->entry = img->entry;
	/* The stack grows down from its own last page: the ring is above. */
	out->stack_top = pfn_to_va(store_pfn);
	out->start_info = pfn_to_va(si_pfn);
	out->pt_base_pfn = pt_pfn;
	out->first_free_pfn = free_pfn;
	out->start_info_pfn = si_pfn;
	out->store_pfn = store_pfn;
	return 0;
}

void builder_set_store_evtchn(void *mem, const struct builder_output *out,
			      uint32_t port)
{
	struct pvisor_start_info *si = (struct pvisor_start_info *)
		((char *)mem + out->start_info_pfn * PAGE_SIZE);

	si->store_evtchn = port;
}
