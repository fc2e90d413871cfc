/* SPDX-License-Identifier: MIT */
/*
 * fuzz_object: raw bytes as a BPF ELF object through bel_spec_build (copy=true): ELF parsing,
 * BTF parse and DATASEC fix-up, .BTF.ext, map collection (.maps, legacy maps, global data),
 * program collection and relocation, map slots. When it succeeds, the whole spec is walked
 * the way the loader uses it: every byte the loader would read or copy is read, and every
 * index it would follow is checked against what it indexes (reloc/spec.h). Then CO-RE is
 * resolved and applied with the object's own BTF as the target.
 */
#include <elf.h>
#include <linux/bpf.h>
#include <stdlib.h>

#include "btf/core.h"
#include "elf/elf.h"
#include "fuzz.h"
#include "reloc/core.h"
#include "reloc/externs.h"
#include "reloc/spec.h"
#include "walk.h"

static void walk_elf(const struct bel_elf *e)
{
	const struct bel_name_index *idx[2] = {&e->syms_by_name, &e->secs_by_name};
	size_t n[2] = {e->nsyms, e->nsecs}, i;
	int k;

	fuzz_touch(e->image, e->image_size);
	fuzz_check(e->nsecs > 0 && e->symtab_index && e->symtab_index < e->nsecs,
		   "%zu sections, symbol table %u", e->nsecs, e->symtab_index);
	for (i = 0; i < e->nsecs; i++) {
		const struct bel_elf_sec *s = &e->secs[i];
		const struct bel_elf_sec *named;

		fuzz_touch(s, sizeof(*s));
		fuzz_touch_str(s->name);
		if (s->data)
			fuzz_touch(s->data, s->size);
		if (!i)
			continue;
		fuzz_check(s->index == i && bel_elf_sec(e, (uint32_t)i) == s, "section %zu", i);
		named = bel_elf_sec_by_name(e, s->name);
		fuzz_check(named && named <= s && !strcmp(named->name, s->name),
			   "sec_by_name('%s')", s->name);
		if (s->type == SHT_REL) {
			struct bel_elf_rel *rels;
			size_t count, r;
			struct bel_err err = {0};

			if (bel_elf_rels(e, s, &rels, &count, &err) == 0) {
				const struct bel_elf_sec *target = bel_elf_sec(e, s->info);

				for (r = 0; r < count; r++) {
					fuzz_check(rels[r].sym < e->nsyms &&
						   target && rels[r].offset < target->size,
						   "'%s': relocation %zu", s->name, r);
					fuzz_touch(&rels[r], sizeof(rels[r]));
				}
				free(rels);
			}
		}
	}
	fuzz_check(bel_elf_sec(e, 0) == NULL && bel_elf_sec(e, (uint32_t)e->nsecs) == NULL,
		   "bel_elf_sec out of range");
	for (i = 0; i < e->nsyms; i++) {
		const struct bel_elf_sym *s = &e->syms[i];

		fuzz_touch(s, sizeof(*s));
		fuzz_touch_str(s->name);
		fuzz_check(s->shndx == SHN_UNDEF || s->shndx >= SHN_LORESERVE || s->shndx < e->nsecs,
			   "symbol %zu: section %u", i, s->shndx);
		if (i && i < 256) {
			const struct bel_elf_sym *found = bel_elf_find_sym(e, s->name, s->type, s->shndx);

			fuzz_check(found && found <= s && !strcmp(found->name, s->name) &&
				   found->type == s->type && found->shndx == s->shndx,
				   "find_sym('%s')", s->name);
		}
	}
	/* The name indexes: every chain stays inside the table it indexes. */
	for (k = 0; k < 2; k++) {
		uint32_t b;

		for (b = 0; b <= idx[k]->mask; b++)
			fuzz_check(idx[k]->heads[b] == UINT32_MAX || idx[k]->heads[b] < n[k],
				   "name index %d: bucket %u", k, b);
		for (i = 0; i < n[k]; i++)
			fuzz_check(idx[k]->next[i] == UINT32_MAX ||
				   (idx[k]->next[i] > i && idx[k]->next[i] < n[k]),
				   "name index %d: entry %zu", k, i);
	}
}

