/* SPDX-License-Identifier: MIT */
/* The attach options of `bel load --attach`, from words into a struct bel_attach_opts. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "common/num.h"

struct named {
	const char *name;
	uint64_t value;
};

static bool lookup(const struct named *table, size_t n, const char *name, uint64_t *value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(table[i].name, name)) {
			*value = table[i].value;
			return true;
		}
	return false;
}

#define N(t) (sizeof(t) / sizeof((t)[0]))

static const struct named sw_events[] = {
	{"cpu-clock", PERF_COUNT_SW_CPU_CLOCK}, {"task-clock", PERF_COUNT_SW_TASK_CLOCK},
	{"page-faults", PERF_COUNT_SW_PAGE_FAULTS},
	{"context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES},
	{"cpu-migrations", PERF_COUNT_SW_CPU_MIGRATIONS},
	{"minor-faults", PERF_COUNT_SW_PAGE_FAULTS_MIN}, {"major-faults", PERF_COUNT_SW_PAGE_FAULTS_MAJ},
};
static const struct named hw_events[] = {
	{"cycles", PERF_COUNT_HW_CPU_CYCLES}, {"instructions", PERF_COUNT_HW_INSTRUCTIONS},
	{"cache-references", PERF_COUNT_HW_CACHE_REFERENCES},
	{"cache-misses", PERF_COUNT_HW_CACHE_MISSES},
	{"branch-instructions", PERF_COUNT_HW_BRANCH_INSTRUCTIONS},
	{"branch-misses", PERF_COUNT_HW_BRANCH_MISSES}, {"bus-cycles", PERF_COUNT_HW_BUS_CYCLES},
	{"ref-cycles", PERF_COUNT_HW_REF_CPU_CYCLES},
};
static const struct named xdp_modes[] = {
	{"skb", XDP_FLAGS_SKB_MODE}, {"native", XDP_FLAGS_DRV_MODE}, {"drv", XDP_FLAGS_DRV_MODE},
	{"offload", XDP_FLAGS_HW_MODE}, {"hw", XDP_FLAGS_HW_MODE},
};
/* NFPROTO_* and NF_INET_* (linux/netfilter.h) */
static const struct named nf_families[] = {{"ipv4", 2}, {"ipv6", 10}};
static const struct named nf_hooks[] = {
	{"prerouting", 0}, {"input", 1}, {"forward", 2}, {"output", 3}, {"postrouting", 4},
};

static int perf_event(struct cli_attach *a)
{
	const char *colon = strchr(a->perf_event, ':');
	uint64_t type, config;
	size_t len = colon ? (size_t)(colon - a->perf_event) : 0;

	if (colon && len == 8 && !strncmp(a->perf_event, "software", 8) &&
	    lookup(sw_events, N(sw_events), colon + 1, &config))
		type = PERF_TYPE_SOFTWARE;
	else if (colon && len == 8 && !strncmp(a->perf_event, "hardware", 8) &&
		 lookup(hw_events, N(hw_events), colon + 1, &config))
		type = PERF_TYPE_HARDWARE;
	else {
		char *t = colon ? strndup(a->perf_event, len) : NULL;
		bool ok = t && !bel_parse_u64(t, 0, UINT32_MAX, &type) &&
			  !bel_parse_u64(colon + 1, 0, UINT64_MAX, &config);

		free(t);
		if (!ok) {
			cli_error("--perf-event '%s': not software:NAME, hardware:NAME or TYPE:CONFIG "
				  "(software: cpu-clock, task-clock, page-faults, context-switches, "
				  "...; hardware: cycles, instructions, cache-misses, ...)", a->perf_event);
			return -EINVAL;
		}
	}
	a->o.perf_type = (uint32_t)type;
	a->o.perf_config = config;
	return 0;
}

