/* SPDX-License-Identifier: MIT */
/*
 * perf_event programs: a sampling event on every online CPU, each with a BPF link, so the
 * program runs on every sample wherever it is taken. All of them or none.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "cpu_list.h"
#include "syscall/perf.h"

struct perf_job {
	int prog_fd;
	uint32_t type;
	uint64_t config, period, freq;
	struct ldr_attach_made *made;
	struct bel_err *err;
};

static bool hardware(uint32_t type)
{
	return type == PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE || type == PERF_TYPE_RAW;
}

static int open_cpu(void *arg, int cpu)
{
	struct perf_job *j = arg;
	int ev, link;

	ev = bel_sys_perf_sampling_open(j->type, j->config, j->period, j->freq, cpu);
	if (ev < 0) {
		/* what a VM without a PMU says, so callers can fall back to software events */
		if (hardware(j->type) && (ev == -ENOENT || ev == -EOPNOTSUPP || ev == -ENODEV))
			return bel_errf(j->err, -ev, "no hardware counters here (perf event type %u, "
					"config %llu on CPU %d: %s): use a software event such as "
					"PERF_COUNT_SW_CPU_CLOCK", j->type,
					(unsigned long long)j->config, cpu, strerror(-ev));
		return bel_errf(j->err, -ev, "perf_event_open (type %u, config %llu) on CPU %d: %s",
				j->type, (unsigned long long)j->config, cpu, strerror(-ev));
	}
	link = bel_sys_link_create(j->prog_fd, ev, BPF_PERF_EVENT, 0);
	close(ev); /* the link holds the event */
	if (link < 0)
		return bel_errf(j->err, -link, "BPF_LINK_CREATE on the perf event of CPU %d: %s", cpu,
				strerror(-link));
	return ldr_attach_made_link(j->made, link, j->err);
}

int ldr_attach_perf_event(const struct bel_program *prog, int prog_fd,
			  const struct bel_attach_opts *o, struct ldr_attach_made *made,
			  struct bel_err *err)
{
	struct perf_job j = {
		.prog_fd = prog_fd,
		.type = BEL_OPT(o, perf_type, 0),
		.config = BEL_OPT(o, perf_config, 0),
		.period = BEL_OPT(o, sample_period, 0),
		.freq = BEL_OPT(o, sample_freq, 0),
		.made = made,
		.err = err,
	};

	(void)prog;
	if (!j.period == !j.freq)
		return bel_errf(err, EINVAL, "needs a sample_period or a sample_freq (one of them)");
	/* the caller undoes what was made when this fails */
	return ldr_for_each_online_cpu(UINT32_MAX, open_cpu, &j, err);
}
