/* SPDX-License-Identifier: MIT */
/*
 * The attach kinds past single links, each fired and its effect checked (progs/attach_net.bpf.c,
 * progs/module_btf.bpf.c): perf event sampling on every CPU, sk_msg redirect through a sockmap,
 * sk_lookup steering, a flow dissector in a network namespace, classic tc and netlink XDP on a
 * veth pair (seen by `tc filter show` and `ip link show` too), netfilter links, cgroups by fd,
 * kprobe.multi, and module BTF (CO-RE, fentry, kfuncs).
 *
 * Traffic stays in a network namespace each test makes with unshare(2) and leaves again: it goes
 * with the test process (Check forks one per test), or when the teardown returns to the first
 * namespace. No IP traffic leaves loopback: the veth tests send raw frames of an experimental
 * ethertype. What a kernel lacks (tcx before 6.6, netfilter links before 6.4, kprobe_multi
 * without CONFIG_FPROBE, fentry under lockdown, modules built in) is checked as the clear error
 * or the other path bel takes there; BEL_TEST_ALL_LINKS=1 (vmtest) requires fentry to work.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/netfilter.h>
#include <linux/perf_event.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bel/bel.h>

#include "btf/btf.h"
#include "internal.h"
#include "syscall/netlink.h"
#include "testutil.h"

enum {
	SLOT_PERF, SLOT_MSG, SLOT_LOOKUP, SLOT_DISSECT, SLOT_TC_IN, SLOT_TC_OUT, SLOT_XDP,
	SLOT_XDP2, SLOT_NF, SLOT_KMULTI, SLOT_KRETMULTI, SLOT_CGROUP, SLOT_TC_OUT2, SLOT_VERDICT,
};
#define STEER_PORT 7007
#define ETH_P_BEL_TEST 0x88b5 /* IEEE 802 local experimental */


static struct bel_object *open_loaded(const char *name)
{
	struct bel_open_opts o = {.sz = sizeof(o)};
	struct bel_load_opts l = {.sz = sizeof(l), .keep_going = true};
	struct bel_object *obj = NULL;

	ck_assert_msg(bel_object_open_file(fixture_path(name), &o, &obj) == 0, "open %s: %s", name,
		      bel_thread_error());
	bel_object_load(obj, &l);
	return obj;
}

static struct bel_program *loaded(struct bel_object *obj, const char *name)
{
	struct bel_program *p = bel_object_find_program(obj, name);

	ck_assert_msg(p && bel_program_fd(p) >= 0, "%s did not load: %s", name,
		      p ? bel_program_error(p) : "no such program");
	return p;
}

static uint64_t hits(struct bel_object *obj, uint32_t slot)
{
	uint64_t v = 0;

	ck_assert_int_eq(bel_map_lookup_elem(bel_object_find_map(obj, "hits"), &slot, sizeof(slot),
					     &v, sizeof(v), 0), 0);
	return v;
}

/* bel_v0 <-> bel_v1 in the test's namespace, both up. Made through bel's netlink layer: an
 * iproute2 copied into a VM may not find its veth plugin (and then names the peer veth0). */
static void veth_pair(void)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct bel_nl_req r;
	char msg[256];
	int nl = bel_nl_socket();

	ck_assert_int_ge(nl, 0);
	bel_nl_req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	bel_nl_put_str(&r, IFLA_IFNAME, "bel_v0");
	bel_nl_nest_begin(&r, IFLA_LINKINFO);
	bel_nl_put_str(&r, IFLA_INFO_KIND, "veth");
	bel_nl_nest_begin(&r, IFLA_INFO_DATA);
	bel_nl_nest_begin(&r, VETH_INFO_PEER);
	bel_nl_put_raw(&r, &ifi, sizeof(ifi));
	bel_nl_put_str(&r, IFLA_IFNAME, "bel_v1");
	bel_nl_nest_end(&r);
	bel_nl_nest_end(&r);
	bel_nl_nest_end(&r);
	ck_assert_msg(bel_nl_talk(nl, &r, NULL, NULL, msg, sizeof(msg)) == 0, "veth: %s", msg);
	close(nl);
	ck_assert_int_eq(link_up("bel_v0"), 0);
	ck_assert_int_eq(link_up("bel_v1"), 0);
}

/* A raw frame out of ifname: broadcast, of the given ethertype, with payload after the header. */
static void send_frame(const char *ifname, uint16_t ethertype, const void *payload, size_t len)
{
	struct sockaddr_ll sa = {.sll_family = AF_PACKET, .sll_halen = 6};
	uint8_t frame[128] = {0};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert(len <= sizeof(frame) - 14);
	memset(frame, 0xff, 6);                           /* to everyone */
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6); /* a local address */
	frame[12] = ethertype >> 8;
	frame[13] = ethertype & 0xff;
	memcpy(frame + 14, payload, len);
	sa.sll_ifindex = (int)if_nametoindex(ifname);
	sa.sll_protocol = htons(ethertype);
	memset(sa.sll_addr, 0xff, 6);
	ck_assert_int_ne(sa.sll_ifindex, 0);
	ck_assert_msg(sendto(fd, frame, len + 14 < 60 ? 60 : len + 14, 0, (struct sockaddr *)&sa,
			     sizeof(sa)) > 0, "sendto %s: %s", ifname, strerror(errno));
	close(fd);
}

