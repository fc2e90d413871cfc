/* SPDX-License-Identifier: MIT */
/*
 * Differential test: bel against libbpf, from the kernel's point of view.
 *
 * Each fixture is opened and loaded by libbpf (bpf_object__open_file + bpf_object__load: no
 * pinning, no attaching) and by bel (bel_object_open_file + bel_object_load), and while both
 * objects are live, what the KERNEL reports for each program (BPF_OBJ_GET_INFO_BY_FD, never
 * either loader's own bookkeeping) is compared, programs matched by name:
 *
 *  - the tag;
 *  - the translated instructions (xlated_prog_insns), byte for byte, except the imm of the
 *    ldimm64 map references (src_reg BPF_PSEUDO_MAP_FD / BPF_PSEUDO_MAP_VALUE), where the
 *    dump holds a map id: both ids must name maps of the same kernel name, then the imm is
 *    zeroed on both sides;
 *  - program type, kernel name, GPL compatibility, func_info / line_info counts, BTF or not,
 *    attach BTF id and the number of instructions the verifier processed;
 *  - the maps of the program (its map_ids) as a multiset of (type, key_size, value_size,
 *    max_entries, map_flags), and as a multiset of kernel names;
 *  - the metadata bpftool shows: the "metadata" object of `bpftool -j prog show id N`
 *    (absent on both sides counts as equal).
 *
 * Per object: the same program names in the same order, the same section names, and the same
 * program type and expected attach type in each loader (the kernel does not report the
 * expected attach type). metadata.bpf.o's programs must all show metadata with "bel-test".
 *
 * ONE DOCUMENTED DIFFERENCE is allowed for. libbpf 1.1 binds EVERY read-only global data map
 * of the object (.rodata, .rodata.custom, .rodata.str1.1, ...) to every program with
 * BPF_PROG_BIND_MAP, used or not. bel binds only the global data maps holding bpf_metadata_*
 * variables (besides, of course, the maps the program references). So the map set expected
 * of libbpf is bel's kernel map set plus every .rodata* map of the libbpf object (kernel name
 * containing ".rodata" and BPF_F_RDONLY_PROG set) whose name bel's set lacks.
 *
 * "libbpf" is the shared library this test links (libbpf1 1.1.2 on Debian 12), not the copy
 * inside bpftool 7.1, which is kernel 6.1's tools/lib/bpf and differs in places (it makes
 * every global data map BPF_F_MMAPABLE, where libbpf 1.1.2 sets the flag only on maps whose
 * DATASEC has a non-static variable).
 *
 * Differences are collected rather than asserted one at a time, so a run reports all of them
 * and both objects are always closed before the test fails; a fixture must also leave the
 * number of open fds as it found it.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <check.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bel.h"
#include "testutil.h"

#define DIFF_MSG_MAX (16u << 10)
#define LOG_MAX (8u << 10)
#define BPFTOOL_OUT_MAX (256u << 10)

/* A map as the kernel describes it. */
struct map_desc {
	uint32_t id;
	uint32_t type, key_size, value_size, max_entries, map_flags;
	char name[BPF_OBJ_NAME_LEN];
	/* compared apart from the multiset, between maps of the same name */
	uint32_t btf_key_type_id, btf_value_type_id;
	uint64_t map_extra;
	bool has_btf;
};

/* A loaded program as the kernel describes it. */
struct prog_view {
	struct bpf_prog_info info;  /* pointer fields cleared after the fetch */
	char tag[2 * BPF_TAG_SIZE + 1];
	struct bpf_insn *insns;
	uint32_t insn_cnt;
	struct map_desc *maps;
	uint32_t nmaps;
	char *metadata;             /* "{...}" from bpftool, or NULL when it shows none */
};

/* The differences found in one fixture, and what the loaders said. */
struct diff {
	const char *fixture;
	unsigned int nfail;
	size_t len;
	char msg[DIFF_MSG_MAX];
	size_t bel_log_len;
	char bel_log[LOG_MAX];
};

/*
 * libbpf's warnings, kept to explain a failed open or load and otherwise not printed (its map
 * for a prog array logs "Retrying without BTF" on every run; debug output is dropped).
 */
