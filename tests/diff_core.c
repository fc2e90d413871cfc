/* SPDX-License-Identifier: MIT */
/*
 * Differential comparison: bel against libbpf, from the kernel's point of view (see
 * diff_core.h for the interface; test_diff.c and test_corpus.c use it).
 *
 * An object is opened and loaded by libbpf (bpf_object__open_file + bpf_object__load: no
 * attaching; maps pinned by name go under dc_opts.libbpf_pin_root) and by bel
 * (bel_object_open_file + bel_object_load, pins by name under dc_opts.bel_pin_root), and while
 * both objects are live, what the KERNEL reports for each program (BPF_OBJ_GET_INFO_BY_FD,
 * never either loader's own bookkeeping) is compared, programs matched by name:
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
 * expected attach type).
 *
 * ONE DOCUMENTED DIFFERENCE is allowed for. libbpf 1.1 binds EVERY read-only global data map
 * of the object (.rodata, .rodata.custom, .rodata.str1.1, ...) to every program with
 * BPF_PROG_BIND_MAP, used or not. bel binds only the global data maps holding bpf_metadata_*
 * variables (besides, of course, the maps the program references). So the map set expected
 * of libbpf is bel's kernel map set plus every .rodata* map of the libbpf object (kernel name
 * containing ".rodata" and BPF_F_RDONLY_PROG set) whose name bel's set lacks.
 *
 * One program at a time (DC_STEP_ALONE, DC_STEP_KEEP_GOING): libbpf loads each program alone
 * (every other program's autoload off; libbpf still creates all the object's maps), bel loads
 * the object once with keep_going; every program both loaded is compared as above.
 *
 * "libbpf" is the shared library this test links (libbpf1 1.1.2 on Debian 12), not the copy
 * inside bpftool 7.1, which is kernel 6.1's tools/lib/bpf and differs in places (it makes
 * every global data map BPF_F_MMAPABLE, where libbpf 1.1.2 sets the flag only on maps whose
 * DATASEC has a non-static variable).
 *
 * Differences are collected, never asserted, so a run reports all of them and both objects
 * are always closed.
 */
#include "diff_core.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bel/bel.h"
#include "testutil.h"

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

/*
 * libbpf's warnings, kept to explain a failed open or load and otherwise not printed (its map
 * for a prog array logs "Retrying without BTF" on every run; debug output is dropped).
 */
static char libbpf_log[DC_LOG_MAX];
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

static void libbpf_log_reset(void)
{
	libbpf_log_len = 0;
	libbpf_log[0] = '\0';
}

void dc_init(void)
{
	libbpf_set_print(libbpf_print);
}

static void bel_msg(enum bel_msg_level level, const char *msg, void *ctx)
{
	struct dc_result *r = ctx;

	if (level <= BEL_MSG_WARN) {
		size_t room = sizeof(r->bel_log) - r->bel_log_len;
		int n = snprintf(r->bel_log + r->bel_log_len, room, "  bel: %s\n", msg);

		if (n > 0)
			r->bel_log_len += (size_t)n < room ? (size_t)n : room - 1;
	}
	if (level == BEL_MSG_WARN) {
		size_t room = sizeof(r->bel_warn) - r->bel_warn_len;
		int n = snprintf(r->bel_warn + r->bel_warn_len, room, "%.*s\n",
				 (int)strcspn(msg, "\n"), msg);

		if (n > 0)
			r->bel_warn_len += (size_t)n < room ? (size_t)n : room - 1;
	}
}

