// SPDX-License-Identifier: GPL-2.0
/*
 * Domain config files: a small lexer, the table of keys, and the
 * effective config written back out.
 *
 * The syntax is xl.cfg's: one "KEY = VALUE" a line, "#" starts a
 * comment, a VALUE is a whole number, a string in double or single
 * quotes (\\, \" and \' are the only escapes), or a list in brackets
 * (which may span lines). The keys table below is the one list of keys:
 * selftests/host/test_man.py checks that pvisor.cfg(5) documents each.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domcfg.h"
#include "parse.h"

#define FRAME_BYTES	4096u
#define MIB		(1024u * 1024u)

/* A cap above this many CPUs' worth cannot bind any domain. */
#define CAP_MAX		(100u * PVISOR_MAX_VCPUS)

enum value_kind {
	VALUE_NUMBER,
	VALUE_STRING,
	VALUE_LIST,
};

/* A list keeps its first LIST_ITEMS_MAX items, and counts them all. */
#define LIST_ITEMS_MAX	DOMCFG_DISKS_MAX
/* Xen's numbering of xvdX: major 202, 16 minors a disk. */
#define XVD_MAJOR	202u

struct value {
	enum value_kind kind;
	uint64_t number;
	char text[DOMCFG_PATH_MAX];	/* a string, unescaped */
	unsigned int nr_items;		/* a list's */
	bool items_strings;		/* every item a string */
	char items[LIST_ITEMS_MAX][DOMCFG_PATH_MAX];
};

/* A setter explains a bad value in @why ("a whole number of MiB"). */
typedef int (*setter)(struct domcfg *c, const struct value *v, char *why,
		      size_t len);

/* What a key takes. */
enum key_kind {
	KEY_NUMBER,
	KEY_STRING,
	KEY_SIZE,	/* a number of MiB, or a string with a unit */
	KEY_LIST,
};

struct key {
	const char *key;
	enum key_kind kind;
	setter set;
	/* A key pvisor knows but cannot honour yet: why, and no setter. */
	const char *unsupported;
};

