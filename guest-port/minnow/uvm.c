// SPDX-License-Identifier: GPL-2.0
/*
 * Process address spaces (uvm.h): page tables, regions, demand paging
 * and copy-on-write.
 *
 * A fault from user code arrives as PVISOR_EXIT_FAULT only when the
 * process's own tables refuse the access (the module fills everything
 * they allow), so uvm_fault() sees two cases: an entry that is not
 * there (fill it if a region covers the address), and a write to a
 * present read-only entry (break COW if it is one). Anything else is the
 * process's own bad access.
 */

#include <linux/errno.h>
#include <pvisor/context.h>
#include <pvisor/hypercall.h>

#include "events.h"
#include "hypercall.h"
#include "mm.h"
#include "uvm.h"

#define PTRS		512
/* The top-table slots of the user window: 0-31 (16 TiB). */
#define USER_SLOTS	(PVISOR_USER_TOP >> 39)
#define TABLE_BITS	(PVISOR_PTE_PRESENT | PVISOR_PTE_RW | PVISOR_PTE_USER)
/* An available bit: the page is shared copy-on-write. */
#define PTE_COW		(1ULL << 9)
#define PTE_ACCESSED	(1ULL << 5)
#define PTE_DIRTY	(1ULL << 6)

/* Page-fault error code bits. */
#define PF_P		0x1
#define PF_W		0x2
#define PF_I		0x10

static u16 *frame_refs;		/* per guest pfn: tables holding it */
static u64 nr_user_pages;

static u64 page_down(u64 a)
{
	return a & ~(PAGE_SIZE - 1);
}

static u64 *table(u64 pfn)
{
	return pfn_to_virt(pfn);
}

static u64 entry_pfn(u64 e)
{
	return (e & PVISOR_PTE_PFN_MASK) >> PAGE_SHIFT;
}

static unsigned int index_of(u64 va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (PTRS - 1);
}

long uvm_init(void)
{
	u64 bytes = mm_nr_pages() * sizeof(u16);
	u64 n = 1, pfn;

	while (n * PAGE_SIZE < bytes)
		n <<= 1;
	pfn = alloc_pages_aligned(n);
	if (pfn == MM_NO_PAGE)
		return -ENOMEM;
	frame_refs = pfn_to_virt(pfn);
	return 0;
}

u64 uvm_user_pages(void)
{
	return nr_user_pages;
}

static u64 new_user_page(struct uvm *vm)
{
	u64 pfn = alloc_page_pfn();

	if (pfn == MM_NO_PAGE)
		return pfn;
	frame_refs[pfn] = 1;
	vm->pages++;
	__atomic_add_fetch(&nr_user_pages, 1, __ATOMIC_RELAXED);
	return pfn;
}

/* One table fewer holds @pfn; the last one frees it. */
static void put_user_page(struct uvm *vm, u64 pfn)
{
	vm->pages--;
	if (__atomic_sub_fetch(&frame_refs[pfn], 1, __ATOMIC_ACQ_REL) == 0) {
		free_page_pfn(pfn);
		__atomic_sub_fetch(&nr_user_pages, 1, __ATOMIC_RELAXED);
	}
}

static long ctx_op(u32 cmd, const void *arg)
{
	return hypercall2(PVISOR_HC_CONTEXT_OP, cmd, arg);
}

static void flush(struct uvm *vm, u64 va, u64 len)
{
	struct pvisor_ctx_flush f = { .id = vm->ctx_id, .va = va, .len = len };

	if (vm->ctx_id)
		ctx_op(PVISOR_CTXOP_FLUSH, &f);
}

long uvm_create(struct uvm *vm)
{
	struct pvisor_ctx_create c = { 0 };
	u64 *top, *kernel;
	unsigned int i;
	long ret;

	memset(vm, 0, sizeof(*vm));
	vm->top_pfn = alloc_page_pfn();
	if (vm->top_pfn == MM_NO_PAGE)
		return -ENOMEM;
	top = table(vm->top_pfn);
	kernel = table(mm_top_pfn());
	/* minnow's window, supervisor only: the user never reaches it. */
	for (i = USER_SLOTS; i < PTRS; i++)
		top[i] = kernel[i] & ~PVISOR_PTE_USER;
	c.pt_base_pfn = vm->top_pfn;
	ret = ctx_op(PVISOR_CTXOP_CREATE, &c);
	if (ret) {
		free_page_pfn(vm->top_pfn);
		vm->top_pfn = MM_NO_PAGE;
		return ret;
	}
	vm->ctx_id = c.id;
	return 0;
}

