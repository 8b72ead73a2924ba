// SPDX-License-Identifier: GPL-2.0
/*
 * The state file, text, one node per line in pre-order (a parent always
 * before its children), then one line per backend pvisord watches:
 *
 *   pvisord-xenstore-state 2
 *   N <path> <perm>[,<perm>...] <value in hex, or "-" when empty>
 *   ...
 *   B <domid> <vdev> <pid> <start time>
 *   ...
 *   end <number of nodes>
 *
 * Paths and permissions use only characters that need no quoting; the
 * value is hex because it is binary. Version 1 is version 2 without
 * backends, and is read too. Loading checks everything it reads
 * as strictly as a client's request: the file is pvisord's own, but a
 * truncated or edited one must not become a corrupt tree.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_watch.h"
#include "log.h"
#include "parse.h"
#include "state.h"
#include "xs.h"
#include "xs_path.h"
#include "xs_perms.h"

/* The longest line: path, the longest permission list, a hex payload. */
#define LINE_MAX_BYTES	(16 + XS_PATH_BUF + 8 * XS_PERMS_MAX + 2 * PVISOR_XS_PAYLOAD_MAX)

static int save_node(FILE *f, const struct xs_node *n, char *path,
		     size_t *count)
{
	size_t i;
	int ret;

	pvisor_xs_path_of(n, path, XS_PATH_BUF);
	fprintf(f, "N %s ", path);
	for (i = 0; i < n->nr_perms; i++)
		fprintf(f, "%s%c%u", i ? "," : "", n->perms[i].access,
			n->perms[i].domid);
	fputc(' ', f);
	if (!n->value->len)
		fputc('-', f);
	for (i = 0; i < n->value->len; i++)
		fprintf(f, "%02x", (unsigned char)n->value->data[i]);
	fputc('\n', f);
	(*count)++;
	for (i = 0; i < n->nr_children; i++) {
		ret = save_node(f, n->children[i], path, count);
		if (ret)
			return ret;
	}
	return ferror(f) ? -EIO : 0;
}

static int fsync_dir(const char *path)
{
	char *dir = strdup(path), *slash;
	int fd, ret = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	return ret;
}

static int save_backend(const struct backend_rec *r, void *arg)
{
	FILE *f = arg;

	fprintf(f, "B %" PRIu32 " %s %d %" PRIu64 "\n", r->domid, r->vdev,
		(int)r->pid, r->start);
	return ferror(f) ? -EIO : 0;
}

int pvisor_state_save(const char *path)
{
	char tmp[4096], node_path[XS_PATH_BUF];
	size_t count = 0;
	FILE *f;
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto err;
	}
	fprintf(f, "%s %d\n", PVISOR_STATE_MAGIC, PVISOR_STATE_VERSION);
	ret = save_node(f, pvisor_xs.tree->root, node_path, &count);
	if (!ret)
		ret = pvisor_backend_watch_for_each(save_backend, f);
	fprintf(f, "end %zu\n", count);
	if (fflush(f) || fsync(fileno(f)))
		ret = ret ? ret : -errno;
	if (fclose(f))
		ret = ret ? ret : -errno;
	if (ret)
		goto err;
	if (rename(tmp, path))
		goto err_errno;
	return fsync_dir(path);
err_errno:
	ret = -errno;
err:
	unlink(tmp);
	return ret;
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One "N" line, already split; adds the node to the main tree. */
static int load_node(char *path, char *perms_text, char *hex)
{
	struct xs_perm perms[XS_PERMS_MAX];
	char canon[XS_PATH_BUF], value[PVISOR_XS_PAYLOAD_MAX];
	struct xs_tree *t = pvisor_xs.tree;
	unsigned int nr = 0, missing;
	struct xs_node *n;
	size_t len = 0, i;
	char *p, *save;
	int hi, lo;

	if (path[0] != '/' || pvisor_xs_path_canon(path, 0, canon, NULL))
		return -EINVAL;
	for (p = strtok_r(perms_text, ",", &save); p;
	     p = strtok_r(NULL, ",", &save)) {
		if (nr == XS_PERMS_MAX || pvisor_xs_perm_parse(p, &perms[nr]))
			return -EINVAL;
		nr++;
	}
	if (!nr)
		return -EINVAL;
	if (strcmp(hex, "-")) {
		for (i = 0; hex[i]; i += 2) {
			hi = unhex(hex[i]);
			lo = hi < 0 ? -1 : unhex(hex[i + 1]);
			if (lo < 0 || len == sizeof(value))
				return -EINVAL;
			value[len++] = hi << 4 | lo;
		}
	}

	n = pvisor_xs_nearest(t, canon, &missing);
	if (strcmp(canon, "/") && missing != 1)
		return -EINVAL;	/* a duplicate, or its parent not yet seen */
	if (missing) {
		n = pvisor_xs_create(t, canon, perms[0].domid);
		if (!n)
			return -ENOMEM;
	}
	if (pvisor_xs_set_perms(t, n, perms, nr) ||
	    pvisor_xs_set_value(t, n, value, len))
		return -ENOMEM;
	return 0;
}

/* One "B" line, already split: a backend to watch again. */
static int load_backend(char *words[])
{
	struct backend_rec r;
	uint32_t pid;

	if (parse_u32(words[1], &r.domid) || parse_u32(words[3], &pid) ||
	    parse_u64(words[4], &r.start) || pid > INT32_MAX ||
	    strlen(words[2]) >= sizeof(r.vdev))
		return -EINVAL;
	strcpy(r.vdev, words[2]);
	r.pid = (pid_t)pid;
	return pvisor_backend_watch_restore(&r);
}

int pvisor_state_load(const char *path)
{
	char *line = NULL, *words[5], *save, *p;
	size_t cap = 0, nodes = 0, count, lineno = 0;
	int version, ret = -EINVAL, nw;
	bool ended = false, backends = false;
	ssize_t len;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len > LINE_MAX_BYTES || ended)
			goto bad;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (lineno == 1) {
			if (sscanf(line, PVISOR_STATE_MAGIC " %d", &version) != 1)
				goto bad;
			if (version < 1 || version > PVISOR_STATE_VERSION) {
				log_err("%s: format version %d, this pvisord reads 1 to %d",
					path, version, PVISOR_STATE_VERSION);
				goto out;
			}
			continue;
		}
		nw = 0;
		for (p = strtok_r(line, " ", &save); p;
		     p = strtok_r(NULL, " ", &save)) {
			if (nw == 5)
				goto bad;
			words[nw++] = p;
		}
		if (nw == 2 && !strcmp(words[0], "end")) {
			if (sscanf(words[1], "%zu", &count) != 1 || count != nodes)
				goto bad;
			ended = true;
			continue;
		}
		if (nw == 5 && !strcmp(words[0], "B") && version > 1 &&
		    nodes) {
			ret = load_backend(words);
			if (ret)
				goto bad;
			backends = true;
			continue;
		}
		if (nw != 4 || strcmp(words[0], "N") || backends ||
		    (nodes == 0) != !strcmp(words[1], "/"))
			goto bad;
		ret = load_node(words[1], words[2], words[3]);
		if (ret)
			goto bad;
		nodes++;
	}
	if (!ended)
		goto bad;
	ret = 0;
	goto out;
bad:
	log_err("%s: line %zu is malformed", path, lineno);
	ret = ret && ret != -EINVAL ? ret : -EINVAL;
out:
	free(line);
	fclose(f);
	return ret;
}
