/* SPDX-License-Identifier: MIT */
#include "netlink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define ALIGN4(x) (((x) + 3u) & ~(size_t)3u)
#define RECV_BUF (32u << 10)

static uint32_t next_seq;

static void *tail(struct bel_nl_req *r)
{
	return r->u.buf + r->u.hdr.nlmsg_len;
}

/* Room for n more bytes (rounded to 4): false, and the request marked, when there is none. */
static bool room(struct bel_nl_req *r, size_t n)
{
	if (r->overflow || (size_t)r->u.hdr.nlmsg_len + ALIGN4(n) > sizeof(r->u.buf)) {
		r->overflow = true;
		return false;
	}
	return true;
}

void bel_nl_req_init(struct bel_nl_req *r, uint16_t type, uint16_t flags, const void *fam,
		     size_t fam_len)
{
	memset(r, 0, sizeof(*r));
	r->u.hdr.nlmsg_len = NLMSG_HDRLEN;
	r->u.hdr.nlmsg_type = type;
	r->u.hdr.nlmsg_flags = flags | NLM_F_REQUEST | NLM_F_ACK;
	bel_nl_put_raw(r, fam, fam_len);
}

void bel_nl_put(struct bel_nl_req *r, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = {.nla_type = type};

	if (len > UINT16_MAX - NLA_HDRLEN || !room(r, NLA_HDRLEN + len))
		return;
	a.nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(tail(r), &a, sizeof(a));
	if (len)
		memcpy((uint8_t *)tail(r) + NLA_HDRLEN, data, len);
	r->u.hdr.nlmsg_len += (uint32_t)ALIGN4(NLA_HDRLEN + len);
}

void bel_nl_put_raw(struct bel_nl_req *r, const void *data, size_t len)
{
	if (!room(r, len))
		return;
	memcpy(tail(r), data, len);
	r->u.hdr.nlmsg_len += (uint32_t)ALIGN4(len);
}

void bel_nl_put_u32(struct bel_nl_req *r, uint16_t type, uint32_t v)
{
	bel_nl_put(r, type, &v, sizeof(v));
}

void bel_nl_put_str(struct bel_nl_req *r, uint16_t type, const char *s)
{
	bel_nl_put(r, type, s, strlen(s) + 1);
}

void bel_nl_nest_begin(struct bel_nl_req *r, uint16_t type)
{
	if (r->nnest == BEL_NL_NEST_MAX) {
		r->overflow = true;
		return;
	}
	r->nest[r->nnest++] = r->u.hdr.nlmsg_len;
	bel_nl_put(r, type | NLA_F_NESTED, NULL, 0);
}

void bel_nl_nest_end(struct bel_nl_req *r)
{
	struct nlattr a;
	uint32_t off;

	if (!r->nnest) {
		r->overflow = true;
		return;
	}
	off = r->nest[--r->nnest];
	if (r->overflow || r->u.hdr.nlmsg_len - off > UINT16_MAX) {
		r->overflow = true;
		return;
	}
	memcpy(&a, r->u.buf + off, sizeof(a));
	a.nla_len = (uint16_t)(r->u.hdr.nlmsg_len - off);
	memcpy(r->u.buf + off, &a, sizeof(a));
}

int bel_nl_socket(void)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), one = 1, err;
	struct timeval timeout = {.tv_sec = 10};

	if (fd < 0)
		return -errno;
	/* extended acks carry the kernel's reason; capped acks keep our request out of them.
	 * Kernels without either still work, with less said. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* the kernel always answers; a bound on the wait keeps a caller from hanging if not */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int bel_nl_parse(const void *data, size_t len, const struct nlattr **tb, uint16_t max)
{
	const uint8_t *p = data;
	size_t off = 0;

	memset(tb, 0, ((size_t)max + 1) * sizeof(*tb));
	while (len - off >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)(p + off);
		uint16_t type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
			return -EBADMSG;
		if (type <= max)
			tb[type] = a;
		off += ALIGN4(a->nla_len);
		if (off > len)
			break; /* the last attribute's padding may be left out */
	}
	return 0;
}