static int why(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int set_string(char *dst, size_t size, const struct value *v,
		      char *w, size_t len)
{
	size_t n = strlen(v->text);

	if (!n)
		return why(w, len, "must not be empty");
	if (n >= size)
		return why(w, len, "longer than %zu characters", size - 1);
	memcpy(dst, v->text, n + 1);
	return 0;
}

static int set_name(struct domcfg *c, const struct value *v, char *w,
		    size_t len)
{
	const char *p = v->text;
	int ret = set_string(c->name, sizeof(c->name), v, w, len);

	if (ret)
		return ret;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return why(w, len, "must start with a letter");
	if (strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.-") != strlen(p))
		return why(w, len, "may hold only letters, digits, '_', '.' "
			   "and '-'");
	return 0;
}

static int set_type(struct domcfg *c, const struct value *v, char *w,
		    size_t len)
{
	(void)c;
	if (strcmp(v->text, "pv"))
		return why(w, len, "pvisor runs paravirtual guests only: "
			   "\"pv\"");
	return 0;
}

/* xl counts in MiB; a string with a unit ("4100K") is pvisor's own. */
static int size_value(const struct value *v, uint64_t *bytes, char *w,
		      size_t len)
{
	int ret;

	if (v->kind == VALUE_NUMBER) {
		if (v->number > UINT64_MAX / MIB)
			return why(w, len, "too large");
		*bytes = v->number * MIB;
	} else {
		ret = parse_size(v->text, bytes);
		if (ret == -ERANGE)
			return why(w, len, "too large");
		if (ret)
			return why(w, len, "a whole number of MiB, or a "
				   "string with a unit: \"512M\", \"4100K\"");
	}
	if (!*bytes)
		return why(w, len, "must not be zero");
	if (*bytes % FRAME_BYTES)
		return why(w, len, "must be a multiple of 4 KiB");
	return 0;
}

static int set_memory(struct domcfg *c, const struct value *v, char *w,
		      size_t len)
{
	return size_value(v, &c->memory, w, len);
}

static int set_maxmem(struct domcfg *c, const struct value *v, char *w,
		      size_t len)
{
	return size_value(v, &c->maxmem, w, len);
}

static int set_vcpus(struct domcfg *c, const struct value *v, char *w,
		     size_t len)
{
	if (v->number < 1 || v->number > PVISOR_MAX_VCPUS)
		return why(w, len, "1 to %d", PVISOR_MAX_VCPUS);
	c->vcpus = (uint32_t)v->number;
	return 0;
}

/* Control characters have no business in a path or a command line. */
static int printable_text(const char *text, char *w, size_t len)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return why(w, len, "holds a control character");
	return 0;
}

static int printable(const struct value *v, char *w, size_t len)
{
	return printable_text(v->text, w, len);
}

static int set_kernel(struct domcfg *c, const struct value *v, char *w,
		      size_t len)
{
	return printable(v, w, len) ?:
	       set_string(c->kernel, sizeof(c->kernel), v, w, len);
}

static int set_ramdisk(struct domcfg *c, const struct value *v, char *w,
		       size_t len)
{
	return printable(v, w, len) ?:
	       set_string(c->ramdisk, sizeof(c->ramdisk), v, w, len);
}

static int set_cmdline(struct domcfg *c, const struct value *v, char *w,
		       size_t len)
{
	if (strlen(v->text) >= sizeof(c->cmdline))
		return why(w, len, "longer than %zu characters",
			   sizeof(c->cmdline) - 1);
	if (printable(v, w, len))
		return -EINVAL;
	strcpy(c->cmdline, v->text);
	return 0;
}

static const char *const action_names[] = {
	[DOMCFG_DESTROY] = "destroy",
	[DOMCFG_RESTART] = "restart",
	[DOMCFG_PRESERVE] = "preserve",
};

/* xl's other actions, which need things pvisor has not got. */
static const char *const xl_only_actions[] = {
	"rename-restart", "coredump-destroy", "coredump-restart",
	"soft-reset",
};

static int action_value(const struct value *v, enum domcfg_action *a,
			char *w, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (!strcmp(v->text, action_names[i])) {
			*a = (enum domcfg_action)i;
			return 0;
		}
	}
	for (i = 0; i < sizeof(xl_only_actions) / sizeof(xl_only_actions[0]);
	     i++)
		if (!strcmp(v->text, xl_only_actions[i]))
			return why(w, len, "xl's \"%s\" is not supported: "
				   "\"destroy\", \"restart\" or \"preserve\"",
				   v->text);
	return why(w, len, "\"destroy\", \"restart\" or \"preserve\"");
}

static int set_on_poweroff(struct domcfg *c, const struct value *v, char *w,
			   size_t len)
{
	return action_value(v, &c->on_poweroff, w, len);
}

static int set_on_reboot(struct domcfg *c, const struct value *v, char *w,
			 size_t len)
{
	return action_value(v, &c->on_reboot, w, len);
}

static int set_on_crash(struct domcfg *c, const struct value *v, char *w,
			size_t len)
{
	return action_value(v, &c->on_crash, w, len);
}

/* Weights and caps are enforced by the domain's cgroup (domcgroup.c). */
static int set_cpu_weight(struct domcfg *c, const struct value *v, char *w,
			  size_t len)
{
	if (v->number < 1 || v->number > DOMCFG_WEIGHT_MAX)
		return why(w, len, "1 to %d", DOMCFG_WEIGHT_MAX);
	c->cpu_weight = (uint32_t)v->number;
	return 0;
}

static int set_cap(struct domcfg *c, const struct value *v, char *w,
		   size_t len)
{
	if (v->number > CAP_MAX)
		return why(w, len, "0 (none) to %u percent", CAP_MAX);
	c->cap = (uint32_t)v->number;
	return 0;
}

/*
 * One disk: "PATH,VDEV,MODE", xl's positional form without the format
 * (always raw): a "file:" prefix is allowed, other xl prefixes are not.
 */
