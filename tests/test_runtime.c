/* SPDX-License-Identifier: MIT */
/*
 * The agent runtime on the real kernel, shown by behaviour: configuration set before load is
 * what the program runs with (and what bpftool sees in the frozen map), counters read through
 * the mapped .bss grow as the program runs, element calls agree with libbpf's on the same maps,
 * batch reads return every element, BPF_PROG_TEST_RUN (API and `bel run`) gives the verdicts the
 * packets call for, and loading leaves the parsed object as it was.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bel/bel.h"
#include "testutil.h"

struct cfg {
	uint32_t a;
	uint16_t b;
	char c;
};

/* runtime.bpf.c's `seen` value */
struct seen {
	int32_t cfg_int;
	uint32_t cfg_on;
	char cfg_name[16];
	struct cfg cfg_struct;
	int32_t data_bias;
};

static struct bel_object *open_runtime(void)
{
	struct bel_open_opts opts = {.sz = sizeof(opts)};
	struct bel_object *obj = NULL;

	ck_assert_msg(bel_object_open_file(fixture_path("runtime"), &opts, &obj) == 0, "%s",
		      bel_thread_error());
	return obj;
}

static struct bel_program *prog_named(struct bel_object *obj, const char *name)
{
	struct bel_program *p = bel_object_find_program(obj, name);

	ck_assert_ptr_nonnull(p);
	return p;
}

static struct bel_map *map_named(struct bel_object *obj, const char *name)
{
	struct bel_map *m = bel_object_find_map(obj, name);

	ck_assert_msg(m != NULL, "no map %s", name);
	return m;
}

/* One XDP run on a 32-byte packet starting with `first`; returns the verdict. */
static uint32_t run_xdp(struct bel_program *p, uint8_t first, uint32_t repeat)
{
	uint8_t pkt[32] = {first}, out[32 + 4096];
	struct bel_test_run_opts o = {.sz = sizeof(o), .data_in = pkt, .data_size_in = sizeof(pkt),
				      .data_out = out, .data_size_out = sizeof(out), .repeat = repeat};

	ck_assert_msg(bel_program_test_run(p, &o) == 0, "%s",
		      bel_object_last_error(bel_program_object(p)));
	ck_assert_uint_eq(o.data_size_out, sizeof(pkt));
	ck_assert_mem_eq(out, pkt, sizeof(pkt));
	return o.retval;
}

static struct seen read_seen(struct bel_object *obj)
{
	struct seen s;
	uint32_t zero = 0;

	ck_assert_int_eq(bel_map_lookup_elem(map_named(obj, "seen"), &zero, sizeof(zero), &s,
					     sizeof(s), 0), 0);
	return s;
}

/* .rodata set before load: the program runs with it, and the frozen map holds it. */
START_TEST(test_config_before_load)
{
	struct bel_object *obj;
	struct cfg cs = {.a = 9, .b = 8, .c = 'q'};
	char name[16] = "configured", cmd[256], out[4096];
	int32_t i = 42, got = 0;
	int64_t wide = 42;
	bool on = true;
	struct seen s;

	if (!kernel_ready())
		return;
	obj = open_runtime();
	ck_assert_int_eq(bel_object_set_var(obj, "cfg_int", &i, sizeof(i)), 0);
	ck_assert_int_eq(bel_object_set_var(obj, "cfg_on", &on, sizeof(on)), 0);
	ck_assert_int_eq(bel_object_set_var(obj, "cfg_name", name, sizeof(name)), 0);
	ck_assert_int_eq(bel_object_set_var(obj, "cfg_struct", &cs, sizeof(cs)), 0);
	/* sizes and names are checked, with both sides named */
	ck_assert_int_eq(bel_object_set_var(obj, "cfg_int", &wide, sizeof(wide)), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "'cfg_int' (.rodata) is 4 bytes; 8 given"),
		      "%s", bel_object_last_error(obj));
	ck_assert_int_eq(bel_object_set_var(obj, "nope", &i, sizeof(i)), -ENOENT);
	ck_assert_msg(strstr(bel_object_last_error(obj), "no global variable 'nope'"), "%s",
		      bel_object_last_error(obj));
	/* read back before load: the configured initial value */
	ck_assert_int_eq(bel_object_get_var(obj, "cfg_int", &got, sizeof(got)), 0);
	ck_assert_int_eq(got, 42);

	ck_assert_int_eq(bel_program_load(prog_named(obj, "xdp_verdict")), 0);
	/* cfg_on turns 0x03 packets into drops */
	ck_assert_uint_eq(run_xdp(prog_named(obj, "xdp_verdict"), 0x03, 1), XDP_DROP);
	ck_assert_uint_eq(run_xdp(prog_named(obj, "xdp_verdict"), 0x00, 1), XDP_PASS);
	s = read_seen(obj);
	ck_assert_int_eq(s.cfg_int, 42);
	ck_assert_uint_eq(s.cfg_on, 1);
	ck_assert_str_eq(s.cfg_name, "configured");
	ck_assert_uint_eq(s.cfg_struct.a, 9);
	ck_assert_uint_eq(s.cfg_struct.b, 8);
	ck_assert_int_eq(s.cfg_struct.c, 'q');

	/* frozen once created: a write is refused, not lost; a read sees the live map */
	ck_assert_int_eq(bel_object_set_var(obj, "cfg_int", &i, sizeof(i)), -EBUSY);
	ck_assert_msg(strstr(bel_object_last_error(obj), "frozen"), "%s", bel_object_last_error(obj));
	got = 0;
	ck_assert_int_eq(bel_object_get_var(obj, "cfg_int", &got, sizeof(got)), 0);
	ck_assert_int_eq(got, 42);

	/* the kernel's view */
	snprintf(cmd, sizeof(cmd), "bpftool -j map dump id %u", bel_map_id(map_named(obj, ".rodata")));
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "{\"cfg_int\":42}") && strstr(out, "{\"cfg_on\":true}") &&
		      strstr(out, "{\"cfg_name\":\"configured\"}") &&
		      strstr(out, "{\"cfg_struct\":{\"a\":9,\"b\":8,\"c\":113}}"), "%s", out);
	snprintf(cmd, sizeof(cmd), "bpftool -j map show id %u", bel_map_id(map_named(obj, ".rodata")));
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "\"frozen\":1"), "%s", out);
	bel_object_close(obj);
}
END_TEST

