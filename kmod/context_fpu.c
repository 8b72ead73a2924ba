// SPDX-License-Identifier: GPL-2.0
/*
 * The FPU/xstate of a context thread: CTXOP_FPU_GET and FPU_SET.
 *
 * Where the user's FPU state lives while a context thread is parked
 * depends on how it parked (user_run.c):
 *
 *  - in CTX_TRAP (a trap report, or a kick between CTX_TRAP's return and
 *    rt_sigreturn): in the signal frame on the thread's trap stack, in
 *    the standard XSAVE layout the host wrote there, which rt_sigreturn
 *    loads on the way back to user code;
 *  - in the kick's task work, with user code interrupted: in the task's
 *    own FPU state, live in the registers or saved by the host.
 *
 * Either way the thread copies the state into its image (th->fpu, one
 * layout for the guest whatever the park) before it parks, and the
 * guest reads and writes only that image. A SET marks it dirty; the
 * thread, running again, puts the image back where the state lives: into
 * the frame (the host's rt_sigreturn then checks and loads it, as for
 * any signal return), or into its registers with XRSTOR under
 * fpregs_lock(). The image is checked on SET against everything XRSTOR
 * faults on (reserved MXCSR bits, XSTATE_BV bits outside the advertised
 * features, a compacted or reserved header), so neither way can make the
 * host fault; the XRSTOR has an exception fixup anyway, and a failed one
 * kills the context. Only the thread itself touches its own FPU, so no
 * other thread's state is ever read or written.
 *
 * The features are XCR0's user features less PKRU (the host keeps PKRU
 * for itself) and less the dynamically enabled ones (AMX): x87, SSE,
 * AVX and the AVX-512 states, where the CPU has them. The image holds
 * those components at the CPU's standard offsets; its size is where the
 * last of them ends.
 *
 * Locking: an image is read and written under its context's lock by the
 * guest (only while the thread is parked), and by the thread itself
 * without it while it is not parked (nobody else touches it then).
 */

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/asm.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <pvisor/context.h>
#include <pvisor/device.h>

#include "context.h"
#include "domain.h"
#include "guest_addr.h"

#define FXSAVE_SIZE		512
#define XSAVE_HDR_OFFSET	512
#define XSAVE_HDR_SIZE		64
#define XSAVE_EXT_OFFSET	(XSAVE_HDR_OFFSET + XSAVE_HDR_SIZE)
#define FX_SW_OFFSET		464	/* bytes 464-511: software's own */
#define FCW_OFFSET		0
#define MXCSR_OFFSET		24
#define FCW_INIT		0x037f
#define MXCSR_INIT		0x1f80

#define CTX_XFEATURES		(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
				 XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)
#define MAX_COMPONENTS		8

/*
 * The MXCSR bits this CPU implements (the host's FXSAVE MXCSR_MASK);
 * exported by the host's FPU code, declared only in its private header.
 */
extern u32 mxcsr_feature_mask;

/* What the image holds: computed once, the same on every CPU. */
struct xsave_layout {
	u64 features;
	u32 size;
	u32 nr;
	struct {
		u32 offset, size;
	} comp[MAX_COMPONENTS];	/* the extended ones (bit 2 on) */
};

static struct xsave_layout layout;
static DEFINE_MUTEX(layout_lock);
static bool layout_done;

