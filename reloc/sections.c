/* SPDX-License-Identifier: MIT */
/*
 * Program type from the SEC() name. The names and their meaning are libbpf's documented
 * convention (https://docs.kernel.org/bpf/libbpf/program_types.html); the table is ours.
 *
 * Two loaders' names, one table. libbpf matches a name exactly ("socket", "xdp", "tc") or as
 * "name" / "name/anything" (kprobe+, tracepoint+, ...). cilium/ebpf, whose objects Go agents
 * ship (bpf2go), reads the same table but matches the exact names as PREFIXES: "socket1",
 * "socket/udp", "xdp_drop", "tc_ingress", "perf_event/cycles", "sk_lookup/steer", "lwt_in_x"
 * are programs to it, of the type of the first entry that is a prefix of the name, with no
 * attach target. bel applies libbpf's rules first and cilium/ebpf's only to a name libbpf's
 * rules do not know, so no name libbpf understands changes meaning:
 *
 *   name                          libbpf            cilium/ebpf         bel
 *   socket, xdp, tc, perf_event   exact             prefix of the name  exact, then prefix
 *   socket1, xdp_prog, tc_egress  unknown (refused) socket, xdp, tc     as cilium/ebpf
 *   kprobe/F, tracepoint/C/N, ... name[/extra]      name[/extra]        name[/extra]
 *   ?name (optional program)      autoload off      '?' ignored         autoload off
 *
 * Both also take a leading '?': libbpf (1.0 and later) then leaves the program out of a
 * whole-object load unless it is asked for, which bel follows.
 */
#include <string.h>

#include "spec.h"
#include "common/uapi.h"

enum match {
	EXACT,     /* "socket": the name and nothing else */
	EXTRAS,    /* "kprobe+": the name alone, or "name/anything" */
};

enum {
	SLEEPABLE = 1 << 0,
	FRAGS = 1 << 1,
	ATTACH_BTF = 1 << 2,
};

struct sec_def {
	const char *name;
	enum match match;
	uint32_t prog_type, attach_type, flags;
	enum bel_attach_kind attach_kind;
	const char *btf_prefix; /* for ATTACH_BTF: what the kernel BTF name starts with */
};

#define P(x) BPF_PROG_TYPE_##x
#define A(x) BPF_##x