static void walk_map(const struct bel_spec *spec, const struct bel_map_def *m, int depth)
{
	uint32_t i;

	fuzz_check(depth < 2, "map '%s': inner map of an inner map", m->name);
	fuzz_touch(m, sizeof(*m));
	fuzz_check(m->name != NULL, "map without a name");
	fuzz_touch_str(m->name);
	fuzz_check(memchr(m->kname, '\0', sizeof(m->kname)) != NULL, "map '%s': kname", m->name);
	fuzz_check(depth || m->sec_index < spec->elf->nsecs, "map '%s': section %u", m->name,
		   m->sec_index);
	/* The loader copies value_size bytes from init into the map. */
	if (m->init)
		fuzz_touch(m->init, m->value_size);
	if (m->origin == BEL_MAP_FROM_DATA)
		fuzz_check(m->value_size > 0 && m->max_entries == 1,
			   "data map '%s': value size %u, %u entries", m->name, m->value_size,
			   m->max_entries);
	if (m->btf_key_type_id || m->btf_value_type_id) {
		fuzz_check(spec->btf != NULL, "map '%s': BTF ids without BTF", m->name);
		fuzz_check(!m->btf_key_type_id || bel_btf_type(spec->btf, m->btf_key_type_id),
			   "map '%s': key type %u", m->name, m->btf_key_type_id);
		fuzz_check(!m->btf_value_type_id || bel_btf_type(spec->btf, m->btf_value_type_id),
			   "map '%s': value type %u", m->name, m->btf_value_type_id);
	}
	/* struct_ops: the loader copies each member of the object's struct and puts the fd of
	 * the program a member names (loader/struct_ops.c) */
	if (m->origin == BEL_MAP_FROM_STRUCT_OPS) {
		const struct btf_type *st = spec->btf ? bel_btf_type(spec->btf, m->struct_ops_type_id)
						      : NULL;

		fuzz_check(st && btf_kind(st) == BTF_KIND_STRUCT && st->size == m->value_size &&
			   m->init, "struct_ops map '%s': type %u", m->name, m->struct_ops_type_id);
		for (i = 0; i < m->nst_refs; i++)
			fuzz_check(m->st_refs[i].member < btf_vlen(st) &&
				   m->st_refs[i].prog < spec->nprogs &&
				   spec->progs[m->st_refs[i].prog].struct_ops_type,
				   "struct_ops map '%s': reference %u", m->name, i);
	}
	if (m->inner)
		walk_map(spec, m->inner, depth + 1);
	for (i = 0; i < m->nslots; i++) {
		const struct bel_slot_init *s = &m->slots[i];

		fuzz_touch(s, sizeof(*s));
		fuzz_check(s->slot < m->max_entries, "map '%s': slot %u of %u", m->name, s->slot,
			   m->max_entries);
		fuzz_check(s->target < (m->type == BPF_MAP_TYPE_PROG_ARRAY ? spec->nprogs : spec->nmaps),
			   "map '%s': slot %u names %u", m->name, s->slot, s->target);
		/* creating a map acquires its slots' maps first: no map-in-map in a slot */
		fuzz_check(m->type == BPF_MAP_TYPE_PROG_ARRAY ||
			   (spec->maps[s->target].type != BPF_MAP_TYPE_ARRAY_OF_MAPS &&
			    spec->maps[s->target].type != BPF_MAP_TYPE_HASH_OF_MAPS),
			   "map '%s': slot %u holds map-in-map '%s'", m->name, s->slot,
			   spec->maps[s->target].name);
		fuzz_check(i == 0 || m->slots[i - 1].slot < s->slot, "map '%s': slot %u twice or "
			   "out of order", m->name, s->slot);
	}
}

