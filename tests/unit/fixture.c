/* SPDX-License-Identifier: MIT */
/* What the unit test files share: the fixtures every pure layer is run on, built into a spec
 * next to their untouched bytes (the oracle for section contents and symbols). */
#include <check.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "reloc/spec.h"
#include "testutil.h"
#include "unit.h"

const char *const fixtures[NFIXTURES] = {
	"maps", "globals", "subprogs", "sections", "metadata", "hello", "bad_verify",
};

struct fixture build_as(const char *name, const char *obj_name)
{
	struct fixture f;
	struct bel_err err = {0};
	int ret;

	f.buf = read_file(fixture_path(name), &f.size);
	ck_assert_msg(f.buf, "cannot read %s", fixture_path(name));
	ret = bel_spec_build(f.buf, f.size, true, obj_name, &f.spec, &err);
	ck_assert_msg(ret == 0, "%s: bel_spec_build: %d %s", name, ret, err.msg);
	ck_assert_ptr_nonnull(f.spec);
	return f;
}

struct fixture build(const char *name)
{
	return build_as(name, name);
}

void release(struct fixture *f)
{
	bel_spec_free(f->spec);
	free(f->buf);
}

const Elf64_Sym *sym_of(const struct fixture *f, const char *name)
{
	const Elf64_Sym *sym = raw_sym(f->buf, name);

	ck_assert_msg(sym, "no symbol '%s' in the fixture", name);
	return sym;
}

const char *btf_name(const struct bel_btf *btf, uint32_t id)
{
	return bel_btf_type_name(btf, bel_btf_type(btf, id));
}

uint32_t rec_insn_off(const uint8_t *recs, uint32_t rec_size, uint32_t k)
{
	uint32_t off;

	memcpy(&off, recs + (size_t)k * rec_size, 4);
	return off;
}
