/* SPDX-License-Identifier: MIT */
/*
 * Walking a parsed BTF blob or .BTF.ext the way the loader does, touching every byte and
 * checking what btf/btf.h and btf/ext.h promise. Shared by both targets and the replay.
 */
#include <errno.h>

#include "btf/btf.h"
#include "btf/ext.h"
#include "walk.h"

/* Names a parsed BTF blob is commonly asked for, plus some it never holds. */
static const char *const probe_names[] = {
	"", ".maps", ".data", ".rodata", ".bss", "license", "bpf_metadata_name", "int",
	"__u32", "task_struct", "no such type",
};

static void walk_type(const struct bel_btf *btf, uint32_t id)
{
	const struct btf_type *t = bel_btf_type(btf, id), *final;
	uint32_t final_id = UINT32_MAX, i, vlen;
	int64_t size;

	fuzz_check(t != NULL, "type [%u] of %u is NULL", id, bel_btf_type_count(btf));
	fuzz_touch(t, sizeof(*t));
	fuzz_touch_str(bel_btf_type_name(btf, t));
	fuzz_touch_str(bel_btf_kind_name(btf_kind(t)));
	vlen = btf_vlen(t);
	/* The kind-specific data that follows the type, and every name and reference in it. */
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		fuzz_touch(t + 1, 4);
		bel_fuzz_sink += btf_int_encoding(t) + btf_int_bits(t);
		break;
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		fuzz_touch(t + 1, 4);
		break;
	case BTF_KIND_ARRAY:
		fuzz_touch(btf_array(t), sizeof(struct btf_array));
		bel_fuzz_sink += (uintptr_t)bel_btf_type(btf, btf_array(t)->type) +
				 (uintptr_t)bel_btf_type(btf, btf_array(t)->index_type);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < vlen; i++) {
			const struct btf_member *m = &btf_members(t)[i];

			fuzz_touch(m, sizeof(*m));
			fuzz_touch_str(bel_btf_str(btf, m->name_off));
			bel_fuzz_sink += btf_member_bit_offset(t, m);
			bel_fuzz_sink += (uintptr_t)bel_btf_skip_mods(btf, m->type, NULL);
		}
		break;
	case BTF_KIND_ENUM:
		for (i = 0; i < vlen; i++) {
			fuzz_touch(&btf_enums(t)[i], sizeof(struct btf_enum));
			fuzz_touch_str(bel_btf_str(btf, btf_enums(t)[i].name_off));
		}
		break;
	case BTF_KIND_ENUM64:
		fuzz_touch(t + 1, (size_t)vlen * 12);
		break;
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < vlen; i++) {
			fuzz_touch(&btf_params(t)[i], sizeof(struct btf_param));
			fuzz_touch_str(bel_btf_str(btf, btf_params(t)[i].name_off));
		}
		break;
	case BTF_KIND_DATASEC:
		for (i = 0; i < vlen; i++) {
			const struct btf_var_secinfo *vsi = &btf_secinfos(t)[i];

			fuzz_touch(vsi, sizeof(*vsi));
			bel_fuzz_sink += (uintptr_t)bel_btf_type(btf, vsi->type);
			bel_fuzz_sink += (uint64_t)bel_btf_type_size(btf, vsi->type);
		}
		break;
	default:
		break;
	}

	final = bel_btf_skip_mods(btf, id, &final_id);
	if (final) {
		fuzz_check(final == bel_btf_type(btf, final_id), "skip_mods([%u]) gave id %u", id,
			   final_id);
		fuzz_touch(final, sizeof(*final));
	} else {
		fuzz_check(final_id == 0, "skip_mods([%u]) failed but set id %u", id, final_id);
	}
	size = bel_btf_type_size(btf, id);
	fuzz_check(size >= 0 ? size <= UINT32_MAX
			     : (size == -EINVAL || size == -E2BIG || size == -ELOOP),
		   "type_size([%u]) = %lld", id, (long long)size);
}

