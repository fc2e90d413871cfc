/* SPDX-License-Identifier: MIT */
/* reloc/sections: SEC() names -> program type, expected attach type, flags; data map names. */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "btf/sanitize.h"
#include "btf/ext.h"
#include "btf/fixup.h"
#include "elf/elf.h"
#include "reloc/spec.h"
#include "objgen.h"
#include "testutil.h"
#include "unit.h"

/* ---- sections --------------------------------------------------------------------------- */

struct sec_want {
	const char *sec;
	bool known;
	uint32_t type, eat, flags;
	const char *target;
	bool attach_btf;
};

static const struct sec_want sec_table[] = {
	{"kprobe/x", true, BPF_PROG_TYPE_KPROBE, 0, 0, "x", false},
	{"kprobe", true, BPF_PROG_TYPE_KPROBE, 0, 0, NULL, false},
	{"kretprobe/x", true, BPF_PROG_TYPE_KPROBE, 0, 0, "x", false},
	{"uprobe.s/bin:f", true, BPF_PROG_TYPE_KPROBE, 0, BPF_F_SLEEPABLE, "bin:f", false},
	{"tracepoint/a/b", true, BPF_PROG_TYPE_TRACEPOINT, 0, 0, "a/b", false},
	{"tp/a/b", true, BPF_PROG_TYPE_TRACEPOINT, 0, 0, "a/b", false},
	{"tp_btf/sched_switch", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, 0, "sched_switch", true},
	{"raw_tp/x", true, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, "x", false},
	{"raw_tracepoint/x", true, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, "x", false},
	{"raw_tp.w/x", true, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0, "x", false},
	{"fentry/x", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, 0, "x", true},
	{"fexit/x", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, 0, "x", true},
	{"fexit.s/x", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, BPF_F_SLEEPABLE, "x", true},
	{"fmod_ret/x", true, BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, 0, "x", true},
	{"lsm/x", true, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, 0, "x", true},
	{"lsm.s/x", true, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, BPF_F_SLEEPABLE, "x", true},
	{"iter/task", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, 0, "task", true},
	{"iter.s/task", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, BPF_F_SLEEPABLE, "task", true},
	{"xdp", true, BPF_PROG_TYPE_XDP, BPF_XDP, 0, NULL, false},
	{"xdp.frags", true, BPF_PROG_TYPE_XDP, BPF_XDP, BPF_F_XDP_HAS_FRAGS, NULL, false},
	{"xdp/devmap", true, BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0, NULL, false},
	{"xdp/cpumap", true, BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, 0, NULL, false},
	{"xdp.frags/devmap", true, BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, BPF_F_XDP_HAS_FRAGS, NULL, false},
	{"tc", true, BPF_PROG_TYPE_SCHED_CLS, 0, 0, NULL, false},
	{"classifier", true, BPF_PROG_TYPE_SCHED_CLS, 0, 0, NULL, false},
	{"action", true, BPF_PROG_TYPE_SCHED_ACT, 0, 0, NULL, false},
	{"socket", true, BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, NULL, false},
	{"cgroup_skb/ingress", true, BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0, NULL, false},
	{"cgroup_skb/egress", true, BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0, NULL, false},
	{"cgroup/connect4", true, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0, NULL, false},
	{"cgroup/connect6", true, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, 0, NULL, false},
	{"cgroup/sock_create", true, BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0, NULL, false},
	{"cgroup/sysctl", true, BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0, NULL, false},
	{"cgroup/getsockopt", true, BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0, NULL, false},
	{"sockops", true, BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, 0, NULL, false},
	{"sk_lookup", true, BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0, NULL, false},
	{"syscall", true, BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE, NULL, false},
	{"struct_ops/x", true, BPF_PROG_TYPE_STRUCT_OPS, 0, 0, "x", false},
	{"struct_ops.s/x", true, BPF_PROG_TYPE_STRUCT_OPS, 0, BPF_F_SLEEPABLE, "x", false},
	/* names that must not match: no partial words, no extras on exact names */
	{"foo", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	{"", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	{"kprobeX", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	{"kprobe.x/y", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	/* unknown to libbpf, prefixes to cilium/ebpf (reloc/sections.c): no attach target */
	{"xdp_foo", true, BPF_PROG_TYPE_XDP, BPF_XDP, 0, NULL, false},
	{"xdp/foo", true, BPF_PROG_TYPE_XDP, BPF_XDP, 0, NULL, false},
	{"xdpx", true, BPF_PROG_TYPE_XDP, BPF_XDP, 0, NULL, false},
	{"socket/1", true, BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, NULL, false},
	{"tcx", true, BPF_PROG_TYPE_SCHED_CLS, 0, 0, NULL, false},
	{"cgroup/unknown", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	{"Kprobe/x", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	{".text", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
};

START_TEST(sections_table)
{
	const struct sec_want *w = &sec_table[_i];
	struct bel_prog_def prog = {.sec_name = w->sec};

	bel_prog_def_set_type(&prog);
	ck_assert_msg(prog.type_known == w->known, "'%s': type_known %d", w->sec, prog.type_known);
	ck_assert_msg(prog.prog_type == w->type, "'%s': prog_type %u, expected %u", w->sec,
		      prog.prog_type, w->type);
	if (!w->known)
		return;
	ck_assert_msg(prog.expected_attach_type == w->eat, "'%s': expected_attach_type %u, expected %u",
		      w->sec, prog.expected_attach_type, w->eat);
	ck_assert_msg(prog.prog_flags == w->flags, "'%s': flags %#x, expected %#x", w->sec,
		      prog.prog_flags, w->flags);
	if (w->target)
		ck_assert_pstr_eq(prog.attach_target, w->target);
	else
		ck_assert_ptr_null(prog.attach_target);
	ck_assert_msg(prog.needs_attach_btf == w->attach_btf, "'%s': needs_attach_btf %d", w->sec,
		      prog.needs_attach_btf);
}
END_TEST

START_TEST(sections_btf_prefix)
{
	struct bel_prog_def lsm = {.sec_name = "lsm/file_open"};
	struct bel_prog_def iter = {.sec_name = "iter/task"};
	struct bel_prog_def tp_btf = {.sec_name = "tp_btf/sched_switch"};
	struct bel_prog_def fentry = {.sec_name = "fentry/do_unlinkat"};

	bel_prog_def_set_type(&lsm);
	bel_prog_def_set_type(&iter);
	bel_prog_def_set_type(&tp_btf);
	bel_prog_def_set_type(&fentry);
	ck_assert_pstr_eq(lsm.btf_target_prefix, "bpf_lsm_");
	ck_assert_int_eq(lsm.attach_kind, BEL_ATTACH_LSM);
	ck_assert_pstr_eq(iter.btf_target_prefix, "bpf_iter_");
	ck_assert_int_eq(iter.attach_kind, BEL_ATTACH_ITER);
	ck_assert_pstr_eq(tp_btf.btf_target_prefix, "btf_trace_");
	ck_assert_pstr_eq(fentry.btf_target_prefix, "");
	ck_assert_int_eq(fentry.attach_kind, BEL_ATTACH_TRACING);
}
END_TEST

struct kname_want {
	const char *obj, *sec, *kname;
};

static const struct kname_want kname_table[] = {
	{"globals", ".rodata", "globals.rodata"},
	{"globals", ".data", "globals.data"},
	{"globals", ".bss", "globals.bss"},
	{"verylongobjectname", ".bss", "verylong.bss"},
	{"verylongobjectname", ".rodata", "verylong.rodata"},
	{"x", ".rodata.str1.1", ".rodata.str1.1"},
	{"x", ".data.custom", ".data.custom"},
	{"x", ".bss", "x.bss"},
	{"", ".data", ".data"},
	/* custom names cut to 15 characters */
	{"x", ".rodata.verylongname", ".rodata.verylon"},
	/* characters the kernel refuses become '_' */
	{"my-obj", ".data", "my_obj.data"},
};

START_TEST(sections_kname)
{
	const struct kname_want *w = &kname_table[_i];
	char out[BPF_OBJ_NAME_LEN];

	memset(out, 'Z', sizeof(out));
	bel_data_map_kname(w->obj, w->sec, out);
	ck_assert_str_eq(out, w->kname);
}
END_TEST

Suite *sections_suite(void)
{
	Suite *s = suite_create("sections");
	TCase *tc = tcase_create("sections");

	tcase_add_loop_test(tc, sections_table, 0, (int)(sizeof(sec_table) / sizeof(sec_table[0])));
	tcase_add_test(tc, sections_btf_prefix);
	tcase_add_loop_test(tc, sections_kname, 0, (int)(sizeof(kname_table) / sizeof(kname_table[0])));
	suite_add_tcase(s, tc);
	return s;
}