static int disk_value(struct domcfg_disk *d, const char *item, char *w,
		      size_t len)
{
	static const char *const others[] = {
		"phy:", "tap:", "tap2:", "aio:", "qcow:", "qcow2:", "vhd:",
	};
	const char *vdev, *mode;
	size_t n, i;

	if (strchr(item, '='))
		return why(w, len, "\"%s\": xl's KEY=VALUE form is not taken: "
			   "\"PATH,VDEV,MODE\"", item);
	if (!strncmp(item, "file:", 5))
		item += 5;
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (!strncmp(item, others[i], strlen(others[i])))
			return why(w, len, "\"%s\": only raw image files are "
				   "served (\"file:\" or no prefix)", item);
	vdev = strchr(item, ',');
	mode = vdev ? strchr(vdev + 1, ',') : NULL;
	if (!mode || strchr(mode + 1, ','))
		return why(w, len, "\"%s\": expected \"PATH,VDEV,MODE\" "
			   "(\"/images/web.img,xvda,w\")", item);
	n = (size_t)(vdev - item);
	if (!n)
		return why(w, len, "\"%s\": the path is empty", item);
	if (n >= sizeof(d->path))
		return why(w, len, "a path longer than %zu characters",
			   sizeof(d->path) - 1);
	memcpy(d->path, item, n);
	d->path[n] = '\0';
	vdev++;
	n = (size_t)(mode - vdev);
	if (n != 4 || strncmp(vdev, "xvd", 3) || vdev[3] < 'a' ||
	    vdev[3] > 'z')
		return why(w, len, "\"%s\": vdev \"%.*s\": xvda to xvdz",
			   item, (int)n, vdev);
	memcpy(d->vdev, vdev, 4);
	d->vdev[4] = '\0';
	mode++;
	if (!strcmp(mode, "r") || !strcmp(mode, "ro"))
		d->readonly = true;
	else if (!strcmp(mode, "w") || !strcmp(mode, "rw"))
		d->readonly = false;
	else
		return why(w, len, "\"%s\": mode \"%s\": r (read-only) or w "
			   "(read-write)", item, mode);
	return 0;
}

static int set_disk(struct domcfg *c, const struct value *v, char *w,
		    size_t len)
{
	struct domcfg_disk *d;
	unsigned int i, j;
	int ret;

	if (v->nr_items > DOMCFG_DISKS_MAX)
		return why(w, len, "%u disks: at most %d", v->nr_items,
			   DOMCFG_DISKS_MAX);
	if (!v->items_strings)
		return why(w, len, "each disk is a string in quotes");
	for (i = 0; i < v->nr_items; i++) {
		d = &c->disks[i];
		ret = disk_value(d, v->items[i], w, len);
		if (!ret)
			ret = printable_text(d->path, w, len);
		if (ret)
			return ret;
		for (j = 0; j < i; j++)
			if (!strcmp(c->disks[j].vdev, d->vdev))
				return why(w, len, "vdev %s is given twice",
					   d->vdev);
	}
	c->nr_disks = v->nr_items;
	return 0;
}

/* The keys, in the order domcfg_format() writes them. */
static const struct key keys[] = {
	{ .key = "name", KEY_STRING, set_name, NULL },
	{ .key = "type", KEY_STRING, set_type, NULL },
	{ .key = "memory", KEY_SIZE, set_memory, NULL },
	{ .key = "maxmem", KEY_SIZE, set_maxmem, NULL },
	{ .key = "vcpus", KEY_NUMBER, set_vcpus, NULL },
	{ .key = "kernel", KEY_STRING, set_kernel, NULL },
	{ .key = "ramdisk", KEY_STRING, set_ramdisk, NULL },
	{ .key = "cmdline", KEY_STRING, set_cmdline, NULL },
	{ .key = "on_poweroff", KEY_STRING, set_on_poweroff, NULL },
	{ .key = "on_reboot", KEY_STRING, set_on_reboot, NULL },
	{ .key = "on_crash", KEY_STRING, set_on_crash, NULL },
	{ .key = "cpu_weight", KEY_NUMBER, set_cpu_weight, NULL },
	{ .key = "cap", KEY_NUMBER, set_cap, NULL },
	{ .key = "disk", KEY_LIST, set_disk, NULL },
	{ .key = "vif", KEY_LIST, NULL,
	  "virtual network interfaces are not supported yet (pvisor has "
	  "no network backend): remove the key" },
};