/* Every variable listed with its section, place, type and access; an older caller's smaller
 * struct is filled only as far as it reaches. */
START_TEST(test_var_list)
{
	struct bel_object *obj = open_runtime();
	unsigned int i, seen = 0;
	struct bel_var_info old;

	for (i = 0; i < bel_object_var_count(obj); i++) {
		struct bel_var_info v = {.sz = sizeof(v)};

		ck_assert_int_eq(bel_object_var(obj, i, &v), 0);
		ck_assert_ptr_eq(v.map, bel_object_find_map(obj, v.section));
		ck_assert_uint_le(v.offset + v.size, bel_map_value_size(v.map));
		if (!strcmp(v.name, "cfg_int")) {
			ck_assert(v.kind == BEL_VAR_INT && v.is_signed && v.size == 4 && v.read_only &&
				  v.global && !strcmp(v.section, ".rodata"));
			seen |= 1;
		} else if (!strcmp(v.name, "cfg_on")) {
			ck_assert(v.kind == BEL_VAR_BOOL && v.size == 1);
			seen |= 2;
		} else if (!strcmp(v.name, "cfg_name")) {
			ck_assert(v.kind == BEL_VAR_CHAR_ARRAY && v.size == 16);
			seen |= 4;
		} else if (!strcmp(v.name, "cfg_struct")) {
			ck_assert(v.kind == BEL_VAR_OTHER && v.size == sizeof(struct cfg));
			seen |= 8;
		} else if (!strcmp(v.name, "packets")) {
			ck_assert(v.kind == BEL_VAR_INT && !v.is_signed && v.size == 8 && !v.read_only &&
				  !strcmp(v.section, ".bss"));
			seen |= 16;
		} else if (!strcmp(v.name, "data_bias")) {
			ck_assert(v.kind == BEL_VAR_INT && v.is_signed && !strcmp(v.section, ".data"));
			seen |= 32;
		} else if (strstr(v.name, "hidden_counter")) {
			ck_assert(!v.global);
			seen |= 64;
		}
	}
	ck_assert_uint_eq(seen, 127);
	memset(&old, 0xab, sizeof(old));
	old.sz = offsetof(struct bel_var_info, size) + sizeof(old.size);
	ck_assert_int_eq(bel_object_var(obj, 0, &old), 0);
	ck_assert_uint_eq(old.sz, offsetof(struct bel_var_info, size) + sizeof(old.size));
	ck_assert_uint_eq(old.btf_type_id, 0xabababab); /* beyond the caller's struct */
	ck_assert_int_eq(bel_object_var(obj, bel_object_var_count(obj), &old), -ENOENT);
	bel_object_close(obj);
}
END_TEST

/* The mapped .bss counts runs as they happen; a write to live .data reaches the program; the
 * held maps outlive the program's unload. */
START_TEST(test_mmap_counters)
{
	struct bel_object *obj;
	struct bel_program *p;
	struct bel_map *bss, *rodata;
	struct bel_var_info v = {.sz = sizeof(v)};
	volatile uint64_t *packets;
	const int32_t *cfg_int;
	uint8_t *bss_data;
	int32_t bias = -5;
	size_t size = 0;

	if (!kernel_ready())
		return;
	obj = open_runtime();
	p = prog_named(obj, "xdp_verdict");
	bss = map_named(obj, ".bss");
	rodata = map_named(obj, ".rodata");
	/* nothing to map before the map exists */
	ck_assert_ptr_null(bel_map_mmap(bss, &size));
	ck_assert_msg(strstr(bel_object_last_error(obj), "does not exist"), "%s",
		      bel_object_last_error(obj));
	ck_assert_int_eq(bel_program_load(p), 0);
	bss_data = bel_map_mmap(bss, &size);
	ck_assert_msg(bss_data != NULL, "%s", bel_object_last_error(obj));
	ck_assert_uint_ge(size, bel_map_value_size(bss));
	ck_assert_int_eq(bel_object_var(obj, (unsigned int)bel_object_find_var(obj, "packets"), &v), 0);
	packets = (volatile uint64_t *)(bss_data + v.offset);
	ck_assert_uint_eq(*packets, 0);
	run_xdp(p, 0, 10);
	ck_assert_uint_eq(*packets, 10);
	run_xdp(p, 1, 5);
	ck_assert_uint_eq(*packets, 15);
	/* a write to the live .data: the next run sees it */
	ck_assert_int_eq(bel_object_set_var(obj, "data_bias", &bias, sizeof(bias)), 0);
	run_xdp(p, 0, 1);
	ck_assert_int_eq(read_seen(obj).data_bias, -5);
	/* .rodata maps read-only, with the values it was created with */
	cfg_int = bel_map_mmap(rodata, NULL);
	ck_assert_ptr_nonnull(cfg_int);
	ck_assert_int_eq(*cfg_int, 7);
	/* an array without BPF_F_MMAPABLE cannot be mapped */
	ck_assert_ptr_null(bel_map_mmap(map_named(obj, "seen"), NULL));
	ck_assert_msg(strstr(bel_object_last_error(obj), "cannot be mapped"), "%s",
		      bel_object_last_error(obj));
	/* held: the program goes, the maps and the mapping stay */
	ck_assert_int_eq(bel_program_unload(p), 0);
	ck_assert_int_ge(bel_map_fd(bss), 0);
	ck_assert_uint_eq(*packets, 16);
	ck_assert_int_lt(bel_map_fd(map_named(obj, "seen")), 0);
	bel_map_unhold(bss);
	bel_map_unhold(rodata);
	ck_assert_int_lt(bel_map_fd(bss), 0);
	ck_assert_int_lt(bel_map_fd(rodata), 0);
	bel_object_close(obj);
}
END_TEST

