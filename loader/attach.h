/* SPDX-License-Identifier: MIT */
/*
 * Attaching, past the one-link kinds of attach.c: perf events on every CPU, kprobe_multi links,
 * classic tc and netlink XDP, sockmap programs, netns and netfilter links.
 *
 * Attachments that are not BPF links (a cls_bpf filter, XDP set through netlink, a program
 * attached to a sockmap with BPF_PROG_ATTACH) have no fd that keeps them, so they cannot be
 * pinned: the program keeps a list of them and removes them when it is detached or unloaded,
 * unless the caller asked to leave them (bel_attach_opts.keep_attached).
 */
#ifndef BEL_LOADER_ATTACH_H
#define BEL_LOADER_ATTACH_H

#include "internal.h"

enum ldr_attachment_kind {
	BEL_ATTACHMENT_TC,       /* a direct-action cls_bpf filter on a clsact qdisc */
	BEL_ATTACHMENT_XDP,      /* IFLA_XDP through netlink */
	BEL_ATTACHMENT_PROG,     /* BPF_PROG_ATTACH to a map (sockmap, sockhash) */
};

struct ldr_attachment {
	struct ldr_attachment *next;
	enum ldr_attachment_kind kind;
	/* tc, XDP: a netlink socket made where the device is (ifindexes are per network
	 * namespace, and so is the socket); PROG: the map, duplicated */
	int fd;
	uint32_t ifindex;
	uint32_t attach_type;    /* PROG */
	uint32_t xdp_mode;       /* XDP: the XDP_FLAGS_*_MODE it was set with */
	bool egress;             /* tc */
	uint16_t priority;       /* tc */
	uint32_t handle;         /* tc */
	uint32_t prog_id;        /* tc: removed only while it still runs this program */
	bool keep;               /* left in place when the program goes */
};

/* What one bel_program_attach call made: given to the program only when all of it worked. */
struct ldr_attach_made {
	int *links;
	uint32_t nlinks;
	struct ldr_attachment *attachment;
};

/* Add a link fd (taken: closed if it cannot be added). */
int ldr_attach_made_link(struct ldr_attach_made *made, int fd, struct bel_err *err);
/* Undo what a failed call made (prog->lock held, prog->fd still open). */
void ldr_attach_made_undo(struct bel_program *prog, struct ldr_attach_made *made);
/* Remove (unless kept) and free one attachment (prog->lock held, prog->fd still open). */
void ldr_attachment_remove(struct bel_program *prog, struct ldr_attachment *a);

/* Each returns a link fd with nothing in made, or 0 with what it made in made, or -errno. */
int ldr_attach_perf_event(const struct bel_program *prog, int prog_fd,
			  const struct bel_attach_opts *o, struct ldr_attach_made *made,
			  struct bel_err *err);
int ldr_attach_kprobe_multi(const struct bel_program *prog, int prog_fd,
			    const struct bel_attach_opts *o, const char *pattern,
			    struct ldr_attach_made *made, struct bel_err *err);
int ldr_attach_xdp(const struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		   struct ldr_attach_made *made, struct bel_err *err);
int ldr_attach_tc(const struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		  struct ldr_attach_made *made, struct bel_err *err);
int ldr_attach_sockmap(const struct bel_program *prog, int prog_fd,
		       const struct bel_attach_opts *o, struct ldr_attach_made *made,
		       struct bel_err *err);
int ldr_attach_netns(const struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		     struct bel_err *err);
int ldr_attach_netfilter(int prog_fd, const struct bel_attach_opts *o, struct bel_err *err);

#endif
