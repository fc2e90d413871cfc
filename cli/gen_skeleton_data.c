/* SPDX-License-Identifier: MIT */
/*
 * bel gen skeleton: the global data sections as C. The types the variables need, written from
 * the object's BTF, then per section a struct with the variables at their offsets (explicit
 * padding between them) and static assertions that each member is where BTF puts it, so a
 * header that disagrees with its object does not compile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "btf/c_dump.h"
#include "c_names.h"
#include "gen_skeleton.h"
#include "text.h"

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

/* The types the global variables need, from the object's BTF, as C. */
static int put_var_types(struct skel *sk, struct bel_err *err)
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
	return ret;
}

/* A section's struct, with explicit padding, and the assertions that it matches BTF. */
static int put_section(struct skel *sk, struct section *sec, struct bel_err *err)
{
	struct bel_strbuf *out = &sk->out;
	char **members = calloc(sec->count + 1, sizeof(*members));
	struct cli_c_names member_names = {0};
	uint32_t at = 0, pads = 0;
	unsigned int v;
	int ret = 0;

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
		members[v] = cli_c_identifier(info.name, &member_names, NULL);
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
	cli_c_names_free(&member_names);
	for (v = 0; v < sec->count; v++)
		free(members[v]);
	free(members);
	return ret;
}

int cli_skel_put_sections(struct skel *sk, struct bel_err *err)
{
	unsigned int s;
	int ret = put_var_types(sk, err);

	for (s = 0; s < sk->nsecs && !ret; s++)
		ret = put_section(sk, &sk->secs[s], err);
	return ret;
}