__attribute__((format(printf, 2, 3)))
static void note(struct dc_notes *d, const char *fmt, ...)
{
	va_list ap;

	d->n++;
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
static int prog_view_get(struct dc_notes *d, const char *who, const char *prog, int fd,
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
static bool compare_insns(struct dc_notes *d, const char *prog, struct prog_view *lb,
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
static void compare_map_details(struct dc_notes *d, const char *prog, const struct prog_view *lb,
				const struct prog_view *bl)
{
	uint32_t i, j;

	for (i = 0; i < bl->nmaps; i++) {
		const struct map_desc *b = &bl->maps[i], *a = NULL;

		/* kernel names are cut to 15 bytes, so two maps may share one: pair the one of the
		 * same shape first */
		for (j = 0; j < lb->nmaps && !a; j++)
			if (!strcmp(lb->maps[j].name, b->name) && !cmp_shape(&lb->maps[j], b))
				a = &lb->maps[j];
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
static void compare_maps(struct dc_notes *d, const char *prog, const struct prog_view *lb,
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
static void compare_info(struct dc_notes *d, const char *prog, const struct prog_view *lb,
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

/* ---- one object ----------------------------------------------------------------------------- */

/* Both loaders' program lists: same names in the same order, same sections and types. */
static void compare_programs(struct dc_notes *d, struct bpf_object *lobj, struct bel_object *bobj)
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
static uint32_t libbpf_rodata_maps(struct dc_notes *d, struct bpf_object *lobj,
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

/* One program loaded by both: every comparison; returns whether the metadata is the same. */
static bool compare_views(struct dc_notes *d, const char *name, struct prog_view *lv,
			  struct prog_view *bv, const struct map_desc *rodata, uint32_t nrodata,
			  const char *require_metadata)
{
	bool meta_same;

	compare_info(d, name, lv, bv);
	compare_insns(d, name, lv, bv);
	compare_maps(d, name, lv, bv, rodata, nrodata);

	meta_same = (!lv->metadata && !bv->metadata) ||
		    (lv->metadata && bv->metadata && !strcmp(lv->metadata, bv->metadata));
	if (!meta_same)
		note(d, "prog '%s': metadata %s with libbpf, %s with bel", name,
		     lv->metadata ? lv->metadata : "(none)", bv->metadata ? bv->metadata : "(none)");
	if (require_metadata && (!bv->metadata || !strstr(bv->metadata, require_metadata)))
		note(d, "prog '%s': bel: metadata '%s' lacks \"%s\"", name,
		     bv->metadata ? bv->metadata : "(none)", require_metadata);
	if (require_metadata && (!lv->metadata || !strstr(lv->metadata, require_metadata)))
		note(d, "prog '%s': libbpf: metadata '%s' lacks \"%s\"", name,
		     lv->metadata ? lv->metadata : "(none)", require_metadata);
	return meta_same;
}

/* The entry of r->progs for a program name, appended if new (NULL past DC_MAX_PROGS). */
static struct dc_prog *prog_slot(struct dc_result *r, const char *name, const char *section)
{
	struct dc_prog *p;
	unsigned int i;

	for (i = 0; i < r->nprogs; i++)
		if (!strcmp(r->progs[i].name, name))
			return &r->progs[i];
	if (r->nprogs == DC_MAX_PROGS) {
		r->truncated = true;
		return NULL;
	}
	p = &r->progs[r->nprogs++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->section, sizeof(p->section), "%s", section);
	p->libbpf_alone = DC_NOT_RUN;
	p->bel_keep_going = DC_NOT_RUN;
	return p;
}

static void compare_loaded(struct dc_result *r, const struct dc_opts *o, struct bpf_object *lobj,
			   struct bel_object *bobj)
{
	struct dc_notes *d = &r->diff;
	struct map_desc rodata[16];
	uint32_t nrodata = libbpf_rodata_maps(d, lobj, rodata, 16);
	struct bpf_program *lp;

	if (o->print)
		printf("%-22s %-16s %8s %11s %8s %s\n", "program", "tag", "bel maps",
		       "libbpf maps", "metadata", "md equal");
	bpf_object__for_each_program(lp, lobj) {
		const char *name = bpf_program__name(lp);
		struct bel_program *bp = bel_object_find_program(bobj, name);
		struct dc_prog *slot = prog_slot(r, name, bpf_program__section_name(lp));
		struct prog_view lv, bv;
		unsigned int before = d->n;
		bool meta_same;

		if (!bp) {
			note(d, "prog '%s': not found in bel's object", name);
			continue;
		}
		if (prog_view_get(d, "libbpf", name, bpf_program__fd(lp), &lv)) {
			if (slot)
				slot->differs = true;
			continue;
		}
		if (prog_view_get(d, "bel", name, bel_program_fd(bp), &bv)) {
			prog_view_free(&lv);
			if (slot)
				slot->differs = true;
			continue;
		}
		meta_same = compare_views(d, name, &lv, &bv, rodata, nrodata, o->require_metadata);
		if (o->print)
			printf("%-22s %-16s %8u %11u %8s %s\n", name, bv.tag, bv.nmaps, lv.nmaps,
			       bv.metadata ? "yes" : "no", meta_same ? "yes" : "NO");
		if (d->n != before && o->print)
			printf("  ^ differs (see the failure message)\n");
		if (slot) {
			slot->compared = true;
			slot->differs = d->n != before;
			snprintf(slot->tag, sizeof(slot->tag), "%s", bv.tag);
			slot->bel_nmaps = bv.nmaps;
			slot->libbpf_nmaps = lv.nmaps;
			slot->bel_metadata = bv.metadata != NULL;
			slot->metadata_same = meta_same;
		}
		prog_view_free(&lv);
		prog_view_free(&bv);
	}
}

/* A loader message shortened for a table: its first line, and its last when it has more. */
static void summarize(char *out, size_t size, const char *msg)
{
	const char *eol = strchr(msg, '\n'), *last = NULL, *p;
	size_t first = eol ? (size_t)(eol - msg) : strlen(msg);

	/* the last non-empty line after the first */
	for (p = eol; p && *p; p = strchr(p + 1, '\n'))
		if (p[1] && p[1] != '\n')
			last = p + 1;
	if (last)
		snprintf(out, size, "%.*s | %.*s", (int)first, msg, (int)strcspn(last, "\n"), last);
	else
		snprintf(out, size, "%.*s", (int)first, msg);
}

/*
 * Why libbpf failed, from its warnings: the first line saying something failed (or the first
 * line), and the verifier's last line when it printed a verifier log.
 */
static void libbpf_why(char *out, size_t size, const char *log, int err)
{
	const char *line = NULL, *p, *end_log, *vlast = NULL;
	size_t len;

	for (p = log; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t n = strcspn(p, "\n");
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
		if (strstr(buf, "BEGIN PROG LOAD LOG"))
			break;
		if (strstr(buf, "Retrying without BTF"))
			continue;
		if (strstr(buf, "failed") || strstr(buf, "rror") || strstr(buf, "unsupported") ||
		    strstr(buf, "unrecognized") || strstr(buf, "not found") ||
		    strstr(buf, "invalid") || strstr(buf, "mismatch") || strstr(buf, "nknown")) {
			line = p;
			break;
		}
		if (!line)
			line = p;
	}
	end_log = strstr(log, "-- END PROG LOAD LOG --");
	if (end_log) {
		/* the last non-empty line before it */
		for (p = end_log; p > log && (p[-1] == '\n' || p[-1] == ' '); p--)
			;
		len = 0;
		while (p > log && p[-1] != '\n') {
			p--;
			len++;
		}
		if (len)
			vlast = p;
	}
	if (!line) {
		snprintf(out, size, "%s", strerror(-err));
		return;
	}
	len = strcspn(line, "\n");
	if (len && line[len - 1] == '\r')
		len--;
	if (vlast)
		snprintf(out, size, "%.*s | %.*s", (int)len, line, (int)strcspn(vlast, "\n"), vlast);
	else
		snprintf(out, size, "%.*s", (int)len, line);
}

void dc_empty_dir(const char *dir)
{
	char path[4096];
	struct dirent *de;
	DIR *d;

	/* never a whole bpffs: only the private roots the callers made */
	if (!dir || !strcmp(dir, "/") || !strcmp(dir, "/sys/fs/bpf") || !strcmp(dir, "/sys/fs/bpf/"))
		return;
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		remove_tree(path);
	}
	closedir(d);
}

static void empty_pin_roots(const struct dc_opts *o)
{
	dc_empty_dir(o->libbpf_pin_root);
	dc_empty_dir(o->bel_pin_root);
}

/* Whole-object loads with both loaders, and the comparison when both loaded. */
static void run_whole(const char *path, const struct dc_opts *o, unsigned int steps,
		      struct dc_result *r)
{
	LIBBPF_OPTS(bpf_object_open_opts, lopts, .pin_root_path = o->libbpf_pin_root);
	struct bel_open_opts bopts = {.sz = sizeof(bopts), .msg = bel_msg, .msg_ctx = r,
				      .pin_root = o->bel_pin_root};
	struct bel_load_opts blopts = {.sz = sizeof(blopts)};
	struct bpf_object *lobj = NULL;
	struct bel_object *bobj = NULL;
	struct bpf_program *lp;
	int fds_before = o->check_fds ? count_fds() : 0, fds_after, ret;
	unsigned int i;

	empty_pin_roots(o);
	if (steps & DC_STEP_LIBBPF) {
		r->step = DC_STEP_LIBBPF;
		libbpf_log_reset();
		r->stage = DC_IN_LIBBPF;
		lobj = bpf_object__open_file(path, &lopts);
		ret = lobj ? 0 : -errno;
		r->stage = DC_IN_COMPARE;
		if (!lobj) {
			r->libbpf.status = ret ? ret : -EINVAL;
			r->libbpf.open_failed = true;
			snprintf(r->libbpf.note, sizeof(r->libbpf.note), "libbpf: opening %s failed: "
				 "%s\n%s", path, strerror(-ret), libbpf_log);
			libbpf_why(r->libbpf.msg, sizeof(r->libbpf.msg), libbpf_log, ret);
		} else {
			r->libbpf_opened = true;
			bpf_object__for_each_program(lp, lobj)
				prog_slot(r, bpf_program__name(lp), bpf_program__section_name(lp));
			r->stage = DC_IN_LIBBPF;
			ret = bpf_object__load(lobj);
			r->stage = DC_IN_COMPARE;
			r->libbpf.status = ret;
			if (ret) {
				snprintf(r->libbpf.note, sizeof(r->libbpf.note), "libbpf: loading %s "
					 "failed: %s\n%s", path, strerror(-ret), libbpf_log);
				libbpf_why(r->libbpf.msg, sizeof(r->libbpf.msg), libbpf_log, ret);
			}
		}
	}
	if (steps & DC_STEP_BEL) {
		r->step = DC_STEP_BEL;
		r->stage = DC_IN_BEL;
		ret = bel_object_open_file(path, &bopts, &bobj);
		r->stage = DC_IN_COMPARE;
		if (ret) {
			r->bel.status = ret;
			r->bel.open_failed = true;
			snprintf(r->bel.note, sizeof(r->bel.note), "bel: opening %s failed: %s", path,
				 bel_thread_error());
			summarize(r->bel.msg, sizeof(r->bel.msg), bel_thread_error());
		} else {
			r->bel_opened = true;
			for (i = 0; i < bel_object_program_count(bobj); i++) {
				struct bel_program *bp = bel_object_program(bobj, i);

				prog_slot(r, bel_program_name(bp), bel_program_section(bp));
			}
			r->stage = DC_IN_BEL;
			ret = bel_object_load(bobj, &blopts);
			r->stage = DC_IN_COMPARE;
			r->bel.status = ret;
			if (ret) {
				snprintf(r->bel.note, sizeof(r->bel.note), "bel: loading %s failed: %s",
					 path, bel_object_last_error(bobj));
				summarize(r->bel.msg, sizeof(r->bel.msg), bel_object_last_error(bobj));
			}
		}
	}
	if (lobj && bobj && !r->libbpf.status && !r->bel.status) {
		if (o->print)
			printf("\n== %s: libbpf %s vs bel\n", o->label, libbpf_version_string());
		compare_programs(&r->diff, lobj, bobj);
		compare_loaded(r, o, lobj, bobj);
		if (o->print && r->bel_log_len)
			printf("bel's warnings:\n%s", r->bel_log);
	}
	r->stage = DC_IN_BEL;
	bel_object_close(bobj);
	r->stage = DC_IN_LIBBPF;
	bpf_object__close(lobj);
	r->stage = DC_IN_COMPARE;
	if (o->check_fds) {
		fds_after = count_fds();
		if (fds_before != fds_after)
			note(&r->diff, "%d fds open before, %d after", fds_before, fds_after);
	}
	empty_pin_roots(o);
}

/* libbpf loads program idx alone; compared with bel's keep_going load of it (kobj). */
static void run_alone(const char *path, const struct dc_opts *o, unsigned int idx,
		      struct bel_object *kobj, struct dc_result *r)
{
	LIBBPF_OPTS(bpf_object_open_opts, lopts, .pin_root_path = o->libbpf_pin_root);
	struct bpf_object *lobj;
	struct bpf_program *lp, *mine = NULL;
	struct dc_prog *slot = &r->progs[idx];
	struct bel_program *bp;
	int ret;

	dc_empty_dir(o->libbpf_pin_root);
	libbpf_log_reset();
	r->stage = DC_IN_LIBBPF;
	lobj = bpf_object__open_file(path, &lopts);
	ret = lobj ? 0 : -errno;
	r->stage = DC_IN_COMPARE;
	if (!lobj) {
		slot->libbpf_alone = ret ? ret : -EINVAL;
		libbpf_why(slot->libbpf_alone_msg, sizeof(slot->libbpf_alone_msg), libbpf_log, ret);
		return;
	}
	bpf_object__for_each_program(lp, lobj) {
		bool me = !strcmp(bpf_program__name(lp), slot->name);

		bpf_program__set_autoload(lp, me);
		if (me)
			mine = lp;
	}
	if (!mine) {
		slot->libbpf_alone = -ENOENT;
		snprintf(slot->libbpf_alone_msg, sizeof(slot->libbpf_alone_msg),
			 "not a program of libbpf's object");
		goto out;
	}
	r->stage = DC_IN_LIBBPF;
	ret = bpf_object__load(lobj);
	r->stage = DC_IN_COMPARE;
	slot->libbpf_alone = ret;
	if (ret) {
		libbpf_why(slot->libbpf_alone_msg, sizeof(slot->libbpf_alone_msg), libbpf_log, ret);
		goto out;
	}
	bp = kobj ? bel_object_find_program(kobj, slot->name) : NULL;
	if (bp && bel_program_fd(bp) >= 0) {
		struct map_desc rodata[16];
		uint32_t nrodata;
		struct prog_view lv, bv;
		unsigned int before = r->kg_diff.n;

		nrodata = libbpf_rodata_maps(&r->kg_diff, lobj, rodata, 16);
		if (!prog_view_get(&r->kg_diff, "libbpf", slot->name, bpf_program__fd(mine), &lv)) {
			if (!prog_view_get(&r->kg_diff, "bel", slot->name, bel_program_fd(bp), &bv)) {
				compare_views(&r->kg_diff, slot->name, &lv, &bv, rodata, nrodata,
					      o->require_metadata);
				prog_view_free(&bv);
			}
			prog_view_free(&lv);
		}
		slot->kg_compared = true;
		slot->kg_differs = r->kg_diff.n != before;
	}
out:
	r->stage = DC_IN_LIBBPF;
	bpf_object__close(lobj);
	r->stage = DC_IN_COMPARE;
	dc_empty_dir(o->libbpf_pin_root);
}

/* bel keep_going, and each program alone with libbpf. */
static void run_one_by_one(const char *path, const struct dc_opts *o, unsigned int steps,
			   struct dc_result *r)
{
	LIBBPF_OPTS(bpf_object_open_opts, lopts, .pin_root_path = o->libbpf_pin_root);
	struct bel_open_opts bopts = {.sz = sizeof(bopts), .msg = bel_msg, .msg_ctx = r,
				      .pin_root = o->bel_pin_root};
	struct bel_load_opts kopts = {.sz = sizeof(kopts), .keep_going = true};
	struct bel_object *kobj = NULL;
	struct bpf_object *lobj;
	struct bpf_program *lp;
	unsigned int i, n;
	int ret;

	empty_pin_roots(o);
	if (steps & DC_STEP_KEEP_GOING) {
		r->step = DC_STEP_KEEP_GOING;
		r->stage = DC_IN_BEL;
		ret = bel_object_open_file(path, &bopts, &kobj);
		r->stage = DC_IN_COMPARE;
		if (ret) {
			kobj = NULL;
			r->bel_keep_going = ret;
			r->bel_keep_going_open_failed = true;
			summarize(r->bel_keep_going_msg, sizeof(r->bel_keep_going_msg),
				  bel_thread_error());
		} else {
			r->bel_opened = true;
			r->stage = DC_IN_BEL;
			ret = bel_object_load(kobj, &kopts);
			r->stage = DC_IN_COMPARE;
			r->bel_keep_going = ret;
			if (ret)
				summarize(r->bel_keep_going_msg, sizeof(r->bel_keep_going_msg),
					  bel_object_last_error(kobj));
			for (i = 0; i < bel_object_program_count(kobj); i++) {
				struct bel_program *bp = bel_object_program(kobj, i);
				struct dc_prog *slot = prog_slot(r, bel_program_name(bp),
								 bel_program_section(bp));

				if (!slot)
					continue;
				slot->bel_keep_going = bel_program_status(bp);
				if (slot->bel_keep_going)
					summarize(slot->bel_keep_going_msg,
						  sizeof(slot->bel_keep_going_msg),
						  bel_program_error(bp));
			}
		}
	}
	if (steps & DC_STEP_ALONE) {
		r->step = DC_STEP_ALONE;
		/* the program list, from an object that is only opened */
		libbpf_log_reset();
		r->stage = DC_IN_LIBBPF;
		lobj = bpf_object__open_file(path, &lopts);
		ret = lobj ? 0 : -errno;
		r->stage = DC_IN_COMPARE;
		if (!lobj) {
			/* no program loads alone: say so for every program bel found */
			for (i = 0; i < r->nprogs; i++) {
				r->progs[i].libbpf_alone = ret ? ret : -EINVAL;
				libbpf_why(r->progs[i].libbpf_alone_msg,
					   sizeof(r->progs[i].libbpf_alone_msg), libbpf_log, ret);
			}
		} else {
			r->libbpf_opened = true;
			bpf_object__for_each_program(lp, lobj)
				prog_slot(r, bpf_program__name(lp), bpf_program__section_name(lp));
			r->stage = DC_IN_LIBBPF;
			bpf_object__close(lobj);
			r->stage = DC_IN_COMPARE;
			n = r->nprogs;
			for (i = 0; i < n; i++)
				run_alone(path, o, i, kobj, r);
		}
	}
	r->stage = DC_IN_BEL;
	bel_object_close(kobj);
	r->stage = DC_IN_COMPARE;
	empty_pin_roots(o);
}

unsigned int dc_run(const char *path, const struct dc_opts *o, struct dc_result *r)
{
	unsigned int steps = o->steps ? o->steps : DC_STEP_LIBBPF | DC_STEP_BEL;

	memset(r, 0, sizeof(*r));
	r->libbpf.status = DC_NOT_RUN;
	r->bel.status = DC_NOT_RUN;
	r->bel_keep_going = DC_NOT_RUN;
	if (steps & (DC_STEP_LIBBPF | DC_STEP_BEL))
		run_whole(path, o, steps, r);
	if (steps & (DC_STEP_ALONE | DC_STEP_KEEP_GOING))
		run_one_by_one(path, o, steps, r);
	r->step = 0;
	r->stage = DC_IN_NOTHING;
	return r->diff.n;
}