static void send_test_frames(const char *ifname, int n)
{
	static const uint8_t payload[46] = "bel test frame";

	while (n-- > 0)
		send_frame(ifname, ETH_P_BEL_TEST, payload, sizeof(payload));
	usleep(20000); /* veth delivers from a softirq */
}

/* Run "ip ..." or "tc ...": iproute2's from /usr/sbin by its full path, since a busybox shell
 * (vmtest's) may prefer its own applets of those names to what PATH says. */
static void cmd_output(const char *cmd, char *out, size_t size)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", access("/usr/sbin/tc", X_OK) ? "" : "/usr/sbin/", cmd);
	ck_assert_msg(run_capture(full, out, size) == 0, "%s: %s", full, out);
}

/* Busy on this CPU for ms milliseconds (so cpu-clock sampling has something to sample). */
static void spin_ms(long ms)
{
	struct timespec t0, t;
	volatile uint64_t x = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			x += (uint64_t)i;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

START_TEST(test_perf_event)
{
	struct bel_attach_opts o = {
		.sz = sizeof(o), .perf_type = PERF_TYPE_SOFTWARE, .perf_config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_freq = 1000,
	};
	struct bel_object *obj;
	struct bel_program *p;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int fds = count_fds(), ret;
	uint64_t before;

	if (!kernel_ready())
		return;
	obj = open_loaded("attach_net");
	p = loaded(obj, "on_sample");
	ck_assert(!bel_program_attachable(p, NULL));
	ck_assert(bel_program_attachable(p, &o));
	before = hits(obj, SLOT_PERF);
	ret = bel_program_attach(p, &o);
	ck_assert_msg(ret >= 0, "%s", bel_object_last_error(obj));
	/* one link per online CPU, the first returned */
	ck_assert_int_eq(bel_program_link_count(p), cpus);
	ck_assert_int_eq(bel_program_link_fd(p, 0), ret);
	spin_ms(300);
	ck_assert_msg(hits(obj, SLOT_PERF) > before, "no cpu-clock sample reached the program");
	ck_assert_int_eq(bel_program_detach(p), 0);
	ck_assert_int_eq(bel_program_link_count(p), 0);
	before = hits(obj, SLOT_PERF);
	spin_ms(50);
	ck_assert_uint_eq(hits(obj, SLOT_PERF), before);

	/* a period instead of a frequency */
	o.sample_freq = 0;
	o.sample_period = 100000; /* ns of cpu-clock */
	ck_assert_int_ge(bel_program_attach(p, &o), 0);
	spin_ms(100);
	ck_assert_uint_gt(hits(obj, SLOT_PERF), before);
	bel_program_detach(p);

	/* hardware counters: there, or "no hardware counters here" (a VM without a PMU) */
	o.perf_type = PERF_TYPE_HARDWARE;
	o.perf_config = PERF_COUNT_HW_CPU_CYCLES;
	o.sample_period = 1000000;
	ret = bel_program_attach(p, &o);
	if (ret < 0) {
		ck_assert_msg(ret == -ENOENT || ret == -EOPNOTSUPP || ret == -ENODEV, "%d: %s", ret,
			      bel_object_last_error(obj));
		ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "no hardware counters here"));
		ck_assert_int_eq(bel_program_link_count(p), 0);
		printf("perf_event: %s\n", bel_object_last_error(obj));
	} else {
		ck_assert_int_eq(bel_program_link_count(p), cpus);
	}
	bel_program_detach(p);

	/* both or neither of period and frequency */
	o.sample_freq = 10;
	ck_assert_int_eq(bel_program_attach(p, &o), -EINVAL);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "sample_period or a sample_freq"));
	bel_object_close(obj);
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

static int tcp_listener(uint16_t port, uint16_t *bound)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	if (bound)
		*bound = ntohs(a.sin_port);
	return fd;
}