static char libbpf_log[LOG_MAX];
static size_t libbpf_log_len;

static void append(char *buf, size_t size, size_t *len, const char *fmt, va_list ap)
{
	int n;

	if (*len + 1 >= size)
		return;
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	if (n > 0)
		*len = *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		append(libbpf_log, sizeof(libbpf_log), &libbpf_log_len, fmt, ap);
	return 0;
}

static void bel_msg(enum bel_msg_level level, const char *msg, void *ctx)
{
	struct diff *d = ctx;

	if (level <= BEL_MSG_WARN) {
		size_t room = sizeof(d->bel_log) - d->bel_log_len;
		int n = snprintf(d->bel_log + d->bel_log_len, room, "  bel: %s\n", msg);

		if (n > 0)
			d->bel_log_len += (size_t)n < room ? (size_t)n : room - 1;
	}
}

__attribute__((format(printf, 2, 3)))
static void note(struct diff *d, const char *fmt, ...)
{
	va_list ap;

	d->nfail++;
	va_start(ap, fmt);
	append(d->msg, sizeof(d->msg), &d->len, fmt, ap);
	va_end(ap);
	if (d->len + 1 < sizeof(d->msg)) {
		d->msg[d->len++] = '\n';
		d->msg[d->len] = '\0';
	}
}

/* ---- the kernel's view ------------------------------------------------------------------ */

static int map_describe(uint32_t id, struct map_desc *out)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd, ret;

	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	ret = ret ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	out->id = info.id;
	out->type = info.type;
	out->key_size = info.key_size;
	out->value_size = info.value_size;
	out->max_entries = info.max_entries;
	out->map_flags = info.map_flags;
	snprintf(out->name, sizeof(out->name), "%s", info.name);
	out->btf_key_type_id = info.btf_key_type_id;
	out->btf_value_type_id = info.btf_value_type_id;
	out->map_extra = info.map_extra;
	out->has_btf = info.btf_id != 0;
	return 0;
}

/* Same as map_describe, from an fd of ours. */
static int map_describe_fd(int fd, struct map_desc *out)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	return map_describe(info.id, out);
}

static bool is_rodata(const struct map_desc *m)
{
	return strstr(m->name, ".rodata") && (m->map_flags & BPF_F_RDONLY_PROG);
}

/*
 * The value of the "metadata" key of bpftool's JSON, braces included, in a new string; NULL
 * when there is none. Strings are skipped so a brace inside a value does not count.
 */
