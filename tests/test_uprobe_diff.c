/* SPDX-License-Identifier: MIT */
/*
 * bel beside libbpf (a test-only oracle) on the same binaries: where each loader puts a uprobe
 * and what a USDT attach writes. This binary defines syscall(), so both loaders' calls go
 * through it (bel's directly, libbpf.so's through the dynamic linker): every uprobe
 * perf_event_open is recorded (PMU config with the retprobe bit and semaphore offset, file
 * offset, pid, CPU) and every perf-event BPF_LINK_CREATE's cookie. The probes each loader makes
 * for the same request must be the same; so must the USDT spec map contents.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bel/bel.h>

#include "testutil.h"
#include "uprobe.h"
#include "uprobe/lib.h"
#include "uprobe/probes.h"

/* ---- recording syscall() ------------------------------------------------------------------ */

struct probe {
	uint64_t config, offset, cookie;
	int pid, cpu;
};

#define MAX_PROBES 64
static struct probe probes[MAX_PROBES];
static unsigned int nprobes, nlinks;
static uint32_t uprobe_type = UINT32_MAX;

long syscall(long nr, ...);

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6], ret;
	va_list ap;
	int i;

	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	ret = real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (nr == __NR_perf_event_open && ret >= 0 && nprobes < MAX_PROBES) {
		const struct perf_event_attr *attr = (const void *)a[0];

		if (attr->type == uprobe_type)
			probes[nprobes++] = (struct probe){attr->config, attr->config2, 0, (int)a[1],
							   (int)a[2]};
	} else if (nr == __NR_bpf && a[0] == BPF_LINK_CREATE && ret >= 0) {
		const union bpf_attr *attr = (const void *)a[1];

		if (attr->link_create.attach_type == BPF_PERF_EVENT && nlinks < nprobes)
			probes[nlinks++].cookie = attr->link_create.perf_event.bpf_cookie;
	}
	return ret;
}

static void reset(void)
{
	nprobes = nlinks = 0;
	memset(probes, 0, sizeof(probes));
}

static void check_same(const struct probe *want, unsigned int nwant, const char *what)
{
	unsigned int i;

	ck_assert_msg(nwant > 0, "%s: libbpf's perf_event_open was not seen", what);
	ck_assert_msg(nprobes == nwant, "%s: bel made %u probes, libbpf %u", what, nprobes, nwant);
	ck_assert_uint_eq(nlinks, nprobes);
	for (i = 0; i < nwant; i++) {
		ck_assert_msg(!memcmp(&probes[i], &want[i], sizeof(want[i])),
			      "%s, probe %u: bel config 0x%llx offset 0x%llx cookie %llu pid %d cpu %d; "
			      "libbpf config 0x%llx offset 0x%llx cookie %llu pid %d cpu %d", what, i,
			      (unsigned long long)probes[i].config,
			      (unsigned long long)probes[i].offset,
			      (unsigned long long)probes[i].cookie, probes[i].pid, probes[i].cpu,
			      (unsigned long long)want[i].config, (unsigned long long)want[i].offset,
			      (unsigned long long)want[i].cookie, want[i].pid, want[i].cpu);
	}
}

static char self_path[PATH_MAX];

static bool ready(void)
{
	FILE *f;
	ssize_t n;

	if (!kernel_ready())
		return false;
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	ck_assert(n > 0);
	self_path[n] = '\0';
	f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u", &uprobe_type), 1);
	fclose(f);
	return true;
}

/* ---- uprobes ------------------------------------------------------------------------------ */

struct both {
	struct bpf_object *lobj;
	struct bel_object *bobj;
};

static void open_both(struct both *b, const char *fixture)
{
	b->lobj = bpf_object__open_file(fixture_path(fixture), NULL);
	ck_assert_ptr_nonnull(b->lobj);
	ck_assert_int_eq(bpf_object__load(b->lobj), 0);
	ck_assert_int_eq(bel_object_open_file(fixture_path(fixture), NULL, &b->bobj), 0);
	ck_assert_msg(bel_object_load(b->bobj, NULL) == 0, "%s", bel_object_last_error(b->bobj));
}

static void close_both(struct both *b)
{
	bpf_object__close(b->lobj);
	bel_object_close(b->bobj);
}

/* libbpf's attach just made link (its probes recorded); bel's for bo must make the same.
 * Returns how many, with libbpf's in want. */
static unsigned int bel_same_as_libbpf(struct both *b, const char *prog, struct bpf_link *link,
				       const struct bel_attach_opts *bo, const char *what,
				       struct probe *want)
{
	unsigned int nwant = nprobes;

	ck_assert_msg(link, "libbpf: %s: %s", what, strerror(errno));
	memcpy(want, probes, sizeof(probes));
	reset();
	ck_assert_msg(bel_program_attach(bel_object_find_program(b->bobj, prog), bo) >= 0, "%s",
		      bel_object_last_error(b->bobj));
	check_same(want, nwant, what);
	return nwant;
}