#define NR_KEYS	(sizeof(keys) / sizeof(keys[0]))

static int key_index(const char *name)
{
	size_t i;

	for (i = 0; i < NR_KEYS; i++)
		if (!strcmp(keys[i].key, name))
			return (int)i;
	return -1;
}

bool domcfg_given(const struct domcfg *c, const char *name)
{
	int i = key_index(name);

	return i >= 0 && (c->given & (1u << i));
}

uint32_t domcfg_vdev_number(const char *vdev)
{
	if (strncmp(vdev, "xvd", 3) || vdev[3] < 'a' || vdev[3] > 'z' ||
	    vdev[4])
		return 0;
	return XVD_MAJOR << 8 | (uint32_t)(vdev[3] - 'a') << 4;
}

const char *domcfg_action_name(enum domcfg_action a)
{
	return (unsigned int)a < sizeof(action_names) / sizeof(action_names[0]) ?
	       action_names[a] : "?";
}

void domcfg_init(struct domcfg *c)
{
	memset(c, 0, sizeof(*c));
	c->vcpus = 1;
	/* xl's defaults. */
	c->on_poweroff = DOMCFG_DESTROY;
	c->on_reboot = DOMCFG_RESTART;
	c->on_crash = DOMCFG_DESTROY;
	c->cpu_weight = DOMCFG_WEIGHT_DEFAULT;
}

/* The lexer: one pass over the whole text, counting lines. */
struct lexer {
	const char *p;
	unsigned int line;
	const char *source;
	char *err;
	size_t errlen;
};

static int syntax(struct lexer *lx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int syntax(struct lexer *lx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (lx->line)
		snprintf(lx->err, lx->errlen, "%s:%u: syntax error: %s",
			 lx->source, lx->line, msg);
	else
		snprintf(lx->err, lx->errlen, "%s: syntax error: %s",
			 lx->source, msg);
	return -EINVAL;
}

/* Past blanks and a comment, not past the end of the line. */
static void skip_blanks(struct lexer *lx)
{
	while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r')
		lx->p++;
	if (*lx->p == '#')
		lx->p += strcspn(lx->p, "\n");
}

/* Past blanks, comments and line ends (inside a list). */
static void skip_space(struct lexer *lx)
{
	for (;;) {
		skip_blanks(lx);
		if (*lx->p != '\n')
			return;
		lx->p++;
		lx->line += lx->line != 0;
	}
}

static bool is_key_char(char ch, bool first)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch == '_' || (!first && ch >= '0' && ch <= '9');
}

static int lex_string(struct lexer *lx, struct value *v)
{
	char quote = *lx->p++;
	size_t n = 0;

	for (;;) {
		char ch = *lx->p;

		if (!ch || ch == '\n')
			return syntax(lx, "a string without its closing %c",
				      quote);
		lx->p++;
		if (ch == quote)
			break;
		if (ch == '\\') {
			ch = *lx->p;
			if (ch != '\\' && ch != '"' && ch != '\'')
				return syntax(lx, "unknown escape '\\%c' (only "
					      "\\\\, \\\" and \\' are)",
					      ch ? ch : ' ');
			lx->p++;
		}
		if (n + 1 >= sizeof(v->text))
			return syntax(lx, "a string longer than %zu bytes",
				      sizeof(v->text) - 1);
		v->text[n++] = ch;
	}
	v->text[n] = '\0';
	v->kind = VALUE_STRING;
	return 0;
}