static char *json_metadata(const char *json)
{
	const char *start = strstr(json, "\"metadata\":{"), *p;
	bool in_str = false;
	int depth = 0;
	char *out;

	if (!start)
		return NULL;
	start += strlen("\"metadata\":");
	for (p = start; *p; p++) {
		if (in_str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{') {
			depth++;
		} else if (*p == '}' && --depth == 0) {
			break;
		}
	}
	if (!*p)
		return NULL;
	out = strndup(start, (size_t)(p - start + 1));
	return out;
}

static void prog_view_free(struct prog_view *v)
{
	free(v->insns);
	free(v->maps);
	free(v->metadata);
	memset(v, 0, sizeof(*v));
}

/* Everything the kernel says about a loaded program. Failures are noted in d. */
static int prog_view_get(struct diff *d, const char *who, const char *prog, int fd,
			 struct prog_view *v)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), xlated_len, nr_map_ids, i;
	uint32_t *ids = NULL;
	char cmd[64], *out = NULL;
	int ret;

	memset(v, 0, sizeof(*v));
	memset(&info, 0, sizeof(info));
	if (fd < 0) {
		note(d, "%s: prog '%s' is not loaded (fd %d)", who, prog, fd);
		return -1;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		note(d, "%s: prog '%s': BPF_OBJ_GET_INFO_BY_FD failed: %s", who, prog,
		     strerror(errno));
		return -1;
	}
	/* Second call, with room for the instructions and the map ids. */
	xlated_len = info.xlated_prog_len;
	nr_map_ids = info.nr_map_ids;
	v->insns = calloc(1, xlated_len ? xlated_len : 1);
	ids = calloc(nr_map_ids ? nr_map_ids : 1, sizeof(*ids));
	if (!v->insns || !ids) {
		note(d, "out of memory");
		goto fail;
	}
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = xlated_len;
	info.xlated_prog_insns = (uint64_t)(uintptr_t)v->insns;
	info.nr_map_ids = nr_map_ids;
	info.map_ids = (uint64_t)(uintptr_t)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		note(d, "%s: prog '%s': BPF_OBJ_GET_INFO_BY_FD failed: %s", who, prog,
		     strerror(errno));
		goto fail;
	}
	if (info.xlated_prog_len != xlated_len || info.nr_map_ids != nr_map_ids) {
		note(d, "%s: prog '%s': program info changed between two calls", who, prog);
		goto fail;
	}
	info.xlated_prog_insns = 0;
	info.map_ids = 0;
	v->info = info;
	v->insn_cnt = xlated_len / sizeof(struct bpf_insn);
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(v->tag + 2 * i, 3, "%02x", info.tag[i]);

	v->maps = calloc(nr_map_ids ? nr_map_ids : 1, sizeof(*v->maps));
	if (!v->maps) {
		note(d, "out of memory");
		goto fail;
	}
	for (i = 0; i < nr_map_ids; i++) {
		ret = map_describe(ids[i], &v->maps[i]);
		if (ret) {
			note(d, "%s: prog '%s': map id %u: %s", who, prog, ids[i], strerror(-ret));
			goto fail;
		}
	}
	v->nmaps = nr_map_ids;

	out = malloc(BPFTOOL_OUT_MAX);
	if (!out) {
		note(d, "out of memory");
		goto fail;
	}
	snprintf(cmd, sizeof(cmd), "bpftool -j prog show id %u 2>&1", info.id);
	ret = run_capture(cmd, out, BPFTOOL_OUT_MAX);
	if (ret != 0) {
		note(d, "%s: prog '%s': `%s` exited with %d: %.300s", who, prog, cmd, ret, out);
		goto fail;
	}
	v->metadata = json_metadata(out);
	free(out);
	free(ids);
	return 0;
fail:
	free(out);
	free(ids);
	prog_view_free(v);
	return -1;
}

/* ---- comparisons -------------------------------------------------------------------------- */

static int cmp_shape(const struct map_desc *a, const struct map_desc *b)
{
#define CMP_FIELD(f) do { if (a->f != b->f) return a->f < b->f ? -1 : 1; } while (0)
	CMP_FIELD(type);
	CMP_FIELD(key_size);
	CMP_FIELD(value_size);
	CMP_FIELD(max_entries);
	CMP_FIELD(map_flags);
#undef CMP_FIELD
	return 0;
}

/* Shape first, then name: sorted this way, the shapes of two sets compare pairwise. */
static int cmp_map(const void *pa, const void *pb)
{
	const struct map_desc *a = pa, *b = pb;
	int c = cmp_shape(a, b);

	return c ? c : strcmp(a->name, b->name);
}

static int cmp_name(const void *pa, const void *pb)
{
	const struct map_desc *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

static const struct map_desc *find_map_id(const struct prog_view *v, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < v->nmaps; i++)
		if (v->maps[i].id == id)
			return &v->maps[i];
	return NULL;
}

static void format_maps(const struct map_desc *maps, uint32_t n, char *out, size_t size)
{
	size_t len = 0;
	uint32_t i;

	out[0] = '\0';
	for (i = 0; i < n && len + 1 < size; i++) {
		int w = snprintf(out + len, size - len, "%s%s(t%u k%u v%u n%u f%#x)", i ? " " : "",
				 maps[i].name, maps[i].type, maps[i].key_size, maps[i].value_size,
				 maps[i].max_entries, maps[i].map_flags);

		if (w < 0)
			break;
		len += (size_t)w < size - len ? (size_t)w : size - len - 1;
	}
}

