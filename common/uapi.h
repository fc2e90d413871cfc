/* SPDX-License-Identifier: MIT */
/*
 * Kernel ABI constants newer than the uapi headers bel builds against (Debian 12: Linux 6.1).
 * Values from the kernel's include/uapi/linux/bpf.h; shared by every layer.
 */
#ifndef BEL_COMMON_UAPI_H
#define BEL_COMMON_UAPI_H

#include <linux/bpf.h>

#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#endif
#define BEL_BPF_TCX_INGRESS 46
#define BEL_BPF_TCX_EGRESS 47
#define BEL_BPF_TRACE_UPROBE_MULTI 48
#define BEL_BPF_NETKIT_PRIMARY 50
#define BEL_BPF_NETKIT_PEER 51
#define BEL_BPF_LINK_TYPE_TCX 11
/* Linux 6.4: netfilter programs and links */
#define BEL_BPF_PROG_TYPE_NETFILTER 32
#define BEL_BPF_NETFILTER 45
#define BEL_BPF_LINK_TYPE_NETFILTER 10
/* Linux 6.6: uprobe_multi links */
#define BEL_BPF_LINK_TYPE_UPROBE_MULTI 12
#define BEL_BPF_F_UPROBE_MULTI_RETURN (1U << 0)
/* Linux 6.5: BPF_OBJ_PIN and BPF_OBJ_GET relative to a directory fd, in a field after
 * file_flags that older headers lack. */
#define BEL_BPF_F_PATH_FD (1U << 14)
/* Linux 6.4: struct_ops maps registered through a link */
#define BEL_BPF_STRUCT_OPS 44
#define BEL_BPF_F_LINK (1U << 13)

#endif
