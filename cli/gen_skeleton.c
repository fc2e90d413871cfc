/* SPDX-License-Identifier: MIT */
/*
 * bel gen skeleton OBJ: one header that needs only <bel/bel.h>: the object's bytes embedded, a
 * struct with a handle per program and map, a link fd per program, and a typed pointer per global data section (the
 * section's non-static variables at their offsets, each offset and size checked by a static
 * assertion generated from BTF). Before load the pointers reach the object's initial values,
 * after load the live maps (mapped; read-only for .rodata). Besides the whole-object calls,
 * every program gets its own load/unload/attach, which libbpf's skeleton cannot offer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf/btf.h"
#include "btf/c_dump.h"
#include "cli.h"
#include "text.h"
#include "common/array.h"
#include "common/name_map.h"
#include "common/strbuf.h"

#define MAX_OBJECT (256u << 20)

/* C and C++ words a member or function name must not be, and lower-case macros gcc predefines
 * or the header's includes define. */
static const char *const keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
	"enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
	"restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
	"union", "unsigned", "void", "volatile", "while", "bool", "true", "false", "class",
	"delete", "new", "private", "protected", "public", "template", "this", "throw", "try",
	"catch", "namespace", "operator", "virtual", "friend", "mutable", "typename", "using",
	"explicit", "export", "asm", "and", "or", "not", "xor", "nullptr", "alignas", "alignof",
	"static_assert", "thread_local", "decltype", "constexpr", "noexcept", "obj", "and_eq",
	"bitand", "bitor", "compl", "not_eq", "or_eq", "xor_eq", "char8_t", "char16_t", "char32_t",
	"wchar_t", "const_cast", "dynamic_cast", "reinterpret_cast", "static_cast", "typeid",
	"concept", "requires", "co_await", "co_return", "co_yield", "consteval", "constinit",
	"typeof", "typeof_unqual", "errno", "linux", "unix", "i386",
};

/*
 * A set of C names. Each name asked for again gets the next free numeric suffix, found from the
 * last one given for it: n names cost n lookups, however many share a base (an object can make
 * thousands of names that differ only in bytes C cannot spell).
 */
struct c_names {
	struct bel_name_map index;  /* name -> its slot in next; names are the caller's */
	uint32_t *next;             /* per name: the suffix to try next for it */
	uint32_t n, cap;
};

static void c_names_free(struct c_names *set)
{
	bel_name_map_free(&set->index);
	free(set->next);
	memset(set, 0, sizeof(*set));
}

static int c_names_add(struct c_names *set, const char *name)
{
	if (bel_grow(&set->next, set->n, &set->cap, sizeof(*set->next), 16))
		return -ENOMEM;
	set->next[set->n] = 2;
	if (bel_name_map_add(&set->index, name, set->n))
		return -ENOMEM;
	set->n++;
	return 0;
}

static bool is_upper_macro_like(const char *id)
{
	bool letter = false;

	for (; *id; id++) {
		if (*id >= 'a' && *id <= 'z')
			return false;
		letter |= *id >= 'A' && *id <= 'Z';
	}
	return letter;
}

/*
 * A name as a C identifier: other characters become '_'; a leading digit, "__" or '_' and a
 * capital (reserved to the implementation) get a character added before it, a keyword a '_'
 * after it. Within a set, so does an all-capitals name (a macro's, such as EINVAL or NULL) and
 * `avoid` (a name the header makes next to this one), and the name is unique in the set by a
 * numeric suffix; the set keeps the pointer. set NULL: the skeleton's own name. Caller frees.
 */
