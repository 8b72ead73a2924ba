/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minnow's grant table (uapi/pvisor/grant.h, Documentation/
 * grant-tables.rst): one frame of its own memory, 512 entries, handed
 * out one by one to the frontends. Refs 0..7 are never handed out
 * (Xen keeps its first ones reserved too), so a test may use them.
 */
#ifndef MINNOW_GNTTAB_H
#define MINNOW_GNTTAB_H

#include <pvisor/grant.h>

#include "lib.h"

#define GNTTAB_NR_REFS		PVISOR_GRANT_ENTRIES_PER_FRAME
#define GNTTAB_FIRST_FREE	8
#define GNTTAB_NO_REF		(~0U)

/* Set the table up (SETUP_TABLE); 0 or a negative errno. Once. */
long gnttab_init(void);

/* Grant @pfn to domain @domid (0: Domain0), read-only if @ro: the ref,
 * or GNTTAB_NO_REF when the table is full. */
u32 gnttab_grant(u16 domid, u64 pfn, bool ro);

/*
 * End a grant the way Xen's Linux does: its flags to 0, but only while
 * neither GTF_READING nor GTF_WRITING is set. true once ended (the ref
 * may be granted again); false while someone still uses it.
 */
bool gnttab_end(u32 ref);

/* The entry's flags now (the module sets the in-use bits). */
u16 gnttab_flags(u32 ref);

/* Write an entry as a hostile guest would, for the tests. */
void gnttab_set(u32 ref, u16 domid, u64 pfn, u16 flags);

#endif /* MINNOW_GNTTAB_H */
