// SPDX-License-Identifier: GPL-2.0
/*
 * Starting a program (exec.h): the ramdisk's cpio archive, the ELF
 * loader and the initial stack.
 *
 * Everything read from the ramdisk is checked as hostile input: header
 * fields, sizes against the archive's end, program headers against the
 * file and the user window.
 */

#include <linux/errno.h>
#include <pvisor/hypercall.h>

#include "exec.h"
#include "time.h"

/* newc: "070701", then 13 fields of 8 hex digits. */
#define CPIO_HDR	110
#define CPIO_F_SIZE	6
#define CPIO_F_NAMESIZE	11

static u64 align4(u64 v)
{
	return (v + 3) & ~3ULL;
}

static bool hex_field(const u8 *h, unsigned int field, u64 *out)
{
	const u8 *p = h + 6 + field * 8;
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 c = p[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

long ramdisk_find(const char *name, const u8 **data, u64 *len)
{
	const u8 *base = (const u8 *)start_info->mod_start;
	u64 size = start_info->mod_len, off = 0;

	if (!base || !size)
		return -EINVAL;
	while (off + CPIO_HDR <= size) {
		const u8 *h = base + off;
		u64 namesize, filesize, name_off, data_off;
		const char *n;

		if (memcmp(h, "070701", 6) ||
		    !hex_field(h, CPIO_F_SIZE, &filesize) ||
		    !hex_field(h, CPIO_F_NAMESIZE, &namesize) || !namesize)
			return -EINVAL;
		name_off = off + CPIO_HDR;
		data_off = align4(name_off + namesize);
		if (namesize > size - name_off || data_off > size ||
		    filesize > size - data_off)
			return -EINVAL;
		n = (const char *)base + name_off;
		if (n[namesize - 1])
			return -EINVAL;
		if (!strcmp(n, "TRAILER!!!"))
			return -ENOENT;
		if (n[0] == '.' && n[1] == '/')
			n += 2;
		if (!strcmp(n, name)) {
			*data = base + data_off;
			*len = filesize;
			return 0;
		}
		off = align4(data_off + filesize);
	}
	return -EINVAL;
}

/* The parts of ELF64 the loader reads. */
struct elf64_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};

#define ET_EXEC		2
#define EM_X86_64	62
#define PT_LOAD		1
#define PT_INTERP	3
#define PF_X		1
#define PF_W		2
#define PF_R		4
#define MAX_PHDRS	32

#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_SECURE	23
#define AT_RANDOM	25
#define AT_EXECFN	31

static u64 page_up(u64 a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static u32 prot_of(u32 pflags)
{
	u32 prot = UVM_READ;

	if (pflags & PF_W)
		prot |= UVM_WRITE;
	if (pflags & PF_X)
		prot |= UVM_EXEC;
	return prot;
}

/* One PT_LOAD: its region, then its file bytes (the rest is zero). */
static long load_segment(struct uvm *vm, const u8 *file, u64 flen,
			 const struct elf64_phdr *ph)
{
	u64 start = ph->vaddr & ~(PAGE_SIZE - 1), end;
	long ret;

	if (ph->filesz > ph->memsz || ph->offset > flen ||
	    ph->filesz > flen - ph->offset ||
	    ph->vaddr < PVISOR_USER_BASE || ph->memsz > PVISOR_USER_TOP ||
	    ph->vaddr > PVISOR_USER_TOP - ph->memsz)
		return -ENOEXEC;
	end = page_up(ph->vaddr + ph->memsz);
	if (end > UVM_MMAP_BASE)
		return -ENOEXEC;
	ret = uvm_add_region(vm, start, end, prot_of(ph->flags));
	if (ret)
		return ret == -EINVAL ? -ENOEXEC : ret;
	return uvm_load(vm, ph->vaddr, file + ph->offset, ph->filesz);
}

/* Where the program headers are in the loaded image, for AT_PHDR. */
static u64 phdr_address(const struct elf64_ehdr *eh,
			const struct elf64_phdr *ph)
{
	unsigned int i;

	for (i = 0; i < eh->phnum; i++)
		if (ph[i].type == PT_LOAD && eh->phoff >= ph[i].offset &&
		    eh->phoff < ph[i].offset + ph[i].filesz)
			return ph[i].vaddr + (eh->phoff - ph[i].offset);
	return 0;
}

static long load_elf(struct uvm *vm, const u8 *file, u64 flen,
		     u64 *entry, u64 auxv_out[3], u64 *brk)
{
	const struct elf64_ehdr *eh = (const void *)file;
	const struct elf64_phdr *ph;
	unsigned int i, loads = 0;
	u64 top = 0;
	long ret;

	if (flen < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) ||
	    eh->ident[4] != 2 || eh->ident[5] != 1 || eh->type != ET_EXEC ||
	    eh->machine != EM_X86_64 || eh->phentsize != sizeof(*ph) ||
	    !eh->phnum || eh->phnum > MAX_PHDRS || eh->phoff > flen ||
	    (u64)eh->phnum * sizeof(*ph) > flen - eh->phoff ||
	    eh->phoff % 8)
		return -ENOEXEC;
	ph = (const void *)(file + eh->phoff);
	for (i = 0; i < eh->phnum; i++) {
		if (ph[i].type == PT_INTERP)
			return -ENOEXEC;	/* static programs only */
		if (ph[i].type != PT_LOAD || !ph[i].memsz)
			continue;
		ret = load_segment(vm, file, flen, &ph[i]);
		if (ret)
			return ret;
		if (page_up(ph[i].vaddr + ph[i].memsz) > top)
			top = page_up(ph[i].vaddr + ph[i].memsz);
		loads++;
	}
	if (!loads || eh->entry < PVISOR_USER_BASE || eh->entry >= top)
		return -ENOEXEC;
	*entry = eh->entry;
	*brk = top;
	auxv_out[0] = phdr_address(eh, ph);
	auxv_out[1] = sizeof(*ph);
	auxv_out[2] = eh->phnum;
	return 0;
}

/*
 * The initial stack, built in a kernel buffer and loaded at the top of
 * the stack region: strings at the top, then 16 random bytes, then
 * (16-byte aligned, from rsp up) argc, argv[], NULL, envp NULL, auxv.
 */
#define STACK_IMAGE	2048

static u64 mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static long build_stack(struct uvm *vm, int argc, const char *const *argv,
			u64 entry, const u64 phdr[3], u64 *rsp)
{
	u64 image[STACK_IMAGE / 8];
	u8 *bytes = (u8 *)image;
	u64 top = UVM_STACK_TOP, str = STACK_IMAGE, argp[EXEC_MAX_ARGS];
	u64 random_at, execfn = 0, words, sp, *w;
	int i;

	if (argc < 1 || argc > EXEC_MAX_ARGS)
		return -E2BIG;
	for (i = argc - 1; i >= 0; i--) {
		u64 n = strlen(argv[i]) + 1;

		if (n > str - 512)
			return -E2BIG;
		str -= n;
		memcpy(bytes + str, argv[i], n);
		argp[i] = top - STACK_IMAGE + str;
	}
	execfn = argp[0];
	str = (str - 16) & ~15ULL;
	for (i = 0; i < 2; i++) {
		u64 r = mix(rdtsc_ordered() + (u64)i * 0x9e3779b97f4a7c15ULL +
			    monotonic_ns());

		memcpy(bytes + str + i * 8, &r, 8);
	}
	random_at = top - STACK_IMAGE + str;

	/* argc, argv + NULL, envp NULL, 12 auxv pairs + AT_NULL. */
	words = 1 + (u64)argc + 1 + 1 + 2 * 13;
	sp = (str - words * 8) & ~15ULL;
	w = (u64 *)(bytes + sp);
	*w++ = (u64)argc;
	for (i = 0; i < argc; i++)
		*w++ = argp[i];
	*w++ = 0;
	*w++ = 0;
#define AUX(k, v) do { *w++ = (k); *w++ = (v); } while (0)
	AUX(AT_PHDR, phdr[0]);
	AUX(AT_PHENT, phdr[1]);
	AUX(AT_PHNUM, phdr[2]);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_ENTRY, entry);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, random_at);
	AUX(AT_EXECFN, execfn);
	AUX(AT_NULL, 0);
#undef AUX
	*rsp = top - STACK_IMAGE + sp;
	return uvm_load(vm, *rsp, bytes + sp, STACK_IMAGE - sp);
}

long exec_load(struct uvm *vm, const char *name, int argc,
	       const char *const *argv, u64 *entry, u64 *rsp)
{
	const u8 *file;
	u64 flen, phdr[3], brk;
	long ret;

	ret = ramdisk_find(name, &file, &flen);
	if (ret)
		return ret == -EINVAL ? -ENOEXEC : ret;
	ret = load_elf(vm, file, flen, entry, phdr, &brk);
	if (ret)
		return ret;
	vm->brk_start = vm->brk = brk;
	ret = uvm_add_region(vm, UVM_STACK_TOP - UVM_STACK_SIZE, UVM_STACK_TOP,
			     UVM_READ | UVM_WRITE);
	if (ret)
		return ret;
	return build_stack(vm, argc, argv, *entry, phdr, rsp);
}
