/* SPDX-License-Identifier: MIT */
/*
 * A small rtnetlink client of our own: one request at a time on a NETLINK_ROUTE socket, built in
 * a fixed buffer (attributes, nests), then every reply read until the kernel's ack, each message
 * and attribute checked to lie inside what was received before it is read. bel asks the kernel
 * a handful of fixed questions (a qdisc, a filter, XDP on a link); libmnl would add a
 * dependency to the library for the same hundred lines.
 */
#ifndef BEL_SYSCALL_NETLINK_H
#define BEL_SYSCALL_NETLINK_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BEL_NL_REQ_MAX 1024
#define BEL_NL_NEST_MAX 4

struct bel_nl_req {
	union {
		struct nlmsghdr hdr;
		uint8_t buf[BEL_NL_REQ_MAX];
	} u;
	bool overflow;                 /* something did not fit: the request is refused whole */
	uint32_t nest[BEL_NL_NEST_MAX];/* offsets of the open nests */
	unsigned int nnest;
};

/* type: RTM_*; flags: NLM_F_* besides REQUEST and ACK, which every request gets. fam is the
 * family header (struct tcmsg, struct ifinfomsg, ...). */
void bel_nl_req_init(struct bel_nl_req *r, uint16_t type, uint16_t flags, const void *fam,
		     size_t fam_len);
void bel_nl_put(struct bel_nl_req *r, uint16_t type, const void *data, size_t len);
void bel_nl_put_u32(struct bel_nl_req *r, uint16_t type, uint32_t v);
void bel_nl_put_str(struct bel_nl_req *r, uint16_t type, const char *s);
/* Bytes that are not an attribute: a family header inside a nest (as VETH_INFO_PEER has). */
void bel_nl_put_raw(struct bel_nl_req *r, const void *data, size_t len);
void bel_nl_nest_begin(struct bel_nl_req *r, uint16_t type);
void bel_nl_nest_end(struct bel_nl_req *r);

/* A NETLINK_ROUTE socket (close-on-exec, extended acks, capped acks) in the calling thread's
 * network namespace, where it stays: fd or -errno. */
int bel_nl_socket(void);

/* Each reply that is not the ack, with its payload (after the nlmsghdr) checked to be inside. */
typedef int (*bel_nl_reply_fn)(const struct nlmsghdr *h, const void *payload, size_t len,
			       void *ctx);
/* Send the request and read until its ack. Returns 0, the kernel's -errno (its extended-ack
 * text, if any, copied to msg), fn's negative return, or -errno (-EBADMSG for a reply that is
 * malformed, -EMSGSIZE for a request that did not fit). */
int bel_nl_talk(int fd, struct bel_nl_req *r, bel_nl_reply_fn fn, void *ctx, char *msg,
		size_t msg_size);

/* The attributes of data[0..len): tb[t] = the last attribute of type t (flags masked) for t <=
 * max, NULL if none. -EBADMSG if one runs past the end. */
int bel_nl_parse(const void *data, size_t len, const struct nlattr **tb, uint16_t max);
const void *bel_nl_data(const struct nlattr *a);
size_t bel_nl_len(const struct nlattr *a);
/* The attribute's u32 if it is exactly 4 bytes. */
bool bel_nl_get_u32(const struct nlattr *a, uint32_t *out);

#endif