/* Longest names first where one is a prefix of another ("xdp.frags" before "xdp"). */
static const struct sec_def sec_defs[] = {
	{"socket", EXACT, P(SOCKET_FILTER), 0, 0, BEL_ATTACH_NONE, NULL},
	{"sk_reuseport/migrate", EXACT, P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT_OR_MIGRATE), 0, BEL_ATTACH_NONE, NULL},
	{"sk_reuseport", EXACT, P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT), 0, BEL_ATTACH_NONE, NULL},
	{"kprobe.multi", EXTRAS, P(KPROBE), A(TRACE_KPROBE_MULTI), 0, BEL_ATTACH_KPROBE_MULTI, NULL},
	{"kretprobe.multi", EXTRAS, P(KPROBE), A(TRACE_KPROBE_MULTI), 0, BEL_ATTACH_KRETPROBE_MULTI, NULL},
	{"kprobe", EXTRAS, P(KPROBE), 0, 0, BEL_ATTACH_KPROBE, NULL},
	{"kretprobe", EXTRAS, P(KPROBE), 0, 0, BEL_ATTACH_KRETPROBE, NULL},
	{"ksyscall", EXTRAS, P(KPROBE), 0, 0, BEL_ATTACH_KPROBE, NULL},
	{"kretsyscall", EXTRAS, P(KPROBE), 0, 0, BEL_ATTACH_KRETPROBE, NULL},
	{"uprobe.multi.s", EXTRAS, P(KPROBE), BEL_BPF_TRACE_UPROBE_MULTI, SLEEPABLE, BEL_ATTACH_UPROBE_MULTI, NULL},
	{"uretprobe.multi.s", EXTRAS, P(KPROBE), BEL_BPF_TRACE_UPROBE_MULTI, SLEEPABLE, BEL_ATTACH_UPROBE_MULTI, NULL},
	{"uprobe.multi", EXTRAS, P(KPROBE), BEL_BPF_TRACE_UPROBE_MULTI, 0, BEL_ATTACH_UPROBE_MULTI, NULL},
	{"uretprobe.multi", EXTRAS, P(KPROBE), BEL_BPF_TRACE_UPROBE_MULTI, 0, BEL_ATTACH_UPROBE_MULTI, NULL},
	{"uprobe.s", EXTRAS, P(KPROBE), 0, SLEEPABLE, BEL_ATTACH_UPROBE, NULL},
	{"uretprobe.s", EXTRAS, P(KPROBE), 0, SLEEPABLE, BEL_ATTACH_UPROBE, NULL},
	{"uprobe", EXTRAS, P(KPROBE), 0, 0, BEL_ATTACH_UPROBE, NULL},
	{"uretprobe", EXTRAS, P(KPROBE), 0, 0, BEL_ATTACH_UPROBE, NULL},
	{"usdt.s", EXTRAS, P(KPROBE), 0, SLEEPABLE, BEL_ATTACH_USDT, NULL},
	{"usdt", EXTRAS, P(KPROBE), 0, 0, BEL_ATTACH_USDT, NULL},
	{"tcx/ingress", EXACT, P(SCHED_CLS), BEL_BPF_TCX_INGRESS, 0, BEL_ATTACH_TCX, NULL},
	{"tcx/egress", EXACT, P(SCHED_CLS), BEL_BPF_TCX_EGRESS, 0, BEL_ATTACH_TCX, NULL},
	{"tc/ingress", EXACT, P(SCHED_CLS), BEL_BPF_TCX_INGRESS, 0, BEL_ATTACH_TCX, NULL},
	{"tc/egress", EXACT, P(SCHED_CLS), BEL_BPF_TCX_EGRESS, 0, BEL_ATTACH_TCX, NULL},
	{"netkit/primary", EXACT, P(SCHED_CLS), BEL_BPF_NETKIT_PRIMARY, 0, BEL_ATTACH_NONE, NULL},
	{"netkit/peer", EXACT, P(SCHED_CLS), BEL_BPF_NETKIT_PEER, 0, BEL_ATTACH_NONE, NULL},
	{"tc", EXACT, P(SCHED_CLS), 0, 0, BEL_ATTACH_TC, NULL},
	{"classifier", EXTRAS, P(SCHED_CLS), 0, 0, BEL_ATTACH_TC, NULL},
	{"action", EXTRAS, P(SCHED_ACT), 0, 0, BEL_ATTACH_NONE, NULL},
	{"tracepoint", EXTRAS, P(TRACEPOINT), 0, 0, BEL_ATTACH_TRACEPOINT, NULL},
	{"tp_btf", EXTRAS, P(TRACING), A(TRACE_RAW_TP), ATTACH_BTF, BEL_ATTACH_TRACING, "btf_trace_"},
	{"tp", EXTRAS, P(TRACEPOINT), 0, 0, BEL_ATTACH_TRACEPOINT, NULL},
	{"raw_tracepoint.w", EXTRAS, P(RAW_TRACEPOINT_WRITABLE), 0, 0, BEL_ATTACH_RAW_TP, NULL},
	{"raw_tp.w", EXTRAS, P(RAW_TRACEPOINT_WRITABLE), 0, 0, BEL_ATTACH_RAW_TP, NULL},
	{"raw_tracepoint", EXTRAS, P(RAW_TRACEPOINT), 0, 0, BEL_ATTACH_RAW_TP, NULL},
	{"raw_tp", EXTRAS, P(RAW_TRACEPOINT), 0, 0, BEL_ATTACH_RAW_TP, NULL},
	{"fentry.s", EXTRAS, P(TRACING), A(TRACE_FENTRY), ATTACH_BTF | SLEEPABLE, BEL_ATTACH_TRACING, ""},
	{"fmod_ret.s", EXTRAS, P(TRACING), A(MODIFY_RETURN), ATTACH_BTF | SLEEPABLE, BEL_ATTACH_TRACING, ""},
	{"fexit.s", EXTRAS, P(TRACING), A(TRACE_FEXIT), ATTACH_BTF | SLEEPABLE, BEL_ATTACH_TRACING, ""},
	{"fentry", EXTRAS, P(TRACING), A(TRACE_FENTRY), ATTACH_BTF, BEL_ATTACH_TRACING, ""},
	{"fmod_ret", EXTRAS, P(TRACING), A(MODIFY_RETURN), ATTACH_BTF, BEL_ATTACH_TRACING, ""},
	{"fexit", EXTRAS, P(TRACING), A(TRACE_FEXIT), ATTACH_BTF, BEL_ATTACH_TRACING, ""},
	{"freplace", EXTRAS, P(EXT), 0, 0, BEL_ATTACH_NONE, NULL},
	{"lsm.s", EXTRAS, P(LSM), A(LSM_MAC), ATTACH_BTF | SLEEPABLE, BEL_ATTACH_LSM, "bpf_lsm_"},
	{"lsm_cgroup", EXTRAS, P(LSM), A(LSM_CGROUP), ATTACH_BTF, BEL_ATTACH_NONE, "bpf_lsm_"},
	{"lsm", EXTRAS, P(LSM), A(LSM_MAC), ATTACH_BTF, BEL_ATTACH_LSM, "bpf_lsm_"},
	{"iter.s", EXTRAS, P(TRACING), A(TRACE_ITER), ATTACH_BTF | SLEEPABLE, BEL_ATTACH_ITER, "bpf_iter_"},
	{"iter", EXTRAS, P(TRACING), A(TRACE_ITER), ATTACH_BTF, BEL_ATTACH_ITER, "bpf_iter_"},
	{"syscall", EXACT, P(SYSCALL), 0, SLEEPABLE, BEL_ATTACH_NONE, NULL},
	{"xdp.frags/devmap", EXACT, P(XDP), A(XDP_DEVMAP), FRAGS, BEL_ATTACH_NONE, NULL},
	{"xdp/devmap", EXACT, P(XDP), A(XDP_DEVMAP), 0, BEL_ATTACH_NONE, NULL},
	{"xdp.frags/cpumap", EXACT, P(XDP), A(XDP_CPUMAP), FRAGS, BEL_ATTACH_NONE, NULL},
	{"xdp/cpumap", EXACT, P(XDP), A(XDP_CPUMAP), 0, BEL_ATTACH_NONE, NULL},
	{"xdp.frags", EXACT, P(XDP), A(XDP), FRAGS, BEL_ATTACH_XDP, NULL},
	{"xdp", EXACT, P(XDP), A(XDP), 0, BEL_ATTACH_XDP, NULL},
	{"perf_event", EXACT, P(PERF_EVENT), 0, 0, BEL_ATTACH_PERF_EVENT, NULL},
	{"lwt_in", EXACT, P(LWT_IN), 0, 0, BEL_ATTACH_NONE, NULL},
	{"lwt_out", EXACT, P(LWT_OUT), 0, 0, BEL_ATTACH_NONE, NULL},
	{"lwt_xmit", EXACT, P(LWT_XMIT), 0, 0, BEL_ATTACH_NONE, NULL},
	{"lwt_seg6local", EXACT, P(LWT_SEG6LOCAL), 0, 0, BEL_ATTACH_NONE, NULL},
	{"sockops", EXACT, P(SOCK_OPS), A(CGROUP_SOCK_OPS), 0, BEL_ATTACH_CGROUP, NULL},
	{"sk_skb/stream_parser", EXACT, P(SK_SKB), A(SK_SKB_STREAM_PARSER), 0, BEL_ATTACH_SOCKMAP, NULL},
	{"sk_skb/stream_verdict", EXACT, P(SK_SKB), A(SK_SKB_STREAM_VERDICT), 0, BEL_ATTACH_SOCKMAP, NULL},
	{"sk_skb", EXACT, P(SK_SKB), 0, 0, BEL_ATTACH_SOCKMAP, NULL},
	{"sk_msg", EXACT, P(SK_MSG), A(SK_MSG_VERDICT), 0, BEL_ATTACH_SOCKMAP, NULL},
	{"lirc_mode2", EXACT, P(LIRC_MODE2), A(LIRC_MODE2), 0, BEL_ATTACH_NONE, NULL},
	{"flow_dissector", EXACT, P(FLOW_DISSECTOR), A(FLOW_DISSECTOR), 0, BEL_ATTACH_NETNS, NULL},
	{"cgroup_skb/ingress", EXACT, P(CGROUP_SKB), A(CGROUP_INET_INGRESS), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup_skb/egress", EXACT, P(CGROUP_SKB), A(CGROUP_INET_EGRESS), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/skb", EXACT, P(CGROUP_SKB), 0, 0, BEL_ATTACH_NONE, NULL},
	{"cgroup/sock_create", EXACT, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/sock_release", EXACT, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_RELEASE), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/sock", EXACT, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/post_bind4", EXACT, P(CGROUP_SOCK), A(CGROUP_INET4_POST_BIND), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/post_bind6", EXACT, P(CGROUP_SOCK), A(CGROUP_INET6_POST_BIND), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/bind4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_BIND), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/bind6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_BIND), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/connect4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_CONNECT), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/connect6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_CONNECT), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/sendmsg4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_SENDMSG), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/sendmsg6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_SENDMSG), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/recvmsg4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_RECVMSG), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/recvmsg6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_RECVMSG), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/getpeername4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETPEERNAME), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/getpeername6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETPEERNAME), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/getsockname4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETSOCKNAME), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/getsockname6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETSOCKNAME), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/sysctl", EXACT, P(CGROUP_SYSCTL), A(CGROUP_SYSCTL), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/getsockopt", EXACT, P(CGROUP_SOCKOPT), A(CGROUP_GETSOCKOPT), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/setsockopt", EXACT, P(CGROUP_SOCKOPT), A(CGROUP_SETSOCKOPT), 0, BEL_ATTACH_CGROUP, NULL},
	{"cgroup/dev", EXACT, P(CGROUP_DEVICE), A(CGROUP_DEVICE), 0, BEL_ATTACH_CGROUP, NULL},
	{"struct_ops.s", EXTRAS, P(STRUCT_OPS), 0, SLEEPABLE, BEL_ATTACH_STRUCT_OPS, NULL},
	{"struct_ops", EXTRAS, P(STRUCT_OPS), 0, 0, BEL_ATTACH_STRUCT_OPS, NULL},
	{"sk_lookup", EXACT, P(SK_LOOKUP), A(SK_LOOKUP), 0, BEL_ATTACH_NETNS, NULL},
	{"netfilter", EXACT, BEL_BPF_PROG_TYPE_NETFILTER, BEL_BPF_NETFILTER, 0, BEL_ATTACH_NETFILTER, NULL},
};

