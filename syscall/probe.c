/* SPDX-License-Identifier: MIT */
#include "probe.h"

#include <linux/btf.h>
#include <pthread.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "bpf.h"

static struct bel_features features;
static pthread_once_t features_once = PTHREAD_ONCE_INIT;

static bool close_ok(int fd)
{
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* "return ret": a program of the type, fd or -errno. */
static int load_trivial(uint32_t prog_type, uint32_t expected_attach_type, int ret,
			const char *name)
{
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = ret},
		{.code = BPF_JMP | BPF_EXIT},
	};
	struct bel_prog_load_args args = {
		.prog_type = prog_type,
		.expected_attach_type = expected_attach_type,
		.insns = insns,
		.insn_cnt = 2,
		.license = "GPL",
		.name = name,
	};

	return bel_sys_prog_load(&args);
}

static bool probe_prog_name(void)
{
	return close_ok(load_trivial(BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, "bel_probe"));
}

/* Load a BTF blob made of the given type words and string section; true if the kernel takes it. */
static bool load_btf(const uint32_t *types, uint32_t types_len, const char *strs, uint32_t strs_len)
{
	uint8_t raw[sizeof(struct btf_header) + 64 + 16];
	struct btf_header hdr = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.hdr_len = sizeof(hdr),
		.type_off = 0,
		.type_len = types_len,
		.str_off = types_len,
		.str_len = strs_len,
	};

	if (types_len > 64 || strs_len > 16)
		return false;
	memcpy(raw, &hdr, sizeof(hdr));
	memcpy(raw + sizeof(hdr), types, types_len);
	memcpy(raw + sizeof(hdr) + types_len, strs, strs_len);
	return close_ok(bel_sys_btf_load(raw, sizeof(hdr) + types_len + strs_len, NULL, 0, 0));
}

static const char probe_strs[] = "\0a\0.d"; /* "", "a" at 1, ".d" at 3 */

static bool probe_btf(void)
{
	const uint32_t types[] = {
		1, BTF_KIND_INT << 24, 4, (BTF_INT_SIGNED << 24) | 32,  /* [1] int a */
	};

	return load_btf(types, sizeof(types), probe_strs, sizeof(probe_strs));
}

static bool probe_btf_datasec(void)
{
	const uint32_t types[] = {
		1, BTF_KIND_INT << 24, 4, (BTF_INT_SIGNED << 24) | 32,  /* [1] int a */
		1, BTF_KIND_VAR << 24, 1, BTF_VAR_GLOBAL_ALLOCATED,     /* [2] var a: [1] */
		3, (BTF_KIND_DATASEC << 24) | 1, 4, 2, 0, 4,            /* [3] .d { [2] @0 +4 } */
	};

	return load_btf(types, sizeof(types), probe_strs, sizeof(probe_strs));
}

#define INT_A 1, BTF_KIND_INT << 24, 4, (BTF_INT_SIGNED << 24) | 32 /* int named "a" */

static bool probe_btf_func_global(void)
{
	const uint32_t types[] = {
		0, BTF_KIND_FUNC_PROTO << 24, 0,                       /* [1] void (void) */
		1, (BTF_KIND_FUNC << 24) | BTF_FUNC_GLOBAL, 1,         /* [2] global a: [1] */
	};

	return load_btf(types, sizeof(types), probe_strs, sizeof(probe_strs));
}

static bool probe_btf_float(void)
{
	const uint32_t types[] = {1, 16u << 24, 4};                  /* [1] FLOAT a, 4 bytes */

	return load_btf(types, sizeof(types), probe_strs, sizeof(probe_strs));
}

static bool probe_btf_decl_tag(void)
{
	const uint32_t types[] = {
		INT_A,                                                 /* [1] */
		1, (BTF_KIND_STRUCT << 24) | 1, 4, 1, 1, 0,            /* [2] struct a { int a; } */
		1, 17u << 24, 2, 0xffffffff,                           /* [3] DECL_TAG a on [2] */
	};

	return load_btf(types, sizeof(types), probe_strs, sizeof(probe_strs));
}

static bool probe_btf_type_tag(void)
{
	const uint32_t types[] = {
		INT_A,                                                 /* [1] */
		1, 18u << 24, 1,                                       /* [2] TYPE_TAG a on [1] */
		0, BTF_KIND_PTR << 24, 2,                              /* [3] pointer to [2] */
	};

	return load_btf(types, sizeof(types), probe_strs, sizeof(probe_strs));
}