static void insn_str(const struct bpf_insn *insn, char *out, size_t size)
{
	snprintf(out, size, "code %#04x dst r%u src r%u off %d imm %d", insn->code, insn->dst_reg,
		 insn->src_reg, insn->off, insn->imm);
}

/* Translated instructions, map ids set aside (checked to name maps of the same name). */
static bool compare_insns(struct diff *d, const char *prog, struct prog_view *lb,
			  struct prog_view *bl)
{
	uint32_t i;

	if (lb->insn_cnt != bl->insn_cnt) {
		note(d, "prog '%s': %u xlated insns with libbpf, %u with bel", prog, lb->insn_cnt,
		     bl->insn_cnt);
		return false;
	}
	for (i = 0; i < lb->insn_cnt; i++) {
		struct bpf_insn *a = &lb->insns[i], *b = &bl->insns[i];
		char sa[160], sb[160];

		if (a->code == (BPF_LD | BPF_IMM | BPF_DW) && a->src_reg == b->src_reg &&
		    (a->src_reg == BPF_PSEUDO_MAP_FD || a->src_reg == BPF_PSEUDO_MAP_VALUE)) {
			const struct map_desc *ma = find_map_id(lb, (uint32_t)a->imm);
			const struct map_desc *mb = find_map_id(bl, (uint32_t)b->imm);

			/* by name: shapes are compared with the map sets */
			if (!ma || !mb || strcmp(ma->name, mb->name)) {
				format_maps(ma, ma ? 1 : 0, sa, sizeof(sa));
				format_maps(mb, mb ? 1 : 0, sb, sizeof(sb));
				note(d, "prog '%s': insn %u refers to map %s with libbpf, %s with bel "
				     "(ids %d, %d)", prog, i, sa, sb, a->imm, b->imm);
				return false;
			}
			a->imm = 0;
			b->imm = 0;
		}
		if (memcmp(a, b, sizeof(*a))) {
			insn_str(a, sa, sizeof(sa));
			insn_str(b, sb, sizeof(sb));
			note(d, "prog '%s': xlated insn %u differs: libbpf {%s}, bel {%s}", prog, i,
			     sa, sb);
			return false;
		}
	}
	return true;
}

/* What the multiset leaves out, for the maps both programs use under one name. */
static void compare_map_details(struct diff *d, const char *prog, const struct prog_view *lb,
				const struct prog_view *bl)
{
	uint32_t i, j;

	for (i = 0; i < bl->nmaps; i++) {
		const struct map_desc *b = &bl->maps[i], *a = NULL;

		for (j = 0; j < lb->nmaps && !a; j++)
			if (!strcmp(lb->maps[j].name, b->name))
				a = &lb->maps[j];
		if (!a)
			continue;
		if (a->has_btf != b->has_btf || a->btf_key_type_id != b->btf_key_type_id ||
		    a->btf_value_type_id != b->btf_value_type_id)
			note(d, "prog '%s': map '%s': BTF %s key %u value %u with libbpf, "
			     "%s key %u value %u with bel", prog, b->name,
			     a->has_btf ? "yes" : "no", a->btf_key_type_id, a->btf_value_type_id,
			     b->has_btf ? "yes" : "no", b->btf_key_type_id, b->btf_value_type_id);
		if (a->map_extra != b->map_extra)
			note(d, "prog '%s': map '%s': map_extra %llu with libbpf, %llu with bel",
			     prog, b->name, (unsigned long long)a->map_extra,
			     (unsigned long long)b->map_extra);
	}
}

/*
 * Map sets. expected = bel's set + the object's .rodata* maps (libbpf's, from the kernel) that
 * bel's set lacks by name; it must equal libbpf's set by shape, then by name.
 */