/* cilium/ebpf's reading of an exact name: any section name it begins. ("classifier" and
 * "action" are exact names to both loaders; bel also takes them with "/extra".) */
static bool match_prefix(const struct sec_def *def, const char *sec)
{
	return (def->match == EXACT || !strcmp(def->name, "classifier") ||
		!strcmp(def->name, "action")) && !strncmp(sec, def->name, strlen(def->name));
}

static const char *match(const struct sec_def *def, const char *sec)
{
	size_t len = strlen(def->name);

	if (strncmp(sec, def->name, len) != 0)
		return NULL;
	if (sec[len] == '\0')
		return sec + len;
	if (def->match == EXTRAS && sec[len] == '/')
		return sec + len + 1;
	return NULL;
}

static void set_from(struct bel_prog_def *prog, const struct sec_def *def, const char *rest)
{
	prog->type_known = true;
	prog->prog_type = def->prog_type;
	prog->expected_attach_type = def->attach_type;
	prog->attach_kind = def->attach_kind;
	prog->attach_target = *rest ? rest : NULL;
	if (def->flags & SLEEPABLE)
		prog->prog_flags |= BPF_F_SLEEPABLE;
	if (def->flags & FRAGS)
		prog->prog_flags |= BPF_F_XDP_HAS_FRAGS;
	prog->needs_attach_btf = def->flags & ATTACH_BTF;
	prog->btf_target_prefix = def->btf_prefix;
}

void bel_prog_def_set_type(struct bel_prog_def *prog)
{
	const char *sec = prog->sec_name;
	const size_t n = sizeof(sec_defs) / sizeof(sec_defs[0]);
	size_t i;

	prog->optional = sec[0] == '?';
	if (prog->optional)
		sec++;
	for (i = 0; i < n; i++) {
		const char *rest = match(&sec_defs[i], sec);

		if (rest) {
			set_from(prog, &sec_defs[i], rest);
			return;
		}
	}
	for (i = 0; i < n; i++) {
		if (match_prefix(&sec_defs[i], sec)) {
			set_from(prog, &sec_defs[i], "");
			prog->cilium_name = true;
			return;
		}
	}
	prog->type_known = false;
	prog->prog_type = BPF_PROG_TYPE_UNSPEC;
}