static int lex_number(struct lexer *lx, struct value *v)
{
	uint64_t n = 0;

	while (*lx->p >= '0' && *lx->p <= '9') {
		unsigned int d = (unsigned int)(*lx->p++ - '0');

		if (n > (UINT64_MAX - d) / 10)
			return syntax(lx, "a number too large");
		n = n * 10 + d;
	}
	if (is_key_char(*lx->p, false))
		return syntax(lx, "a number followed by '%c'", *lx->p);
	v->kind = VALUE_NUMBER;
	v->number = n;
	snprintf(v->text, sizeof(v->text), "%" PRIu64, n);
	return 0;
}

static int lex_scalar(struct lexer *lx, struct value *v)
{
	if (*lx->p == '"' || *lx->p == '\'')
		return lex_string(lx, v);
	if (*lx->p >= '0' && *lx->p <= '9')
		return lex_number(lx, v);
	if (!*lx->p || *lx->p == '\n')
		return syntax(lx, "a value is missing after '='");
	return syntax(lx, "a value must be a number, a quoted string or a "
		      "list in [ ]");
}

/* A list of scalars: the first LIST_ITEMS_MAX kept, every one counted. */
static int lex_list(struct lexer *lx, struct value *v)
{
	struct value item;
	int ret;

	lx->p++;
	v->nr_items = 0;
	v->items_strings = true;
	for (;;) {
		skip_space(lx);
		if (*lx->p == ']')
			break;
		ret = lex_scalar(lx, &item);
		if (ret)
			return ret;
		if (v->nr_items < LIST_ITEMS_MAX)
			strcpy(v->items[v->nr_items], item.text);
		v->nr_items++;
		v->items_strings = v->items_strings &&
				   item.kind == VALUE_STRING;
		skip_space(lx);
		if (*lx->p == ',') {
			lx->p++;
			continue;
		}
		if (*lx->p != ']')
			return syntax(lx, "a list without its closing ]");
	}
	lx->p++;
	v->kind = VALUE_LIST;
	v->text[0] = '\0';
	return 0;
}

static int lex_value(struct lexer *lx, struct value *v)
{
	skip_blanks(lx);
	if (*lx->p == '[')
		return lex_list(lx, v);
	return lex_scalar(lx, v);
}

static const char *kind_name(enum key_kind k)
{
	switch (k) {
	case KEY_NUMBER:
		return "a number";
	case KEY_STRING:
		return "a string in quotes";
	case KEY_SIZE:
		return "a number of MiB or a string with a unit";
	default:
		return "a list";
	}
}

static bool kind_takes(enum key_kind k, enum value_kind v)
{
	switch (k) {
	case KEY_NUMBER:
		return v == VALUE_NUMBER;
	case KEY_STRING:
		return v == VALUE_STRING;
	case KEY_SIZE:
		return v == VALUE_NUMBER || v == VALUE_STRING;
	default:
		return v == VALUE_LIST;
	}
}

/* Where a message about key @k is: "FILE:LINE: KEY" or "SOURCE: KEY". */
static void key_at(char *buf, size_t size, const struct lexer *lx,
		   const char *k)
{
	if (lx->line)
		snprintf(buf, size, "%s:%u: %s", lx->source, lx->line, k);
	else
		snprintf(buf, size, "%s: %s", lx->source, k);
}

/* Give key @i the value @v, or say why not. */
static int apply(struct domcfg *c, int i, const struct value *v,
		 const struct lexer *lx)
{
	const struct key *k = &keys[i];
	char at[128], w[256];

	key_at(at, sizeof(at), lx, k->key);
	if (k->unsupported) {
		snprintf(lx->err, lx->errlen, "%s: %s", at, k->unsupported);
		return -EINVAL;
	}
	if (!kind_takes(k->kind, v->kind)) {
		snprintf(lx->err, lx->errlen, "%s: bad value: expected %s",
			 at, kind_name(k->kind));
		return -EINVAL;
	}
	if (k->set(c, v, w, sizeof(w))) {
		if (v->kind == VALUE_LIST)
			snprintf(lx->err, lx->errlen, "%s: bad value: %s", at,
				 w);
		else
			snprintf(lx->err, lx->errlen, "%s: bad value \"%s\": %s",
				 at, v->text, w);
		return -EINVAL;
	}
	c->given |= 1u << i;
	return 0;
}

