/* SPDX-License-Identifier: MIT */
/*
 * What the kernel says of a loaded program (its id, tag, sizes), and its tag computed here
 * before a load, with the digest this kernel uses.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "reloc/prog_tag.h"

int bel_program_info(const struct bel_program *prog, struct bel_program_info *out)
{
	struct bel_program *p = (struct bel_program *)prog; /* the lock is ours, not the caller's */
	struct bel_program_info res = {0};
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), i;
	struct bel_err err = {0};
	int n = bel_out_size(out, sizeof(res), "bel_program_info", &err), ret;

	if (n < 0) {
		bel_err_prefix(&err, "object '%s': prog '%s'", p->obj->spec->obj_name, p->def->name);
		return ldr_obj_fail(p->obj, &err);
	}
	/* what the caller's struct holds of ours is zeroed, as before a load */
	res.sz = (size_t)n;
	memcpy(out, &res, (size_t)n);
	/* under the program's lock: no unload can close the fd while the kernel is asked */
	pthread_mutex_lock(&p->lock);
	if (p->fd < 0) {
		pthread_mutex_unlock(&p->lock);
		return -ENOENT;
	}
	memset(&info, 0, sizeof(info));
	ret = bel_sys_obj_get_info_by_fd(p->fd, &info, &len);
	res.load_ns = p->load_ns;
	pthread_mutex_unlock(&p->lock);
	if (ret)
		return ret;
	res.id = info.id;
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(res.tag + 2 * i, 3, "%02x", info.tag[i]);
	res.verified_insns = info.verified_insns;
	res.xlated_len = info.xlated_prog_len;
	res.jited_len = info.jited_prog_len;
	res.nr_map_ids = info.nr_map_ids;
	memcpy(out, &res, (size_t)n);
	return 0;
}

/* Which digest the running kernel tags programs with: learnt once, from a program of two
 * instructions; -1 when neither matches (a kernel bel does not know: tags are then unknown). */
static int tag_digest = -2;
static pthread_once_t tag_digest_once = PTHREAD_ONCE_INIT;

static void probe_tag_digest(void)
{
	static const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	struct bel_prog_load_args args = {.prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .insns = insns,
					  .insn_cnt = 2, .license = "GPL"};
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	uint8_t tag[BPF_TAG_SIZE];
	int fd = bel_sys_prog_load(&args);

	tag_digest = -1;
	memset(&info, 0, sizeof(info));
	if (fd < 0)
		return;
	if (!bel_sys_obj_get_info_by_fd(fd, &info, &len)) {
		if (!bel_prog_tag(insns, 2, BEL_TAG_SHA256, tag) && !memcmp(tag, info.tag, sizeof(tag)))
			tag_digest = BEL_TAG_SHA256;
		else if (!bel_prog_tag(insns, 2, BEL_TAG_SHA1, tag) && !memcmp(tag, info.tag, sizeof(tag)))
			tag_digest = BEL_TAG_SHA1;
	}
	close(fd);
}

int ldr_kernel_tag_digest(void)
{
	pthread_once(&tag_digest_once, probe_tag_digest);
	return tag_digest;
}

int bel_program_tag(struct bel_program *prog, char tag[2 * BPF_TAG_SIZE + 1])
{
	uint8_t raw[BPF_TAG_SIZE];
	struct bel_err err = {0};
	int ret, i;

	tag[0] = '\0';
	if (ldr_kernel_tag_digest() < 0) {
		bel_errf(&err, ENOTSUP, "cannot tell how this kernel computes program tags");
		return ldr_prog_fail(prog, &err);
	}
	pthread_mutex_lock(&prog->lock);
	ret = ldr_prog_prepare(prog, &err);
	if (!ret && bel_prog_tag(ldr_prog_insns(prog), prog->def->insn_cnt,
				 (enum bel_tag_digest)ldr_kernel_tag_digest(), raw))
		ret = bel_errf(&err, ENOMEM, "out of memory");
	pthread_mutex_unlock(&prog->lock);
	if (ret)
		return ldr_prog_fail(prog, &err);
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(tag + 2 * i, 3, "%02x", raw[i]);
	return 0;
}