static char *identifier(const char *name, struct c_names *set, const char *avoid)
{
	size_t len = strlen(name), i;
	char *id = malloc(len + 16), *cand;
	uint32_t k, slot;
	int found;

	if (!id)
		return NULL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		id[i] = (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9')) ? c : '_';
	}
	id[len] = '\0';
	if (!len || (id[0] >= '0' && id[0] <= '9') ||
	    (id[0] == '_' && (id[1] == '_' || (id[1] >= 'A' && id[1] <= 'Z')))) {
		memmove(id + 1, id, len + 1);
		id[0] = len && id[0] != '_' ? '_' : 'x';
	}
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (!strcmp(id, keywords[i]))
			strcat(id, "_");
	if (!set)
		return id;
	if (is_upper_macro_like(id) || (avoid && !strcmp(id, avoid)))
		strcat(id, "_");
	found = bel_name_map_get(&set->index, id);
	if (found < 0) {
		if (c_names_add(set, id)) {
			free(id);
			return NULL;
		}
		return id;
	}
	slot = (uint32_t)found;
	cand = malloc(strlen(id) + 16);
	for (k = set->next[slot]; cand; k++) {
		snprintf(cand, strlen(id) + 16, "%s_%u", id, k);
		if (bel_name_map_get(&set->index, cand) < 0)
			break;
	}
	free(id);
	if (!cand)
		return NULL;
	set->next[slot] = k + 1;
	if (c_names_add(set, cand)) {
		free(cand);
		return NULL;
	}
	return cand;
}

/* One global data section with a struct: its map and its variables. */
struct section {
	struct bel_map *map;
	unsigned int map_index;
	char *field;            /* "rodata", "bss", "data_custom" */
	unsigned int first, count; /* of the object's variables (bel_object_var), by offset */
};

struct skel {
	struct bel_object *obj;
	struct bel_btf *btf;
	struct bel_btf_c_names *names;
	const char *name;       /* the skeleton's C name */
	const char *obj_name;   /* the object's name, as bel names its maps */
	char **progs, **maps;   /* C names, by index */
	struct section *secs;
	unsigned int nsecs;
	struct bel_strbuf out;
};

static int fail(const char *what)
{
	cli_error("gen skeleton: %s", what);
	return 1;
}

static bool is_user_section(const char *sec)
{
	return sec && strcmp(sec, ".kconfig") && (!strncmp(sec, ".data", 5) ||
						  !strncmp(sec, ".rodata", 7) || !strncmp(sec, ".bss", 4));
}

/* The variable's type without the const/volatile at its top: user space writes it. */
static uint32_t unqualified(const struct bel_btf *btf, uint32_t id)
{
	int depth = 0;

	for (;;) {
		const struct btf_type *t = bel_btf_type(btf, id);

		if (!t || depth++ > BEL_BTF_MAX_DEPTH ||
		    (btf_kind(t) != BTF_KIND_CONST && btf_kind(t) != BTF_KIND_VOLATILE &&
		     btf_kind(t) != BTF_KIND_RESTRICT && btf_kind(t) != BTF_KIND_TYPE_TAG))
			return id;
		id = t->type;
	}
}

static int collect(struct skel *sk)
{
	unsigned int nprogs = bel_object_program_count(sk->obj), nmaps = bel_object_map_count(sk->obj);
	unsigned int i, v = 0, nvars = bel_object_var_count(sk->obj);
	struct c_names progs = {0}, maps = {0}, fields = {0};
	int ret = -ENOMEM;

	sk->progs = calloc(nprogs + 1, sizeof(*sk->progs));
	sk->maps = calloc(nmaps + 1, sizeof(*sk->maps));
	sk->secs = calloc(nmaps + 1, sizeof(*sk->secs));
	if (!sk->progs || !sk->maps || !sk->secs)
		goto out;
	/* "threads": <name>__load_threads is the whole object's, <name>__load_<prog> a program's */
	for (i = 0; i < nprogs; i++)
		if (!(sk->progs[i] = identifier(bel_program_name(bel_object_program(sk->obj, i)),
						&progs, "threads")))
			goto out;
	for (i = 0; i < nmaps; i++) {
		struct bel_map *m = bel_object_map(sk->obj, i);
		const char *sec = bel_map_data_section(m);
		struct section *out = &sk->secs[sk->nsecs];
		bool user = is_user_section(sec) && sk->btf;

		/* ".rodata" -> maps.rodata, as bpftool names them */
		if (!(sk->maps[i] = identifier(sec ? sec + 1 : bel_map_name(m), &maps, NULL)))
			goto out;
		/* the variables come by map, in map order: one pass over them serves every map */
		for (; v < nvars; v++) {
			struct bel_var_info info = {.sz = sizeof(info)};

			if (bel_object_var(sk->obj, v, &info) || info.map != m)
				break;
			if (!user || !info.global)
				continue;
			if (!out->count)
				out->first = v;
			out->count = v + 1 - out->first;
		}
		if (!out->count)
			continue; /* only static variables: nothing user space sees */
		out->map = m;
		out->map_index = i;
		if (!(out->field = identifier(sec + 1, &fields, NULL)))
			goto out;
		sk->nsecs++;
	}
	ret = 0;
out:
	c_names_free(&progs);
	c_names_free(&maps);
	c_names_free(&fields);
	return ret;
}