START_TEST(test_map_config)
{
	struct bel_object *obj;
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	struct bel_map *by_byte, *seen, *ring;
	int other;

	if (!kernel_ready())
		return;
	obj = open_runtime();
	by_byte = map_named(obj, "by_byte");
	seen = map_named(obj, "seen");
	ring = map_named(obj, "small_ring");
	ck_assert_int_eq(bel_map_set_max_entries(by_byte, 4096), 0);
	ck_assert_uint_eq(bel_map_max_entries(by_byte), 4096);
	ck_assert_int_eq(bel_map_set_max_entries(ring, 5000), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "power-of-two multiple of the page size"),
		      "%s", bel_object_last_error(obj));
	ck_assert_int_eq(bel_map_set_max_entries(ring, 8192), 0);
	ck_assert_int_eq(bel_map_set_max_entries(map_named(obj, ".bss"), 2), -EINVAL);
	ck_assert_int_eq(bel_map_set_value_size(map_named(obj, ".bss"), 64), -EINVAL);
	ck_assert_int_eq(bel_map_set_value_size(map_named(obj, "outer"), 8), -EINVAL);
	ck_assert_int_eq(bel_map_set_inner_map(by_byte, seen), -EINVAL);
	ck_assert_int_eq(bel_map_set_inner_map(map_named(obj, "outer"), map_named(obj, "inner_b")), 0);
	/* a template of another object would be read after that object is closed */
	{
		struct bel_object *obj2 = open_runtime();

		ck_assert_int_eq(bel_map_set_inner_map(map_named(obj, "outer"),
						       map_named(obj2, "inner_a")), -EINVAL);
		ck_assert_msg(strstr(bel_object_last_error(obj), "map 'inner_a' is not a map of this "
				     "object"), "%s", bel_object_last_error(obj));
		bel_object_close(obj2);
	}
	ck_assert_int_eq(bel_map_set_numa_node(map_named(obj, "lru"), 0), 0);

	ck_assert_int_eq(bel_program_load(prog_named(obj, "tc_count")), 0);
	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(bpf_obj_get_info_by_fd(bel_map_fd(by_byte), &info, &len), 0);
	ck_assert_uint_eq(info.max_entries, 4096);
	ck_assert_int_eq(bel_map_set_max_entries(by_byte, 8), -EBUSY);
	ck_assert_msg(strstr(bel_object_last_error(obj), "exists already"), "%s",
		      bel_object_last_error(obj));
	ck_assert_int_eq(bel_map_hold(ring), 0);
	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(bpf_obj_get_info_by_fd(bel_map_fd(ring), &info, &len), 0);
	ck_assert_uint_eq(info.max_entries, 8192);
	ck_assert_int_eq(bel_map_hold(map_named(obj, "lru")), 0);
	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(bpf_obj_get_info_by_fd(bel_map_fd(map_named(obj, "lru")), &info, &len), 0);
	ck_assert(info.map_flags & BPF_F_NUMA_NODE);

	/* not created: the program that uses it fails, naming it; given from outside, it loads */
	ck_assert_int_eq(bel_map_set_autocreate(seen, false), 0);
	ck_assert_int_ne(bel_program_load(prog_named(obj, "xdp_verdict")), 0);
	ck_assert_msg(strstr(bel_object_last_error(obj), "map 'seen' is not to be created"), "%s",
		      bel_object_last_error(obj));
	other = bpf_map_create(BPF_MAP_TYPE_ARRAY, "seen2", 4, sizeof(struct seen), 1, NULL);
	ck_assert_int_ge(other, 0);
	ck_assert_int_eq(bel_map_reuse_fd(seen, other), 0);
	ck_assert_int_eq(bel_program_load(prog_named(obj, "xdp_verdict")), 0);
	run_xdp(prog_named(obj, "xdp_verdict"), 0, 1);
	{
		struct seen s;
		uint32_t zero = 0;

		ck_assert_int_eq(bpf_map_lookup_elem(other, &zero, &s), 0);
		ck_assert_int_eq(s.cfg_int, 7);
	}
	close(other);
	bel_object_close(obj);
}
END_TEST

/* A global data map reused from outside is not initialised: a variable set for it before
 * load would never reach it, so the set is refused; after load it reaches the reused map. */
START_TEST(test_reused_data_var)
{
	struct bel_object *a, *b;
	int32_t bias = 555, got = 0;
	struct bel_map *data;
	size_t size = 0;
	void *init;

	if (!kernel_ready())
		return;
	a = open_runtime();
	b = open_runtime();
	ck_assert_int_eq(bel_program_load(prog_named(a, "xdp_verdict")), 0);
	data = map_named(b, ".data");
	init = bel_map_initial_value(data, &size);
	ck_assert_ptr_nonnull(init);
	ck_assert_int_eq(bel_map_reuse_fd(data, bel_map_fd(map_named(a, ".data"))), 0);
	ck_assert_int_eq(bel_object_set_var(b, "data_bias", &bias, sizeof(bias)), -EBUSY);
	ck_assert_msg(strstr(bel_object_last_error(b), "variable 'data_bias' is in '.data', which "
			     "is to be an existing map (reused)"), "%s", bel_object_last_error(b));
	ck_assert_int_eq(bel_map_set_initial_value(data, init, size), -EBUSY);
	ck_assert_int_eq(bel_program_load(prog_named(b, "xdp_verdict")), 0);
	ck_assert_int_eq(bel_object_set_var(b, "data_bias", &bias, sizeof(bias)), 0);
	ck_assert_int_eq(bel_object_get_var(a, "data_bias", &got, sizeof(got)), 0);
	ck_assert_int_eq(got, 555);
	bel_object_close(b);
	bel_object_close(a);
}
END_TEST