/*
 * The leaf entry for @va, allocating missing tables when @alloc.
 * NULL when a table is missing (or memory ran out). Called with the lock.
 */
static u64 *leaf(struct uvm *vm, u64 va, bool alloc)
{
	u64 t = vm->top_pfn;
	int level;

	for (level = 4; level > 1; level--) {
		u64 *e = &table(t)[index_of(va, level)];

		if (!(*e & PVISOR_PTE_PRESENT)) {
			u64 n;

			if (!alloc)
				return NULL;
			n = alloc_page_pfn();
			if (n == MM_NO_PAGE)
				return NULL;
			*e = (n << PAGE_SHIFT) | TABLE_BITS;
		}
		t = entry_pfn(*e);
	}
	return &table(t)[index_of(va, 1)];
}

static u64 prot_bits(u32 prot)
{
	u64 bits = PVISOR_PTE_PRESENT | PVISOR_PTE_USER;

	if (prot & UVM_WRITE)
		bits |= PVISOR_PTE_RW;
	if (!(prot & UVM_EXEC))
		bits |= PVISOR_PTE_NX;
	return bits;
}

static struct uvm_region *find_region(struct uvm *vm, u64 va)
{
	unsigned int i;

	for (i = 0; i < UVM_MAX_REGIONS; i++)
		if (vm->regions[i].end && va >= vm->regions[i].start &&
		    va < vm->regions[i].end)
			return &vm->regions[i];
	return NULL;
}

static bool range_ok(u64 start, u64 end)
{
	return !(start % PAGE_SIZE) && !(end % PAGE_SIZE) && start < end &&
	       start >= PVISOR_USER_BASE && end <= PVISOR_USER_TOP;
}

static bool overlaps(struct uvm *vm, u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < UVM_MAX_REGIONS; i++)
		if (vm->regions[i].end && start < vm->regions[i].end &&
		    vm->regions[i].start < end)
			return true;
	return false;
}

static struct uvm_region *free_slot(struct uvm *vm)
{
	unsigned int i;

	for (i = 0; i < UVM_MAX_REGIONS; i++)
		if (!vm->regions[i].end)
			return &vm->regions[i];
	return NULL;
}

long uvm_add_region(struct uvm *vm, u64 start, u64 end, u32 prot)
{
	unsigned long flags;
	struct uvm_region *r;
	long ret = 0;

	if (!range_ok(start, end))
		return -EINVAL;
	flags = local_irq_save();
	spin_lock(&vm->lock);
	if (overlaps(vm, start, end)) {
		ret = -EINVAL;
	} else if (!(r = free_slot(vm))) {
		ret = -ENOMEM;
	} else {
		r->start = start;
		r->end = end;
		r->prot = prot;
	}
	spin_unlock(&vm->lock);
	local_irq_restore(flags);
	return ret;
}

u64 uvm_find_gap(struct uvm *vm, u64 len)
{
	u64 start = UVM_MMAP_BASE;
	unsigned long flags;
	unsigned int i;
	bool moved;

	flags = local_irq_save();
	spin_lock(&vm->lock);
	do {
		moved = false;
		for (i = 0; i < UVM_MAX_REGIONS; i++) {
			struct uvm_region *r = &vm->regions[i];

			if (r->end && start < r->end && r->start < start + len) {
				start = r->end;
				moved = true;
			}
		}
	} while (moved && start + len <= UVM_STACK_TOP - UVM_STACK_SIZE);
	spin_unlock(&vm->lock);
	local_irq_restore(flags);
	return start + len <= UVM_STACK_TOP - UVM_STACK_SIZE ? start : 0;
}