/* Externs: each found by its name; each .kconfig one inside the .kconfig map's value, which
 * the loader sizes from value_size and writes every extern into at kcfg_off. */
static void walk_externs(const struct bel_spec *spec)
{
	uint32_t i;

	for (i = 0; i < spec->nexterns; i++) {
		const struct bel_extern *e = &spec->externs[i];

		fuzz_touch(e, sizeof(*e));
		fuzz_touch_str(e->name);
		fuzz_check(bel_spec_find_extern(spec, e->name) == (int)i, "find_extern('%s')", e->name);
		if (e->kind != BEL_EXTERN_KCONFIG)
			continue;
		fuzz_check(spec->kconfig_map >= 0 && (uint32_t)spec->kconfig_map < spec->nmaps &&
			   e->kcfg_size > 0 &&
			   (uint64_t)e->kcfg_off + e->kcfg_size <= spec->maps[spec->kconfig_map].value_size,
			   "extern '%s' at [%u, +%u) outside the .kconfig map", e->name, e->kcfg_off,
			   e->kcfg_size);
	}
}

/* The lists the loader walks instead of scanning every map: metadata maps, prog array slots
 * by program. */
static void walk_lists(const struct bel_spec *spec)
{
	uint32_t i, n = 0;

	for (i = 0; i < spec->nmeta_maps; i++)
		fuzz_check(spec->meta_maps[i] < spec->nmaps && spec->maps[spec->meta_maps[i]].has_metadata,
			   "metadata map %u", spec->meta_maps[i]);
	for (i = 0; i < spec->nmaps; i++)
		n += spec->maps[i].type == BPF_MAP_TYPE_PROG_ARRAY ? spec->maps[i].nslots : 0;
	fuzz_check(spec->nprog_slots == n && spec->prog_slots_start[0] == 0 &&
		   spec->prog_slots_start[spec->nprogs] == n, "%u prog slots of %u", spec->nprog_slots, n);
	for (i = 0; i < spec->nprogs; i++) {
		uint32_t s;

		for (s = spec->prog_slots_start[i]; s < spec->prog_slots_start[i + 1]; s++)
			fuzz_check(s < n && spec->prog_slots[s].prog == i &&
				   spec->prog_slots[s].map < spec->nmaps &&
				   spec->maps[spec->prog_slots[s].map].type == BPF_MAP_TYPE_PROG_ARRAY,
				   "prog slot %u of prog %u", s, i);
	}
}