static int tcp_connect(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static void sockmap_put(struct bel_map *map, uint32_t key, int fd)
{
	uint64_t v = (uint64_t)fd;

	ck_assert_msg(bel_map_update_elem(map, &key, sizeof(key), &v, sizeof(v), 0) == 0,
		      "sockmap update: %s", strerror(errno));
}

/* Read what is there within a second (the redirect goes through a workqueue on some kernels). */
static ssize_t recv_wait(int fd, char *buf, size_t size)
{
	struct timeval tv = {.tv_sec = 1};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return recv(fd, buf, size, 0);
}

START_TEST(test_sk_msg_redirect)
{
	struct bel_attach_opts o = {.sz = sizeof(o)};
	int lst, c1, c2, c3, s1, s2, s3;
	struct bel_object *obj;
	struct bel_program *p, *verdict;
	struct bel_map *map;
	uint16_t port;
	char buf[64];

	if (!kernel_ready())
		return;
	netns_enter();
	obj = open_loaded("attach_net");
	p = loaded(obj, "msg_redirect");
	verdict = loaded(obj, "skb_verdict");
	map = bel_object_find_map(obj, "msg_map");
	ck_assert_int_eq(bel_program_attach(p, &o), -EINVAL);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "sockmap or sockhash"));
	o.map_fd = bel_map_fd(map);
	ck_assert(bel_program_attachable(p, &o));
	/* a program attaches to the map before sockets join it: they take its programs then */
	ck_assert_msg(bel_program_attach(p, &o) == 0, "%s", bel_object_last_error(obj));
	ck_assert_int_eq(bel_program_link_count(p), 0);
	ck_assert_int_eq(bel_program_attachment_count(p), 1);
	/* and a stream verdict program on what the sockets receive */
	ck_assert_msg(bel_program_attach(verdict, &o) == 0, "%s", bel_object_last_error(obj));

	lst = tcp_listener(0, &port);
	c1 = tcp_connect(port);
	s1 = accept(lst, NULL, NULL);
	c2 = tcp_connect(port);
	s2 = accept(lst, NULL, NULL);
	ck_assert(c1 >= 0 && s1 >= 0 && c2 >= 0 && s2 >= 0);
	sockmap_put(map, 0, c1);
	sockmap_put(map, 1, c2);
	/* sent on c1, it arrives on c2 (its own receive queue), not at c1's peer */
	ck_assert_int_eq(send(c1, "through the sockmap", 19, 0), 19);
	ck_assert_int_eq(recv_wait(c2, buf, sizeof(buf)), 19);
	ck_assert(!memcmp(buf, "through the sockmap", 19));
	ck_assert_uint_gt(hits(obj, SLOT_MSG), 0);
	ck_assert_int_eq(send(s2, "back", 4, 0), 4);
	ck_assert_int_eq(recv_wait(c2, buf, sizeof(buf)), 4);
	ck_assert(!memcmp(buf, "back", 4));
	ck_assert_uint_gt(hits(obj, SLOT_VERDICT), 0);

	/* detached (BPF_PROG_DETACH): a socket joining now sends to its peer as usual */
	ck_assert_int_eq(bel_program_detach(p), 0);
	ck_assert_int_eq(bel_program_detach(verdict), 0);
	ck_assert_int_eq(bel_program_attachment_count(p), 0);
	c3 = tcp_connect(port);
	s3 = accept(lst, NULL, NULL);
	sockmap_put(map, 0, c3);
	ck_assert_int_eq(send(c3, "plain", 5, 0), 5);
	ck_assert_int_eq(recv_wait(s3, buf, sizeof(buf)), 5);
	close(c1), close(c2), close(c3), close(s1), close(s2), close(s3), close(lst);
	bel_object_close(obj);
}
END_TEST

START_TEST(test_sk_lookup)
{
	struct bel_attach_opts o = {.sz = sizeof(o)};
	struct bel_object *obj;
	struct bel_program *p;
	int lst, c, s, link;

	if (!kernel_ready())
		return;
	netns_enter();
	obj = open_loaded("attach_net");
	p = loaded(obj, "steer");
	lst = tcp_listener(0, NULL);
	sockmap_put(bel_object_find_map(obj, "lookup_map"), 0, lst);
	ck_assert_int_eq(tcp_connect(STEER_PORT), -ECONNREFUSED);
	/* a netns link in the calling thread's namespace */
	ck_assert(bel_program_attachable(p, &o));
	link = bel_program_attach(p, &o);
	ck_assert_msg(link > 0, "%s", bel_object_last_error(obj));
	ck_assert_int_eq(bel_program_link_count(p), 1);
	c = tcp_connect(STEER_PORT);
	ck_assert_msg(c >= 0, "connect to the steered port: %s", strerror(-c));
	s = accept(lst, NULL, NULL);
	ck_assert_int_ge(s, 0);
	ck_assert_uint_gt(hits(obj, SLOT_LOOKUP), 0);
	close(c);
	close(s);
	bel_program_detach(p);
	ck_assert_int_eq(tcp_connect(STEER_PORT), -ECONNREFUSED);

	/* an explicit namespace fd: this one again */
	o.netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ck_assert_int_gt(bel_program_attach(p, &o), 0);
	c = tcp_connect(STEER_PORT);
	ck_assert_int_ge(c, 0);
	close(c);
	close(o.netns_fd);
	close(lst);
	bel_object_close(obj);
}
END_TEST

/* An IPv4/UDP packet to 127.0.0.1 as a raw frame on lo: AF_PACKET parses the headers of what
 * it sends, through the flow dissector of the device's namespace. */
static void send_ipv4_on_lo(void)
{
	uint8_t pkt[28] = {
		0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, IPPROTO_UDP, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
		0x30, 0x39, 0x00, 0x09, 0, 8, 0, 0,
	};
	uint32_t sum = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	pkt[10] = (uint8_t)(~sum >> 8);
	pkt[11] = (uint8_t)~sum;
	send_frame("lo", 0x0800, pkt, sizeof(pkt));
}

