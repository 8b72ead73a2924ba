// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 3's file I/O: a file written and read back on tmpfs. Each
 * repetition creates DIR/bench_file.PID, writes BLOCKS blocks of 4 KiB,
 * fsyncs and closes it, opens it again, reads every block back (each
 * must come back whole and carry its own tag), closes and unlinks it.
 * The figure is that whole cycle's time over BLOCKS: ns per 4 KiB
 * written and read. With the default 256 blocks, 1 MiB, the time for
 * the MiB is the figure times 256. On tmpfs no device is involved: the
 * figure is system calls and page-cache copies, the kernel's own file
 * path.
 *
 * Linux only (files are not minnow's). DIR must be on tmpfs for the
 * figure to mean what Figure 3 says; run-bench.sh runs it in /tmp of the
 * test host (a tmpfs), of User-Mode Linux and of the Linux guest (both
 * mount a tmpfs there).
 *
 *   bench_file.elf [BLOCKS [DIR]]    default 256 blocks in /tmp
 */

#include "../ubench.h"

#define NAME		"user.file_4k"
#define BLOCK		4096
#define BLOCKS		256
/* 4 GiB: more would only measure the domain running out of memory. */
#define MAX_BLOCKS	(1L << 20)
#define PATH_MAX_LEN	256

static char block[BLOCK];

/* Marks @block as number @i of repetition @r, to check it on reading. */
static void tag_block(long r, long i)
{
	long *tag = (long *)block;

	tag[0] = r;
	tag[1] = i;
}

static bool block_is(long r, long i)
{
	long *tag = (long *)block;

	return tag[0] == r && tag[1] == i;
}

static void write_file(const char *path, long r, long blocks)
{
	long fd, ret, i;

	fd = u_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		ubench_fail(NAME, "open for writing", fd);
	for (i = 0; i < blocks; i++) {
		tag_block(r, i);
		ret = u_write(fd, block, BLOCK);
		if (ret != BLOCK)
			ubench_fail(NAME, "write of a 4 KiB block", ret);
	}
	ret = u_fsync(fd);
	if (ret < 0)
		ubench_fail(NAME, "fsync", ret);
	ret = u_close(fd);
	if (ret < 0)
		ubench_fail(NAME, "close after writing", ret);
}

static void read_file(const char *path, long r, long blocks)
{
	long fd, ret, i;

	fd = u_open(path, O_RDONLY, 0);
	if (fd < 0)
		ubench_fail(NAME, "open for reading", fd);
	for (i = 0; i < blocks; i++) {
		ret = u_read(fd, block, BLOCK);
		if (ret != BLOCK)
			ubench_fail(NAME, "read of a 4 KiB block", ret);
		if (!block_is(r, i))
			ubench_fail(NAME, "the block read back (wrong data)", i);
	}
	ret = u_read(fd, block, BLOCK);
	if (ret != 0)
		ubench_fail(NAME, "read at the file's end (not EOF)", ret);
	ret = u_close(fd);
	if (ret < 0)
		ubench_fail(NAME, "close after reading", ret);
}

int main(int argc, char **argv)
{
	long blocks = ubench_count(NAME, argc, argv, 1, BLOCKS, MAX_BLOCKS);
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	long long v[UBENCH_REPS], t0;
	char path[PATH_MAX_LEN];
	long ret;
	int r, n;

	if (argc > 3 || !*dir)
		ubench_usage(NAME, "bench_file.elf [BLOCKS [DIR]]");
	n = snprintf(path, sizeof(path), "%s/bench_file.%ld", dir, u_getpid());
	if (n >= (int)sizeof(path))
		ubench_usage(NAME, "bench_file.elf [BLOCKS [DIR]], with a "
			     "shorter DIR");
	/* The first cycle allocates what later ones reuse; not timed. */
	write_file(path, -1, blocks);
	read_file(path, -1, blocks);
	ret = u_unlink(path);
	if (ret < 0)
		ubench_fail(NAME, "unlink", ret);
	for (r = 0; r < UBENCH_REPS; r++) {
		t0 = ubench_now(NAME);
		write_file(path, r, blocks);
		read_file(path, r, blocks);
		ret = u_unlink(path);
		v[r] = (ubench_now(NAME) - t0) / blocks;
		if (ret < 0)
			ubench_fail(NAME, "unlink", ret);
	}
	ubench_report(NAME, v, UBENCH_REPS, "ns");
	return 0;
}