static void put_bytes(struct bel_strbuf *out, const uint8_t *bytes, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++) {
		if (i % 32 == 0)
			bel_strbuf_puts(out, i ? "\"\n\t\t\"" : "\t\t\"");
		bel_strbuf_printf(out, "\\x%02x", bytes[i]);
	}
	bel_strbuf_puts(out, size ? "\";\n" : "\t\t\"\";\n");
}

/* The types the variables need, then one struct per section with explicit padding. */
static int put_sections(struct skel *sk, struct bel_err *err)
{
	struct bel_strbuf *out = &sk->out;
	uint32_t *roots = NULL;
	unsigned int s, v, nroots = 0;
	int ret = 0;

	for (s = 0; s < sk->nsecs; s++)
		nroots += sk->secs[s].count;
	roots = calloc(nroots + 1, sizeof(*roots));
	if (!roots)
		return bel_errf(err, ENOMEM, "out of memory");
	nroots = 0;
	for (s = 0; s < sk->nsecs; s++)
		for (v = sk->secs[s].first; v < sk->secs[s].first + sk->secs[s].count; v++) {
			struct bel_var_info info = {.sz = sizeof(info)};

			if (!bel_object_var(sk->obj, v, &info) && info.global && info.map == sk->secs[s].map)
				roots[nroots++] = unqualified(sk->btf, info.btf_type_id);
		}
	if (nroots) {
		struct bel_btf_c_opts opts = {.sz = sizeof(opts)};
		size_t start, len;
		char *at;

		bel_strbuf_puts(out, "/* The types of the global variables, from the object's BTF. */\n");
		start = out->len;
		ret = bel_btf_dump_c(sk->btf, roots, nroots, &opts, out, err);
		/* bel.h brings <stdbool.h>: C has bool as a macro and C++ as a keyword, and vmlinux.h's
		 * own `typedef _Bool bool` would clash with both */
		if (!ret && !out->oom && (at = strstr(out->buf + start, "typedef _Bool bool;\n"))) {
			len = strlen("typedef _Bool bool;\n");
			memmove(at, at + len, out->len - (size_t)(at - out->buf) - len + 1);
			out->len -= len;
		}
		bel_strbuf_puts(out, "\n");
	}
	free(roots);
	for (s = 0; s < sk->nsecs && !ret; s++) {
		struct section *sec = &sk->secs[s];
		char **members = calloc(sec->count + 1, sizeof(*members));
		struct c_names member_names = {0};
		uint32_t at = 0, pads = 0;

		if (!members)
			return bel_errf(err, ENOMEM, "out of memory");
		bel_strbuf_printf(out, "struct %s__%s {\n", sk->name, sec->field);
		for (v = 0; v < sec->count && !ret; v++) {
			struct bel_var_info info = {.sz = sizeof(info)};

			if (bel_object_var(sk->obj, sec->first + v, &info) || !info.global ||
			    info.map != sec->map)
				continue;
			if (info.offset < at) {
				ret = bel_errf(err, EINVAL, "variable '%s' in '%s' overlaps the one before it",
					       info.name, info.section);
				break;
			}
			if (info.offset > at)
				bel_strbuf_printf(out, "\tchar __pad%u[%u];\n", pads++, info.offset - at);
			members[v] = identifier(info.name, &member_names, NULL);
			if (!members[v]) {
				ret = bel_errf(err, ENOMEM, "out of memory");
				break;
			}
			bel_strbuf_puts(out, "\t");
			ret = bel_btf_c_decl_unqualified(sk->names, info.btf_type_id, members[v], out,
							 err);
			if (ret)
				bel_err_prefix(err, "variable '%s' in '%s'", info.name, info.section);
			bel_strbuf_puts(out, ";\n");
			at = info.offset + info.size;
		}
		bel_strbuf_puts(out, "};\n");
		/* what the section pointer reaches before load (bel_map_initial_value) holds it */
		bel_strbuf_printf(out, "%s__STATIC_ASSERT(sizeof(struct %s__%s) <= %llu, \"the struct "
				  "ends within the section's 16-byte-rounded copy\");\n", sk->name, sk->name,
				  sec->field, (bel_map_value_size(sec->map) + 15ull) / 16 * 16);
		/* every member where BTF puts it, or the header does not compile */
		for (v = 0; v < sec->count && !ret; v++) {
			struct bel_var_info info = {.sz = sizeof(info)};

			if (!members[v] || bel_object_var(sk->obj, sec->first + v, &info))
				continue;
			bel_strbuf_printf(out, "%s__STATIC_ASSERT(offsetof(struct %s__%s, %s) == %u && "
					  "sizeof(((struct %s__%s *)0)->%s) == %u, \"", sk->name, sk->name,
					  sec->field, members[v], info.offset, sk->name, sec->field,
					  members[v], info.size);
			cli_c_string(out, info.section);
			bel_strbuf_puts(out, ": BTF puts '");
			cli_c_string(out, info.name);
			bel_strbuf_printf(out, "' at %u, %u bytes\");\n", info.offset, info.size);
		}
		bel_strbuf_puts(out, "\n");
		c_names_free(&member_names);
		for (v = 0; v < sec->count; v++)
			free(members[v]);
		free(members);
	}
	return ret;
}