/* The same uprobe through both: path and function, offset into it, pid, cookie, retprobe. */
static void same_uprobe(struct both *b, const char *prog, const char *path, const char *func,
			uint64_t off, int pid, uint64_t cookie, bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, lo, .func_name = func, .bpf_cookie = cookie,
		    .retprobe = retprobe);
	struct bel_attach_opts bo = {.sz = sizeof(bo), .binary = path, .func = func,
				     .func_offset = off, .pid = pid, .cookie = cookie,
				     .retprobe = retprobe};
	struct probe want[MAX_PROBES];
	struct bpf_link *link;
	char what[512];

	snprintf(what, sizeof(what), "%s on %s:%s+%llu pid %d", prog, path, func,
		 (unsigned long long)off, pid);
	reset();
	link = bpf_program__attach_uprobe_opts(bpf_object__find_program_by_name(b->lobj, prog),
					       pid ? pid : -1, path, off, &lo);
	bel_same_as_libbpf(b, prog, link, &bo, what, want);
	bpf_link__destroy(link);
	bel_program_detach(bel_object_find_program(b->bobj, prog));
}

START_TEST(test_uprobe_offsets_same)
{
	char lib[PATH_MAX], libc[PATH_MAX];
	struct bel_err err = {0};
	struct both b;

	if (!ready())
		return;
	setenv("LD_LIBRARY_PATH", BEL_UPROBE_LIB_DIR, 1);
	ck_assert_int_eq(ldr_target_binary_find("libbeluprobe.so", lib, &err), 0);
	ck_assert_msg(ldr_target_binary_find("libc.so.6", libc, &err) == 0, "%s", err.msg);
	open_both(&b, "uprobe");
	same_uprobe(&b, "up_entry", self_path, "bel_target_add", 0, 0, 11, false);
	same_uprobe(&b, "up_entry", self_path, "bel_target_add", 4, getpid(), 12, false);
	same_uprobe(&b, "up_return", self_path, "bel_target_add", 0, getpid(), 13, true);
	same_uprobe(&b, "up_entry", self_path, "bel_fire_usdt", 0, 0, 0, false);
	same_uprobe(&b, "up_lib", lib, "bel_lib_add", 0, 0, 14, false);
	same_uprobe(&b, "up_lib_return", lib, "bel_lib_add", 0, getpid(), 15, true);
	same_uprobe(&b, "up_entry", libc, "getpid", 0, getpid(), 16, false);
	same_uprobe(&b, "up_entry", libc, "malloc", 0, 0, 17, false);
	same_uprobe(&b, "up_sleepable", libc, "free", 0, getpid(), 18, false);
	close_both(&b);
}
END_TEST

/* ---- USDT ----------------------------------------------------------------------------------- */

#define SPEC_SIZE 208

static void same_usdt(struct both *b, const char *prog, const char *name, int pid, uint64_t cookie)
{
	LIBBPF_OPTS(bpf_usdt_opts, lo, .usdt_cookie = cookie);
	struct bel_attach_opts bo = {.sz = sizeof(bo), .binary = self_path, .usdt_provider = "bel",
				     .usdt_name = name, .pid = pid, .cookie = cookie};
	struct bpf_map *lspecs = bpf_object__find_map_by_name(b->lobj, "__bpf_usdt_specs");
	struct bel_map *bspecs = bel_object_find_map(b->bobj, "__bpf_usdt_specs");
	struct probe want[MAX_PROBES];
	struct bpf_link *link;
	unsigned int nwant, i;
	char what[128];

	snprintf(what, sizeof(what), "USDT bel:%s pid %d", name, pid);
	reset();
	link = bpf_program__attach_usdt(bpf_object__find_program_by_name(b->lobj, prog),
					pid ? pid : -1, self_path, "bel", name, &lo);
	nwant = bel_same_as_libbpf(b, prog, link, &bo, what, want);
	/* every spec id used, the same record in both objects' maps */
	for (i = 0; i < nwant; i++) {
		uint8_t lv[SPEC_SIZE], bv[SPEC_SIZE];
		uint32_t id = (uint32_t)want[i].cookie;

		ck_assert_int_eq(bpf_map_lookup_elem(bpf_map__fd(lspecs), &id, lv), 0);
		ck_assert_int_eq(bel_map_lookup_elem(bspecs, &id, 4, bv, sizeof(bv), 0), 0);
		ck_assert_msg(!memcmp(lv, bv, sizeof(lv)), "%s: spec %u differs", what, id);
	}
	bpf_link__destroy(link);
	bel_program_detach(bel_object_find_program(b->bobj, prog));
}

START_TEST(test_usdt_specs_same)
{
	struct both b;

	if (!ready())
		return;
	open_both(&b, "usdt");
	same_usdt(&b, "usdt_args", "args", 0, 0x1234);
	same_usdt(&b, "usdt_args", "args", getpid(), 7);
	/* the semaphore: its offset in the PMU config */
	same_usdt(&b, "usdt_sema", "sema", 0, 99);
	/* again after detaching: both take the ids they gave back */
	same_usdt(&b, "usdt_sema", "sema", getpid(), 100);
	close_both(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("uprobe_diff");
	TCase *tc = tcase_create("uprobe_diff");
	SRunner *sr;

	libbpf_set_print(NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_uprobe_offsets_same);
	tcase_add_test(tc, test_usdt_specs_same);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	return run_srunner(sr);
}
