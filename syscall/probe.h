/* SPDX-License-Identifier: MIT */
/*
 * What the running kernel supports, probed once per process with tiny throwaway objects.
 * The loader asks these instead of assuming the newest kernel.
 */
#ifndef BEL_SYSCALL_PROBE_H
#define BEL_SYSCALL_PROBE_H

#include <stdbool.h>

struct bel_features {
	bool prog_name;      /* BPF_PROG_LOAD takes prog_name (4.15) */
	bool btf;            /* BPF_BTF_LOAD with basic kinds (4.18) */
	bool btf_datasec;    /* VAR and DATASEC kinds (5.2) */
	bool btf_func_global;/* FUNC with global linkage (5.6) */
	bool btf_float;      /* FLOAT (5.13) */
	bool btf_decl_tag;   /* DECL_TAG (5.16) */
	bool btf_type_tag;   /* TYPE_TAG (5.17) */
	bool btf_enum64;     /* ENUM64 (6.0) */
	bool mmapable_maps;  /* BPF_F_MMAPABLE arrays (5.5) */
	bool prog_bind_map;  /* BPF_PROG_BIND_MAP (5.10) */
};

/* Probe on first use; thread-safe; never fails (a failed probe means "unsupported"). */
const struct bel_features *bel_kernel_features(void);

/* Kinds of BPF link, probed apart (on first use) since only attaching needs them. */
struct bel_link_features {
	bool tcx;            /* tcx links on a device (6.6) */
	bool kprobe_multi;   /* kprobe_multi links (5.18, CONFIG_FPROBE) */
	bool uprobe_multi;   /* uprobe_multi links (6.6) */
	bool netfilter;      /* netfilter programs and links (6.4, CONFIG_NETFILTER_BPF_LINK) */
};
const struct bel_link_features *bel_link_features(void);

#endif