START_TEST(test_flow_dissector)
{
	struct bel_attach_opts o = {.sz = sizeof(o)};
	struct bel_object *obj;
	struct bel_program *p;
	uint64_t before;

	if (!kernel_ready())
		return;
	netns_enter();
	obj = open_loaded("attach_net");
	p = loaded(obj, "dissect");
	ck_assert_msg(bel_program_attach(p, &o) > 0, "%s", bel_object_last_error(obj));
	ck_assert_int_eq(bel_program_link_count(p), 1);
	send_ipv4_on_lo();
	ck_assert_uint_gt(hits(obj, SLOT_DISSECT), 0);
	/* one per namespace */
	ck_assert_int_lt(bel_program_attach(p, &o), 0);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "network namespace"));
	bel_program_detach(p);
	before = hits(obj, SLOT_DISSECT);
	send_ipv4_on_lo();
	ck_assert_uint_eq(hits(obj, SLOT_DISSECT), before);
	bel_object_close(obj);
}
END_TEST

START_TEST(test_tc_classic)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .ifname = "bel_v1", .tc_classic = true};
	struct bel_object *obj;
	struct bel_program *in, *out_prog, *out2;
	char out[8192];
	uint64_t before;

	if (!kernel_ready())
		return;
	netns_enter();
	veth_pair();
	obj = open_loaded("attach_net");
	in = loaded(obj, "tc_in");
	out_prog = loaded(obj, "tc_out");
	out2 = loaded(obj, "tc_out2");

	/* tc/ingress as a cls_bpf filter on a clsact qdisc bel makes, priority and handle the
	 * kernel's choice */
	ck_assert_msg(bel_program_attach(in, &o) == 0, "%s", bel_object_last_error(obj));
	ck_assert_int_eq(bel_program_link_count(in), 0);
	ck_assert_int_eq(bel_program_attachment_count(in), 1);
	cmd_output("tc filter show dev bel_v1 ingress 2>&1", out, sizeof(out));
	ck_assert_msg(strstr(out, "tc_in") && strstr(out, "direct-action"), "%s", out);
	/* a classifier section on egress, at a priority and handle of ours */
	o.ifname = "bel_v0";
	o.tc_classic = false;
	o.tc_egress = true;
	o.tc_priority = 7;
	o.tc_handle = 3;
	ck_assert_msg(bel_program_attach(out_prog, &o) == 0, "%s", bel_object_last_error(obj));
	cmd_output("tc filter show dev bel_v0 egress 2>&1", out, sizeof(out));
	ck_assert_msg(strstr(out, "pref 7") && strstr(out, "handle 0x3") && strstr(out, "tc_out"),
		      "%s", out);
	/* the same place again is refused: tc_replace is how to take it over */
	ck_assert_int_eq(bel_program_attach(out_prog, &o), -EEXIST);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "tc_replace"));

	before = hits(obj, SLOT_TC_IN) + hits(obj, SLOT_TC_OUT);
	send_test_frames("bel_v0", 3);
	ck_assert_uint_ge(hits(obj, SLOT_TC_OUT), 3);
	ck_assert_uint_ge(hits(obj, SLOT_TC_IN), 3);
	ck_assert_uint_gt(hits(obj, SLOT_TC_IN) + hits(obj, SLOT_TC_OUT), before);

	/* tc_out2 replaces tc_out's filter; tc_out going then leaves tc_out2's alone */
	o.tc_replace = true;
	ck_assert_msg(bel_program_attach(out2, &o) == 0, "%s", bel_object_last_error(obj));
	cmd_output("tc filter show dev bel_v0 egress 2>&1", out, sizeof(out));
	ck_assert_msg(strstr(out, "tc_out2") && !strstr(out, "tc_out "), "%s", out);
	send_test_frames("bel_v0", 1);
	ck_assert_uint_ge(hits(obj, SLOT_TC_OUT2), 1);
	bel_program_detach(out_prog);
	cmd_output("tc filter show dev bel_v0 egress 2>&1", out, sizeof(out));
	ck_assert_msg(strstr(out, "tc_out2"), "%s", out);
	/* detaching removes what a program attached */
	bel_program_detach(out2);
	bel_program_detach(in);
	ck_assert_int_eq(bel_program_attachment_count(in), 0);
	cmd_output("tc filter show dev bel_v0 egress 2>&1", out, sizeof(out));
	ck_assert_msg(!strstr(out, "bpf"), "%s", out);
	cmd_output("tc filter show dev bel_v1 ingress 2>&1", out, sizeof(out));
	ck_assert_msg(!strstr(out, "bpf"), "%s", out);
	before = hits(obj, SLOT_TC_IN);
	send_test_frames("bel_v0", 1);
	ck_assert_uint_eq(hits(obj, SLOT_TC_IN), before);

	/* unloading removes them too */
	o.tc_replace = false;
	o.tc_priority = 0;
	o.tc_handle = 0;
	o.tc_classic = true;
	o.ifname = "bel_v1";
	ck_assert_int_eq(bel_program_attach(in, &o), 0);
	bel_program_unload(in);
	cmd_output("tc filter show dev bel_v1 ingress 2>&1", out, sizeof(out));
	ck_assert_msg(!strstr(out, "bpf"), "%s", out);

	/* keep_attached: bel forgets it, the kernel keeps it */
	ck_assert_int_eq(bel_program_load(in), 0);
	o.keep_attached = true;
	ck_assert_int_eq(bel_program_attach(in, &o), 0);
	bel_object_close(obj);
	cmd_output("tc filter show dev bel_v1 ingress 2>&1", out, sizeof(out));
	ck_assert_msg(strstr(out, "tc_in"), "%s", out);
}
END_TEST

