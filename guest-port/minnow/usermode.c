// SPDX-License-Identifier: GPL-2.0
/*
 * User mode from the command line (usermode.h). The lines it prints
 * ("minnow: usermode: ...", and proc.c's "minnow: pid N (NAME) exited
 * with status S" / "killed by SIG...") are what the selftests and the
 * benchmarks read: change them together with
 * selftests/pvisor/test_minnow_user.sh and the documentation.
 */

#include <linux/errno.h>
#include <pvisor/hypercall.h>

#include "console.h"
#include "events.h"
#include "exec.h"
#include "mm.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
#include "time.h"
#include "traps.h"
#include "usermode.h"

#define RUN_KEY		"run="
#define WORD_MAX	256

/* The next "run=" word from *@pos, copied into @buf; false at the end. */
static bool next_run_word(const char **pos, char *buf)
{
	const char *p = *pos;

	for (; *p; p++) {
		size_t n = 0;

		if ((p != start_info->cmd_line && p[-1] != ' ') ||
		    strncmp(p, RUN_KEY, sizeof(RUN_KEY) - 1))
			continue;
		p += sizeof(RUN_KEY) - 1;
		while (p[n] && p[n] != ' ' && n < WORD_MAX - 1) {
			buf[n] = p[n];
			n++;
		}
		buf[n] = '\0';
		*pos = p + n;
		return true;
	}
	*pos = p;
	return false;
}

bool usermode_requested(void)
{
	const char *pos = start_info->cmd_line;
	char word[WORD_MAX];

	return next_run_word(&pos, word);
}

/* Split "NAME,ARG,..." in place into argv. */
static int split_args(char *word, const char **argv)
{
	int argc = 0;
	char *p = word;

	while (argc < EXEC_MAX_ARGS) {
		argv[argc++] = p;
		while (*p && *p != ',')
			p++;
		if (!*p)
			break;
		*p++ = '\0';
	}
	return argc;
}

static void spawn_all(void)
{
	const char *pos = start_info->cmd_line;
	char word[WORD_MAX];

	while (next_run_word(&pos, word)) {
		const char *argv[EXEC_MAX_ARGS];
		int argc = split_args(word, argv);
		long pid = proc_spawn(argv[0], argc, argv);

		if (pid < 0)
			printk("minnow: usermode: cannot start %s (%ld)\n",
			       argv[0], pid);
		else
			printk("minnow: usermode: started %s as pid %ld\n",
			       argv[0], pid);
	}
}

static void fail(const char *what, long ret)
{
	printk("minnow: usermode: %s failed (%ld)\n", what, ret);
	minnow_shutdown(PVISOR_SHUTDOWN_CRASH);
}

void usermode_main(void)
{
	u64 free_before;
	long ret;

	ret = trap_init();
	if (ret)
		fail("trap_init", ret);
	ret = mm_switch_tables();
	if (ret)
		fail("own page tables", ret);
	ret = events_init();
	if (ret)
		fail("events_init", ret);
	ret = time_init();
	if (ret)
		fail("time_init", ret);
	ret = sched_init(SCHED_TICK_NS);
	if (ret)
		fail("sched_init", ret);
	if (start_info->nr_vcpus > 1) {
		ret = smp_start(2);
		if (ret < 0)
			fail("smp_start", ret);
	}
	ret = proc_init();
	if (ret)
		fail("proc_init", ret);
	free_before = mm_free_pages();
	printk("minnow: usermode: %llu pages free, ramdisk %llu bytes, %u "
	       "vCPUs online\n", free_before, start_info->mod_len,
	       smp_num_online());
	spawn_all();
	proc_wait_all();
	printk("minnow: usermode: all processes ended, %llu user pages and "
	       "%lld pages not given back\n", uvm_user_pages(),
	       (s64)free_before - (s64)mm_free_pages());
	minnow_shutdown(PVISOR_SHUTDOWN_POWEROFF);
}