static void compare_maps(struct diff *d, const char *prog, const struct prog_view *lb,
			 const struct prog_view *bl, const struct map_desc *rodata,
			 uint32_t nrodata)
{
	struct map_desc *exp = calloc(bl->nmaps + nrodata + 1, sizeof(*exp));
	struct map_desc *got = calloc(lb->nmaps + 1, sizeof(*got));
	char se[1024], sg[1024];
	uint32_t nexp = bl->nmaps, i, j;
	bool same = true;

	if (!exp || !got) {
		note(d, "out of memory");
		goto out;
	}
	compare_map_details(d, prog, lb, bl);
	memcpy(exp, bl->maps, bl->nmaps * sizeof(*exp));
	memcpy(got, lb->maps, lb->nmaps * sizeof(*got));
	for (i = 0; i < nrodata; i++) {
		for (j = 0; j < bl->nmaps; j++)
			if (!strcmp(bl->maps[j].name, rodata[i].name))
				break;
		if (j == bl->nmaps)
			exp[nexp++] = rodata[i];
	}
	qsort(exp, nexp, sizeof(*exp), cmp_map);
	qsort(got, lb->nmaps, sizeof(*got), cmp_map);
	if (nexp != lb->nmaps) {
		same = false;
	} else {
		for (i = 0; i < nexp && same; i++)
			same = !cmp_shape(&exp[i], &got[i]);
	}
	if (!same) {
		format_maps(exp, nexp, se, sizeof(se));
		format_maps(got, lb->nmaps, sg, sizeof(sg));
		note(d, "prog '%s': map shapes differ: expected (bel + unbound .rodata*) [%s], "
		     "libbpf [%s]", prog, se, sg);
		goto out;
	}
	qsort(exp, nexp, sizeof(*exp), cmp_name);
	qsort(got, nexp, sizeof(*got), cmp_name);
	for (i = 0; i < nexp; i++) {
		if (strcmp(exp[i].name, got[i].name)) {
			format_maps(exp, nexp, se, sizeof(se));
			format_maps(got, nexp, sg, sizeof(sg));
			note(d, "prog '%s': map names differ: expected [%s], libbpf [%s]", prog, se,
			     sg);
			break;
		}
	}
out:
	free(exp);
	free(got);
}

/* Everything but instructions and maps. */
static void compare_info(struct diff *d, const char *prog, const struct prog_view *lb,
			 const struct prog_view *bl)
{
	const struct bpf_prog_info *a = &lb->info, *b = &bl->info;

#define SAME(f) do { \
	if (a->f != b->f) \
		note(d, "prog '%s': " #f " %llu with libbpf, %llu with bel", prog, \
		     (unsigned long long)a->f, (unsigned long long)b->f); \
} while (0)
	SAME(type);
	SAME(gpl_compatible);
	SAME(nr_func_info);
	SAME(func_info_rec_size);
	SAME(nr_line_info);
	SAME(line_info_rec_size);
	SAME(attach_btf_id);
	SAME(verified_insns);
#undef SAME
	if (!a->btf_id != !b->btf_id)
		note(d, "prog '%s': %s BTF with libbpf, %s with bel", prog,
		     a->btf_id ? "has" : "has no", b->btf_id ? "has" : "has no");
	if (strncmp(a->name, b->name, sizeof(a->name)))
		note(d, "prog '%s': kernel name '%.16s' with libbpf, '%.16s' with bel", prog,
		     a->name, b->name);
	if (strcmp(lb->tag, bl->tag))
		note(d, "prog '%s': tag %s with libbpf, %s with bel", prog, lb->tag, bl->tag);
}

/* ---- one fixture -------------------------------------------------------------------------- */

