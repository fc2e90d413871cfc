/* SPDX-License-Identifier: MIT */
/*
 * Objects from other loaders' worlds, through the pure layers (suite "compat" of test_unit):
 * hidden functions made static in BTF, kfunc addresses as values, cilium/ebpf's section names
 * and '?' sections, perf event array and ring buffer sizes, legacy maps of a statically linked
 * object (a gap in `maps`), struct_ops maps and the programs they name, extern errors kept by
 * their programs.
 */
#include <check.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "reloc/externs.h"
#include "reloc/spec.h"
#include "testutil.h"
#include "unit.h"

static struct bel_spec *open_fixture(const char *name)
{
	struct bel_err err = {0};
	struct bel_spec *spec = NULL;
	size_t size;
	void *buf = read_file(fixture_path(name), &size);

	ck_assert_msg(buf, "cannot read %s", fixture_path(name));
	ck_assert_msg(!bel_spec_build(buf, size, true, name, &spec, &err), "%s: %s", name, err.msg);
	free(buf);
	return spec;
}

static const struct bel_map_def *map_of(const struct bel_spec *spec, const char *name)
{
	int i = bel_spec_find_map(spec, name);

	ck_assert_msg(i >= 0, "no map '%s'", name);
	return &spec->maps[i];
}

static const struct bel_prog_def *prog_of(const struct bel_spec *spec, const char *name)
{
	int i = bel_spec_find_prog(spec, name);

	ck_assert_msg(i >= 0, "no prog '%s'", name);
	return &spec->progs[i];
}

/* usdt.bpf.h's helpers are hidden weak globals: static in the BTF given to the kernel. */
START_TEST(hidden_funcs_static)
{
	struct bel_spec *spec = open_fixture("usdt_args");
	const char *names[] = {"bpf_usdt_arg", "bpf_usdt_arg_cnt", "bpf_usdt_cookie"};
	unsigned int i, found = 0;
	uint32_t id;

	for (id = 1; id < bel_btf_type_count(spec->btf); id++) {
		const struct btf_type *t = bel_btf_type(spec->btf, id);

		if (btf_kind(t) != BTF_KIND_FUNC)
			continue;
		for (i = 0; i < 3; i++)
			if (!strcmp(bel_btf_type_name(spec->btf, t), names[i])) {
				ck_assert_msg(btf_vlen(t) == BTF_FUNC_STATIC, "%s is not static", names[i]);
				found++;
			}
		/* the program itself stays global */
		if (!strcmp(bel_btf_type_name(spec->btf, t), "usdt_sum"))
			ck_assert_uint_eq(btf_vlen(t), BTF_FUNC_GLOBAL);
	}
	ck_assert_uint_eq(found, 3);
	bel_spec_free(spec);
}
END_TEST

/* A kfunc's address is an extern reference on an ldimm64, patched to its BTF id (0: missing). */
START_TEST(kfunc_as_value)
{
	struct bel_spec *spec = open_fixture("ksym_exists");
	const struct bel_prog_def *p = prog_of(spec, "missing");
	int e = bel_spec_find_extern(spec, "bel_kfunc_nobody_has");
	uint64_t values[8] = {0};
	struct bpf_insn *insns;
	uint32_t i, ldimm = 0, calls = 0;

	ck_assert_int_ge(e, 0);
	ck_assert_int_eq(spec->externs[e].kind, BEL_EXTERN_KFUNC);
	ck_assert(spec->externs[e].weak);
	ck_assert_uint_le(spec->nexterns, 8);
	ck_assert_ptr_null(p->open_error);
	insns = malloc(p->insn_cnt * sizeof(*insns));
	memcpy(insns, p->insns, p->insn_cnt * sizeof(*insns));
	values[e] = 77;
	bel_externs_patch(spec, p, values, NULL, insns);
	for (i = 0; i < p->extern_ref_cnt; i++) {
		const struct bpf_insn *in = &insns[p->extern_refs[i].insn];

		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			ck_assert_uint_eq(in->src_reg, BPF_PSEUDO_BTF_ID);
			ck_assert_int_eq(in->imm, 77);
			ldimm++;
		} else {
			ck_assert_uint_eq(in->src_reg, BPF_PSEUDO_KFUNC_CALL);
			calls++;
		}
	}
	ck_assert_uint_eq(ldimm, 1);
	ck_assert_uint_eq(calls, 1);
	/* missing: 0, a plain constant the verifier prunes on */
	values[e] = 0;
	memcpy(insns, p->insns, p->insn_cnt * sizeof(*insns));
	bel_externs_patch(spec, p, values, NULL, insns);
	for (i = 0; i < p->extern_ref_cnt; i++) {
		const struct bpf_insn *in = &insns[p->extern_refs[i].insn];

		if (in->code == (BPF_LD | BPF_IMM | BPF_DW))
			ck_assert(in->src_reg == 0 && in->imm == 0 && in[1].imm == 0);
	}
	free(insns);
	bel_spec_free(spec);
}
END_TEST