/* Without options, tc/ingress is a tcx link where the kernel has tcx, a filter where not. */
START_TEST(test_tc_default)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .ifname = "bel_v1"};
	struct bel_object *obj;
	struct bel_program *in;
	bool tcx = bel_link_features()->tcx;
	char out[8192];

	if (!kernel_ready())
		return;
	netns_enter();
	veth_pair();
	obj = open_loaded("attach_net");
	in = loaded(obj, "tc_in");
	ck_assert_msg(bel_program_attach(in, &o) >= 0, "%s", bel_object_last_error(obj));
	ck_assert_int_eq(bel_program_link_count(in), tcx ? 1 : 0);
	ck_assert_int_eq(bel_program_attachment_count(in), tcx ? 0 : 1);
	send_test_frames("bel_v0", 2);
	ck_assert_uint_ge(hits(obj, SLOT_TC_IN), 2);
	cmd_output("tc filter show dev bel_v1 ingress 2>&1", out, sizeof(out));
	ck_assert_msg(tcx ? !strstr(out, "tc_in") : strstr(out, "tc_in") != NULL, "%s", out);
	printf("tc: without options, %s\n", tcx ? "a tcx link" : "a cls_bpf filter (no tcx)");
	bel_object_close(obj);
}
END_TEST

START_TEST(test_xdp_netlink)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .ifname = "bel_v1",
				    .xdp_flags = XDP_FLAGS_SKB_MODE};
	struct bel_object *obj;
	struct bel_program *x1, *x2;
	char out[8192], want[64];
	struct bel_program_info info = {.sz = sizeof(info)};
	uint64_t before;

	if (!kernel_ready())
		return;
	netns_enter();
	veth_pair();
	obj = open_loaded("attach_net");
	x1 = loaded(obj, "xdp_count");
	x2 = loaded(obj, "xdp_count2");
	ck_assert_msg(bel_program_attach(x1, &o) == 0, "%s", bel_object_last_error(obj));
	ck_assert_int_eq(bel_program_attachment_count(x1), 1);
	ck_assert_int_eq(bel_program_info(x1, &info), 0);
	snprintf(want, sizeof(want), "id %u", info.id);
	cmd_output("ip link show dev bel_v1 2>&1", out, sizeof(out));
	ck_assert_msg(strstr(out, "xdpgeneric") && strstr(out, want), "%s", out);
	send_test_frames("bel_v0", 3);
	ck_assert_uint_ge(hits(obj, SLOT_XDP), 3);

	/* a program is there: bel does not replace it unless told which one to replace */
	ck_assert_int_lt(bel_program_attach(x2, &o), 0);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "xdp_replace_fd"));
	o.xdp_replace_fd = bel_program_fd(x2); /* not the one there */
	ck_assert_int_lt(bel_program_attach(x2, &o), 0);
	o.xdp_replace_fd = bel_program_fd(x1);
	ck_assert_msg(bel_program_attach(x2, &o) == 0, "%s", bel_object_last_error(obj));
	before = hits(obj, SLOT_XDP);
	send_test_frames("bel_v0", 2);
	ck_assert_uint_eq(hits(obj, SLOT_XDP), before);
	ck_assert_uint_ge(hits(obj, SLOT_XDP2), 2);
	/* x1 detaching leaves x2 in place */
	bel_program_detach(x1);
	ck_assert_int_eq(bel_program_info(x2, &info), 0);
	snprintf(want, sizeof(want), "id %u", info.id);
	cmd_output("ip link show dev bel_v1 2>&1", out, sizeof(out));
	ck_assert_msg(strstr(out, "xdpgeneric") && strstr(out, want), "%s", out);
	bel_program_detach(x2);
	cmd_output("ip link show dev bel_v1 2>&1", out, sizeof(out));
	ck_assert_msg(!strstr(out, "xdp"), "%s", out);

	/* bad flags are refused before anything is attached */
	o.xdp_flags = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE;
	o.xdp_replace_fd = 0;
	ck_assert_int_eq(bel_program_attach(x1, &o), -EINVAL);
	/* no mode: an XDP link */
	o.xdp_flags = 0;
	ck_assert_int_gt(bel_program_attach(x1, &o), 0);
	ck_assert_int_eq(bel_program_link_count(x1), 1);
	send_test_frames("bel_v0", 1);
	bel_object_close(obj);
	cmd_output("ip link show dev bel_v1 2>&1", out, sizeof(out));
	ck_assert_msg(!strstr(out, "xdp"), "%s", out);
}
END_TEST