/* Both loaders' program lists: same names in the same order, same sections and types. */
static void compare_programs(struct diff *d, struct bpf_object *lobj, struct bel_object *bobj)
{
	struct bpf_program *lp;
	unsigned int i = 0, n = bel_object_program_count(bobj);

	bpf_object__for_each_program(lp, lobj) {
		const char *name = bpf_program__name(lp);
		struct bel_program *bp = i < n ? bel_object_program(bobj, i) : NULL;

		if (!bp) {
			note(d, "program #%u: '%s' with libbpf, none with bel", i, name);
		} else if (strcmp(name, bel_program_name(bp))) {
			note(d, "program #%u: '%s' with libbpf, '%s' with bel", i, name,
			     bel_program_name(bp));
		} else {
			if (strcmp(bpf_program__section_name(lp), bel_program_section(bp)))
				note(d, "prog '%s': section '%s' with libbpf, '%s' with bel", name,
				     bpf_program__section_name(lp), bel_program_section(bp));
			if ((uint32_t)bpf_program__type(lp) != bel_program_type(bp))
				note(d, "prog '%s': type %u with libbpf, %u with bel", name,
				     (unsigned int)bpf_program__type(lp), bel_program_type(bp));
			if ((uint32_t)bpf_program__expected_attach_type(lp) !=
			    bel_program_expected_attach_type(bp))
				note(d, "prog '%s': expected attach type %u with libbpf, %u with bel",
				     name, (unsigned int)bpf_program__expected_attach_type(lp),
				     bel_program_expected_attach_type(bp));
		}
		i++;
	}
	for (; i < n; i++)
		note(d, "program #%u: none with libbpf, '%s' with bel", i,
		     bel_program_name(bel_object_program(bobj, i)));
}

/* The object's read-only global data maps, as libbpf created them (kernel view). */
static uint32_t libbpf_rodata_maps(struct diff *d, struct bpf_object *lobj,
				   struct map_desc *out, uint32_t max)
{
	struct bpf_map *m;
	uint32_t n = 0;

	bpf_object__for_each_map(m, lobj) {
		struct map_desc desc;
		int ret;

		if (bpf_map__fd(m) < 0)
			continue;
		ret = map_describe_fd(bpf_map__fd(m), &desc);
		if (ret) {
			note(d, "libbpf: map '%s': %s", bpf_map__name(m), strerror(-ret));
			continue;
		}
		if (!is_rodata(&desc))
			continue;
		if (n == max) {
			note(d, "libbpf: more than %u .rodata* maps", max);
			break;
		}
		out[n++] = desc;
	}
	return n;
}

static void compare_loaded(struct diff *d, struct bpf_object *lobj, struct bel_object *bobj)
{
	struct map_desc rodata[16];
	uint32_t nrodata = libbpf_rodata_maps(d, lobj, rodata, 16);
	bool metadata_fixture = !strcmp(d->fixture, "metadata");
	struct bpf_program *lp;

	printf("%-22s %-16s %8s %11s %8s %s\n", "program", "tag", "bel maps", "libbpf maps",
	       "metadata", "md equal");
	bpf_object__for_each_program(lp, lobj) {
		const char *name = bpf_program__name(lp);
		struct bel_program *bp = bel_object_find_program(bobj, name);
		struct prog_view lv, bv;
		unsigned int before = d->nfail;
		bool meta_same;

		if (!bp) {
			note(d, "prog '%s': not found in bel's object", name);
			continue;
		}
		if (prog_view_get(d, "libbpf", name, bpf_program__fd(lp), &lv))
			continue;
		if (prog_view_get(d, "bel", name, bel_program_fd(bp), &bv)) {
			prog_view_free(&lv);
			continue;
		}
		compare_info(d, name, &lv, &bv);
		compare_insns(d, name, &lv, &bv);
		compare_maps(d, name, &lv, &bv, rodata, nrodata);

		meta_same = (!lv.metadata && !bv.metadata) ||
			    (lv.metadata && bv.metadata && !strcmp(lv.metadata, bv.metadata));
		if (!meta_same)
			note(d, "prog '%s': metadata %s with libbpf, %s with bel", name,
			     lv.metadata ? lv.metadata : "(none)",
			     bv.metadata ? bv.metadata : "(none)");
		if (metadata_fixture && (!bv.metadata || !strstr(bv.metadata, "bel-test")))
			note(d, "prog '%s': bel: metadata '%s' lacks \"bel-test\"", name,
			     bv.metadata ? bv.metadata : "(none)");
		if (metadata_fixture && (!lv.metadata || !strstr(lv.metadata, "bel-test")))
			note(d, "prog '%s': libbpf: metadata '%s' lacks \"bel-test\"", name,
			     lv.metadata ? lv.metadata : "(none)");

		printf("%-22s %-16s %8u %11u %8s %s\n", name, bv.tag, bv.nmaps, lv.nmaps,
		       bv.metadata ? "yes" : "no", meta_same ? "yes" : "NO");
		if (d->nfail != before)
			printf("  ^ differs (see the failure message)\n");
		prog_view_free(&lv);
		prog_view_free(&bv);
	}
}