/* cilium/ebpf's names: libbpf's rules first, its prefixes only for names libbpf lacks. */
START_TEST(section_names)
{
	static const struct {
		const char *sec;
		uint32_t type, attach;
		bool cilium, optional;
		const char *target;
	} cases[] = {
		{"socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, false, false, NULL},
		{"socket1", BPF_PROG_TYPE_SOCKET_FILTER, 0, true, false, NULL},
		{"socket/udp", BPF_PROG_TYPE_SOCKET_FILTER, 0, true, false, NULL},
		{"xdp", BPF_PROG_TYPE_XDP, BPF_XDP, false, false, NULL},
		{"xdp_drop", BPF_PROG_TYPE_XDP, BPF_XDP, true, false, NULL},
		{"xdp.frags", BPF_PROG_TYPE_XDP, BPF_XDP, false, false, NULL},
		{"xdp/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, false, false, NULL},
		{"tc_ingress", BPF_PROG_TYPE_SCHED_CLS, 0, true, false, NULL},
		{"tc/ingress", BPF_PROG_TYPE_SCHED_CLS, BEL_BPF_TCX_INGRESS, false, false, NULL},
		{"classifier_x", BPF_PROG_TYPE_SCHED_CLS, 0, true, false, NULL},
		{"perf_event/cycles", BPF_PROG_TYPE_PERF_EVENT, 0, true, false, NULL},
		{"sk_lookup/steer", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, true, false, NULL},
		{"lwt_in_x", BPF_PROG_TYPE_LWT_IN, 0, true, false, NULL},
		{"cgroup/sock_ops_x", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, true, false, NULL},
		{"kprobe/do_exit", BPF_PROG_TYPE_KPROBE, 0, false, false, "do_exit"},
		{"?kprobe/do_exit", BPF_PROG_TYPE_KPROBE, 0, false, true, "do_exit"},
		{"?socket7", BPF_PROG_TYPE_SOCKET_FILTER, 0, true, true, NULL},
		{"struct_ops/x", BPF_PROG_TYPE_STRUCT_OPS, 0, false, false, "x"},
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bel_prog_def p = {.sec_name = cases[i].sec};

		bel_prog_def_set_type(&p);
		ck_assert_msg(p.type_known, "%s: not known", cases[i].sec);
		ck_assert_msg(p.prog_type == cases[i].type && p.expected_attach_type == cases[i].attach,
			      "%s: type %u attach %u", cases[i].sec, p.prog_type, p.expected_attach_type);
		ck_assert_msg(p.cilium_name == cases[i].cilium && p.optional == cases[i].optional,
			      "%s: cilium %d optional %d", cases[i].sec, p.cilium_name, p.optional);
		ck_assert_msg(cases[i].target ? p.attach_target && !strcmp(p.attach_target, cases[i].target)
					      : !p.attach_target, "%s: target %s", cases[i].sec,
			      p.attach_target ? p.attach_target : "(none)");
	}
	/* names neither loader knows */
	for (i = 0; i < 3; i++) {
		const char *unknown[] = {"sockets_are_not_this", "foo/socket", "kprobes/x"};
		struct bel_prog_def p = {.sec_name = unknown[i]};

		if (i == 0) /* "socket" is a prefix of it: cilium/ebpf takes it */
			continue;
		bel_prog_def_set_type(&p);
		ck_assert_msg(!p.type_known, "%s: known", unknown[i]);
	}
}
END_TEST

START_TEST(cilium_map_sizes)
{
	struct bel_spec *spec = open_fixture("cilium_style");
	const struct bel_map_def *perf = map_of(spec, "perf_events");
	const struct bel_map_def *ring = map_of(spec, "ring_events");

	ck_assert_uint_eq(perf->key_size, 4);
	ck_assert_uint_eq(perf->value_size, 4);
	ck_assert_uint_eq(perf->btf_value_type_id, 0);
	ck_assert_uint_eq(ring->key_size, 0);
	ck_assert_uint_eq(ring->value_size, 0);
	ck_assert_uint_eq(ring->btf_value_type_id, 0);
	ck_assert_uint_eq(prog_of(spec, "sock_count")->prog_type, BPF_PROG_TYPE_SOCKET_FILTER);
	ck_assert_uint_eq(prog_of(spec, "tc_count")->prog_type, BPF_PROG_TYPE_SCHED_CLS);
	bel_spec_free(spec);
}
END_TEST

/* bpftool gen object keeps the weak map's room: a gap of 20 bytes, two_counts at 60. */
START_TEST(legacy_maps_linked)
{
	struct bel_spec *spec = open_fixture("legacy_linked");
	const struct bel_map_def *two = map_of(spec, "two_counts");

	ck_assert_uint_eq(spec->nmaps, 3);
	ck_assert_uint_eq(two->sec_size, 20);
	ck_assert_uint_eq(two->type, BPF_MAP_TYPE_ARRAY);
	ck_assert_uint_eq(two->value_size, 4);
	ck_assert_uint_eq(map_of(spec, "shared")->value_size, 8);
	ck_assert_uint_eq(map_of(spec, "one_counts")->max_entries, 16);
	bel_spec_free(spec);
}
END_TEST

START_TEST(struct_ops_maps)
{
	const char *const fixtures[] = {"struct_ops", "struct_ops_link"};
	struct bel_spec *spec = open_fixture(fixtures[_i]);
	const struct bel_map_def *m = map_of(spec, "bel_cc");
	const char *progs[] = {"bel_cc_init", "bel_cc_ssthresh", "bel_cc_cong_avoid",
			       "bel_cc_undo_cwnd"};
	const char *members[] = {"init", "ssthresh", "cong_avoid", "undo_cwnd"};
	unsigned int i;

	ck_assert_uint_eq(m->origin, BEL_MAP_FROM_STRUCT_OPS);
	ck_assert_uint_eq(m->type, BPF_MAP_TYPE_STRUCT_OPS);
	ck_assert_uint_eq(m->map_flags, _i ? BEL_BPF_F_LINK : 0);
	ck_assert_uint_eq(m->value_size, 48);
	ck_assert_uint_eq(m->nst_refs, 4);
	ck_assert_str_eq((const char *)m->init + 32, "bel_cc");
	for (i = 0; i < 4; i++) {
		const struct bel_prog_def *p = prog_of(spec, progs[i]);

		ck_assert_str_eq(p->struct_ops_type, "tcp_congestion_ops");
		ck_assert_str_eq(p->struct_ops_member, members[i]);
		ck_assert_int_eq(p->struct_ops_map, bel_spec_find_map(spec, "bel_cc"));
	}
	bel_spec_free(spec);
}
END_TEST

Suite *compat_suite(void)
{
	Suite *s = suite_create("compat");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, hidden_funcs_static);
	tcase_add_test(tc, kfunc_as_value);
	tcase_add_test(tc, section_names);
	tcase_add_test(tc, cilium_map_sizes);
	tcase_add_test(tc, legacy_maps_linked);
	tcase_add_loop_test(tc, struct_ops_maps, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