static bool in_table(const uint32_t *table, uint32_t n, uint32_t v)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (table[mid] == v)
			return true;
		if (table[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* func_info, line_info or CO-RE records: each starts with an instruction index now. */
static void walk_records(const struct bel_prog_def *p, const char *what, const uint8_t *recs,
			 uint32_t cnt, uint32_t rec_size, uint32_t min_rec)
{
	uint32_t r, insn;

	if (!cnt)
		return;
	fuzz_check(recs && rec_size >= min_rec && rec_size % 4 == 0, "prog '%s': %s record size %u",
		   p->name, what, rec_size);
	fuzz_touch(recs, (size_t)cnt * rec_size);
	for (r = 0; r < cnt; r++) {
		memcpy(&insn, recs + (size_t)r * rec_size, 4);
		fuzz_check(insn < p->insn_cnt, "prog '%s': %s record %u at insn %u of %u", p->name,
			   what, r, insn, p->insn_cnt);
	}
}

static void walk_prog(const struct bel_spec *spec, const struct bel_prog_def *p)
{
	const struct bel_elf_sec *sec;
	uint8_t *line_info;
	uint32_t i;

	fuzz_touch(p, sizeof(*p));
	fuzz_check(p->name != NULL && p->sec_name != NULL, "program without a name");
	fuzz_touch_str(p->name);
	fuzz_touch_str(p->sec_name);
	fuzz_touch_str(p->attach_target);
	fuzz_touch_str(p->btf_target_prefix);
	sec = bel_elf_sec(spec->elf, p->sec_index);
	fuzz_check(sec && !strcmp(sec->name, p->sec_name) && sec->data &&
		   (uint64_t)p->sec_insn_off + p->sec_insn_cnt <= sec->size / sizeof(struct bpf_insn),
		   "prog '%s': [%u, +%u) in section %u", p->name, p->sec_insn_off, p->sec_insn_cnt,
		   p->sec_index);
	/* a program that failed at open (an extern of its own): its reason and nothing more */
	if (p->open_error) {
		fuzz_touch_str(p->open_error);
		fuzz_check(!p->insn_cnt && !p->nmap_refs && !p->nmaps && p->open_errno < 0,
			   "prog '%s' failed at open but has %u instructions", p->name, p->insn_cnt);
		return;
	}
	fuzz_check(p->insns && p->insn_cnt >= p->sec_insn_cnt && p->sec_insn_cnt > 0,
		   "prog '%s': %u instructions", p->name, p->insn_cnt);
	fuzz_touch(p->insns, (size_t)p->insn_cnt * sizeof(*p->insns));

	/* The map table: sorted, unique indices into spec->maps. */
	for (i = 0; i < p->nmaps; i++)
		fuzz_check(p->maps[i] < spec->nmaps && (i == 0 || p->maps[i - 1] < p->maps[i]),
			   "prog '%s': map table entry %u = %u of %u", p->name, i, p->maps[i],
			   spec->nmaps);
	/* Every reference: an ldimm64 the loader writes a map fd into, for a map in the table. */
	for (i = 0; i < p->nmap_refs; i++) {
		const struct bel_map_ref *r = &p->map_refs[i];
		const struct bpf_insn *insn;

		fuzz_touch(r, sizeof(*r));
		fuzz_check((uint64_t)r->insn + 1 < p->insn_cnt && r->map < spec->nmaps &&
			   in_table(p->maps, p->nmaps, r->map),
			   "prog '%s': map reference %u: insn %u of %u, map %u", p->name, i, r->insn,
			   p->insn_cnt, r->map);
		insn = &p->insns[r->insn];
		fuzz_check(insn->code == (BPF_LD | BPF_IMM | BPF_DW) &&
			   (insn->src_reg == BPF_PSEUDO_MAP_FD || insn->src_reg == BPF_PSEUDO_MAP_VALUE),
			   "prog '%s': map reference %u: insn %u is %#x, src_reg %u", p->name, i,
			   r->insn, insn->code, insn->src_reg);
		if (insn->src_reg == BPF_PSEUDO_MAP_VALUE)
			fuzz_check((uint32_t)insn[1].imm < spec->maps[r->map].value_size,
				   "prog '%s': insn %u: offset %d in map '%s' of %u bytes", p->name,
				   r->insn, insn[1].imm, spec->maps[r->map].name,
				   spec->maps[r->map].value_size);
	}
	walk_records(p, "func_info", p->func_info, p->func_info_cnt, p->func_info_rec_size,
		     BEL_FUNC_INFO_MIN);
	/* line_info renumbered from .BTF.ext as a load does */
	fuzz_check(bel_prog_line_info(p, &line_info) == 0, "prog '%s': no memory for line_info",
		   p->name);
	fuzz_check(!line_info == !p->line_info_cnt, "prog '%s': %u line_info, %s", p->name,
		   p->line_info_cnt, line_info ? "some made" : "none made");
	walk_records(p, "line_info", line_info, p->line_info_cnt, p->line_info_rec_size,
		     BEL_LINE_INFO_MIN);
	free(line_info);
	walk_records(p, "core_relo", p->core_relos, p->core_relo_cnt, p->core_relo_rec_size,
		     BEL_CORE_RELO_MIN);
}

/*
 * CO-RE (reloc/core.h) with the object's own BTF as the target, the only other BTF at hand:
 * every record resolved without the name index, then the index built and every program
 * patched, the way the prepare step does against the kernel's BTF.
 */
static void apply_core(struct bel_spec *spec)
{
	struct bel_core_target target = {.btf = spec->btf, .name = "self"};
	struct bel_err err = {0};
	uint32_t i, r;

	for (i = 0; i < spec->nprogs; i++) {
		const struct bel_prog_def *p = &spec->progs[i];
		struct bel_core_applied *applied;

		if (bel_prog_core_resolve(spec, p, &target, 1, &applied, &err))
			continue;
		fuzz_check(p->core_relo_cnt == 0 || applied, "prog '%s': no CO-RE result", p->name);
		for (r = 0; r < p->core_relo_cnt; r++) {
			const struct bel_core_result *res = &applied[r].res;

			fuzz_check(memchr(res->what, '\0', sizeof(res->what)) &&
				   (res->target == -1 || res->target == 0),
				   "prog '%s': CO-RE record %u: target %d", p->name, r, res->target);
			fuzz_touch(&applied[r], sizeof(applied[r]));
			fuzz_touch_str(bel_core_kind_name(applied[r].relo.kind));
		}
		free(applied);
	}
	if (!spec->btf || bel_btf_index_names(spec->btf, &err))
		return;
	for (i = 0; i < spec->nprogs; i++) {
		const struct bel_prog_def *p = &spec->progs[i];
		size_t size = (size_t)p->insn_cnt * sizeof(struct bpf_insn);
		struct bpf_insn *insns;

		if (p->open_error) /* the loader refuses it before CO-RE */
			continue;
		insns = malloc(size ? size : 1);
		if (!insns)
			return;
		memcpy(insns, p->insns, size);
		bel_err_clear(&err);
		if (bel_core_apply(spec, p, &target, 1, insns, &err) == 0)
			fuzz_touch(insns, size);
		else
			fuzz_check(err.code < 0 && err.msg[0], "CO-RE apply failed: code %d", err.code);
		free(insns);
	}
}

int bel_fuzz_object(const uint8_t *data, size_t size)
{
	struct bel_spec *spec;
	struct bel_err err = {0};
	uint32_t i;

	if (bel_spec_build(data, size, true, "fuzz", &spec, &err)) {
		fuzz_check(spec == NULL && err.code < 0 && err.msg[0], "build failed: code %d, '%s'",
			   err.code, err.msg);
		return 0;
	}
	fuzz_check(spec && spec->elf && spec->elf->owns_image && spec->elf->image != data,
		   "build result");
	fuzz_touch_str(spec->obj_name);
	fuzz_check(memchr(spec->license, '\0', sizeof(spec->license)) != NULL, "license");
	fuzz_touch_str(spec->license);
	bel_fuzz_sink += spec->kern_version;
	walk_elf(spec->elf);
	if (spec->btf)
		fuzz_walk_btf(spec->btf);
	if (spec->btf_ext) {
		fuzz_check(spec->btf != NULL, ".BTF.ext without .BTF");
		fuzz_walk_ext(spec->btf_ext);
	}
	for (i = 0; i < spec->nmaps; i++) {
		int found = bel_spec_find_map(spec, spec->maps[i].name);

		walk_map(spec, &spec->maps[i], 0);
		fuzz_check(found >= 0 && (uint32_t)found <= i &&
			   !strcmp(spec->maps[found].name, spec->maps[i].name),
			   "find_map('%s') = %d", spec->maps[i].name, found);
	}
	for (i = 0; i < spec->nprogs; i++) {
		int found;

		walk_prog(spec, &spec->progs[i]);
		found = bel_spec_find_prog(spec, spec->progs[i].name);
		fuzz_check(found >= 0 && (uint32_t)found <= i, "find_prog('%s') = %d",
			   spec->progs[i].name, found);
	}
	walk_externs(spec);
	walk_lists(spec);
	if (spec->btf)
		apply_core(spec);
	bel_spec_free(spec);
	return 1;
}

#ifndef BEL_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bel_fuzz_object(data, size);
	return 0;
}
#endif
