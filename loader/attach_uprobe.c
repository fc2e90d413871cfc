/* SPDX-License-Identifier: MIT */
/*
 * uprobes: a function (or file offset) of an executable or shared library, resolved in the
 * file bel read (elf/binary.h), probed through the uprobe PMU and linked to the program with a
 * BPF link that carries the cookie.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/num.h"
#include "syscall/perf.h"
#include "uprobe.h"

#define PMU_DIR "/sys/bus/event_source/devices/uprobe"

struct uprobe_pmu {
	uint32_t type;
	int retprobe_bit;
	int ref_ctr_shift, ref_ctr_bits;  /* -1, 0: the kernel cannot count a semaphore */
};

/* "config:LO" or "config:LO-HI" from a PMU format file. */
static bool read_format(const char *field, int *lo, int *hi)
{
	char path[128];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), PMU_DIR "/format/%s", field);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fscanf(f, "config:%d-%d", lo, hi);
	fclose(f);
	if (n == 1)
		*hi = *lo;
	return n >= 1 && *lo >= 0 && *hi < 64 && *lo <= *hi;
}

static int uprobe_pmu(struct uprobe_pmu *pmu, struct bel_err *err)
{
	uint64_t type;
	int lo, hi;

	if (ldr_read_uint_file(PMU_DIR "/type", &type) || type > UINT32_MAX)
		return bel_errf(err, ENOTSUP, "the kernel has no uprobe PMU (%s)", PMU_DIR);
	pmu->type = (uint32_t)type;
	pmu->retprobe_bit = read_format("retprobe", &lo, &hi) ? lo : 0;
	pmu->ref_ctr_shift = -1;
	pmu->ref_ctr_bits = 0;
	if (read_format("ref_ctr_offset", &lo, &hi)) {
		pmu->ref_ctr_shift = lo;
		pmu->ref_ctr_bits = hi - lo + 1;
	}
	return 0;
}

int ldr_uprobe_link(int prog_fd, const struct ldr_uprobe *u, struct bel_err *err)
{
	struct uprobe_pmu pmu = {0};
	uint64_t config = 0;
	int fd, link;

	fd = uprobe_pmu(&pmu, err);
	if (fd)
		return fd;
	if (u->retprobe)
		config |= 1ull << pmu.retprobe_bit;
	if (u->ref_ctr_offset) {
		if (pmu.ref_ctr_shift < 0)
			return bel_errf(err, ENOTSUP, "the kernel cannot count a semaphore for a uprobe "
					"(no %s/format/ref_ctr_offset; Linux 4.20)", PMU_DIR);
		if (pmu.ref_ctr_bits < 64 && u->ref_ctr_offset >> pmu.ref_ctr_bits)
			return bel_errf(err, ERANGE, "semaphore offset 0x%llx does not fit the PMU's %d "
					"bits", (unsigned long long)u->ref_ctr_offset, pmu.ref_ctr_bits);
		config |= u->ref_ctr_offset << pmu.ref_ctr_shift;
	}
	/* The kernel resolves the path again: it must name the file that was read both before
	 * and after, or the probe may sit elsewhere than the offsets say. (The path rather than
	 * /proc/self/fd/N, because the kernel reports the name it was given.) */
	fd = ldr_target_binary_check(u->bin, err);
	if (fd)
		return fd;
	fd = bel_sys_perf_uprobe_open(pmu.type, u->bin->path, u->offset, config, u->pid);
	if (fd < 0)
		return bel_errf(err, -fd, "perf_event_open of the %s failed: %s",
				u->retprobe ? "uretprobe" : "uprobe", strerror(-fd));
	if (ldr_target_binary_check(u->bin, err)) {
		close(fd);
		return err->code;
	}
	link = bel_sys_link_create_ext(&(struct bel_link_create_args){
		.prog_fd = prog_fd, .target_fd = fd, .attach_type = BPF_PERF_EVENT,
		.perf_cookie = u->cookie });
	close(fd); /* the link holds the event */
	if (link < 0)
		return bel_errf(err, -link, "BPF_LINK_CREATE on the perf event failed: %s",
				strerror(-link));
	return link;
}

/* What to probe, from the section's target and the options. */
struct uprobe_target {
	char binary[PATH_MAX];
	char func[1024];
	uint64_t offset;
};