struct walk {
	unsigned int n;
	uint64_t key_sum, value_sum;
	unsigned int stop_after;
};

static int walk_fn(const void *key, const void *value, void *ctx)
{
	struct walk *w = ctx;
	uint32_t k;
	uint64_t v = 0;

	memcpy(&k, key, sizeof(k));
	if (value)
		memcpy(&v, value, sizeof(v));
	w->n++;
	w->key_sum += k;
	w->value_sum += v;
	return w->stop_after && w->n == w->stop_after;
}

/* Element calls on hash, LRU, per-CPU hash and array, array and array-of-maps, checked against
 * libbpf's calls on the same fds. */
START_TEST(test_elements_agree_with_libbpf)
{
	static const char *const held[] = {"by_byte", "lru", "percpu_hash", "percpu_count",
					    "plain_array", "outer", "inner_a", "inner_b"};
	int ncpus = bel_possible_cpus(), i, fd;
	struct bel_object *obj;
	struct bel_map *h, *lru, *pch, *pca, *arr, *outer;
	uint64_t v, *pcv;
	uint32_t k, id, walked = 0;
	uint32_t next;
	struct walk w = {0};
	size_t pc_size;

	if (!kernel_ready())
		return;
	ck_assert_int_gt(ncpus, 0);
	obj = open_runtime();
	for (i = 0; i < (int)(sizeof(held) / sizeof(held[0])); i++)
		ck_assert_msg(bel_map_hold(map_named(obj, held[i])) == 0, "%s", bel_object_last_error(obj));
	h = map_named(obj, "by_byte");
	lru = map_named(obj, "lru");
	pch = map_named(obj, "percpu_hash");
	pca = map_named(obj, "percpu_count");
	arr = map_named(obj, "plain_array");
	outer = map_named(obj, "outer");

	/* hash */
	for (k = 1; k <= 100; k++) {
		v = k * 3;
		ck_assert_int_eq(bel_map_update_elem(h, &k, sizeof(k), &v, sizeof(v), BPF_ANY), 0);
	}
	for (k = 1; k <= 100; k++) {
		ck_assert_int_eq(bpf_map_lookup_elem(bel_map_fd(h), &k, &v), 0);
		ck_assert_uint_eq(v, k * 3);
	}
	k = 500;
	v = 77;
	ck_assert_int_eq(bpf_map_update_elem(bel_map_fd(h), &k, &v, BPF_ANY), 0);
	v = 0;
	ck_assert_int_eq(bel_map_lookup_elem(h, &k, sizeof(k), &v, sizeof(v), 0), 0);
	ck_assert_uint_eq(v, 77);
	ck_assert_int_eq(bel_map_update_elem(h, &k, sizeof(k), &v, sizeof(v), BPF_NOEXIST), -EEXIST);
	ck_assert_int_eq(bel_map_lookup_and_delete_elem(h, &k, sizeof(k), &v, sizeof(v), 0), 0);
	ck_assert_uint_eq(v, 77);
	ck_assert_int_eq(bpf_map_lookup_elem(bel_map_fd(h), &k, &v), -ENOENT);
	k = 1;
	ck_assert_int_eq(bel_map_delete_elem(h, &k, sizeof(k)), 0);
	ck_assert_int_eq(bel_map_lookup_elem(h, &k, sizeof(k), &v, sizeof(v), 0), -ENOENT);
	/* sizes are checked, with a message */
	ck_assert_int_eq(bel_map_lookup_elem(h, &v, sizeof(v), &v, sizeof(v), 0), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "key of 8 bytes, the map's are 4"), "%s",
		      bel_object_last_error(obj));
	ck_assert_int_eq(bel_map_lookup_elem(h, &k, sizeof(k), &k, sizeof(k), 0), -EINVAL);
	/* the walk: every key once */
	ck_assert_int_eq(bel_map_foreach(h, true, walk_fn, &w), 99);
	ck_assert_uint_eq(w.n, 99);
	ck_assert_uint_eq(w.key_sum, 5050 - 1);
	ck_assert_uint_eq(w.value_sum, 3 * (5050 - 1));
	memset(&w, 0, sizeof(w));
	w.stop_after = 10;
	ck_assert_int_eq(bel_map_foreach(h, false, walk_fn, &w), 10);
	for (k = 0; bel_map_get_next_key(h, walked ? &k : NULL, &next, sizeof(next)) == 0; walked++)
		k = next;
	ck_assert_uint_eq(walked, 99);

	/* LRU */
	{
		uint64_t lk = 1ull << 40;
		uint32_t lv = 5, got = 0;

		ck_assert_int_eq(bel_map_update_elem(lru, &lk, sizeof(lk), &lv, sizeof(lv), 0), 0);
		ck_assert_int_eq(bpf_map_lookup_elem(bel_map_fd(lru), &lk, &got), 0);
		ck_assert_uint_eq(got, 5);
	}

	/* per-CPU: one 8-byte slot per possible CPU, even for a 4-byte value */
	pc_size = (size_t)ncpus * 8;
	pcv = calloc((size_t)ncpus, 8);
	ck_assert_ptr_nonnull(pcv);
	for (i = 0; i < ncpus; i++)
		pcv[i] = 1000u + (uint32_t)i;
	k = 7;
	ck_assert_int_eq(bel_map_update_elem(pch, &k, sizeof(k), pcv, pc_size, 0), 0);
	ck_assert_int_eq(bel_map_update_elem(pch, &k, sizeof(k), pcv, 4, 0), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "per possible CPU"), "%s",
		      bel_object_last_error(obj));
	memset(pcv, 0, pc_size);
	ck_assert_int_eq(bpf_map_lookup_elem(bel_map_fd(pch), &k, pcv), 0);
	for (i = 0; i < ncpus; i++)
		ck_assert_uint_eq((uint32_t)pcv[i], 1000u + (uint32_t)i);
	for (i = 0; i < ncpus; i++)
		pcv[i] = 10u * (uint32_t)i;
	k = 2;
	ck_assert_int_eq(bpf_map_update_elem(bel_map_fd(pca), &k, pcv, 0), 0);
	memset(pcv, 0xff, pc_size);
	ck_assert_int_eq(bel_map_lookup_elem(pca, &k, sizeof(k), pcv, pc_size, 0), 0);
	for (i = 0; i < ncpus; i++)
		ck_assert_uint_eq(pcv[i], 10u * (uint32_t)i);
	free(pcv);

	/* array */
	k = 15;
	v = 0xfeed;
	ck_assert_int_eq(bel_map_update_elem(arr, &k, sizeof(k), &v, sizeof(v), BPF_EXIST), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(bel_map_fd(arr), &k, &v), 0);
	ck_assert_uint_eq(v, 0xfeed);
	k = 16;
	ck_assert_int_eq(bel_map_update_elem(arr, &k, sizeof(k), &v, sizeof(v), 0), -E2BIG);

	/* array of maps: a map's fd goes in, its id comes out, as with libbpf */
	k = 1;
	fd = bel_map_fd(map_named(obj, "inner_b"));
	ck_assert_int_eq(bel_map_update_elem(outer, &k, sizeof(k), &fd, sizeof(fd), 0), 0);
	ck_assert_int_eq(bel_map_lookup_elem(outer, &k, sizeof(k), &id, sizeof(id), 0), 0);
	ck_assert_uint_eq(id, bel_map_id(map_named(obj, "inner_b")));
	k = 0; /* the object's initial slot */
	ck_assert_int_eq(bpf_map_lookup_elem(bel_map_fd(outer), &k, &id), 0);
	ck_assert_uint_eq(id, bel_map_id(map_named(obj, "inner_a")));
	bel_object_close(obj);
}
END_TEST