/* Compare one object file; fixture is the label printed and used in messages. */
static void diff_path(const char *fixture, const char *path)
{
	struct diff *d;
	struct bel_open_opts bopts = {.sz = sizeof(bopts)};
	struct bel_load_opts lopts = {.sz = sizeof(lopts)};
	struct bpf_object *lobj = NULL;
	struct bel_object *bobj = NULL;
	int fds_before, fds_after, ret;

	if (!kernel_ready())
		return;
	d = calloc(1, sizeof(*d));
	ck_assert_ptr_nonnull(d);
	d->fixture = fixture;
	libbpf_log_len = 0;
	libbpf_log[0] = '\0';
	fds_before = count_fds();

	lobj = bpf_object__open_file(path, NULL);
	if (!lobj) {
		note(d, "libbpf: opening %s failed: %s\n%s", path, strerror(errno), libbpf_log);
		goto out;
	}
	ret = bpf_object__load(lobj);
	if (ret) {
		note(d, "libbpf: loading %s failed: %s\n%s", path, strerror(-ret), libbpf_log);
		goto out;
	}
	bopts.msg = bel_msg;
	bopts.msg_ctx = d;
	ret = bel_object_open_file(path, &bopts, &bobj);
	if (ret) {
		note(d, "bel: opening %s failed: %s", path, bel_open_error());
		goto out;
	}
	ret = bel_object_load(bobj, &lopts);
	if (ret) {
		note(d, "bel: loading %s failed: %s", path, bel_object_last_error(bobj));
		goto out;
	}

	printf("\n== %s: libbpf %s vs bel\n", fixture, libbpf_version_string());
	compare_programs(d, lobj, bobj);
	compare_loaded(d, lobj, bobj);
	if (d->bel_log_len)
		printf("bel's warnings:\n%s", d->bel_log);
out:
	bel_object_close(bobj);
	bpf_object__close(lobj);
	fds_after = count_fds();
	if (fds_before != fds_after)
		note(d, "%d fds open before, %d after", fds_before, fds_after);
	fflush(stdout);
	if (d->nfail) {
		/* static: ck_abort_msg does not return (and may longjmp, in CK_FORK=no) */
		static char msg[DIFF_MSG_MAX];

		memcpy(msg, d->msg, sizeof(msg));
		free(d);
		ck_abort_msg("%s: %s", fixture, msg);
	}
	free(d);
}

/* The fixtures (none pins by name: libbpf would pin into /sys/fs/bpf), the agent-sized object
 * generated from ../shared/bench when present, and any paths given on the command line. */
static const char *const fixtures[] = {"maps", "globals", "subprogs", "sections", "metadata",
				       "hello", "large"};
static char **extra_paths;

START_TEST(test_diff_fixture)
{
	char path[4096];
	size_t size;
	void *probe;

	snprintf(path, sizeof(path), "%s", fixture_path(fixtures[_i]));
	if (!strcmp(fixtures[_i], "large")) {
		probe = read_file(path, &size);
		if (!probe) {
			printf("large.bpf.o not built (../shared/bench missing): not compared\n");
			return;
		}
		free(probe);
	}
	diff_path(fixtures[_i], path);
}
END_TEST

START_TEST(test_diff_extra)
{
	diff_path(extra_paths[_i], extra_paths[_i]);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("diff_libbpf");
	TCase *tc = tcase_create("objects");
	SRunner *sr;
	int failures;

	libbpf_set_print(libbpf_print);
	/* loads two objects and runs bpftool twice per program */
	tcase_set_timeout(tc, 300);
	if (argc > 1) {
		extra_paths = argv + 1;
		tcase_add_loop_test(tc, test_diff_extra, 0, argc - 1);
	} else {
		tcase_add_loop_test(tc, test_diff_fixture, 0, sizeof(fixtures) / sizeof(fixtures[0]));
	}
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures != 0;
}
