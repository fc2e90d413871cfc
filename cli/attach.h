/* SPDX-License-Identifier: MIT */
/*
 * The attach options of `bel load --attach`: what a section cannot say, from the command line,
 * into a struct bel_attach_opts (attach.c). CLI_ATTACH_OPTS(ST, field) expands to the rows of
 * a command's option table for a struct cli_attach at ST.field.
 */
#ifndef BEL_CLI_ATTACH_H
#define BEL_CLI_ATTACH_H

#include "cli.h"

struct cli_attach {
	struct bel_attach_opts o;       /* the fields given as they are */
	const char *usdt;               /* PROVIDER:NAME */
	const char *perf_event;         /* software:NAME, hardware:NAME, or TYPE:CONFIG */
	const char *xdp_mode;           /* skb, native, offload */
	const char *sockmap;            /* a map of the object, or a pinned map's path */
	const char *netns;              /* a network namespace file (/run/netns/NAME, ...) */
	const char *nf;                 /* FAMILY:HOOK[:PRIORITY] */
	/* what was opened for the options (closed by cli_attach_done) */
	bool prepared;
	struct bel_map *sockmap_map;
	int netns_fd;
	char *usdt_copy;
};

/* The options themselves fill a->o and the strings above; this turns the strings into fields
 * (before anything is loaded, so a mistake costs nothing), and cli_attach_maps finds the
 * --sockmap once the object's maps exist. -errno after saying what is wrong. */
int cli_attach_prepare(struct cli_attach *a, bool pinning);
int cli_attach_maps(struct bel_object *obj, struct cli_attach *a);
void cli_attach_done(struct cli_attach *a);

#define CLI_ATTACH_OPTS(ST, F)                                                                   \
	{.name = "ifname", .short_name = 'i', .arg = "IF", .complete = CLI_C_IFNAME,               \
	 CLI_STRING_AT(ST, F.o.ifname), .help = "the interface xdp, tcx and tc programs attach to"}, \
	{.name = "cgroup", .short_name = 'c', .arg = "DIR", .complete = CLI_C_DIR,                 \
	 CLI_STRING_AT(ST, F.o.cgroup),                                                             \
	 .help = "the cgroup v2 directory cgroup programs attach to (default: the root)"},          \
	{.name = "target", .arg = "TARGET", CLI_STRING_AT(ST, F.o.target),                         \
	 .help = "attach there instead of where the section says (a function, CATEGORY/NAME, "     \
		 "BINARY:FUNCTION, a glob for the .multi kinds)"},                                  \
	{.name = "binary", .arg = "PATH", .complete = CLI_C_FILE, CLI_STRING_AT(ST, F.o.binary),   \
	 .help = "uprobe, uprobe.multi, usdt: the executable or library (a bare lib*.so* name is " \
		 "found as the dynamic loader finds it, another bare name in PATH)"},               \
	{.name = "func", .arg = "NAME", CLI_STRING_AT(ST, F.o.func),                               \
	 .help = "uprobe: the function (NAME, NAME@VERSION); uprobe.multi: a glob"},               \
	{.name = "func-offset", .arg = "N", CLI_NUMBER_AT(ST, F.o.func_offset, 0, UINT64_MAX),      \
	 .help = "uprobe: bytes into the function; alone, a file offset"},                         \
	{.name = "retprobe", CLI_FLAG_AT(ST, F.o.retprobe),                                        \
	 .help = "uprobe, uprobe.multi: on return"},                                               \
	{.name = "pid", .arg = "PID", CLI_NUMBER_AT(ST, F.o.pid, 1, 0x7fffffff),                     \
	 .help = "uprobe, uprobe.multi, usdt: only in this process (default: every process)"},     \
	{.name = "cookie", .arg = "N", CLI_NUMBER_AT(ST, F.o.cookie, 0, UINT64_MAX),               \
	 .help = "what bpf_get_attach_cookie() (usdt: bpf_usdt_cookie()) returns"},                \
	{.name = "ref-ctr-offset", .arg = "N", CLI_NUMBER_AT(ST, F.o.ref_ctr_offset, 0, UINT64_MAX), \
	 .help = "uprobe: file offset of a semaphore the kernel counts attached probes in"},       \
	{.name = "usdt", .arg = "PROVIDER:NAME", CLI_STRING_AT(ST, F.usdt),                        \
	 .help = "usdt: the probe (with --binary) instead of the section's"},                       \
	{.name = "perf-event", .arg = "EVENT", CLI_STRING_AT(ST, F.perf_event),                    \
	 .help = "perf_event: software:cpu-clock (default hardware:cycles), software:task-clock, "  \
		 "hardware:instructions, ..., or TYPE:CONFIG in numbers"},                          \
	{.name = "sample-period", .arg = "N", CLI_NUMBER_AT(ST, F.o.sample_period, 1, UINT64_MAX), \
	 .help = "perf_event: a sample every N events"},                                           \
	{.name = "sample-freq", .arg = "HZ", CLI_NUMBER_AT(ST, F.o.sample_freq, 1, UINT64_MAX),    \
	 .help = "perf_event: HZ samples a second"},                                               \
	{.name = "xdp-mode", .arg = "MODE", CLI_STRING_AT(ST, F.xdp_mode),                         \
	 .help = "xdp: skb, native or offload, set through netlink instead of a link"},            \
	{.name = "tc-classic", CLI_FLAG_AT(ST, F.o.tc_classic),                                    \
	 .help = "tc, tcx: a cls_bpf filter on a clsact qdisc even where the kernel has tcx"},      \
	{.name = "tc-egress", CLI_FLAG_AT(ST, F.o.tc_egress),                                      \
	 .help = "tc, classifier sections: egress (default ingress)"},                             \
	{.name = "tc-priority", .arg = "N", CLI_NUMBER_AT(ST, F.o.tc_priority, 1, 0xffff),         \
	 .help = "classic tc: the filter's priority"},                                             \
	{.name = "tc-handle", .arg = "N", CLI_NUMBER_AT(ST, F.o.tc_handle, 1, 0xffffffff),         \
	 .help = "classic tc: the filter's handle"},                                               \
	{.name = "tc-replace", CLI_FLAG_AT(ST, F.o.tc_replace),                                    \
	 .help = "classic tc: replace the filter at --tc-priority and --tc-handle"},               \
	{.name = "sockmap", .arg = "MAP", .complete = CLI_C_MAP, CLI_STRING_AT(ST, F.sockmap),     \
	 .help = "sk_skb, sk_msg: the sockmap or sockhash (the object's, by name, or a pinned "    \
		 "path)"},                                                                          \
	{.name = "netns", .arg = "PATH", .complete = CLI_C_FILE, CLI_STRING_AT(ST, F.netns),       \
	 .help = "sk_lookup, flow_dissector: the network namespace (default: bel's own)"},         \
	{.name = "nf", .arg = "FAMILY:HOOK[:PRIORITY]", CLI_STRING_AT(ST, F.nf),                   \
	 .help = "netfilter: ipv4 or ipv6; prerouting, input, forward, output or postrouting"},     \
	{.name = "keep-attached", CLI_FLAG_AT(ST, F.o.keep_attached),                              \
	 .help = "leave classic tc filters, netlink XDP and sockmap programs attached when bel "    \
		 "exits (always so with --pin: they are not links, and cannot be pinned)"}

#endif