/* Batch lookups return every element exactly once; batch update and delete do all they say. */
START_TEST(test_batch)
{
	enum { N = 1000, CHUNK = 64 };
	struct bel_map_batch_opts bo = {.sz = sizeof(bo)};
	uint32_t keys[N], total = 0, count, cursor = 0, k;
	uint64_t values[N];
	static uint8_t seen_key[N];
	struct bel_object *obj;
	struct bel_map *h;
	bool first = true;
	int ret, i;

	if (!kernel_ready())
		return;
	obj = open_runtime();
	h = map_named(obj, "by_byte");
	ck_assert_int_eq(bel_map_hold(h), 0);
	for (i = 0; i < N; i++) {
		keys[i] = (uint32_t)i;
		values[i] = (uint64_t)i * 7;
	}
	count = N;
	ck_assert_int_eq(bel_map_update_batch(h, keys, values, &count, &bo), 0);
	ck_assert_uint_eq(count, N);
	memset(seen_key, 0, sizeof(seen_key));
	do {
		uint32_t out_cursor;

		count = CHUNK;
		ret = bel_map_lookup_batch(h, first ? NULL : &cursor, &out_cursor, keys + total,
					   values + total, &count, &bo);
		ck_assert_msg(ret == 0 || ret == -ENOENT, "lookup_batch: %d", ret);
		total += count;
		cursor = out_cursor;
		first = false;
	} while (ret == 0);
	ck_assert_uint_eq(total, N);
	for (i = 0; i < N; i++) {
		ck_assert_uint_lt(keys[i], N);
		ck_assert_uint_eq(values[i], (uint64_t)keys[i] * 7);
		ck_assert_uint_eq(seen_key[keys[i]]++, 0);
	}
	for (i = 0; i < N / 2; i++)
		keys[i] = (uint32_t)i * 2;
	count = N / 2;
	ck_assert_int_eq(bel_map_delete_batch(h, keys, &count, &bo), 0);
	ck_assert_uint_eq(count, N / 2);
	k = 2;
	ck_assert_int_eq(bel_map_lookup_elem(h, &k, sizeof(k), &values[0], sizeof(values[0]), 0),
			 -ENOENT);
	k = 3;
	ck_assert_int_eq(bel_map_lookup_elem(h, &k, sizeof(k), &values[0], sizeof(values[0]), 0), 0);
	bel_object_close(obj);
}
END_TEST

/* Maps of no object: by fd and by pin; anything but a map is refused, naming what it is. */
START_TEST(test_open_by_fd_and_pin)
{
	struct bel_object *obj;
	struct bel_map *m = NULL;
	const char *root;
	char path[512];
	uint32_t k = 3;
	uint64_t v = 99;

	if (!kernel_ready())
		return;
	root = pin_root_create();
	ck_assert_ptr_nonnull(root);
	obj = open_runtime();
	ck_assert_int_eq(bel_program_load(prog_named(obj, "tc_count")), 0);
	ck_assert_int_eq(bel_map_open_fd(bel_map_fd(map_named(obj, "by_byte")), &m), 0);
	ck_assert_str_eq(bel_map_name(m), "by_byte");
	ck_assert_ptr_null(bel_map_object(m));
	ck_assert_uint_eq(bel_map_key_size(m), 4);
	ck_assert_int_eq(bel_map_update_elem(m, &k, sizeof(k), &v, sizeof(v), 0), 0);
	v = 0;
	ck_assert_int_eq(bel_map_lookup_elem(map_named(obj, "by_byte"), &k, sizeof(k), &v,
					     sizeof(v), 0), 0);
	ck_assert_uint_eq(v, 99);
	ck_assert_int_eq(bel_map_lookup_elem(m, &k, 2, &v, sizeof(v), 0), -EINVAL);
	ck_assert_msg(strstr(bel_thread_error(), "key of 2 bytes"), "%s", bel_thread_error());
	ck_assert_int_eq(bel_map_set_max_entries(m, 4), -EINVAL);
	bel_map_close(m);

	ck_assert_int_eq(bel_map_open_fd(bel_program_fd(prog_named(obj, "tc_count")), &m), -EINVAL);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(bel_thread_error(), "is not a map but a program"), "%s",
		      bel_thread_error());
	ck_assert_int_eq(bel_map_open_fd(9999, &m), -EBADF);

	snprintf(path, sizeof(path), "%s/by_byte", root);
	ck_assert_int_eq(bpf_obj_pin(bel_map_fd(map_named(obj, "by_byte")), path), 0);
	ck_assert_int_eq(bel_map_open_pinned(path, &m), 0);
	v = 0;
	ck_assert_int_eq(bel_map_lookup_elem(m, &k, sizeof(k), &v, sizeof(v), 0), 0);
	ck_assert_uint_eq(v, 99);
	bel_map_close(m);
	unlink(path);
	snprintf(path, sizeof(path), "%s/nothing", root);
	ck_assert_int_eq(bel_map_open_pinned(path, &m), -ENOENT);
	bel_object_close(obj);
}
END_TEST