const void *bel_nl_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

size_t bel_nl_len(const struct nlattr *a)
{
	return (size_t)a->nla_len - NLA_HDRLEN;
}

bool bel_nl_get_u32(const struct nlattr *a, uint32_t *out)
{
	if (!a || bel_nl_len(a) != sizeof(*out))
		return false;
	memcpy(out, bel_nl_data(a), sizeof(*out));
	return true;
}

/* The kernel's text in an extended ack, if there is one that is a terminated string. */
static void ack_text(const struct nlmsghdr *h, const struct nlmsgerr *e, size_t len, char *msg,
		     size_t msg_size)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MSG + 1];
	size_t off = sizeof(*e);

	if (!msg || !msg_size || !(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* an uncapped ack repeats our request's payload before the attributes */
	if (!(h->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return;
		off += ALIGN4((size_t)e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (off > len || bel_nl_parse((const uint8_t *)e + off, len - off, tb, NLMSGERR_ATTR_MSG) ||
	    !tb[NLMSGERR_ATTR_MSG] || !bel_nl_len(tb[NLMSGERR_ATTR_MSG]))
		return;
	if (memchr(bel_nl_data(tb[NLMSGERR_ATTR_MSG]), '\0', bel_nl_len(tb[NLMSGERR_ATTR_MSG])))
		snprintf(msg, msg_size, "%s", (const char *)bel_nl_data(tb[NLMSGERR_ATTR_MSG]));
}

/* One datagram of replies. Returns 1 when the ack (or the end of a dump) came, 0 to read on. */
static int walk_replies(const uint8_t *buf, size_t n, uint32_t seq, bel_nl_reply_fn fn,
			void *ctx, char *msg, size_t msg_size)
{
	size_t off = 0;

	while (n - off >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const void *)(buf + off);
		const uint8_t *payload = buf + off + NLMSG_HDRLEN;
		size_t len;
		int ret;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > n - off)
			return -EBADMSG;
		len = h->nlmsg_len - NLMSG_HDRLEN;
		off += NLMSG_ALIGN(h->nlmsg_len);
		if (h->nlmsg_seq != seq)
			continue; /* not ours (a late answer to an earlier request) */
		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr e;

			if (len < sizeof(e))
				return -EBADMSG;
			memcpy(&e, payload, sizeof(e));
			if (e.error > 0 || e.error < -4095)
				return -EBADMSG;
			if (e.error)
				ack_text(h, (const void *)payload, len, msg, msg_size);
			return e.error ? e.error : 1;
		}
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (fn && (ret = fn(h, payload, len, ctx)) < 0)
			return ret;
		if (off > n)
			break;
	}
	return 0;
}

int bel_nl_talk(int fd, struct bel_nl_req *r, bel_nl_reply_fn fn, void *ctx, char *msg,
		size_t msg_size)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	uint8_t *buf;
	ssize_t n;
	int ret = 0;

	if (msg && msg_size)
		msg[0] = '\0';
	if (r->overflow || r->nnest)
		return -EMSGSIZE;
	buf = malloc(RECV_BUF); /* malloc'd: aligned for struct nlmsghdr */
	if (!buf)
		return -ENOMEM;
	r->u.hdr.nlmsg_seq = __atomic_add_fetch(&next_seq, 1, __ATOMIC_RELAXED);
	if (sendto(fd, r->u.buf, r->u.hdr.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		ret = -errno;
	while (!ret) {
		n = recv(fd, buf, RECV_BUF, MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		else if ((size_t)n > RECV_BUF)
			ret = -EMSGSIZE; /* a reply bigger than any of ours can be */
		else
			ret = walk_replies(buf, (size_t)n, r->u.hdr.nlmsg_seq, fn, ctx, msg, msg_size);
	}
	free(buf);
	return ret > 0 ? 0 : ret;
}
