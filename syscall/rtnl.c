/* SPDX-License-Identifier: MIT */
#include "rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "netlink.h"

static struct tcmsg filter_tcmsg(const struct bel_tc_filter *f)
{
	struct tcmsg tc;

	memset(&tc, 0, sizeof(tc));
	tc.tcm_family = AF_UNSPEC;
	tc.tcm_ifindex = (int)f->ifindex;
	tc.tcm_parent = TC_H_MAKE(TC_H_CLSACT, f->egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);
	tc.tcm_handle = f->handle;
	/* priority in the upper half, the protocol (every one, in network order) in the lower */
	tc.tcm_info = TC_H_MAKE((uint32_t)f->priority << 16, htons(ETH_P_ALL));
	return tc;
}

int bel_rtnl_clsact_add(int nl, uint32_t ifindex, char *msg, size_t msg_size)
{
	struct bel_nl_req r;
	struct tcmsg tc;

	memset(&tc, 0, sizeof(tc));
	tc.tcm_family = AF_UNSPEC;
	tc.tcm_ifindex = (int)ifindex;
	tc.tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
	tc.tcm_parent = TC_H_CLSACT;
	bel_nl_req_init(&r, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, &tc, sizeof(tc));
	bel_nl_put_str(&r, TCA_KIND, "clsact");
	return bel_nl_talk(nl, &r, NULL, NULL, msg, msg_size);
}

/* The kernel's copy of the filter it made (NLM_F_ECHO): the handle and priority it chose. */
static int read_echo(const struct nlmsghdr *h, const void *payload, size_t len, void *ctx)
{
	struct bel_tc_filter *f = ctx;
	struct tcmsg tc;

	if (h->nlmsg_type != RTM_NEWTFILTER || len < sizeof(tc))
		return 0;
	memcpy(&tc, payload, sizeof(tc));
	f->handle = tc.tcm_handle;
	f->priority = (uint16_t)(TC_H_MAJ(tc.tcm_info) >> 16);
	return 0;
}

int bel_rtnl_tc_bpf_add(int nl, struct bel_tc_filter *f, int prog_fd, const char *name,
			bool replace, char *msg, size_t msg_size)
{
	struct tcmsg tc = filter_tcmsg(f);
	struct bel_nl_req r;

	bel_nl_req_init(&r, RTM_NEWTFILTER,
			NLM_F_CREATE | NLM_F_ECHO | (replace ? NLM_F_REPLACE : NLM_F_EXCL), &tc,
			sizeof(tc));
	bel_nl_put_str(&r, TCA_KIND, "bpf");
	bel_nl_nest_begin(&r, TCA_OPTIONS);
	bel_nl_put_u32(&r, TCA_BPF_FD, (uint32_t)prog_fd);
	bel_nl_put_str(&r, TCA_BPF_NAME, name);
	bel_nl_put_u32(&r, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
	bel_nl_nest_end(&r);
	return bel_nl_talk(nl, &r, read_echo, f, msg, msg_size);
}

static int read_prog_id(const struct nlmsghdr *h, const void *payload, size_t len, void *ctx)
{
	const struct nlattr *tb[TCA_OPTIONS + 1], *opts[TCA_BPF_ID + 1];
	size_t off = NLMSG_ALIGN(sizeof(struct tcmsg));

	if (h->nlmsg_type != RTM_NEWTFILTER || len < off)
		return 0;
	if (bel_nl_parse((const uint8_t *)payload + off, len - off, tb, TCA_OPTIONS) ||
	    (tb[TCA_OPTIONS] &&
	     bel_nl_parse(bel_nl_data(tb[TCA_OPTIONS]), bel_nl_len(tb[TCA_OPTIONS]), opts,
			  TCA_BPF_ID)))
		return -EBADMSG;
	if (tb[TCA_OPTIONS])
		bel_nl_get_u32(opts[TCA_BPF_ID], ctx);
	return 0;
}

int bel_rtnl_tc_bpf_prog_id(int nl, const struct bel_tc_filter *f, uint32_t *prog_id,
			    char *msg, size_t msg_size)
{
	struct tcmsg tc = filter_tcmsg(f);
	struct bel_nl_req r;

	*prog_id = 0;
	bel_nl_req_init(&r, RTM_GETTFILTER, 0, &tc, sizeof(tc));
	bel_nl_put_str(&r, TCA_KIND, "bpf");
	return bel_nl_talk(nl, &r, read_prog_id, prog_id, msg, msg_size);
}

int bel_rtnl_tc_del(int nl, const struct bel_tc_filter *f, char *msg, size_t msg_size)
{
	struct tcmsg tc = filter_tcmsg(f);
	struct bel_nl_req r;

	bel_nl_req_init(&r, RTM_DELTFILTER, 0, &tc, sizeof(tc));
	bel_nl_put_str(&r, TCA_KIND, "bpf");
	return bel_nl_talk(nl, &r, NULL, NULL, msg, msg_size);
}

int bel_rtnl_xdp_set(int nl, uint32_t ifindex, int prog_fd, uint32_t flags, int expected_fd,
		     char *msg, size_t msg_size)
{
	struct ifinfomsg ifi;
	struct bel_nl_req r;

	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = (int)ifindex;
	bel_nl_req_init(&r, RTM_SETLINK, 0, &ifi, sizeof(ifi));
	bel_nl_nest_begin(&r, IFLA_XDP);
	bel_nl_put_u32(&r, IFLA_XDP_FD, (uint32_t)prog_fd);
	if (flags)
		bel_nl_put_u32(&r, IFLA_XDP_FLAGS, flags);
	if (flags & XDP_FLAGS_REPLACE)
		bel_nl_put_u32(&r, IFLA_XDP_EXPECTED_FD, (uint32_t)expected_fd);
	bel_nl_nest_end(&r);
	return bel_nl_talk(nl, &r, NULL, NULL, msg, msg_size);
}