/* Verdicts for crafted packets, through the API and through `bel run`. */
START_TEST(test_run_verdicts)
{
	static const struct {
		uint8_t first;
		const char *verdict;
	} cases[] = {{0x00, "XDP_PASS"}, {0x01, "XDP_DROP"}, {0x02, "XDP_TX"}, {0x03, "XDP_PASS"}};
	struct bel_test_run_opts o = {.sz = sizeof(o)};
	char files[4][128], cmd[2048], out[4096];
	struct bel_object *obj;
	struct bel_program *p;
	size_t i;

	if (!kernel_ready())
		return;
	obj = open_runtime();
	p = prog_named(obj, "xdp_verdict");
	ck_assert_int_eq(bel_program_test_run(p, &o), -ENOENT);
	ck_assert_msg(strstr(bel_object_last_error(obj), "not loaded"), "%s", bel_object_last_error(obj));
	ck_assert_int_eq(bel_program_load(p), 0);
	ck_assert_uint_eq(run_xdp(p, 0x00, 1), XDP_PASS);
	ck_assert_uint_eq(run_xdp(p, 0x01, 1), XDP_DROP);
	ck_assert_uint_eq(run_xdp(p, 0x02, 1), XDP_TX);
	ck_assert_uint_eq(run_xdp(p, 0x03, 1), XDP_PASS);
	bel_object_close(obj);

	for (i = 0; i < 4; i++) {
		uint8_t pkt[64] = {cases[i].first};
		FILE *f;

		snprintf(files[i], sizeof(files[i]), "/tmp/bel-run-%d-%zu.pkt", (int)getpid(), i);
		f = fopen(files[i], "wb");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(pkt, 1, sizeof(pkt), f), sizeof(pkt));
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "%s run %s xdp_verdict --json --data %s --data %s --data %s --data %s",
		 BEL_CLI, fixture_path("runtime"), files[0], files[1], files[2], files[3]);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	for (i = 0; i < 4; i++) {
		char want[256];

		snprintf(want, sizeof(want), "{\"data\":\"%s\",\"retval\":%d,\"verdict\":\"%s\"", files[i],
			 i == 0 || i == 3 ? XDP_PASS : i == 1 ? XDP_DROP : XDP_TX, cases[i].verdict);
		ck_assert_msg(strstr(out, want), "want %s in %s", want, out);
	}
	/* configured from the command line: 0x03 is dropped */
	snprintf(cmd, sizeof(cmd), "%s run %s xdp_verdict --set cfg_on=true --data %s", BEL_CLI,
		 fixture_path("runtime"), files[3]);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "retval 1 (XDP_DROP)"), "%s", out);
	snprintf(cmd, sizeof(cmd), "%s run %s xdp_verdict --set cfg_on=maybe 2>&1", BEL_CLI,
		 fixture_path("runtime"));
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "'cfg_on' is a bool"), "%s", out);
	/* a signed variable reads numbers as an unsigned one does: "08" is eight (not bad octal),
	 * "+5" and a leading tab are refused */
	snprintf(cmd, sizeof(cmd), "%s run %s xdp_verdict --set cfg_int=08 --set cfg_int=-0x10 "
		 "--data %s 2>&1", BEL_CLI, fixture_path("runtime"), files[0]);
	ck_assert_msg(run_capture(cmd, out, sizeof(out)) == 0, "%s", out);
	snprintf(cmd, sizeof(cmd), "%s run %s xdp_verdict --set cfg_int=+5 2>&1", BEL_CLI,
		 fixture_path("runtime"));
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "'cfg_int' is an integer"), "%s", out);
	snprintf(cmd, sizeof(cmd), "%s run %s xdp_verdict --set 'cfg_int=\t5' 2>&1", BEL_CLI,
		 fixture_path("runtime"));
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 1);
	/* a file name is printed escaped, as every other text bel prints */
	{
		char odd[128];

		snprintf(odd, sizeof(odd), "/tmp/bel-run-%d-\x1b[2J\n.pkt", (int)getpid());
		ck_assert_int_eq(rename(files[0], odd), 0);
		snprintf(cmd, sizeof(cmd), "%s run %s xdp_verdict --data \"%s\"", BEL_CLI,
			 fixture_path("runtime"), odd);
		ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
		ck_assert_msg(strstr(out, "-\\x1b[2J\\n.pkt: retval 2 (XDP_PASS)") &&
			      !strchr(out, '\x1b'), "%s", out);
		ck_assert_int_eq(rename(odd, files[0]), 0);
	}
	for (i = 0; i < 4; i++)
		unlink(files[i]);
}
END_TEST

