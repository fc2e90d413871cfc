/* SPDX-License-Identifier: MIT */
/*
 * Networking hooks: XDP (a link, or netlink for a mode or an atomic replace), tc (tcx links, or
 * direct-action cls_bpf filters where the kernel has no tcx), sockmap programs, netns links
 * (sk_lookup, flow_dissector) and netfilter links; and the list of attachments that are not
 * links, which the program removes when it goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "fs_safe.h"
#include "syscall/netlink.h"
#include "syscall/rtnl.h"

int ldr_attach_made_link(struct ldr_attach_made *made, int fd, struct bel_err *err)
{
	int *grown = realloc(made->links, (made->nlinks + 1) * sizeof(*grown));

	if (!grown) {
		close(fd);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	made->links = grown;
	made->links[made->nlinks++] = fd;
	return 0;
}

void ldr_attach_made_undo(struct bel_program *prog, struct ldr_attach_made *made)
{
	uint32_t i;

	for (i = 0; i < made->nlinks; i++)
		close(made->links[i]);
	free(made->links);
	made->links = NULL;
	made->nlinks = 0;
	if (made->attachment) {
		made->attachment->keep = false; /* this call made it: it goes with the failure */
		ldr_attachment_remove(prog, made->attachment);
		made->attachment = NULL;
	}
}

static struct bel_tc_filter tc_filter_of(const struct ldr_attachment *a)
{
	struct bel_tc_filter f = {
		.ifindex = a->ifindex, .egress = a->egress, .priority = a->priority,
		.handle = a->handle,
	};

	return f;
}

/* Best effort: a program that is going cannot refuse to go, so what fails here is told as a
 * warning and the attachment forgotten. */
void ldr_attachment_remove(struct bel_program *prog, struct ldr_attachment *a)
{
	struct bel_tc_filter f = tc_filter_of(a);
	char msg[256] = "";
	uint32_t id = 0;
	int ret = 0;

	if (a->keep)
		goto out;
	switch (a->kind) {
	case BEL_ATTACHMENT_TC:
		/* only while it is still ours: someone may have replaced the filter since */
		ret = bel_rtnl_tc_bpf_prog_id(a->fd, &f, &id, msg, sizeof(msg));
		if (!ret && id == a->prog_id)
			ret = bel_rtnl_tc_del(a->fd, &f, msg, sizeof(msg));
		if (ret == -ENOENT || ret == -EINVAL)
			ret = 0; /* gone already (the kernel says EINVAL for a missing clsact) */
		break;
	case BEL_ATTACHMENT_XDP:
		/* removed only if our program is the one there */
		ret = bel_rtnl_xdp_set(a->fd, a->ifindex, -1, a->xdp_mode | XDP_FLAGS_REPLACE, prog->fd,
				       msg, sizeof(msg));
		if (ret == -EEXIST || ret == -ENODEV)
			ret = 0;
		break;
	case BEL_ATTACHMENT_PROG:
		ret = bel_sys_prog_detach(prog->fd, a->fd, a->attach_type);
		if (ret == -ENOENT)
			ret = 0;
		break;
	}
	if (ret)
		ldr_obj_msg(prog->obj, BEL_MSG_WARN, "prog '%s': removing its %s attachment failed: %s%s%s",
			    prog->def->name, a->kind == BEL_ATTACHMENT_TC ? "tc" :
			    a->kind == BEL_ATTACHMENT_XDP ? "XDP" : "map", strerror(-ret),
			    *msg ? ": " : "", msg);
out:
	close(a->fd);
	free(a);
}

static int ifindex_of(const struct bel_attach_opts *o, uint32_t *ifindex, struct bel_err *err)
{
	const char *ifname = BEL_OPT(o, ifname, NULL);

	if (!ifname)
		return bel_errf(err, EINVAL, "needs a network interface (ifname)");
	*ifindex = if_nametoindex(ifname);
	if (!*ifindex)
		return bel_errf(err, ENODEV, "no interface '%.64s' in this network namespace", ifname);
	return 0;
}

/* A netlink answer as a message: the errno, and what the kernel added. */
static int nl_fail(struct bel_err *err, int ret, const char *what, const char *msg)
{
	return bel_errf(err, -ret, "%s: %s%s%s", what, strerror(-ret), *msg ? ": " : "", msg);
}

static struct ldr_attachment *attachment_new(enum ldr_attachment_kind kind, int fd,
					     const struct bel_attach_opts *o)
{
	struct ldr_attachment *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->kind = kind;
	a->fd = fd;
	a->keep = BEL_OPT(o, keep_attached, false);
	return a;
}

static uint32_t prog_id_of(int prog_fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bel_sys_obj_get_info_by_fd(prog_fd, &info, &len) ? 0 : info.id;
}

