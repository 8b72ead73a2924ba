// SPDX-License-Identifier: GPL-2.0
/*
 * Console input from a real guest kernel: minnow binds VIRQ_CONSOLE,
 * sleeps until it fires, reads what Domain0 wrote with
 * console_io(CONSOLEIO_READ) and writes each line back upper-cased:
 *
 *   @@echo HELLO
 *
 * A line "quit" ends it. Before that it checks the hostile cases: a
 * buffer outside its window or running past guest memory gets EFAULT, a
 * buffer in the window that its tables do not map gets EFAULT too and
 * the bytes stay for the next read. It reports the VIRQs it took and
 * powers off. selftests/pvisor/test_console_input.sh drives it through
 * pvctl console.
 */

#include <linux/errno.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>

#include "../minnow/console.h"
#include "../minnow/events.h"
#include "../minnow/hypercall.h"
#include "../minnow/lib.h"
#include "../minnow/mm.h"
#include "../minnow/test.h"

#define RUNNER_TEXT	0x400000ULL	/* the runner's code: outside */
/* In the window, mapped by nothing. */
#define UNMAPPED_VA	(PVISOR_WINDOW_BASE + (300ULL << 30))
#define LINE_MAX	200

static volatile u64 console_virqs;

static void console_event(u32 port, struct pvisor_trap_frame *f, void *data)
{
	(void)port;
	(void)f;
	(void)data;
	console_virqs++;
}

static long console_read(void *buf, u64 count)
{
	return hypercall3(PVISOR_HC_CONSOLE_IO, PVISOR_CONSOLEIO_READ, count,
			  buf);
}

/* Sleep until input may have come, then read some. */
static long read_some(char *buf, u64 count)
{
	long n;

	for (;;) {
		local_irq_disable();
		n = console_read(buf, count);
		if (n)
			break;
		block_domain();
	}
	local_irq_enable();
	return n;
}

static void check_bad_buffers(void)
{
	char c;
	long ret;

	ret = console_read((void *)RUNNER_TEXT, 16);
	guest_report(ret == -EFAULT, "read into the runner's code: EFAULT "
		     "(%ld)", ret);
	ret = console_read((void *)(PVISOR_GUEST_LIMIT - 8), 16);
	guest_report(ret == -EFAULT, "read running past guest memory: EFAULT "
		     "(%ld)", ret);
	ret = console_read(&c, 0);
	guest_report(ret == 0, "a read of 0 bytes reads nothing (%ld)", ret);
}

/* Wait for the first input, fault on it, and find it still there. */
static void check_unmapped_buffer(char *buf)
{
	long ret;

	for (;;) {
		local_irq_disable();
		ret = console_read((void *)UNMAPPED_VA, 1);
		if (ret)
			break;
		block_domain();
	}
	local_irq_enable();
	guest_report(ret == -EFAULT, "read into an unmapped page: EFAULT "
		     "(%ld)", ret);
	ret = console_read(buf, 1);
	guest_report(ret == 1, "the byte is still there for a good buffer "
		     "(%ld)", ret);
}

static void echo_line(const char *line, u64 len)
{
	char out[LINE_MAX + 16];
	u64 i, n = 0;

	memcpy(out, "@@echo ", 7);
	n = 7;
	for (i = 0; i < len; i++)
		out[n++] = line[i] >= 'a' && line[i] <= 'z' ?
			   (char)(line[i] - 'a' + 'A') : line[i];
	out[n++] = '\n';
	hv_console_write(out, n);
}

void minnow_main(void)
{
	char line[LINE_MAX], buf[64];
	u64 len = 0, lines = 0;
	u32 port;
	long n, i;

	mm_init();
	GUEST_ASSERT(events_init() == 0);
	GUEST_ASSERT(evtchn_bind_virq(PVISOR_VIRQ_CONSOLE, 0, &port) == 0);
	GUEST_ASSERT(bind_evtchn(port, console_event, NULL) == 0);
	unmask_evtchn(port);
	check_bad_buffers();
	printk("@@echo ready\n");

	check_unmapped_buffer(line);
	len = 1;
	for (;;) {
		n = read_some(buf, sizeof(buf));
		GUEST_ASSERT(n > 0);
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n' && len < LINE_MAX) {
				line[len++] = buf[i];
				continue;
			}
			if (len == 4 && !memcmp(line, "quit", 4))
				goto done;
			echo_line(line, len);
			lines++;
			len = 0;
		}
	}
done:
	guest_report(lines > 0, "echoed %llu lines", lines);
	guest_report(console_virqs > 0, "VIRQ_CONSOLE fired for the input "
		     "(%llu times)", console_virqs);
	guest_done();
}