static void compute_layout(struct xsave_layout *l)
{
	u32 eax, ebx, ecx, edx;
	unsigned int i;

	memset(l, 0, sizeof(*l));
	if (!boot_cpu_has(X86_FEATURE_XSAVE) ||
	    !boot_cpu_has(X86_FEATURE_OSXSAVE))
		return;
	l->features = xgetbv(XCR_XFEATURE_ENABLED_MASK) & CTX_XFEATURES;
	if ((l->features & XFEATURE_MASK_FPSSE) != XFEATURE_MASK_FPSSE) {
		l->features = 0;
		return;
	}
	l->size = XSAVE_EXT_OFFSET;
	for (i = 2; i < 64; i++) {
		if (!(l->features & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		/* a compacted-only or supervisor state has no offset */
		if (!eax || ebx < XSAVE_EXT_OFFSET || l->nr == MAX_COMPONENTS ||
		    (ecx & 1)) {
			l->features &= ~BIT_ULL(i);
			continue;
		}
		l->comp[l->nr].offset = ebx;
		l->comp[l->nr].size = eax;
		l->nr++;
		l->size = max(l->size, ebx + eax);
	}
}

static const struct xsave_layout *get_layout(void)
{
	if (smp_load_acquire(&layout_done))
		return &layout;
	mutex_lock(&layout_lock);
	if (!layout_done) {
		compute_layout(&layout);
		smp_store_release(&layout_done, true);
	}
	mutex_unlock(&layout_lock);
	return &layout;
}

/** pvisor_ctx_fpu_size() - bytes of an FPU image; 0 without XSAVE */
u32 pvisor_ctx_fpu_size(void)
{
	return get_layout()->size;
}

/** pvisor_ctx_fpu_features() - the XCR0 bits an FPU image holds */
u64 pvisor_ctx_fpu_features(void)
{
	return get_layout()->features;
}

static u64 *hdr_bv(void *img)
{
	return img + XSAVE_HDR_OFFSET;
}

/* The state of a thread that never ran: everything in its init state. */
static void init_image(void *img, u32 size)
{
	u16 fcw = FCW_INIT;
	u32 mxcsr = MXCSR_INIT;

	memset(img, 0, size);
	memcpy(img + FCW_OFFSET, &fcw, sizeof(fcw));
	memcpy(img + MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
}

/*
 * Everything XRSTOR (standard form) refuses with #GP, checked before an
 * image goes anywhere. Return: true when it may be loaded.
 */
static bool image_ok(const void *img, const struct xsave_layout *l)
{
	const u8 *hdr = img + XSAVE_HDR_OFFSET;
	u32 mxcsr;
	u64 bv;
	unsigned int i;

	memcpy(&mxcsr, img + MXCSR_OFFSET, sizeof(mxcsr));
	if (mxcsr & ~mxcsr_feature_mask)
		return false;
	memcpy(&bv, hdr, sizeof(bv));
	if (bv & ~l->features)
		return false;
	for (i = sizeof(bv); i < XSAVE_HDR_SIZE; i++)	/* XCOMP_BV too */
		if (hdr[i])
			return false;
	return true;
}

/**
 * pvisor_ctx_fpu_alloc() - the images of a new context's threads
 * @ctx: the context, its threads set up
 *
 * Return: 0 or -ENOMEM. Without XSAVE there are none (FPU ops refuse).
 */
int pvisor_ctx_fpu_alloc(struct pvisor_context *ctx)
{
	u32 size = pvisor_ctx_fpu_size();
	size_t stride = ALIGN(size, 64);
	unsigned int i;
	void *area;

	if (!size)
		return 0;
	/* XSAVE wants its area 64-byte aligned */
	ctx->fpu_area = kzalloc(stride * ctx->nr_threads + 63,
				GFP_KERNEL_ACCOUNT);
	if (!ctx->fpu_area)
		return -ENOMEM;
	area = PTR_ALIGN(ctx->fpu_area, 64);
	for (i = 0; i < ctx->nr_threads; i++) {
		ctx->threads[i].fpu = area + i * stride;
		init_image(ctx->threads[i].fpu, size);
	}
	return 0;
}

/** pvisor_ctx_fpu_free() - undo pvisor_ctx_fpu_alloc() */
void pvisor_ctx_fpu_free(struct pvisor_context *ctx)
{
	kfree(ctx->fpu_area);
}

/**
 * pvisor_ctx_fpu_reset() - a thread's first park: user code starts clean
 * @th: the calling context thread, not parked
 *
 * Whatever the factory's child left in its registers must not reach
 * guest user code: the image becomes the init state, to be loaded.
 */
void pvisor_ctx_fpu_reset(struct pvisor_ctx_thread *th)
{
	if (!th->fpu)
		return;
	init_image(th->fpu, th->ctx->fpu_size);
	th->fpu_dirty = true;
}

/** pvisor_ctx_fpu_frame_ok() - may a frame's fpstate pointer be used? */
bool pvisor_ctx_fpu_frame_ok(const struct pvisor_ctx_thread *th, u64 fp)
{
	u64 base = PVISOR_CTX_STACK(th->vcpu);
	u64 need = (u64)th->ctx->fpu_size + sizeof(u32);	/* + magic2 */

	return th->fpu && fp >= base && fp < base + PVISOR_CTX_STACK_SIZE &&
	       need <= base + PVISOR_CTX_STACK_SIZE - fp;
}

/**
 * pvisor_ctx_fpu_save_frame() - the image from a signal frame
 * @th: the calling context thread, not parked
 * @fp: the frame's fpstate, pvisor_ctx_fpu_frame_ok(), or 0 for none
 *
 * The frame is the user's (a sibling may be rewriting it): it is copied
 * once, component by component, and whatever it says is only what user
 * code could have put in its registers. A frame without FPU state (a
 * forged one) gives the init state, which is what rt_sigreturn loads.
 */
void pvisor_ctx_fpu_save_frame(struct pvisor_ctx_thread *th, u64 fp)
{
	const struct xsave_layout *l = get_layout();
	void __user *u = (void __user *)fp;
	void *img = th->fpu;
	unsigned int i;
	u64 bv;

	if (!img)
		return;
	init_image(img, l->size);
	th->fpu_dirty = false;
	if (!fp)
		return;
	if (copy_from_user(img, u, FX_SW_OFFSET) ||
	    copy_from_user(&bv, u + XSAVE_HDR_OFFSET, sizeof(bv)))
		goto bad;
	*hdr_bv(img) = bv & l->features;
	for (i = 0; i < l->nr; i++)
		if (copy_from_user(img + l->comp[i].offset,
				   u + l->comp[i].offset, l->comp[i].size))
			goto bad;
	return;
bad:
	init_image(img, l->size);
}

/**
 * pvisor_ctx_fpu_load_frame() - a dirty image into the signal frame
 * @th: the calling context thread, running again
 * @fp: the frame's fpstate, as given to pvisor_ctx_fpu_save_frame()
 *
 * Features outside the image (PKRU) keep the frame's bits. The host's
 * rt_sigreturn checks what it loads, so a sibling rewriting the frame
 * afterwards hurts only this process.
 *
 * Return: 0, or -EFAULT (no frame to put it in: the caller kills the
 * context rather than run user code on state the guest did not set).
 */
int pvisor_ctx_fpu_load_frame(struct pvisor_ctx_thread *th, u64 fp)
{
	const struct xsave_layout *l = get_layout();
	void __user *u = (void __user *)fp;
	const void *img = th->fpu;
	unsigned int i;
	u64 bv;

	if (!img || !th->fpu_dirty)
		return 0;
	if (!fp || copy_from_user(&bv, u + XSAVE_HDR_OFFSET, sizeof(bv)))
		return -EFAULT;
	bv = (bv & ~l->features) | *hdr_bv((void *)img);
	if (copy_to_user(u, img, FX_SW_OFFSET) ||
	    copy_to_user(u + XSAVE_HDR_OFFSET, &bv, sizeof(bv)))
		return -EFAULT;
	for (i = 0; i < l->nr; i++)
		if (copy_to_user(u + l->comp[i].offset,
				 img + l->comp[i].offset, l->comp[i].size))
			return -EFAULT;
	return 0;
}

/* The calling task's user FPU state in its registers; fpregs_lock() held. */
static void own_fpregs(void)
{
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}

/**
 * pvisor_ctx_fpu_save_live() - the image from the thread's own registers
 * @th: the calling context thread, in its kick's task work
 */
void pvisor_ctx_fpu_save_live(struct pvisor_ctx_thread *th)
{
	const struct xsave_layout *l = get_layout();
	void *img = th->fpu;

	if (!img)
		return;
	/* XSAVE leaves the header's rest and bytes 464-511 alone: zeroes */
	memset(img, 0, l->size);
	fpregs_lock();
	own_fpregs();
	asm volatile("xsave64 (%[img])"
		     : : [img] "r" (img), "a" ((u32)l->features),
		       "d" ((u32)(l->features >> 32))
		     : "memory");
	fpregs_unlock();
	th->fpu_dirty = false;
}

/**
 * pvisor_ctx_fpu_load_live() - a dirty image into the thread's registers
 * @th: the calling context thread, running again, in its task work
 *
 * Return: 0, or -EFAULT when XRSTOR refused it (it cannot, the image
 * having been checked; the caller kills the context).
 */
int pvisor_ctx_fpu_load_live(struct pvisor_ctx_thread *th)
{
	const struct xsave_layout *l = get_layout();
	const void *img = th->fpu;
	int err = 0;

	if (!img || !th->fpu_dirty)
		return 0;
	fpregs_lock();
	own_fpregs();
	asm volatile("1: xrstor64 (%[img])\n"
		     "2:\n"
		     _ASM_EXTABLE_TYPE_REG(1b, 2b, EX_TYPE_EFAULT_REG, %[err])
		     : [err] "+r" (err)
		     : [img] "r" (img), "a" ((u32)l->features),
		       "d" ((u32)(l->features >> 32))
		     : "memory");
	fpregs_unlock();
	return err;
}

/**
 * pvisor_ctx_fpu_op() - CTXOP_FPU_GET and CTXOP_FPU_SET
 * @dom: the calling domain
 * @set: FPU_SET
 * @uarg: the guest's struct pvisor_ctx_fpu
 *
 * Return: 0; -EFAULT (the struct, the image's range), -EINVAL (pad, len,
 * no such context or vCPU, a bad image), -EBUSY (the thread is not
 * stopped at an exit), -EOPNOTSUPP (no XSAVE on this host), -ENOMEM.
 */
long pvisor_ctx_fpu_op(struct pvisor_domain *dom, bool set, u64 uarg)
{
	const struct xsave_layout *l = get_layout();
	struct pvisor_ctx_thread *th;
	struct pvisor_context *ctx;
	struct pvisor_ctx_fpu arg;
	void *img;
	long ret = 0;

	if (!pvisor_guest_range_ok(uarg, sizeof(arg)) ||
	    copy_from_user(&arg, (void __user *)uarg, sizeof(arg)))
		return -EFAULT;
	if (!l->size)
		return -EOPNOTSUPP;
	if (arg.pad || arg.len < l->size)
		return -EINVAL;
	if (!pvisor_guest_range_ok(arg.buf, l->size))
		return -EFAULT;
	ctx = pvisor_context_get(dom, arg.id);
	if (!ctx)
		return -EINVAL;
	if (arg.vcpu >= ctx->nr_threads || !ctx->fpu_area) {
		ret = -EINVAL;
		goto out_put;
	}
	th = &ctx->threads[arg.vcpu];
	img = kmalloc(l->size, GFP_KERNEL_ACCOUNT);
	if (!img) {
		ret = -ENOMEM;
		goto out_put;
	}
	if (set) {
		if (copy_from_user(img, (void __user *)arg.buf, l->size)) {
			ret = -EFAULT;
			goto out_free;
		}
		/* ours, not the guest's: software bytes are never passed */
		memset(img + FX_SW_OFFSET, 0, FXSAVE_SIZE - FX_SW_OFFSET);
		if (!image_ok(img, l)) {
			ret = -EINVAL;
			goto out_free;
		}
	}

	spin_lock(&ctx->lock);
	if (ctx->dead || !ctx->ready || th->state != CTX_THREAD_PARKED) {
		ret = -EBUSY;
	} else if (set) {
		memcpy(th->fpu, img, l->size);
		th->fpu_dirty = true;
	} else {
		memcpy(img, th->fpu, l->size);
	}
	spin_unlock(&ctx->lock);

	if (!ret && !set &&
	    copy_to_user((void __user *)arg.buf, img, l->size))
		ret = -EFAULT;
out_free:
	kfree(img);
out_put:
	pvisor_context_put(ctx);
	return ret;
}
