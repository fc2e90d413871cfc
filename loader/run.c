/* SPDX-License-Identifier: MIT */
/* Running a loaded program on input of the caller's (BPF_PROG_TEST_RUN), for tests and rigs. */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* the kernel's own "not supported" (include/linux/errno.h), which the uapi does not define */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

int bel_program_test_run(struct bel_program *prog, struct bel_test_run_opts *opts)
{
	struct bel_test_run_args args = {0};
	struct bel_err err = {0};
	int ret;

	if (!opts || bel_opts_check(opts, sizeof(*opts), "bel_test_run_opts", &err)) {
		if (!opts)
			bel_errf(&err, EINVAL, "bel_test_run_opts: needed (the run's results go there)");
		goto fail;
	}
	args.data_in = BEL_OPT(opts, data_in, NULL);
	args.data_size_in = BEL_OPT(opts, data_size_in, 0);
	args.data_out = BEL_OPT(opts, data_out, NULL);
	args.data_size_out = BEL_OPT(opts, data_size_out, 0);
	args.ctx_in = BEL_OPT(opts, ctx_in, NULL);
	args.ctx_size_in = BEL_OPT(opts, ctx_size_in, 0);
	args.ctx_out = BEL_OPT(opts, ctx_out, NULL);
	args.ctx_size_out = BEL_OPT(opts, ctx_size_out, 0);
	args.repeat = BEL_OPT(opts, repeat, 0);
	args.flags = BEL_OPT(opts, flags, 0);
	args.cpu = BEL_OPT(opts, cpu, 0);
	args.batch_size = BEL_OPT(opts, batch_size, 0);
	if ((args.data_size_out && !args.data_out) || (args.ctx_size_out && !args.ctx_out) ||
	    (args.data_size_in && !args.data_in) || (args.ctx_size_in && !args.ctx_in)) {
		bel_errf(&err, EINVAL, "a size is given for a buffer that is not");
		goto fail;
	}
	/* the program's lock keeps an unload from closing the fd while it runs */
	pthread_mutex_lock(&prog->lock);
	if (prog->fd < 0) {
		pthread_mutex_unlock(&prog->lock);
		bel_errf(&err, ENOENT, "not loaded");
		goto fail;
	}
	ret = bel_sys_prog_test_run(prog->fd, &args);
	pthread_mutex_unlock(&prog->lock);
	if (ret) {
		bel_errf(&err, -ret, "BPF_PROG_TEST_RUN failed: %s%s", strerror(-ret),
			 ret == -ENOTSUPP || ret == -EOPNOTSUPP || ret == -EINVAL
			 ? " (the kernel may not test-run this program type, or not with these inputs)"
			 : ret == -ENOSPC ? " (an output buffer is too small)" : "");
		goto fail;
	}
#define SET(field, value)                                                                      \
	if (opts->sz >= offsetof(struct bel_test_run_opts, field) + sizeof(opts->field))         \
		opts->field = (value)
	/* sizes out only where there was a buffer: the kernel reports one either way */
	if (args.data_out)
		SET(data_size_out, args.data_size_out);
	if (args.ctx_out)
		SET(ctx_size_out, args.ctx_size_out);
	SET(retval, args.retval);
	SET(duration_ns, args.duration);
#undef SET
	return 0;
fail:
	bel_err_prefix(&err, "object '%s': prog '%s' (%s): test run", prog->obj->spec->obj_name,
		       prog->def->name, prog->def->sec_name);
	return ldr_obj_fail(prog->obj, &err);
}