static void put_struct(struct skel *sk)
{
	unsigned int i, s, nprogs = bel_object_program_count(sk->obj);
	struct bel_strbuf *out = &sk->out;

	bel_strbuf_printf(out, "struct %s {\n\tstruct bel_object *obj;\n\tstruct {\n", sk->name);
	for (i = 0; i < nprogs; i++)
		bel_strbuf_printf(out, "\t\tstruct bel_program *%s;\n", sk->progs[i]);
	bel_strbuf_printf(out, "\t} progs;\n\tstruct {\n");
	for (i = 0; i < bel_object_map_count(sk->obj); i++)
		bel_strbuf_printf(out, "\t\tstruct bel_map *%s;\n", sk->maps[i]);
	bel_strbuf_printf(out, "\t} maps;\n\tstruct { /* link fds, -1 when not attached */\n");
	for (i = 0; i < nprogs; i++)
		bel_strbuf_printf(out, "\t\tint %s;\n", sk->progs[i]);
	if (!nprogs)
		bel_strbuf_puts(out, "\t\tint none;\n");
	bel_strbuf_puts(out, "\t} links;\n");
	for (s = 0; s < sk->nsecs; s++)
		bel_strbuf_printf(out, "\tstruct %s__%s *%s;\n", sk->name, sk->secs[s].field,
				  sk->secs[s].field);
	bel_strbuf_puts(out, "\t/* which section pointers reach the live map (held until destroy) */\n");
	bel_strbuf_printf(out, "\tunsigned char mapped[%u];\n};\n\n", sk->nsecs ? sk->nsecs : 1);
}