int ldr_attach_xdp(const struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		   struct ldr_attach_made *made, struct bel_err *err)
{
	uint32_t flags = BEL_OPT(o, xdp_flags, 0), mode = flags & XDP_FLAGS_MODES, ifindex;
	int replace = BEL_OPT(o, xdp_replace_fd, 0), nl, link, ret;
	char msg[256];

	(void)prog;
	if (ifindex_of(o, &ifindex, err))
		return err->code;
	if ((flags & ~(uint32_t)XDP_FLAGS_MASK) || (flags & XDP_FLAGS_REPLACE) ||
	    (mode & (mode - 1)))
		return bel_errf(err, EINVAL, "xdp_flags 0x%x: at most one of XDP_FLAGS_SKB_MODE, "
				"_DRV_MODE and _HW_MODE, with XDP_FLAGS_UPDATE_IF_NOEXIST (an atomic "
				"replace is xdp_replace_fd)", flags);
	if (!mode && replace <= 0 && !(flags & XDP_FLAGS_UPDATE_IF_NOEXIST)) {
		link = bel_sys_link_create(prog_fd, (int)ifindex, BPF_XDP, 0);
		/* EINVAL: a kernel before XDP links (5.9) does not know the attach type */
		if (link >= 0 || (link != -EINVAL && link != -EOPNOTSUPP))
			return link >= 0 ? link : bel_errf(err, -link, "BPF_LINK_CREATE on %s failed: %s",
							   o->ifname, strerror(-link));
	}
	/* netlink, which replaces whatever is there unless told not to: only when asked */
	flags |= replace > 0 ? XDP_FLAGS_REPLACE : XDP_FLAGS_UPDATE_IF_NOEXIST;
	nl = bel_nl_socket();
	if (nl < 0)
		return bel_errf(err, -nl, "netlink socket: %s", strerror(-nl));
	ret = bel_rtnl_xdp_set(nl, ifindex, prog_fd, flags, replace, msg, sizeof(msg));
	if (ret) {
		close(nl);
		if (ret == -EBUSY || ret == -EEXIST)
			return nl_fail(err, ret, replace > 0 ? "XDP on the interface is not the program "
				       "to replace" : "XDP: the interface has a program already (replace "
				       "it with xdp_replace_fd)", msg);
		return nl_fail(err, ret, "XDP through netlink", msg);
	}
	made->attachment = attachment_new(BEL_ATTACHMENT_XDP, nl, o);
	if (!made->attachment) {
		bel_rtnl_xdp_set(nl, ifindex, -1, mode | XDP_FLAGS_REPLACE, prog_fd, msg, sizeof(msg));
		close(nl);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	made->attachment->ifindex = ifindex;
	made->attachment->xdp_mode = mode;
	return 0;
}

/* A cls_bpf filter where the kernel has no tcx, or where the caller asked for one. */
static bool tc_classic(const struct bel_attach_opts *o)
{
	return BEL_OPT(o, tc_classic, false) || BEL_OPT(o, tc_priority, 0) ||
	       BEL_OPT(o, tc_handle, 0) || BEL_OPT(o, tc_replace, false) ||
	       !bel_link_features()->tcx;
}

int ldr_attach_tc(const struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		  struct ldr_attach_made *made, struct bel_err *err)
{
	struct bel_tc_filter f = {
		.priority = BEL_OPT(o, tc_priority, 0), .handle = BEL_OPT(o, tc_handle, 0),
	};
	bool replace = BEL_OPT(o, tc_replace, false);
	struct ldr_attachment *a;
	char msg[256], name[256];
	int nl, ret, link;

	if (ifindex_of(o, &f.ifindex, err))
		return err->code;
	f.egress = prog->cfg.attach_kind == BEL_ATTACH_TCX
		   ? prog->cfg.expected_attach_type == BEL_BPF_TCX_EGRESS
		   : BEL_OPT(o, tc_egress, false);
	if (!tc_classic(o)) {
		link = bel_sys_link_create(prog_fd, (int)f.ifindex,
					   f.egress ? BEL_BPF_TCX_EGRESS : BEL_BPF_TCX_INGRESS, 0);
		if (link < 0)
			return bel_errf(err, -link, "BPF_LINK_CREATE (tcx) on %s failed: %s", o->ifname,
					strerror(-link));
		return link;
	}
	if (replace && (!f.priority || !f.handle))
		return bel_errf(err, EINVAL, "tc_replace needs the tc_priority and tc_handle of the "
				"filter to replace");
	nl = bel_nl_socket();
	if (nl < 0)
		return bel_errf(err, -nl, "netlink socket: %s", strerror(-nl));
	ret = bel_rtnl_clsact_add(nl, f.ifindex, msg, sizeof(msg));
	if (ret && ret != -EEXIST) {
		close(nl);
		return nl_fail(err, ret, "adding a clsact qdisc", msg);
	}
	a = attachment_new(BEL_ATTACHMENT_TC, nl, o);
	if (!a) {
		close(nl);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	a->prog_id = prog_id_of(prog_fd);
	/* what `tc filter show` prints; the kernel takes up to 255 bytes (CLS_BPF_NAME_LEN) */
	snprintf(name, sizeof(name), "%s", prog->def->name);
	ret = bel_rtnl_tc_bpf_add(nl, &f, prog_fd, name, replace, msg, sizeof(msg));
	if (ret) {
		free(a);
		close(nl);
		return nl_fail(err, ret, ret == -EEXIST ? "a tc filter is there already (replace it "
			       "with tc_replace)" : "adding the cls_bpf filter", msg);
	}
	a->ifindex = f.ifindex;
	a->egress = f.egress;
	a->priority = f.priority;
	a->handle = f.handle;
	made->attachment = a;
	return 0;
}

int ldr_attach_sockmap(const struct bel_program *prog, int prog_fd,
		       const struct bel_attach_opts *o, struct ldr_attach_made *made,
		       struct bel_err *err)
{
	uint32_t type = prog->cfg.expected_attach_type;
	int map_fd = BEL_OPT(o, map_fd, 0), fd, ret;

	if (prog->cfg.prog_type == BPF_PROG_TYPE_SK_SKB && type != BPF_SK_SKB_STREAM_PARSER &&
	    type != BPF_SK_SKB_STREAM_VERDICT)
		return bel_errf(err, EINVAL, "an sk_skb program attaches as a stream parser or a "
				"stream verdict: use sk_skb/stream_parser or sk_skb/stream_verdict");
	if (map_fd <= 0)
		return bel_errf(err, EINVAL, "needs the sockmap or sockhash to attach to (map_fd)");
	if (ldr_fd_kind(map_fd) != BEL_FD_MAP)
		return bel_errf(err, EINVAL, "map_fd %d is %s, not a map", map_fd,
				ldr_fd_kind_name(ldr_fd_kind(map_fd)));
	fd = fcntl(map_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return bel_errf(err, errno, "cannot duplicate map_fd: %s", strerror(errno));
	made->attachment = attachment_new(BEL_ATTACHMENT_PROG, fd, o);
	if (!made->attachment) {
		close(fd);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	made->attachment->attach_type = type;
	ret = bel_sys_prog_attach(prog_fd, fd, type, 0);
	if (ret) {
		free(made->attachment);
		made->attachment = NULL;
		close(fd);
		return bel_errf(err, -ret, "BPF_PROG_ATTACH to the map failed: %s%s", strerror(-ret),
				ret == -EINVAL ? " (is it a sockmap or sockhash?)" : "");
	}
	return 0;
}

int ldr_attach_netns(const struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		     struct bel_err *err)
{
	int ns = BEL_OPT(o, netns_fd, 0), link;

	/* the thread's own: a thread may have moved to another namespace with setns(2) */
	if (ns <= 0)
		ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return bel_errf(err, errno, "cannot open this thread's network namespace: %s",
				strerror(errno));
	link = bel_sys_link_create(prog_fd, ns, prog->cfg.expected_attach_type, 0);
	if (ns != BEL_OPT(o, netns_fd, 0))
		close(ns);
	if (link < 0)
		return bel_errf(err, -link, "BPF_LINK_CREATE on the network namespace failed: %s%s",
				strerror(-link), link == -EEXIST || link == -E2BIG ? " (one is attached "
				"there already, or in the initial namespace)" : "");
	return link;
}

int ldr_attach_netfilter(int prog_fd, const struct bel_attach_opts *o, struct bel_err *err)
{
	struct bel_link_create_args args = {
		.prog_fd = prog_fd,
		.attach_type = BEL_BPF_NETFILTER,
		.netfilter = {
			.pf = BEL_OPT(o, nf_pf, 0), .hooknum = BEL_OPT(o, nf_hooknum, 0),
			.priority = BEL_OPT(o, nf_priority, 0), .flags = BEL_OPT(o, nf_flags, 0),
		},
	};
	int link;

	if (!bel_link_features()->netfilter)
		return bel_errf(err, ENOTSUP, "this kernel has no netfilter links (Linux 6.4 with "
				"CONFIG_NETFILTER_BPF_LINK)");
	if (!args.netfilter.pf)
		return bel_errf(err, EINVAL, "needs a protocol family (nf_pf: NFPROTO_IPV4 or "
				"NFPROTO_IPV6) and a hook (nf_hooknum)");
	link = bel_sys_link_create_ext(&args);
	if (link < 0)
		return bel_errf(err, -link, "netfilter link (pf %u, hook %u, priority %d) failed: %s",
				args.netfilter.pf, args.netfilter.hooknum, args.netfilter.priority,
				strerror(-link));
	return link;
}