static void send_udp_local(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)), 1);
	close(fd);
}

START_TEST(test_netfilter)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .nf_pf = NFPROTO_IPV4,
				    .nf_hooknum = NF_INET_LOCAL_OUT, .nf_priority = -100};
	struct bel_object *obj;
	struct bel_program *p;
	uint64_t before;

	if (!kernel_ready())
		return;
	netns_enter();
	obj = open_loaded("attach_net");
	p = bel_object_find_program(obj, "nf_count");
	if (!bel_link_features()->netfilter) {
		/* before 6.4 the program type does not exist either */
		ck_assert_int_lt(bel_program_fd(p), 0);
		printf("netfilter: not in this kernel: %s\n", bel_program_error(p));
		bel_object_close(obj);
		return;
	}
	ck_assert_msg(bel_program_fd(p) >= 0, "%s", bel_program_error(p));
	ck_assert_msg(bel_program_attach(p, &o) > 0, "%s", bel_object_last_error(obj));
	send_udp_local();
	ck_assert_uint_gt(hits(obj, SLOT_NF), 0);
	bel_program_detach(p);
	before = hits(obj, SLOT_NF);
	send_udp_local();
	ck_assert_uint_eq(hits(obj, SLOT_NF), before);
	o.nf_pf = 0;
	ck_assert_int_eq(bel_program_attach(p, &o), -EINVAL);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "nf_pf"));
	bel_object_close(obj);
}
END_TEST

START_TEST(test_cgroup_fd)
{
	struct bel_attach_opts o = {.sz = sizeof(o)};
	struct bel_object *obj;
	struct bel_program *p;
	int cg;

	if (!kernel_ready())
		return;
	netns_enter();
	obj = open_loaded("attach_net");
	p = loaded(obj, "cg_egress");
	/* the root of the v2 hierarchy by fd (unified or hybrid): every process's egress goes
	 * through it */
	cg = open("/sys/fs/cgroup/unified", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		cg = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(cg, 0);
	o.cgroup_fd = cg;
	ck_assert_msg(bel_program_attach(p, &o) > 0, "%s", bel_object_last_error(obj));
	send_udp_local();
	ck_assert_uint_gt(hits(obj, SLOT_CGROUP), 0);
	/* the caller's fd stays the caller's */
	ck_assert_int_eq(fcntl(cg, F_GETFD), FD_CLOEXEC);
	close(cg);
	/* not a cgroup v2 directory */
	o.cgroup_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_eq(bel_program_attach(p, &o), -ENOTDIR);
	close(o.cgroup_fd);
	bel_object_close(obj);
}
END_TEST

/* A function ftrace can trace that getppid(2) runs through (names differ between kernels). */
static const char *traceable_getppid(void)
{
	static const char *const names[] = {"__x64_sys_getppid", "__do_sys_getppid"};
	static char line[256];
	size_t i;
	FILE *f = fopen("/sys/kernel/tracing/available_filter_functions", "re");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < 2; i++)
			if (!strcmp(line, names[i])) {
				fclose(f);
				return names[i];
			}
	}
	fclose(f);
	ck_abort_msg("no traceable getppid function");
	return NULL;
}

START_TEST(test_kprobe_multi)
{
	const char *syms[1];
	struct bel_attach_opts o = {.sz = sizeof(o)};
	struct bel_object *obj;
	struct bel_program *p, *r;
	int ret;

	if (!kernel_ready())
		return;
	obj = open_loaded("attach_net");
	p = loaded(obj, "on_getppid");
	r = loaded(obj, "on_getppid_ret");
	ck_assert(bel_program_attachable(p, NULL));
	ret = bel_program_attach(p, &o);
	if (!bel_link_features()->kprobe_multi) {
		/* 6.1 (no CONFIG_FPROBE), or this host */
		ck_assert_int_eq(ret, -ENOTSUP);
		ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "no kprobe_multi links"));
		printf("kprobe.multi: %s\n", bel_object_last_error(obj));
		bel_object_close(obj);
		return;
	}
	ck_assert_msg(ret > 0, "%s", bel_object_last_error(obj));
	syms[0] = traceable_getppid();
	o.syms = syms;
	o.cnt = 1;
	ck_assert_msg(bel_program_attach(r, &o) > 0, "%s", bel_object_last_error(obj));
	syscall(SYS_getppid);
	ck_assert_uint_gt(hits(obj, SLOT_KMULTI), 0);
	ck_assert_uint_gt(hits(obj, SLOT_KRETMULTI), 0);
	/* a glob that matches nothing */
	o.cnt = 0;
	o.target = "bel_no_such_function_*";
	ck_assert_int_eq(bel_program_attach(p, &o), -ENOENT);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "no kernel function matches"));
	bel_object_close(obj);
}
END_TEST