static void put_functions(struct skel *sk)
{
	unsigned int i, s, nprogs = bel_object_program_count(sk->obj);
	struct bel_strbuf *out = &sk->out;
	const char *n = sk->name;

	/* section pointers: the initial values before load, the live maps after */
	bel_strbuf_printf(out,
		"/* Point each section at its live map once it exists (mapped and held). */\n"
		"static inline int %s__map_sections(struct %s *skel)\n{\n"
		"\tvoid *p;\n\n\t(void)p;\n\t(void)skel;\n", n, n);
	for (s = 0; s < sk->nsecs; s++) {
		const char *map = sk->maps[sk->secs[s].map_index], *field = sk->secs[s].field;

		bel_strbuf_printf(out,
			"\tif (!skel->mapped[%u] && bel_map_fd(skel->maps.%s) >= 0) {\n"
			"\t\tp = bel_map_mmap(skel->maps.%s, NULL);\n"
			"\t\tif (!p)\n\t\t\treturn -EINVAL;\n"
			"\t\tskel->%s = (struct %s__%s *)p;\n"
			"\t\tskel->mapped[%u] = 1;\n\t}\n", s, map, map, field, n, field, s);
	}
	bel_strbuf_puts(out, "\treturn 0;\n}\n\n");

	bel_strbuf_printf(out,
		"static inline void %s__destroy(struct %s *skel)\n{\n"
		"\tif (!skel)\n\t\treturn;\n\tbel_object_close(skel->obj);\n\tfree(skel);\n}\n\n", n, n);

	bel_strbuf_printf(out,
		"/* Open the embedded object (opts may be NULL; its name defaults to the object's own,\n"
		" * so maps get the kernel names the object would have). NULL on failure, with\n"
		" * errno set and bel_thread_error() saying why. */\n"
		"static inline struct %s *%s__open(const struct bel_open_opts *opts)\n{\n"
		"\tstruct bel_open_opts o;\n\tstruct %s *skel;\n\tconst void *bytes;\n\tsize_t size;\n"
		"\tint ret;\n\n"
		"\tmemset(&o, 0, sizeof(o));\n"
		"\tif (opts)\n\t\tmemcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));\n"
		"\to.sz = sizeof(o);\n\tif (!o.name)\n\t\to.name = \"", n, n, n);
	cli_c_string(out, sk->obj_name);
	bel_strbuf_printf(out, "\";\n"
		"\tskel = (struct %s *)calloc(1, sizeof(*skel));\n"
		"\tif (!skel) {\n\t\terrno = ENOMEM;\n\t\treturn NULL;\n\t}\n"
		"\tbytes = %s__elf_bytes(&size);\n"
		"\tret = bel_object_open_mem(bytes, size, &o, &skel->obj);\n"
		"\tif (ret) {\n\t\tfree(skel);\n\t\terrno = -ret;\n\t\treturn NULL;\n\t}\n",
		n, n);
	for (i = 0; i < nprogs; i++)
		bel_strbuf_printf(out, "\tskel->progs.%s = bel_object_program(skel->obj, %u);\n"
				  "\tskel->links.%s = -1;\n", sk->progs[i], i, sk->progs[i]);
	for (i = 0; i < bel_object_map_count(sk->obj); i++)
		bel_strbuf_printf(out, "\tskel->maps.%s = bel_object_map(skel->obj, %u);\n", sk->maps[i], i);
	for (s = 0; s < sk->nsecs; s++)
		bel_strbuf_printf(out,
			"\tskel->%s = (struct %s__%s *)bel_map_initial_value(skel->maps.%s, NULL);\n"
			"\tif (!skel->%s) {\n\t\t%s__destroy(skel);\n\t\terrno = ENOMEM;\n\t\treturn NULL;\n\t}\n",
			sk->secs[s].field, n, sk->secs[s].field, sk->maps[sk->secs[s].map_index],
			sk->secs[s].field, n);
	bel_strbuf_puts(out, "\treturn skel;\n}\n\n");

	bel_strbuf_printf(out,
		"/* Load every program (autoload on) on `threads` threads, and the maps they use. */\n"
		"static inline int %s__load_threads(struct %s *skel, unsigned int threads)\n{\n"
		"\tstruct bel_load_opts o;\n\tint ret;\n\n"
		"\tmemset(&o, 0, sizeof(o));\n\to.sz = sizeof(o);\n\to.threads = threads;\n"
		"\tret = bel_object_load(skel->obj, &o);\n"
		"\treturn ret ? ret : %s__map_sections(skel);\n}\n\n"
		"static inline int %s__load(struct %s *skel)\n{\n"
		"\treturn %s__load_threads(skel, 1);\n}\n\n"
		"static inline struct %s *%s__open_and_load(const struct bel_open_opts *opts)\n{\n"
		"\tstruct %s *skel = %s__open(opts);\n\tint ret;\n\n"
		"\tif (!skel)\n\t\treturn NULL;\n\tret = %s__load(skel);\n"
		"\tif (ret) {\n\t\t%s__destroy(skel);\n\t\terrno = ret < 0 ? -ret : EINVAL;\n"
		"\t\treturn NULL;\n\t}\n\treturn skel;\n}\n\n", n, n, n, n, n, n, n, n, n, n, n, n);

	/* per program */
	for (i = 0; i < nprogs; i++) {
		const char *p = sk->progs[i];

		bel_strbuf_puts(out, "/* '");
		cli_c_comment(out, bel_program_name(bel_object_program(sk->obj, i)));
		bel_strbuf_printf(out,
			"' alone: it and the maps it uses. */\n"
			"static inline int %s__load_%s(struct %s *skel)\n{\n"
			"\tint ret = bel_program_load(skel->progs.%s);\n\n"
			"\treturn ret ? ret : %s__map_sections(skel);\n}\n\n"
			"static inline int %s__unload_%s(struct %s *skel)\n{\n"
			"\tskel->links.%s = -1;\n\treturn bel_program_unload(skel->progs.%s);\n}\n\n"
			"static inline int %s__attach_%s(struct %s *skel, const struct bel_attach_opts *opts)\n{\n"
			"\tint fd = bel_program_attach(skel->progs.%s, opts);\n\n"
			"\tif (fd >= 0)\n\t\tskel->links.%s = fd;\n\treturn fd < 0 ? fd : 0;\n}\n\n",
			n, p, n, p, n, n, p, n, p, p, n, p, n, p, p);
	}

	bel_strbuf_printf(out,
		"/* Attach every loaded program whose section says where. */\n"
		"static inline int %s__attach(struct %s *skel)\n{\n\tint ret;\n\n\t(void)ret;\n\t(void)skel;\n",
		n, n);
	for (i = 0; i < nprogs; i++)
		bel_strbuf_printf(out,
			"\tif (skel->links.%s < 0 && bel_program_fd(skel->progs.%s) >= 0 &&\n"
			"\t    bel_program_attachable(skel->progs.%s, NULL) &&\n"
			"\t    (ret = %s__attach_%s(skel, NULL)))\n\t\treturn ret;\n",
			sk->progs[i], sk->progs[i], sk->progs[i], n, sk->progs[i]);
	bel_strbuf_puts(out, "\treturn 0;\n}\n\n");
	bel_strbuf_printf(out, "static inline void %s__detach(struct %s *skel)\n{\n", n, n);
	for (i = 0; i < nprogs; i++)
		bel_strbuf_printf(out, "\tbel_program_detach(skel->progs.%s);\n\tskel->links.%s = -1;\n",
				  sk->progs[i], sk->progs[i]);
	if (!nprogs)
		bel_strbuf_puts(out, "\t(void)skel;\n");
	bel_strbuf_puts(out, "}\n\n");
}