static int statement(struct domcfg *c, struct lexer *lx, uint32_t *seen,
		     unsigned int *first_line)
{
	char name[64], at[128];
	struct value v;
	size_t n = 0;
	int i, ret;

	if (!is_key_char(*lx->p, true))
		return syntax(lx, "expected KEY = VALUE");
	while (is_key_char(*lx->p, false)) {
		if (n + 1 >= sizeof(name))
			return syntax(lx, "a key longer than %zu characters",
				      sizeof(name) - 1);
		name[n++] = *lx->p++;
	}
	name[n] = '\0';
	skip_blanks(lx);
	if (*lx->p != '=')
		return syntax(lx, "expected '=' after '%s'", name);
	lx->p++;
	i = key_index(name);
	if (i < 0) {
		key_at(at, sizeof(at), lx, name);
		snprintf(lx->err, lx->errlen, "%s: unknown key (pvisor.cfg(5) "
			 "lists the keys)", at);
		return -EINVAL;
	}
	if (*seen & (1u << i)) {
		key_at(at, sizeof(at), lx, name);
		snprintf(lx->err, lx->errlen, "%s: duplicate key (first set "
			 "on line %u)", at, first_line[i]);
		return -EINVAL;
	}
	ret = lex_value(lx, &v);
	if (ret)
		return ret;
	skip_blanks(lx);
	if (*lx->p && *lx->p != '\n')
		return syntax(lx, "unexpected '%c' after the value of '%s'",
			      *lx->p, name);
	*seen |= 1u << i;
	first_line[i] = lx->line;
	return apply(c, i, &v, lx);
}

int domcfg_parse(struct domcfg *c, const char *source, const char *text,
		 char *err, size_t errlen)
{
	struct lexer lx = {
		.p = text, .line = 1, .source = source,
		.err = err, .errlen = errlen,
	};
	unsigned int first_line[NR_KEYS];
	uint32_t seen = 0;
	int ret;

	for (;;) {
		skip_blanks(&lx);
		if (!*lx.p)
			return 0;
		if (*lx.p == '\n') {
			lx.p++;
			lx.line++;
			continue;
		}
		ret = statement(c, &lx, &seen, first_line);
		if (ret)
			return ret;
	}
}

int domcfg_override(struct domcfg *c, const char *arg, char *err,
		    size_t errlen)
{
	struct lexer lx = {
		.line = 0, .source = "command line", .err = err,
		.errlen = errlen,
	};
	const char *eq = strchr(arg, '=');
	char name[64], at[128];
	struct value v;
	int i, ret;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		snprintf(err, errlen, "command line: '%s' is not KEY=VALUE",
			 arg);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	i = key_index(name);
	key_at(at, sizeof(at), &lx, name);
	if (i < 0) {
		snprintf(err, errlen, "%s: unknown key (pvisor.cfg(5) lists "
			 "the keys)", at);
		return -EINVAL;
	}
	if (c->overridden & (1u << i)) {
		snprintf(err, errlen, "%s: duplicate key (given twice on the "
			 "command line)", at);
		return -EINVAL;
	}
	lx.p = eq + 1;
	/*
	 * For people: name=web as well as xl's name="web", and
	 * memory=512M as well as memory='"512M"'.
	 */
	if ((keys[i].kind == KEY_STRING ||
	     (keys[i].kind == KEY_SIZE &&
	      strspn(lx.p, "0123456789") != strlen(lx.p))) &&
	    *lx.p != '"' && *lx.p != '\'') {
		if (strlen(lx.p) >= sizeof(v.text))
			return syntax(&lx, "a string longer than %zu bytes",
				      sizeof(v.text) - 1);
		v.kind = VALUE_STRING;
		strcpy(v.text, lx.p);
	} else {
		ret = lex_value(&lx, &v);
		if (ret)
			return ret;
		skip_blanks(&lx);
		if (*lx.p)
			return syntax(&lx, "unexpected '%c' after the value "
				      "of '%s'", *lx.p, name);
	}
	c->overridden |= 1u << i;
	return apply(c, i, &v, &lx);
}