/* The offset of a member in the kernel's BTF (a module's, when the module has the type). */
static uint32_t kernel_member_offset(const char *module, const char *type, const char *member)
{
	struct bel_err err = {0};
	const struct bel_btf *btf = ldr_kernel_btf(&err);
	uint32_t i, n, m, id;
	const char *name;
	const struct btf_type *t;

	ck_assert_ptr_nonnull(btf);
	for (i = 0, n = ldr_module_btf_count(); module && i < n; i++) {
		const struct bel_btf *mod = ldr_module_btf(i, &name);

		if (!strcmp(name, module))
			btf = mod;
	}
	ck_assert_int_eq(ldr_module_btf_find("__bel_none__", BTF_KIND_STRUCT, &m, &id), -ENOENT);
	if (module && !ldr_module_btf_find(type, BTF_KIND_STRUCT, &m, &id)) {
		t = bel_btf_type(btf, id);
	} else {
		int found = bel_btf_find(btf, type, BTF_KIND_STRUCT);

		ck_assert_int_gt(found, 0);
		t = bel_btf_type(btf, (uint32_t)found);
	}
	for (i = 0; i < btf_vlen(t); i++)
		if (!strcmp(bel_btf_str(btf, btf_members(t)[i].name_off), member))
			return btf_member_bit_offset(t, &btf_members(t)[i]) / 8;
	ck_abort_msg("%s has no member %s", type, member);
	return 0;
}

static bool have_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