static u64 page_up(u64 a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* The heap's region: the one starting at brk_start, if it has pages. */
static struct uvm_region *heap_region(struct uvm *vm)
{
	unsigned int i;

	for (i = 0; i < UVM_MAX_REGIONS; i++)
		if (vm->regions[i].end && vm->regions[i].start == vm->brk_start)
			return &vm->regions[i];
	return NULL;
}

u64 uvm_brk(struct uvm *vm, u64 addr)
{
	u64 old_end = page_up(vm->brk), new_end = page_up(addr);
	struct uvm_region *heap;
	long ret = 0;

	if (addr < vm->brk_start || addr - vm->brk_start > UVM_BRK_MAX)
		return vm->brk;
	if (new_end > old_end) {
		unsigned long flags = local_irq_save();

		spin_lock(&vm->lock);
		heap = heap_region(vm);
		if (overlaps(vm, old_end, new_end))
			ret = -ENOMEM;
		else if (heap)
			heap->end = new_end;
		else if ((heap = free_slot(vm)))
			*heap = (struct uvm_region){ vm->brk_start, new_end,
						     UVM_READ | UVM_WRITE };
		else
			ret = -ENOMEM;
		spin_unlock(&vm->lock);
		local_irq_restore(flags);
	} else if (new_end < old_end) {
		ret = uvm_unmap(vm, new_end, old_end);
	}
	if (!ret)
		vm->brk = addr;
	return vm->brk;
}

/* Drop the pages of [start, end); called with the lock. */
static void unmap_pages(struct uvm *vm, u64 start, u64 end)
{
	u64 va;

	for (va = start; va < end; va += PAGE_SIZE) {
		u64 *e = leaf(vm, va, false);

		if (!e) {
			/* A whole missing last-level table: skip it. */
			va = (va | ((PTRS * PAGE_SIZE) - 1)) + 1 - PAGE_SIZE;
			continue;
		}
		if (*e & PVISOR_PTE_PRESENT) {
			u64 pfn = entry_pfn(*e);

			*e = 0;
			put_user_page(vm, pfn);
		}
	}
}

long uvm_unmap(struct uvm *vm, u64 start, u64 end)
{
	unsigned long flags;
	unsigned int i;
	long ret = 0;

	if (!range_ok(start, end))
		return -EINVAL;
	flags = local_irq_save();
	spin_lock(&vm->lock);
	/* A region split in two needs a slot: look before changing anything. */
	for (i = 0; i < UVM_MAX_REGIONS; i++) {
		struct uvm_region *r = &vm->regions[i];

		if (r->end && r->start < start && r->end > end && !free_slot(vm))
			ret = -EINVAL;
	}
	for (i = 0; !ret && i < UVM_MAX_REGIONS; i++) {
		struct uvm_region *r = &vm->regions[i];

		if (!r->end || end <= r->start || start >= r->end)
			continue;
		if (r->start < start && r->end > end) {
			struct uvm_region *tail = free_slot(vm);

			*tail = *r;
			tail->start = end;
			r->end = start;
		} else if (r->start < start) {
			r->end = start;
		} else if (r->end > end) {
			r->start = end;
		} else {
			r->end = 0;
		}
	}
	if (!ret)
		unmap_pages(vm, start, end);
	spin_unlock(&vm->lock);
	local_irq_restore(flags);
	if (!ret)
		flush(vm, start, end - start);
	return ret;
}

/*
 * Make the page at @va usable for @write (and @exec) as user code would
 * use it: fill, or break COW. Called with the lock; returns 0, -EFAULT,
 * -ENOMEM, or 1 when a present entry changed (the caller flushes).
 */
static long make_usable(struct uvm *vm, u64 va, bool write, bool exec)
{
	struct uvm_region *r = find_region(vm, va);
	u64 *e, pfn, old;

	if (!r || (write && !(r->prot & UVM_WRITE)) ||
	    (exec && !(r->prot & UVM_EXEC)) || !(r->prot & UVM_READ))
		return -EFAULT;
	e = leaf(vm, va, true);
	if (!e)
		return -ENOMEM;
	if (!(*e & PVISOR_PTE_PRESENT)) {
		pfn = new_user_page(vm);
		if (pfn == MM_NO_PAGE)
			return -ENOMEM;
		*e = (pfn << PAGE_SHIFT) | prot_bits(r->prot);
		return 0;
	}
	if (!write || (*e & PVISOR_PTE_RW))
		return 0;
	if (!(*e & PTE_COW))
		return -EFAULT;
	old = entry_pfn(*e);
	if (__atomic_load_n(&frame_refs[old], __ATOMIC_ACQUIRE) == 1) {
		/* The last holder takes the page back. */
		*e = (*e & ~PTE_COW) | PVISOR_PTE_RW;
		return 1;
	}
	pfn = new_user_page(vm);
	if (pfn == MM_NO_PAGE)
		return -ENOMEM;
	memcpy(pfn_to_virt(pfn), pfn_to_virt(old), PAGE_SIZE);
	*e = (pfn << PAGE_SHIFT) | prot_bits(r->prot);
	put_user_page(vm, old);
	return 1;
}

/*
 * Fault-around. A process's first touch of a page costs a whole exit to
 * minnow and back, so a fill also fills the next FAULT_AROUND - 1 pages
 * when they lie in the same region and the same leaf table and have
 * never been there: a process walking fresh memory takes one exit per
 * FAULT_AROUND pages. Those entries were not present, so they need no
 * flush; the run stops at the first present entry, and quietly when no
 * page can be had (only the faulting page's own fill is an error). The
 * price is up to FAULT_AROUND - 1 pages a process did not touch.
 */
#define FAULT_AROUND	8
#define LEAF_SPAN	(PTRS * PAGE_SIZE)

static void fault_around(struct uvm *vm, u64 va)
{
	struct uvm_region *r = find_region(vm, va);
	u64 *e = leaf(vm, va, false);
	u64 end, pfn;
	unsigned int n;

	if (!r || !e)
		return;
	end = (va & ~(LEAF_SPAN - 1)) + LEAF_SPAN;
	if (end > r->end)
		end = r->end;
	for (n = 1, va = page_down(va) + PAGE_SIZE, e++;
	     n < FAULT_AROUND && va < end; n++, va += PAGE_SIZE, e++) {
		if (*e & PVISOR_PTE_PRESENT)
			break;
		pfn = new_user_page(vm);
		if (pfn == MM_NO_PAGE)
			break;
		*e = (pfn << PAGE_SHIFT) | prot_bits(r->prot);
	}
}

long uvm_fault(struct uvm *vm, u64 va, u64 error_code)
{
	unsigned long flags;
	long ret;

	if (va < PVISOR_USER_BASE || va >= PVISOR_USER_TOP)
		return -EFAULT;
	flags = local_irq_save();
	spin_lock(&vm->lock);
	ret = make_usable(vm, va, error_code & PF_W, error_code & PF_I);
	/* A present entry that allows the access: a fault for nothing. */
	if (!ret && (error_code & PF_P))
		ret = 1;
	else if (!ret)
		fault_around(vm, va);
	spin_unlock(&vm->lock);
	local_irq_restore(flags);
	if (ret == 1) {
		flush(vm, page_down(va), PAGE_SIZE);
		ret = 0;
	}
	return ret;
}

/*
 * Copy one piece within a page: out of the process, into it with the
 * process's rights (COPY_TO_USER), or into it with the rights of a read
 * (COPY_LOAD: the loader filling read-only segments).
 */
enum copy_dir { COPY_FROM_USER, COPY_TO_USER, COPY_LOAD };

static long copy_page_part(struct uvm *vm, u64 uva, void *kbuf, u64 n,
			   enum copy_dir dir)
{
	bool to_user = dir != COPY_FROM_USER;
	unsigned long flags;
	long ret;
	u64 *e;

	if (uva < PVISOR_USER_BASE || uva >= PVISOR_USER_TOP)
		return -EFAULT;
	flags = local_irq_save();
	spin_lock(&vm->lock);
	ret = make_usable(vm, uva, dir == COPY_TO_USER, false);
	if (ret >= 0) {
		char *page;

		e = leaf(vm, uva, false);
		page = pfn_to_virt(entry_pfn(*e));
		if (to_user) {
			memcpy(page + uva % PAGE_SIZE, kbuf, n);
			*e |= PTE_ACCESSED | PTE_DIRTY;
		} else {
			memcpy(kbuf, page + uva % PAGE_SIZE, n);
			*e |= PTE_ACCESSED;
		}
	}
	spin_unlock(&vm->lock);
	local_irq_restore(flags);
	if (ret == 1) {
		flush(vm, page_down(uva), PAGE_SIZE);
		ret = 0;
	}
	return ret;
}

static long copy_user(struct uvm *vm, u64 uva, void *kbuf, u64 len,
		      enum copy_dir dir)
{
	char *k = kbuf;

	if (uva + len < uva)
		return -EFAULT;
	while (len) {
		u64 n = PAGE_SIZE - uva % PAGE_SIZE;
		long ret;

		if (n > len)
			n = len;
		ret = copy_page_part(vm, uva, k, n, dir);
		if (ret)
			return ret;
		uva += n;
		k += n;
		len -= n;
	}
	return 0;
}

long copy_from_user(struct uvm *vm, void *dst, u64 src, u64 len)
{
	return copy_user(vm, src, dst, len, COPY_FROM_USER);
}

long copy_to_user(struct uvm *vm, u64 dst, const void *src, u64 len)
{
	return copy_user(vm, dst, (void *)src, len, COPY_TO_USER);
}

long uvm_load(struct uvm *vm, u64 dst, const void *src, u64 len)
{
	return copy_user(vm, dst, (void *)src, len, COPY_LOAD);
}

long strncpy_from_user(struct uvm *vm, char *dst, u64 src, u64 max)
{
	u64 i;

	for (i = 0; i < max; i++) {
		long ret = copy_from_user(vm, &dst[i], src + i, 1);

		if (ret)
			return ret;
		if (!dst[i])
			return (long)i;
	}
	return -ENAMETOOLONG;
}

/*
 * Share every present leaf of the tables under @src_t (a table at
 * @level) into @dst_t: writable pages become COW in both. Called with
 * the parent's lock.
 */
static long fork_table(struct uvm *child, struct uvm *parent, u64 src_t,
		       u64 dst_t, int level, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		u64 *s = &table(src_t)[i], *d = &table(dst_t)[i];

		if (!(*s & PVISOR_PTE_PRESENT))
			continue;
		if (level == 1) {
			if (*s & PVISOR_PTE_RW)
				*s = (*s & ~PVISOR_PTE_RW) | PTE_COW;
			*d = *s & ~(PTE_ACCESSED | PTE_DIRTY);
			__atomic_add_fetch(&frame_refs[entry_pfn(*s)], 1,
					   __ATOMIC_RELAXED);
			child->pages++;
		} else {
			u64 n = alloc_page_pfn();
			long ret;

			if (n == MM_NO_PAGE)
				return -ENOMEM;
			*d = (n << PAGE_SHIFT) | TABLE_BITS;
			ret = fork_table(child, parent, entry_pfn(*s), n,
					 level - 1, PTRS);
			if (ret)
				return ret;
		}
	}
	return 0;
}