int domcfg_check(const struct domcfg *c, bool need_kernel, char *err,
		 size_t errlen)
{
	static const char *const required[] = { "name", "memory", "kernel" };
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (i == 2 && !need_kernel)
			break;
		if (!domcfg_given(c, required[i])) {
			snprintf(err, errlen, "missing required key '%s'",
				 required[i]);
			return -EINVAL;
		}
	}
	if (c->maxmem && c->maxmem != c->memory) {
		snprintf(err, errlen, "maxmem: must equal memory: pvisor "
			 "reserves a domain's whole memory when it is created "
			 "and has no ballooning");
		return -EINVAL;
	}
	if (!c->kernel[0] && (c->ramdisk[0] || c->cmdline[0])) {
		snprintf(err, errlen, "%s: needs a kernel",
			 c->ramdisk[0] ? "ramdisk" : "cmdline");
		return -EINVAL;
	}
	return 0;
}

/* @s quoted, with \ and " escaped: what lex_string() reads back. */
static void put_string(char *buf, size_t size, size_t *at, const char *s)
{
	size_t n = *at;

	if (n < size)
		buf[n] = '"';
	n++;
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') {
			if (n < size)
				buf[n] = '\\';
			n++;
		}
		if (n < size)
			buf[n] = *s;
		n++;
	}
	if (n < size)
		buf[n] = '"';
	*at = n + 1;
}

static void put(char *buf, size_t size, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t size, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*at < size ? buf + *at : NULL, *at < size ? size - *at : 0,
		      fmt, ap);
	va_end(ap);
	*at += n > 0 ? (size_t)n : 0;
}

static void put_size(char *buf, size_t size, size_t *at, const char *key,
		     uint64_t bytes)
{
	if (bytes % MIB)
		put(buf, size, at, "%s = \"%" PRIu64 "K\"\n", key, bytes >> 10);
	else
		put(buf, size, at, "%s = %" PRIu64 "\n", key, bytes / MIB);
}

static void put_string_key(char *buf, size_t size, size_t *at,
			   const char *key, const char *value)
{
	put(buf, size, at, "%s = ", key);
	put_string(buf, size, at, value);
	put(buf, size, at, "\n");
}

int domcfg_format(const struct domcfg *c, char *buf, size_t size)
{
	size_t at = 0;

	put_string_key(buf, size, &at, "name", c->name);
	put_string_key(buf, size, &at, "type", "pv");
	put_size(buf, size, &at, "memory", c->memory);
	put(buf, size, &at, "vcpus = %" PRIu32 "\n", c->vcpus);
	if (c->kernel[0])
		put_string_key(buf, size, &at, "kernel", c->kernel);
	if (c->ramdisk[0])
		put_string_key(buf, size, &at, "ramdisk", c->ramdisk);
	if (c->cmdline[0])
		put_string_key(buf, size, &at, "cmdline", c->cmdline);
	put_string_key(buf, size, &at, "on_poweroff",
		       domcfg_action_name(c->on_poweroff));
	put_string_key(buf, size, &at, "on_reboot",
		       domcfg_action_name(c->on_reboot));
	put_string_key(buf, size, &at, "on_crash",
		       domcfg_action_name(c->on_crash));
	put(buf, size, &at, "cpu_weight = %" PRIu32 "\n", c->cpu_weight);
	put(buf, size, &at, "cap = %" PRIu32 "\n", c->cap);
	if (c->nr_disks) {
		char item[DOMCFG_PATH_MAX + 16];
		uint32_t i;

		put(buf, size, &at, "disk = [");
		for (i = 0; i < c->nr_disks; i++) {
			snprintf(item, sizeof(item), "%s,%s,%s",
				 c->disks[i].path, c->disks[i].vdev,
				 c->disks[i].readonly ? "r" : "w");
			put(buf, size, &at, "%s", i ? ", " : " ");
			put_string(buf, size, &at, item);
		}
		put(buf, size, &at, " ]\n");
	}
	if (at >= size)
		return -ENOSPC;
	return (int)at;
}