START_TEST(test_module_btf)
{
	bool strict = getenv("BEL_TEST_ALL_LINKS") != NULL;
	bool veth_module = have_file("/sys/kernel/btf/veth");
	bool ct_module = have_file("/sys/kernel/btf/nf_conntrack");
	struct bel_test_run_opts run = {.sz = sizeof(run)};
	uint8_t pkt[64] = {0};
	struct bel_attach_opts o = {.sz = sizeof(o)};
	struct bel_object *obj;
	struct bel_program *core, *fentry, *ct;
	uint64_t v = 0;
	int64_t err = 0;

	if (!kernel_ready())
		return;
	printf("module BTF: %u modules; veth %s, nf_conntrack %s\n", ldr_module_btf_count(),
	       veth_module ? "a module" : "built in", ct_module ? "a module" : "built in");
	netns_enter();
	veth_pair(); /* the veth driver is there (loaded by vmtest -m, or built in) */
	obj = open_loaded("module_btf");

	/* CO-RE on a type only veth has: found in the module's BTF where it is a module */
	core = loaded(obj, "core_veth");
	run.data_in = pkt;
	run.data_size_in = sizeof(pkt);
	ck_assert_int_eq(bel_program_test_run(core, &run), 0);
	ck_assert_int_eq(bel_object_get_var(obj, "veth_priv_exists", &v, sizeof(v)), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(bel_object_get_var(obj, "veth_rq_offset", &v, sizeof(v)), 0);
	ck_assert_uint_eq(v, kernel_member_offset(veth_module ? "veth" : NULL, "veth_priv", "rq"));

	/* a kfunc from nf_conntrack: its BTF fd in fd_array, the call's offset pointing there */
	ct = loaded(obj, "ct_lookup");
	ck_assert_int_eq(bel_program_test_run(ct, &run), 0);
	ck_assert_uint_eq(run.retval, XDP_PASS);
	ck_assert_int_eq(bel_object_get_var(obj, "ct_error", &err, sizeof(err)), 0);
	ck_assert_int_eq(err, -ENOENT); /* no such connection: the kfunc ran */

	/* fentry on a module function: attach_btf_obj_fd is the module's BTF */
	fentry = bel_object_find_program(obj, "on_veth_xmit");
	if (bel_program_fd(fentry) < 0) {
		ck_assert_msg(!strict, "fentry/veth_xmit did not load: %s", bel_program_error(fentry));
		printf("module BTF: fentry not loaded here: %s\n", bel_program_error(fentry));
	} else {
		ck_assert_msg(bel_program_attach(fentry, &o) > 0, "%s", bel_object_last_error(obj));
		send_test_frames("bel_v0", 2);
		ck_assert_int_eq(bel_object_get_var(obj, "veth_xmit_calls", &v, sizeof(v)), 0);
		ck_assert_uint_ge(v, 2);
	}
	bel_object_close(obj);
}
END_TEST

/* A target no BTF has: the message says where bel looked. */
START_TEST(test_module_btf_missing)
{
	struct bel_object *obj;
	struct bel_program *p;

	if (!kernel_ready())
		return;
	obj = open_loaded("module_btf");
	p = bel_object_find_program(obj, "on_veth_xmit");
	bel_program_unload(p);
	ck_assert_int_eq(bel_program_set_attach_target(p, 0, "bel_no_such_function"), 0);
	ck_assert_int_eq(bel_program_load(p), -ESRCH);
	ck_assert_ptr_nonnull(strstr(bel_program_error(p), "vmlinux and"));
	ck_assert_ptr_nonnull(strstr(bel_program_error(p), "modules"));
	bel_object_close(obj);
}
END_TEST

START_TEST(test_syscall_prefix)
{
	struct bel_err err = {0};
	char name[64];

	if (!kernel_ready())
		return;
#if defined(__x86_64__)
	ck_assert_str_eq(ldr_syscall_prefix(), "__x64_sys_");
#endif
	snprintf(name, sizeof(name), "%sgetppid", ldr_syscall_prefix());
	ck_assert_msg(bel_btf_find(ldr_kernel_btf(&err), name, BTF_KIND_FUNC) > 0 ||
		      ldr_kallsyms_address(name), "%s is not a kernel function", name);
}
END_TEST

/* Attributes that run past what was received are refused, whatever their claimed length. */
START_TEST(test_netlink_parse_bounds)
{
	uint8_t buf[64] __attribute__((aligned(4))) = {0};
	const struct nlattr *tb[4];
	struct nlattr a = {.nla_len = 8, .nla_type = 2};
	uint32_t v = 0x01020304, got;

	memcpy(buf, &a, sizeof(a));
	memcpy(buf + 4, &v, 4);
	ck_assert_int_eq(bel_nl_parse(buf, 8, tb, 3), 0);
	ck_assert(bel_nl_get_u32(tb[2], &got) && got == v);
	ck_assert_ptr_null(tb[1]);
	/* the attribute says 8 bytes, 6 arrived */
	ck_assert_int_eq(bel_nl_parse(buf, 6, tb, 3), -EBADMSG);
	/* fewer bytes than a header left at the end: nothing more to read */
	ck_assert_int_eq(bel_nl_parse(buf, 3, tb, 3), 0);
	ck_assert_ptr_null(tb[2]);
	a.nla_len = 12;
	memcpy(buf, &a, sizeof(a));
	ck_assert_int_eq(bel_nl_parse(buf, 8, tb, 3), -EBADMSG);
	/* shorter than its own header */
	a.nla_len = 2;
	memcpy(buf, &a, sizeof(a));
	ck_assert_int_eq(bel_nl_parse(buf, 8, tb, 3), -EBADMSG);
	/* a type past max is skipped, flags are masked */
	a.nla_len = 8;
	a.nla_type = 9 | NLA_F_NESTED;
	memcpy(buf, &a, sizeof(a));
	ck_assert_int_eq(bel_nl_parse(buf, 8, tb, 3), 0);
	a.nla_type = 3 | NLA_F_NESTED;
	memcpy(buf, &a, sizeof(a));
	ck_assert_int_eq(bel_nl_parse(buf, 8, tb, 3), 0);
	ck_assert_ptr_eq(tb[3], (const void *)buf);
	/* a u32 of the wrong size */
	a.nla_len = 6;
	memcpy(buf, &a, sizeof(a));
	ck_assert_int_eq(bel_nl_parse(buf, 8, tb, 3), 0);
	ck_assert(!bel_nl_get_u32(tb[3], &got));
}
END_TEST

/* A request that does not fit, or leaves a nest open, is never sent. */
START_TEST(test_netlink_request_bounds)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	static char big[2048];
	struct bel_nl_req r;
	char msg[64];
	int nl = bel_nl_socket();

	ck_assert_int_ge(nl, 0);
	memset(big, 'x', sizeof(big) - 1);
	bel_nl_req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	bel_nl_put_str(&r, IFLA_IFNAME, big);
	ck_assert(r.overflow);
	ck_assert_int_eq(bel_nl_talk(nl, &r, NULL, NULL, msg, sizeof(msg)), -EMSGSIZE);
	bel_nl_req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	bel_nl_nest_begin(&r, IFLA_LINKINFO);
	ck_assert_int_eq(bel_nl_talk(nl, &r, NULL, NULL, msg, sizeof(msg)), -EMSGSIZE);
	bel_nl_nest_end(&r);
	bel_nl_nest_end(&r); /* one end too many */
	ck_assert(r.overflow);
	/* the kernel's own refusal comes back as its errno */
	bel_nl_req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	bel_nl_put_str(&r, IFLA_IFNAME, "bel-no-such-if");
	ck_assert_int_eq(bel_nl_talk(nl, &r, NULL, NULL, msg, sizeof(msg)), -ENODEV);
	close(nl);
}
END_TEST

static Suite *attach_net_suite(void)
{
	Suite *s = suite_create("attach_net");
	TCase *tc = tcase_create("net");

	tcase_add_checked_fixture(tc, NULL, netns_leave);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_perf_event);
	tcase_add_test(tc, test_sk_msg_redirect);
	tcase_add_test(tc, test_sk_lookup);
	tcase_add_test(tc, test_flow_dissector);
	tcase_add_test(tc, test_tc_classic);
	tcase_add_test(tc, test_tc_default);
	tcase_add_test(tc, test_xdp_netlink);
	tcase_add_test(tc, test_netfilter);
	tcase_add_test(tc, test_cgroup_fd);
	tcase_add_test(tc, test_kprobe_multi);
	tcase_add_test(tc, test_module_btf);
	tcase_add_test(tc, test_module_btf_missing);
	tcase_add_test(tc, test_syscall_prefix);
	suite_add_tcase(s, tc);

	tc = tcase_create("netlink");
	tcase_add_test(tc, test_netlink_parse_bounds);
	tcase_add_test(tc, test_netlink_request_bounds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(attach_net_suite());

	return run_srunner(sr);
}