/* A program's configuration: autoload, flags, log level; refused while it is loaded. */
START_TEST(test_program_config)
{
	struct bel_load_opts lo = {.sz = sizeof(lo)};
	struct bel_object *obj;
	struct bel_program *xdp, *tc;

	if (!kernel_ready())
		return;
	obj = open_runtime();
	xdp = prog_named(obj, "xdp_verdict");
	tc = prog_named(obj, "tc_count");
	ck_assert_int_eq(bel_program_set_autoload(tc, false), 0);
	ck_assert_int_eq(bel_program_set_log_level(xdp, 1), 0);
	ck_assert_int_eq(bel_object_load(obj, &lo), 0);
	ck_assert_int_ge(bel_program_fd(xdp), 0);
	ck_assert_int_lt(bel_program_fd(tc), 0);
	ck_assert_msg(strstr(bel_program_log(xdp), "processed"), "log: %s", bel_program_log(xdp));
	ck_assert_uint_le(strlen(bel_program_log(xdp)), BEL_LOG_KEEP);
	ck_assert_int_eq(bel_program_set_flags(xdp, 0), -EBUSY);
	ck_assert_msg(strstr(bel_object_last_error(obj), "prog 'xdp_verdict' (xdp): setting load "
			     "flags: the program is loaded"), "%s", bel_object_last_error(obj));
	ck_assert_int_eq(bel_program_unload(xdp), 0);
	ck_assert_int_eq(bel_program_set_flags(xdp, BPF_F_TEST_STATE_FREQ), 0);
	ck_assert_uint_eq(bel_program_flags(xdp), BPF_F_TEST_STATE_FREQ);
	ck_assert_int_eq(bel_program_load(xdp), 0);
	bel_object_close(obj);
}
END_TEST

/* Loading applies CO-RE, externs and fds to the program's own copy: the parsed instructions
 * are the same before, during and after loads. */
START_TEST(test_spec_unchanged_by_load)
{
	static const char *const objs[] = {"runtime", "externs", "hello", "subprogs"};
	struct bel_load_opts lo = {.sz = sizeof(lo), .keep_going = true};
	size_t o;

	if (!kernel_ready())
		return;
	for (o = 0; o < sizeof(objs) / sizeof(objs[0]); o++) {
		struct bel_open_opts opts = {.sz = sizeof(opts)};
		struct bel_object *obj = NULL;
		unsigned int i, n = 0, loaded = 0;
		void **before;

		ck_assert_int_eq(bel_object_open_file(fixture_path(objs[o]), &opts, &obj), 0);
		before = calloc(bel_object_program_count(obj), sizeof(*before));
		ck_assert_ptr_nonnull(before);
		for (i = 0; i < bel_object_program_count(obj); i++) {
			const void *insns = bel_program_insns(bel_object_program(obj, i), &n);

			before[i] = malloc(n * 8u);
			memcpy(before[i], insns, n * 8u);
		}
		bel_object_load(obj, &lo);
		for (i = 0; i < bel_object_program_count(obj); i++) {
			const void *insns = bel_program_insns(bel_object_program(obj, i), &n);

			loaded += bel_program_fd(bel_object_program(obj, i)) >= 0;
			ck_assert_msg(!memcmp(before[i], insns, n * 8u), "%s: prog %s changed", objs[o],
				      bel_program_name(bel_object_program(obj, i)));
		}
		ck_assert_uint_gt(loaded, 0);
		bel_object_unload(obj);
		bel_object_load(obj, &lo);
		for (i = 0; i < bel_object_program_count(obj); i++) {
			const void *insns = bel_program_insns(bel_object_program(obj, i), &n);

			ck_assert(!memcmp(before[i], insns, n * 8u));
			free(before[i]);
		}
		free(before);
		bel_object_close(obj);
	}
}
END_TEST

/* A held map outlives its programs and is the one they get when they load again. */
START_TEST(test_hold_keeps_map)
{
	struct bel_object *obj;
	struct bel_map *h;
	struct bel_program *tc;
	uint32_t k = 42, id;
	uint64_t v = 4242;

	if (!kernel_ready())
		return;
	obj = open_runtime();
	h = map_named(obj, "by_byte");
	tc = prog_named(obj, "tc_count");
	ck_assert_int_eq(bel_program_load(tc), 0);
	ck_assert_int_eq(bel_map_hold(h), 0);
	id = bel_map_id(h);
	ck_assert_int_eq(bel_map_update_elem(h, &k, sizeof(k), &v, sizeof(v), 0), 0);
	ck_assert_int_eq(bel_program_unload(tc), 0);
	ck_assert_int_ge(bel_map_fd(h), 0);
	ck_assert_int_eq(bel_program_load(tc), 0);
	ck_assert_uint_eq(bel_map_id(h), id);
	v = 0;
	ck_assert_int_eq(bel_map_lookup_elem(h, &k, sizeof(k), &v, sizeof(v), 0), 0);
	ck_assert_uint_eq(v, 4242);
	bel_map_unhold(h);
	ck_assert_int_ge(bel_map_fd(h), 0); /* the program still uses it */
	ck_assert_int_eq(bel_program_unload(tc), 0);
	ck_assert_int_lt(bel_map_fd(h), 0);
	ck_assert_int_eq(bel_map_lookup_elem(h, &k, sizeof(k), &v, sizeof(v), 0), -ENOENT);
	ck_assert_msg(strstr(bel_object_last_error(obj), "does not exist"), "%s",
		      bel_object_last_error(obj));
	bel_object_close(obj);
}
END_TEST

/* freplace: the replacement loads against the target program's fd, and once attached the
 * target's verdicts are the replacement's. */