static int generate(struct skel *sk, const uint8_t *bytes, size_t size, const char *source,
		    struct bel_err *err)
{
	struct bel_strbuf *out = &sk->out;
	char *upper = strdup(sk->name);
	int ret;
	size_t i;

	if (!upper)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; upper[i]; i++)
		if (upper[i] >= 'a' && upper[i] <= 'z')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	bel_strbuf_puts(out, "/* SPDX-License-Identifier: MIT */\n/* Generated by `bel gen skeleton` from ");
	cli_c_comment(out, source);
	bel_strbuf_printf(out, ". Do not edit. */\n"
		"#ifndef %s_SKEL_H\n#define %s_SKEL_H\n\n"
		"#include <errno.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <stdlib.h>\n"
		"#include <string.h>\n\n#include <bel/bel.h>\n\n"
		"#if !defined(BEL_VERSION_MAJOR) || (BEL_VERSION_MAJOR * 10000 + BEL_VERSION_MINOR * 100 + "
		"BEL_VERSION_PATCH) < %d\n"
		"#error \"%s.skel.h needs bel %d.%d.%d or newer\"\n#endif\n\n"
		"#ifdef __cplusplus\n#define %s__STATIC_ASSERT static_assert\nextern \"C\" {\n"
		"#else\n#define %s__STATIC_ASSERT _Static_assert\n#endif\n\n",
		upper, upper, BEL_VERSION_MAJOR * 10000 + BEL_VERSION_MINOR * 100 +
		BEL_VERSION_PATCH, sk->name, BEL_VERSION_MAJOR, BEL_VERSION_MINOR, BEL_VERSION_PATCH,
		sk->name, sk->name);
	ret = put_sections(sk, err);
	if (ret) {
		free(upper);
		return ret;
	}
	put_struct(sk);
	bel_strbuf_printf(out,
		"/* The object, as it was when the header was made (8-byte aligned). */\n"
		"static inline const void *%s__elf_bytes(size_t *size)\n{\n"
		"\tstatic const char bytes[] __attribute__((aligned(8))) =\n", sk->name);
	put_bytes(out, bytes, size);
	bel_strbuf_printf(out, "\n\t*size = sizeof(bytes) - 1;\n\treturn bytes;\n}\n\n");
	put_functions(sk);
	bel_strbuf_printf(out, "#ifdef __cplusplus\n}\n#endif\n#undef %s__STATIC_ASSERT\n"
			  "#endif /* %s_SKEL_H */\n", sk->name, upper);
	free(upper);
	return out->oom ? bel_errf(err, ENOMEM, "out of memory") : 0;
}