void fuzz_walk_btf(const struct bel_btf *btf)
{
	uint32_t n = bel_btf_type_count(btf), id, size;
	const void *raw;
	size_t i;

	fuzz_check(n >= btf->start_id, "type count %u below the first id %u", n, btf->start_id);
	fuzz_check(bel_btf_type(btf, 0) == NULL, "type [0] (void) is not NULL");
	fuzz_check(bel_btf_type(btf, n) == NULL, "type [%u] past the end is not NULL", n);
	fuzz_check(bel_btf_type(btf, UINT32_MAX) == NULL, "type [UINT32_MAX] is not NULL");
	raw = bel_btf_raw(btf, &size);
	fuzz_touch(raw, size);
	for (id = 1; id < n; id++)
		walk_type(btf, id);
	/* Lookups by name: names the blob holds (16 types spread over it) and names it may not hold. */
	for (i = 1; i < 16; i++) {
		const struct btf_type *t;
		const char *name;
		int found;

		id = (uint32_t)((uint64_t)i * n / 16);
		if (id == 0)
			continue;
		t = bel_btf_type(btf, id);
		name = bel_btf_type_name(btf, t);
		found = bel_btf_find(btf, name, btf_kind(t));
		fuzz_check(found > 0 && (uint32_t)found <= id, "find('%s', %u) = %d for [%u]", name,
			   btf_kind(t), found, id);
	}
	for (i = 0; i < sizeof(probe_names) / sizeof(probe_names[0]); i++) {
		uint32_t kind;

		for (kind = BTF_KIND_INT; kind <= BTF_KIND_ENUM64; kind += 7) {
			int found = bel_btf_find(btf, probe_names[i], kind);

			if (found >= 0) {
				const struct btf_type *t = bel_btf_type(btf, (uint32_t)found);

				fuzz_check(t && btf_kind(t) == kind &&
					   !strcmp(bel_btf_type_name(btf, t), probe_names[i]),
					   "find('%s', %u) = %d", probe_names[i], kind, found);
			} else {
				fuzz_check(found == -ENOENT, "find('%s', %u) = %d", probe_names[i],
					   kind, found);
			}
		}
	}
}

static void walk_ext_info(const struct bel_btf_ext_info *info, uint32_t min_rec)
{
	size_t i;

	for (i = 0; i < info->nsecs; i++) {
		const struct bel_btf_ext_sec *sec = &info->secs[i];
		const struct bel_btf_ext_sec *first = bel_btf_ext_find(info, sec->name);
		uint32_t r, prev = 0;
		bool sorted = true;

		fuzz_check(info->rec_size >= min_rec && info->rec_size % 4 == 0,
			   "record size %u", info->rec_size);
		fuzz_check(sec->count > 0, "section '%s' with no records", sec->name);
		fuzz_touch_str(sec->name);
		fuzz_touch(sec->recs, (size_t)sec->count * info->rec_size);
		for (r = 0; r < sec->count; r++) {
			uint32_t off;

			memcpy(&off, sec->recs + (size_t)r * info->rec_size, 4);
			if (r && off < prev)
				sorted = false;
			prev = off;
		}
		fuzz_check(sec->sorted == sorted, "section '%s': sorted says %d", sec->name,
			   sec->sorted);
		fuzz_check(first && first <= sec && !strcmp(first->name, sec->name),
			   "ext_find('%s')", sec->name);
	}
	bel_fuzz_sink += (uintptr_t)bel_btf_ext_find(info, "no such section");
}

void fuzz_walk_ext(const struct bel_btf_ext *ext)
{
	fuzz_touch(ext->raw, ext->raw_size);
	walk_ext_info(&ext->func_info, BEL_FUNC_INFO_MIN);
	walk_ext_info(&ext->line_info, BEL_LINE_INFO_MIN);
	walk_ext_info(&ext->core_relo, BEL_CORE_RELO_MIN);
}
