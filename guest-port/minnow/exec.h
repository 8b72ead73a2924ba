/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starting a program: the ramdisk is a newc cpio archive of static
 * x86-64 ELF executables (Documentation/minnow-user-mode.rst); a program
 * is loaded into a fresh address space with the stack the System V ABI
 * describes (argc, argv, envp, auxv with AT_PAGESZ, AT_RANDOM, AT_PHDR,
 * AT_ENTRY...), so that the binary behaves as under Linux.
 */
#ifndef MINNOW_EXEC_H
#define MINNOW_EXEC_H

#include "lib.h"
#include "uvm.h"

#define EXEC_MAX_ARGS	16

/*
 * The file @name of the ramdisk (a leading "./" in the archive is
 * ignored). Returns 0 with *data and *len, -ENOENT, or -EINVAL (no
 * ramdisk, or a damaged archive).
 */
long ramdisk_find(const char *name, const u8 **data, u64 *len);

/*
 * Load @name from the ramdisk into @vm (created, empty) and build its
 * stack with @argv (@argc strings, argv[0] the program's name). Returns 0
 * with the entry point and the initial rsp, -ENOENT, -ENOEXEC (not a
 * static x86-64 executable inside the user window), -E2BIG (arguments
 * too long) or -ENOMEM.
 */
long exec_load(struct uvm *vm, const char *name, int argc,
	       const char *const *argv, u64 *entry, u64 *rsp);

#endif /* MINNOW_EXEC_H */