START_TEST(test_freplace_by_fd)
{
	struct bel_open_opts opts = {.sz = sizeof(opts)};
	struct bel_object *obj;
	struct bel_program *target, *repl;
	int link;

	if (!kernel_ready())
		return;
	ck_assert_int_eq(bel_object_open_file(fixture_path("freplace"), &opts, &obj), 0);
	target = prog_named(obj, "target");
	repl = prog_named(obj, "new_verdict");
	ck_assert_int_eq(bel_program_load(repl), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "needs the program it replaces"), "%s",
		      bel_object_last_error(obj));
	ck_assert_int_eq(bel_program_load(target), 0);
	ck_assert_uint_eq(run_xdp(target, 0, 1), XDP_PASS);
	/* an fd that is not a program is refused at once, saying what it is */
	{
		int map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "not_a_prog", 4, 4, 1, NULL);

		ck_assert_int_ge(map_fd, 0);
		ck_assert_int_eq(bel_program_set_attach_target(repl, map_fd, "get_verdict"), -EINVAL);
		ck_assert_msg(strstr(bel_object_last_error(obj), "is a map, not a program"), "%s",
			      bel_object_last_error(obj));
		close(map_fd);
	}
	ck_assert_int_eq(bel_program_set_attach_target(repl, bel_program_fd(target), NULL), 0);
	/* kernels in lockdown refuse tracing-like programs; the VM runs (BEL_TEST_ALL_LINKS) must
	 * load it */
	if (bel_program_load(repl) == -EPERM && !getenv("BEL_TEST_ALL_LINKS")) {
		printf("freplace: not loaded here: %s\n", bel_object_last_error(obj));
		bel_object_close(obj);
		return;
	}
	ck_assert_msg(bel_program_fd(repl) >= 0, "%s", bel_object_last_error(obj));
	link = bel_program_attach(repl, NULL);
	ck_assert_msg(link >= 0, "%s", bel_object_last_error(obj));
	ck_assert_uint_eq(run_xdp(target, 0, 1), XDP_DROP);
	ck_assert_int_eq(bel_program_detach(repl), 0);
	ck_assert_uint_eq(run_xdp(target, 0, 1), XDP_PASS);
	/* a function the target does not have */
	ck_assert_int_eq(bel_program_unload(repl), 0);
	ck_assert_int_eq(bel_program_set_attach_target(repl, bel_program_fd(target), "nope"), 0);
	ck_assert_int_eq(bel_program_load(repl), -ESRCH);
	ck_assert_msg(strstr(bel_object_last_error(obj), "has no function 'nope'"), "%s",
		      bel_object_last_error(obj));
	bel_object_close(obj);
}
END_TEST

/* The tag bel computes is the kernel's, for every program of every fixture that loads here. */
START_TEST(test_tag_is_the_kernels)
{
	static const char *const objs[] = {"runtime", "externs", "hello", "subprogs", "maps",
					   "globals", "sections", "metadata", "freplace"};
	struct bel_load_opts lo = {.sz = sizeof(lo), .keep_going = true};
	unsigned int compared = 0;
	size_t o;

	if (!kernel_ready())
		return;
	for (o = 0; o < sizeof(objs) / sizeof(objs[0]); o++) {
		struct bel_open_opts opts = {.sz = sizeof(opts)};
		struct bel_object *obj = NULL;
		unsigned int i;

		ck_assert_int_eq(bel_object_open_file(fixture_path(objs[o]), &opts, &obj), 0);
		bel_object_load(obj, &lo);
		for (i = 0; i < bel_object_program_count(obj); i++) {
			struct bel_program *p = bel_object_program(obj, i);
			struct bel_program_info info = {.sz = sizeof(info)};
			char tag[17];

			if (bel_program_info(p, &info))
				continue;
			ck_assert_int_eq(bel_program_tag(p, tag), 0);
			ck_assert_msg(!strcmp(tag, info.tag), "%s: prog %s: bel %s, kernel %s", objs[o],
				      bel_program_name(p), tag, info.tag);
			compared++;
		}
		bel_object_close(obj);
	}
	ck_assert_uint_ge(compared, 30);
	printf("tags: %u programs, bel's tag is the kernel's for each\n", compared);
}
END_TEST

/* A program the verifier gives up on is named as too complex, with the log's last lines; the
 * object's other program loads with keep_going. */
START_TEST(test_too_complex)
{
	struct bel_open_opts opts = {.sz = sizeof(opts)};
	struct bel_load_opts lo = {.sz = sizeof(lo), .keep_going = true};
	struct bel_object *obj;
	struct bel_program *p;

	if (!kernel_ready())
		return;
	ck_assert_int_eq(bel_object_open_file(fixture_path("too_complex"), &opts, &obj), 0);
	ck_assert_int_eq(bel_object_load(obj, &lo), -E2BIG);
	p = prog_named(obj, "too_complex");
	ck_assert_int_eq(bel_program_status(p), -E2BIG);
	/* "is too large": the verifier's verdict, or (before 6.4) the log that hid it */
	ck_assert_msg(strstr(bel_program_error(p), "too complex for the verifier") &&
		      strstr(bel_program_error(p), "is too large"), "%s", bel_program_error(p));
	ck_assert_uint_le(strlen(bel_program_log(p)), BEL_LOG_KEEP);
	ck_assert_int_ge(bel_program_fd(prog_named(obj, "simple")), 0);
	bel_object_close(obj);
}
END_TEST

static Suite *runtime_suite(void)
{
	Suite *s = suite_create("runtime");
	TCase *tc = tcase_create("runtime");

	tcase_add_unchecked_fixture(tc, pin_root_setup, pin_root_remove);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_config_before_load);
	tcase_add_test(tc, test_var_list);
	tcase_add_test(tc, test_mmap_counters);
	tcase_add_test(tc, test_map_config);
	tcase_add_test(tc, test_reused_data_var);
	tcase_add_test(tc, test_elements_agree_with_libbpf);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_open_by_fd_and_pin);
	tcase_add_test(tc, test_run_verdicts);
	tcase_add_test(tc, test_program_config);
	tcase_add_test(tc, test_spec_unchanged_by_load);
	tcase_add_test(tc, test_hold_keeps_map);
	tcase_add_test(tc, test_freplace_by_fd);
	tcase_add_test(tc, test_tag_is_the_kernels);
	tcase_add_test(tc, test_too_complex);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(runtime_suite());

	return run_srunner(sr);
}
