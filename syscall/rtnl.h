/* SPDX-License-Identifier: MIT */
/*
 * The rtnetlink requests behind attachments that are not BPF links: a clsact qdisc and
 * direct-action cls_bpf filters on it (classic tc, for kernels before tcx), and an XDP program
 * set on a device through IFLA_XDP. One function per request, on a socket from bel_nl_socket();
 * each returns 0 or -errno with the kernel's extended-ack text (if any) in msg.
 */
#ifndef BEL_SYSCALL_RTNL_H
#define BEL_SYSCALL_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a cls_bpf filter sits: the device, ingress or egress of its clsact qdisc, priority and
 * handle (0: the kernel picks, and the request fills in what it picked). */
struct bel_tc_filter {
	uint32_t ifindex;
	bool egress;
	uint16_t priority;
	uint32_t handle;
};

/* A clsact qdisc on the device: 0 when made, -EEXIST when one is there already. */
int bel_rtnl_clsact_add(int nl, uint32_t ifindex, char *msg, size_t msg_size);
/* A direct-action cls_bpf filter running prog_fd (name: what `tc filter show` prints). With
 * replace, the filter at f's priority and handle is replaced; otherwise a filter already there
 * is an error (-EEXIST). */
int bel_rtnl_tc_bpf_add(int nl, struct bel_tc_filter *f, int prog_fd, const char *name,
			bool replace, char *msg, size_t msg_size);
/* The id of the program the filter runs (-ENOENT: no such filter). */
int bel_rtnl_tc_bpf_prog_id(int nl, const struct bel_tc_filter *f, uint32_t *prog_id,
			    char *msg, size_t msg_size);
int bel_rtnl_tc_del(int nl, const struct bel_tc_filter *f, char *msg, size_t msg_size);

/* IFLA_XDP: prog_fd (-1 removes) with XDP_FLAGS_*; with XDP_FLAGS_REPLACE only if expected_fd's
 * program is the one there (Linux 5.7). */
int bel_rtnl_xdp_set(int nl, uint32_t ifindex, int prog_fd, uint32_t flags, int expected_fd,
		     char *msg, size_t msg_size);

#endif