static int netfilter(struct cli_attach *a)
{
	char *copy = strdup(a->nf), *hook, *prio;
	uint64_t family, hooknum;
	int64_t priority = 0;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	hook = strchr(copy, ':');
	if (hook)
		*hook++ = '\0';
	prio = hook ? strchr(hook, ':') : NULL;
	if (prio)
		*prio++ = '\0';
	if (!hook || !lookup(nf_families, N(nf_families), copy, &family) ||
	    !lookup(nf_hooks, N(nf_hooks), hook, &hooknum) ||
	    (prio && bel_parse_s64(prio, INT32_MIN + 1, INT32_MAX - 1, &priority))) {
		cli_error("--nf '%s': not FAMILY:HOOK[:PRIORITY] (ipv4 or ipv6; prerouting, input, "
			  "forward, output or postrouting; a priority between INT_MIN and INT_MAX)",
			  a->nf);
		ret = -EINVAL;
	} else {
		a->o.nf_pf = (uint32_t)family;
		a->o.nf_hooknum = (uint32_t)hooknum;
		a->o.nf_priority = (int32_t)priority;
	}
	free(copy);
	return ret;
}

static int sockmap(struct bel_object *obj, struct cli_attach *a)
{
	const struct bel_map *m;

	if (strchr(a->sockmap, '/')) {
		if (bel_map_open_pinned(a->sockmap, &a->sockmap_map)) {
			cli_error("--sockmap: %s", bel_thread_error());
			return -ENOENT;
		}
		a->o.map_fd = bel_map_fd(a->sockmap_map);
		return 0;
	}
	m = bel_object_find_map(obj, a->sockmap);
	if (!m || bel_map_fd(m) < 0) {
		cli_error("--sockmap '%s': object '%s' has no %smap of that name", a->sockmap,
			  bel_object_name(obj), m ? "loaded " : "");
		return -ENOENT;
	}
	a->o.map_fd = bel_map_fd(m);
	return 0;
}

int cli_attach_maps(struct bel_object *obj, struct cli_attach *a)
{
	if (!a->sockmap || a->o.map_fd > 0)
		return 0;
	return sockmap(obj, a);
}

int cli_attach_prepare(struct cli_attach *a, bool pinning)
{
	uint64_t v;
	char *colon;

	a->o.sz = sizeof(a->o);
	a->prepared = true;
	a->netns_fd = -1;
	/* not links: nothing would hold them once bel exits, and they cannot be pinned */
	if (pinning)
		a->o.keep_attached = true;
	if (a->usdt) {
		a->usdt_copy = strdup(a->usdt);
		colon = a->usdt_copy ? strchr(a->usdt_copy, ':') : NULL;
		if (!colon || colon == a->usdt_copy || !colon[1]) {
			cli_error("--usdt '%s': not PROVIDER:NAME", a->usdt);
			return -EINVAL;
		}
		*colon = '\0';
		a->o.usdt_provider = a->usdt_copy;
		a->o.usdt_name = colon + 1;
	}
	if (a->perf_event && perf_event(a))
		return -EINVAL;
	if (a->xdp_mode) {
		if (!lookup(xdp_modes, N(xdp_modes), a->xdp_mode, &v)) {
			cli_error("--xdp-mode '%s': not skb, native or offload", a->xdp_mode);
			return -EINVAL;
		}
		a->o.xdp_flags = (uint32_t)v;
	}
	if (a->nf && netfilter(a))
		return -EINVAL;
	if (a->netns) {
		a->netns_fd = open(a->netns, O_RDONLY | O_CLOEXEC);
		if (a->netns_fd < 0) {
			cli_error("--netns %s: %s", a->netns, strerror(errno));
			return -errno;
		}
		a->o.netns_fd = a->netns_fd;
	}
	return 0;
}

void cli_attach_done(struct cli_attach *a)
{
	if (!a->prepared)
		return;
	a->prepared = false;
	if (a->netns_fd >= 0)
		close(a->netns_fd);
	a->netns_fd = -1;
	bel_map_close(a->sockmap_map);
	a->sockmap_map = NULL;
	free(a->usdt_copy);
	a->usdt_copy = NULL;
}