long uvm_fork(struct uvm *child, struct uvm *parent)
{
	unsigned long flags;
	long ret;

	flags = local_irq_save();
	spin_lock(&parent->lock);
	memcpy(child->regions, parent->regions, sizeof(child->regions));
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	ret = fork_table(child, parent, parent->top_pfn, child->top_pfn, 4,
			 USER_SLOTS);
	spin_unlock(&parent->lock);
	local_irq_restore(flags);
	/* The parent's writable pages turned read-only. */
	flush(parent, 0, 0);
	return ret;
}

/* Free the tables under @t (a table at @level) and drop their pages. */
static void free_table(struct uvm *vm, u64 t, int level, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		u64 e = table(t)[i];

		if (!(e & PVISOR_PTE_PRESENT))
			continue;
		if (level == 1) {
			put_user_page(vm, entry_pfn(e));
		} else {
			free_table(vm, entry_pfn(e), level - 1, PTRS);
			free_page_pfn(entry_pfn(e));
		}
	}
}

void uvm_kill(struct uvm *vm)
{
	if (vm->ctx_id)
		ctx_op(PVISOR_CTXOP_DESTROY, (void *)(u64)vm->ctx_id);
	vm->ctx_id = 0;
}

void uvm_destroy(struct uvm *vm)
{
	uvm_kill(vm);
	if (vm->top_pfn == MM_NO_PAGE || !vm->top_pfn)
		return;
	free_table(vm, vm->top_pfn, 4, USER_SLOTS);
	free_page_pfn(vm->top_pfn);
	vm->top_pfn = MM_NO_PAGE;
}