static bool probe_btf_enum64(void)
{
	const uint32_t types[] = {1, (19u << 24) | 1, 8, 1, 0, 0};   /* [1] ENUM64 a { a = 0 } */

	return load_btf(types, sizeof(types), probe_strs, sizeof(probe_strs));
}

static bool probe_mmapable(void)
{
	struct bel_map_create_args args = {
		.map_type = BPF_MAP_TYPE_ARRAY,
		.key_size = 4,
		.value_size = 4,
		.max_entries = 1,
		.map_flags = BPF_F_MMAPABLE,
	};

	return close_ok(bel_sys_map_create(&args));
}

static bool probe_bind_map(void)
{
	/* With invalid fds, a kernel that knows the command says EBADF; an older one EINVAL. */
	return bel_sys_prog_bind_map(-1, -1) == -EBADF;
}

static void probe_all(void)
{
	features.prog_name = probe_prog_name();
	features.btf = probe_btf();
	features.btf_datasec = features.btf && probe_btf_datasec();
	features.btf_func_global = features.btf && probe_btf_func_global();
	features.btf_float = features.btf && probe_btf_float();
	features.btf_decl_tag = features.btf && probe_btf_decl_tag();
	features.btf_type_tag = features.btf && probe_btf_type_tag();
	features.btf_enum64 = features.btf && probe_btf_enum64();
	features.mmapable_maps = probe_mmapable();
	features.prog_bind_map = probe_bind_map();
}

const struct bel_features *bel_kernel_features(void)
{
	pthread_once(&features_once, probe_all);
	return &features;
}

static struct bel_link_features link_features;
static pthread_once_t link_features_once = PTHREAD_ONCE_INIT;

/* A tcx link on ifindex 0: a kernel with tcx looks the device up and says ENODEV; an older one
 * does not know the attach type (EINVAL). */
static bool probe_tcx(void)
{
	int prog = load_trivial(BPF_PROG_TYPE_SCHED_CLS, 0, 0, NULL), link;

	if (prog < 0)
		return false;
	link = bel_sys_link_create(prog, 0, BEL_BPF_TCX_INGRESS, 0);
	close(prog);
	if (link >= 0)
		close(link);
	return link == -ENODEV;
}

/* A kprobe_multi link on a function no kernel has: a kernel with fprobe looks it up and says
 * ESRCH (or ENOENT); one built without CONFIG_FPROBE says EOPNOTSUPP, an older one EINVAL. */
static bool probe_kprobe_multi(void)
{
	static const char *const syms[] = {"bel_probe_no_such_function"};
	struct bel_link_create_args args = {.attach_type = BPF_TRACE_KPROBE_MULTI};
	int prog = load_trivial(BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, 0, NULL), link;

	if (prog < 0)
		return false;
	args.prog_fd = prog;
	args.kprobe_multi.syms = syms;
	args.kprobe_multi.cnt = 1;
	link = bel_sys_link_create_ext(&args);
	close(prog);
	if (link >= 0)
		close(link);
	return link == -ESRCH || link == -ENOENT;
}

/* A uprobe_multi link on a directory: a kernel with them looks the path up and says EBADF (not
 * a regular file); one built without CONFIG_UPROBES says EOPNOTSUPP, an older one EINVAL. */
static bool probe_uprobe_multi(void)
{
	static const uint64_t offsets[] = {0};
	struct bel_link_create_args args = {.attach_type = BEL_BPF_TRACE_UPROBE_MULTI};
	int prog = load_trivial(BPF_PROG_TYPE_KPROBE, BEL_BPF_TRACE_UPROBE_MULTI, 0, NULL), link;

	if (prog < 0)
		return false;
	args.prog_fd = prog;
	args.uprobe_multi.path = "/";
	args.uprobe_multi.offsets = offsets;
	args.uprobe_multi.cnt = 1;
	link = bel_sys_link_create_ext(&args);
	close(prog);
	if (link >= 0)
		close(link);
	return link == -EBADF;
}

static void probe_links(void)
{
	link_features.tcx = probe_tcx();
	link_features.kprobe_multi = probe_kprobe_multi();
	link_features.uprobe_multi = probe_uprobe_multi();
	/* the program type exists exactly where the link does */
	link_features.netfilter = close_ok(load_trivial(BEL_BPF_PROG_TYPE_NETFILTER, BEL_BPF_NETFILTER,
							 1 /* NF_ACCEPT */, NULL));
}

const struct bel_link_features *bel_link_features(void)
{
	pthread_once(&link_features_once, probe_links);
	return &link_features;
}