struct gen_skeleton_args {
	const char *name, *output;
};

static const struct cli_opt gen_skeleton_opts[] = {
	{.name = "name", .short_name = 'n', .arg = "NAME", CLI_STRING_AT(struct gen_skeleton_args, name),
	 .help = "the skeleton's C name and the object's (default: the file name up to its first '.')"},
	{.name = "output", .short_name = 'o', .arg = "FILE", .complete = CLI_C_FILE,
	 CLI_STRING_AT(struct gen_skeleton_args, output),
	 .help = "write the header to FILE (through a temporary file renamed over it), not stdout"},
	{0},
};

static int run_gen_skeleton(void *args, char **operands, unsigned int noperands)
{
	struct gen_skeleton_args *a = args;
	struct bel_open_opts opts = {.sz = sizeof(opts)};
	struct skel sk = {.out = BEL_STRBUF_INIT};
	const char *out_path = a->output, *name = a->name;
	struct bel_err err = {0};
	uint8_t *bytes = NULL;
	const void *raw;
	size_t size = 0, len;
	uint32_t btf_size;
	char *text, *id = NULL;
	unsigned int i;
	int ret = CLI_FAILED;

	(void)noperands;
	if (cli_common.json && !out_path) {
		cli_error("gen skeleton: --json needs -o FILE (the header is the output)");
		return CLI_USAGE;
	}
	bytes = cli_read_file(operands[0], MAX_OBJECT, &size, "gen skeleton");
	if (!bytes)
		return CLI_FAILED;
	opts.name = name;
	if (bel_object_open_mem(bytes, size, &opts, &sk.obj)) {
		cli_error("gen skeleton: %s", bel_thread_error());
		goto out;
	}
	/* without --name the object's own name, as `bel load` gives it */
	if (!name) {
		const char *base = strrchr(operands[0], '/');

		base = base ? base + 1 : operands[0];
		id = strndup(base, strcspn(base, "."));
	} else {
		id = strdup(name);
	}
	if (!id)
		goto out;
	sk.obj_name = id;
	bel_object_close(sk.obj);
	opts.name = id;
	if (bel_object_open_mem(bytes, size, &opts, &sk.obj)) {
		cli_error("gen skeleton: %s", bel_thread_error());
		goto out;
	}
	sk.name = identifier(id, NULL, NULL);
	if (!sk.name || (name && strcmp(sk.name, name))) {
		cli_error("gen skeleton: --name '%s' is not a C identifier", name ? name : "");
		goto out;
	}
	raw = bel_object_btf(sk.obj, &btf_size);
	if (raw && (bel_btf_parse(raw, btf_size, NULL, true, &sk.btf, &err) ||
		    bel_btf_c_names_new(sk.btf, &sk.names, &err))) {
		cli_error("gen skeleton: object BTF: %s", err.msg);
		goto out;
	}
	if (collect(&sk)) {
		cli_error("gen skeleton: out of memory");
		goto out;
	}
	if (generate(&sk, bytes, size, operands[0], &err)) {
		cli_error("gen skeleton: object '%s': %s", id, err.msg);
		goto out;
	}
	text = bel_strbuf_take(&sk.out, &len);
	if (!text) {
		cli_error("gen skeleton: out of memory");
	} else if (out_path) {
		ret = cli_write_file(out_path, text, len, "gen skeleton") ? CLI_FAILED : CLI_OK;
	} else {
		ret = fwrite(text, 1, len, stdout) == len ? CLI_OK : fail("cannot write to stdout");
	}
	free(text);
	if (ret == CLI_OK) {
		cli_out_str(cli_out(), "object", NULL, id);
		cli_out_str(cli_out(), "skeleton", NULL, sk.name);
		cli_out_str(cli_out(), "output", NULL, out_path);
		cli_out_uint(cli_out(), "bytes", NULL, len);
	}
out:
	for (i = 0; sk.progs && sk.progs[i]; i++)
		free(sk.progs[i]);
	for (i = 0; sk.maps && sk.maps[i]; i++)
		free(sk.maps[i]);
	for (i = 0; i < sk.nsecs; i++)
		free(sk.secs[i].field);
	free(sk.progs);
	free(sk.maps);
	free(sk.secs);
	free((char *)sk.name);
	free(id);
	bel_btf_c_names_free(sk.names);
	bel_btf_free(sk.btf);
	bel_strbuf_free(&sk.out);
	bel_object_close(sk.obj);
	free(bytes);
	return ret;
}

const struct cli_cmd cli_cmd_gen_skeleton = {
	.name = "gen skeleton",
	.operands = "OBJ",
	.min_operands = 1,
	.max_operands = 1,
	.operand_complete = {CLI_C_FILE},
	.opts = gen_skeleton_opts,
	.args_size = sizeof(struct gen_skeleton_args),
	.run = run_gen_skeleton,
	.summary = "a C header embedding OBJ, with typed handles and global data",
	.description = "Writes a C header that embeds OBJ and gives a struct with a handle per "
		       "program and map, a link per program and a typed pointer per global data "
		       "section, with calls to open, load, attach and destroy the whole object or "
		       "one program. It needs only <bel/bel.h>.",
};