/* "BINARY:FUNC", "BINARY:FUNC+OFF" or "BINARY:OFFSET" (a file offset). */
static int parse_target(const char *target, struct uprobe_target *t, struct bel_err *err)
{
	const char *colon = strchr(target, ':'), *rest, *plus;
	size_t len;

	if (!colon || colon == target)
		return bel_errf(err, EINVAL, "'%s' is not BINARY:FUNCTION[+OFFSET]", target);
	if ((size_t)(colon - target) >= sizeof(t->binary))
		return bel_errf(err, ENAMETOOLONG, "binary path of %zu bytes", (size_t)(colon - target));
	memcpy(t->binary, target, (size_t)(colon - target));
	t->binary[colon - target] = '\0';
	rest = colon + 1;
	if (*rest >= '0' && *rest <= '9') {
		if (bel_parse_u64(rest, 0, UINT64_MAX, &t->offset))
			return bel_errf(err, EINVAL, "'%s' is not a file offset", rest);
		return 0;
	}
	plus = strrchr(rest, '+');
	len = plus ? (size_t)(plus - rest) : strlen(rest);
	if (!len || len >= sizeof(t->func))
		return bel_errf(err, EINVAL, "'%s': no function name, or one of %zu bytes", target, len);
	memcpy(t->func, rest, len);
	t->func[len] = '\0';
	if (plus && bel_parse_u64(plus + 1, 0, UINT64_MAX, &t->offset))
		return bel_errf(err, EINVAL, "'%s': the offset after '+' is not a number", target);
	return 0;
}

static int set_opt(char *dst, size_t size, const char *value, const char *what, struct bel_err *err)
{
	if (!value)
		return 0;
	if (strlen(value) >= size)
		return bel_errf(err, ENAMETOOLONG, "%s of %zu bytes", what, strlen(value));
	strcpy(dst, value);
	return 0;
}

int ldr_attach_uprobe(struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		      struct bel_err *err)
{
	const char *target = BEL_OPT(o, target, NULL) ?: prog->def->attach_target;
	struct uprobe_target t = {{0}};
	struct ldr_target_binary bin;
	struct bel_binary_func f = {0};
	struct ldr_uprobe u = {0};
	uint64_t extra = BEL_OPT(o, func_offset, 0);
	int link;

	u.retprobe = !strncmp(prog->def->sec_name, "uretprobe", 9) || BEL_OPT(o, retprobe, false);
	u.pid = BEL_OPT(o, pid, 0);
	u.cookie = BEL_OPT(o, cookie, 0);
	u.ref_ctr_offset = BEL_OPT(o, ref_ctr_offset, 0);
	if (u.pid < 0)
		return bel_errf(err, EINVAL, "pid %d: give a process id, or 0 for every process", u.pid);
	if (target && parse_target(target, &t, err))
		return err->code;
	if (set_opt(t.binary, sizeof(t.binary), BEL_OPT(o, binary, NULL), "binary", err) ||
	    set_opt(t.func, sizeof(t.func), BEL_OPT(o, func, NULL), "function name", err))
		return err->code;
	if (extra)
		t.offset = extra;
	if (!t.binary[0])
		return bel_errf(err, EINVAL, "names no binary (uprobe/BINARY:FUNCTION, or "
				"bel_attach_opts.binary)");
	if (!t.func[0] && !t.offset)
		return bel_errf(err, EINVAL, "names no function or offset in '%s' (uprobe/BINARY:"
				"FUNCTION, or bel_attach_opts.func)", t.binary);
	if (u.retprobe && t.func[0] && t.offset)
		return bel_errf(err, EINVAL, "a uretprobe goes on a function's entry: '%s+%llu' has an "
				"offset", t.func, (unsigned long long)t.offset);
	if (ldr_target_binary_open(t.binary, &bin, err))
		return bel_err_prefix(err, "%s on %s:%s", u.retprobe ? "uretprobe" : "uprobe", t.binary,
				      t.func[0] ? t.func : "(offset)");
	if (t.func[0]) {
		link = bel_binary_find_func(bin.bin, t.func, &f, err);
		/* an offset stays inside the function's segment */
		if (!link && t.offset)
			link = bel_binary_addr_offset(bin.bin, f.addr + t.offset, true, &u.offset, err);
		else
			u.offset = f.offset;
		if (!link && t.offset && f.size && t.offset >= f.size)
			link = bel_errf(err, EINVAL, "offset %llu is past the function's %llu bytes",
					(unsigned long long)t.offset, (unsigned long long)f.size);
	} else {
		u.offset = t.offset;
		link = t.offset < bin.size ? 0 : bel_errf(err, EINVAL, "file offset 0x%llx is past the "
							  "file's %zu bytes",
							  (unsigned long long)t.offset, bin.size);
	}
	if (!link) {
		u.bin = &bin;
		link = ldr_uprobe_link(prog_fd, &u, err);
	}
	if (link < 0) {
		if (t.func[0])
			bel_err_prefix(err, "%s on %s:%s%s%.0llu", u.retprobe ? "uretprobe" : "uprobe",
				       bin.path, t.func, t.offset ? "+" : "", (unsigned long long)t.offset);
		else
			bel_err_prefix(err, "%s on %s at offset 0x%llx", u.retprobe ? "uretprobe" : "uprobe",
				       bin.path, (unsigned long long)t.offset);
	}
	ldr_target_binary_close(&bin);
	return link;
}
