/* SPDX-License-Identifier: MIT */
/*
 * BTF to C: the writer. Each named type is written once, after what it needs: a type used by
 * value (a member, an array element) must be defined first; a struct or union named only
 * through a pointer needs nothing, since naming it declares it, except inside a function
 * prototype, whose parameters have a scope of their own: there it is declared first
 * (`struct foo;`). Typedef names must be defined before any use. The order comes from a depth-
 * first walk with an explicit stack; a type met again while it waits on the stack is a cycle
 * without a pointer, which C cannot write.
 */
#include "c_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/opts.h"

/* ---- entry points ------------------------------------------------------------------------- */

static bool guard_ok(const char *s)
{
	struct c_pool pool = {0};
	bool ok = *s && c_sanitize(s, &pool) == s && !c_is_reserved(s);

	c_pool_free(&pool);
	return ok;
}

static void dumper_free(struct dumper *d)
{
	uint32_t i;

	free(d->state);
	free(d->stamp);
	free(d->deps);
	free(d->frames);
	for (i = 0; i < d->capscopes; i++)
		c_strmap_free(&d->scopes[i]);
	free(d->scopes);
	c_pool_free(&d->pool);
}

static int dumper_init(struct dumper *d, struct bel_btf_c_names *n, bool walks,
		       struct bel_strbuf *out, struct bel_err *err)
{
	uint32_t size;

	memset(d, 0, sizeof(*d));
	d->n = n;
	d->btf = n->btf;
	d->out = out;
	d->start = out->len;
	bel_btf_raw(n->btf, &size);
	d->limit = BEL_BTF_C_MAX_TEXT(size);
	d->err = err;
	d->state = calloc(n->ntypes, 1);
	d->stamp = walks ? calloc(n->ntypes, sizeof(*d->stamp)) : NULL;
	if (!d->state || (walks && !d->stamp)) {
		dumper_free(d);
		return bel_errf(err, ENOMEM, "out of memory writing C declarations");
	}
	return 0;
}

#define PAI_IF "#if !defined(BPF_NO_PRESERVE_ACCESS_INDEX) && defined(__clang__) && defined(__bpf__)\n"

int bel_btf_dump_c(const struct bel_btf *btf, const uint32_t *roots, uint32_t nroots,
		   const struct bel_btf_c_opts *opts, struct bel_strbuf *out, struct bel_err *err)
{
	const char *guard = BEL_OPT(opts, header_guard, NULL);
	bool pai = BEL_OPT(opts, preserve_access_index, false);
	struct bel_btf_c_names *n;
	size_t pai_at = 0, pai_len = 0;
	struct dumper d;
	uint32_t i;
	int ret;

	ret = bel_opts_check(opts, sizeof(*opts), "bel_btf_c_opts", err);
	if (ret)
		return ret;
	if (guard && !guard_ok(guard))
		return bel_errf(err, EINVAL, "bel_btf_c_opts: header guard '%s' is not a C identifier",
				guard);
	if (BEL_OPT(opts, indent, 0) > 16)
		return bel_errf(err, EINVAL, "bel_btf_c_opts: indent %u is more than 16",
				BEL_OPT(opts, indent, 0));
	ret = bel_btf_c_names_new(btf, &n, err);
	if (ret)
		return ret;
	ret = dumper_init(&d, n, true, out, err);
	if (ret) {
		bel_btf_c_names_free(n);
		return ret;
	}
	d.indent = BEL_OPT(opts, indent, 0);
	if (guard)
		bel_strbuf_printf(out, "#ifndef %s\n#define %s\n\n", guard, guard);
	if (pai) {
		pai_at = out->len;
		c_put(&d, PAI_IF "#pragma clang attribute push (__attribute__((preserve_access_index)), "
		      "apply_to = record)\n#endif\n\n");
		pai_len = out->len - pai_at;
	}
	if (roots)
		for (i = 0, ret = 0; i < nroots && !ret; i++)
			ret = c_dump_root(&d, roots[i], 0);
	else
		ret = c_dump_all(&d);
	/* clang warns of a push that applied to no record */
	if (!ret && pai && !d.records && !out->oom) {
		memmove(out->buf + pai_at, out->buf + pai_at + pai_len, out->len - pai_at - pai_len + 1);
		out->len -= pai_len;
	} else if (!ret && pai) {
		c_put(&d, PAI_IF "#pragma clang attribute pop\n#endif\n\n");
	}
	if (!ret && guard)
		bel_strbuf_printf(out, "#endif /* %s */\n", guard);
	if (!ret && out->oom)
		ret = bel_errf(err, ENOMEM, "out of memory writing C declarations");
	if (ret)
		bel_strbuf_truncate(out, d.start);
	dumper_free(&d);
	bel_btf_c_names_free(n);
	return ret;
}

static int decl_named(struct bel_btf_c_names *n, uint32_t type_id, const char *name,
		      bool no_quals, struct bel_strbuf *out, struct bel_err *err)
{
	struct dumper d;
	int ret;

	if (name && *name && !guard_ok(name))
		return bel_errf(err, EINVAL, "'%s' is not a C identifier", name);
	ret = dumper_init(&d, n, false, out, err);
	if (ret)
		return ret;
	d.no_quals = no_quals;
	d.cur = type_id;
	ret = c_scope_push(&d);
	if (!ret)
		ret = c_decl(&d, type_id, name, 0, 0, 0);
	if (!ret)
		ret = c_check_out(&d);
	if (ret)
		bel_strbuf_truncate(out, d.start);
	dumper_free(&d);
	return ret;
}

int bel_btf_c_decl_named(struct bel_btf_c_names *n, uint32_t type_id, const char *name,
			 struct bel_strbuf *out, struct bel_err *err)
{
	return decl_named(n, type_id, name, false, out, err);
}

int bel_btf_c_decl_unqualified(struct bel_btf_c_names *n, uint32_t type_id, const char *name,
			       struct bel_strbuf *out, struct bel_err *err)
{
	return decl_named(n, type_id, name, true, out, err);
}

int bel_btf_c_decl(const struct bel_btf *btf, uint32_t type_id, const char *name,
		   struct bel_strbuf *out, struct bel_err *err)
{
	struct bel_btf_c_names *n;
	int ret = bel_btf_c_names_new(btf, &n, err);

	if (ret)
		return ret;
	ret = bel_btf_c_decl_named(n, type_id, name, out, err);
	bel_btf_c_names_free(n);
	return ret;
}
