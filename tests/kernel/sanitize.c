/* SPDX-License-Identifier: MIT */
/* BTF sanitizing (btf/sanitize.c): the rewrite an old kernel would get, loaded by this one. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bel/bel.h"
#include "btf/btf.h"
#include "btf/sanitize.h"
#include "kernel.h"
#include "syscall/bpf.h"
#include "testutil.h"

/* A kernel lacking every optional BTF feature would get this rewrite of the object BTF: the
 * real kernel must take it too (and so must the older ones, whose checks are a subset). */
START_TEST(test_sanitized_btf_loads)
{
	static const char *const names[] = {"globals", "externs", "maps", "subprogs"};
	unsigned int i;

	if (!kernel_ready())
		return;
	for (i = 0; i < 4; i++) {
		struct bel_object *obj = open_fixture(names[i], false);
		struct bel_err err = {0};
		struct bel_btf *copy;
		char log[4096] = "";
		const void *raw;
		uint32_t size;
		int fd;

		raw = bel_object_btf(obj, &size);
		ck_assert_int_eq(bel_btf_parse(raw, size, NULL, true, &copy, &err), 0);
		ck_assert_int_gt(bel_btf_sanitize(copy, 0, &err), 0);
		raw = bel_btf_raw(copy, &size);
		fd = bel_sys_btf_load(raw, size, NULL, 0, 0);
		if (fd < 0) { /* again with a log, to say why; its tail holds the error */
			static char big[1 << 20];
			int again = bel_sys_btf_load(raw, size, big, sizeof(big), 1);

			if (again >= 0)
				close(again);
			snprintf(log, sizeof(log), "%s", big + (strlen(big) > 300 ? strlen(big) - 300 : 0));
		}
		ck_assert_msg(fd >= 0, "%s: kernel refused the sanitized BTF: %s", names[i], log);
		close(fd);
		bel_btf_free(copy);
		bel_object_close(obj);
	}
}
END_TEST

Suite *sanitize_suite(void)
{
	return kernel_suite("sanitize", 120, false, (const TTest *[]){
		test_sanitized_btf_loads, NULL});
}
