/* SPDX-License-Identifier: MIT */
/*
 * bel gen vmlinux [--btf FILE] [-o FILE]: every type of the kernel's BTF as one C header, with
 * preserve_access_index for CO-RE: a vmlinux.h without bpftool.
 *
 * The BTF is /sys/kernel/btf/vmlinux, taken as the kernel wrote it (its layout is checked; every
 * reference is checked where it is used), or FILE: raw BTF or an ELF object with a .BTF section,
 * checked in full since it may come from anywhere. The header goes to stdout, or to FILE through
 * a temporary file in the same directory renamed over it, so a reader never sees half of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf/btf.h"
#include "btf/c_dump.h"
#include "cli.h"
#include "cli_gen.h"
#include "common/strbuf.h"
#include "elf/elf.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
/* No BTF comes near this; it bounds what a named FILE makes us read. */
#define MAX_INPUT (1ull << 30)

static void *read_whole(const char *path, size_t *size, char *why, size_t whylen)
{
	size_t cap = 1 << 20, len = 0;
	uint8_t *buf = NULL, *grown;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	/* read to the end rather than trust st_size: sysfs files may not report theirs */
	for (;;) {
		ssize_t n;

		if (!buf || len == cap) {
			if (buf)
				cap *= 2;
			if (cap > MAX_INPUT) {
				snprintf(why, whylen, "%s is larger than %llu bytes", path, MAX_INPUT);
				goto fail;
			}
			grown = realloc(buf, cap);
			if (!grown) {
				snprintf(why, whylen, "out of memory reading %s", path);
				goto fail;
			}
			buf = grown;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
			goto fail;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	*size = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* The BTF of FILE: raw, or the .BTF section of an ELF object. */
static int parse_file(const char *path, void *data, size_t size, struct bel_btf **btf,
		      struct bel_err *err)
{
	const struct bel_elf_sec *sec;
	struct bel_elf *elf;
	int ret;

	if (size < 4 || memcmp(data, "\177ELF", 4)) {
		ret = bel_btf_parse(data, size, NULL, true, btf, err);
		return ret ? bel_err_prefix(err, "%s", path) : 0;
	}
	ret = bel_elf_open(data, size, false, &elf, err);
	if (ret)
		return bel_err_prefix(err, "%s", path);
	sec = bel_elf_sec_by_name(elf, ".BTF");
	if (!sec || !sec->data)
		ret = bel_errf(err, ENOENT, "%s: an ELF object without a .BTF section", path);
	else
		ret = bel_btf_parse(sec->data, sec->size, NULL, true, btf, err);
	if (ret && sec && sec->data)
		bel_err_prefix(err, "%s: .BTF", path);
	bel_elf_free(elf);
	return ret;
}

/* Write text to path through a temporary file renamed over it. */
static int write_file(const char *path, const char *text, size_t len)
{
	char *tmp = NULL, *dir_copy = strdup(path);
	size_t done = 0;
	mode_t mask;
	int fd;

	if (!dir_copy || asprintf(&tmp, "%s/.%s.XXXXXX", dirname(dir_copy),
				  strrchr(path, '/') ? strrchr(path, '/') + 1 : path) < 0) {
		free(dir_copy);
		cli_error("out of memory");
		return -ENOMEM;
	}
	free(dir_copy);
	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_error("cannot create a temporary file beside %s: %s", path, strerror(errno));
		free(tmp);
		return -errno;
	}
	mask = umask(0);
	umask(mask);
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done < len || fchmod(fd, 0666 & ~mask)) {
		cli_error("cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return -EIO;
	}
	if (close(fd)) {
		cli_error("cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -EIO;
	}
	if (rename(tmp, path)) {
		cli_error("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -errno;
	}
	free(tmp);
	return 0;
}

static void gen_usage(FILE *f)
{
	fprintf(f, "usage: bel gen vmlinux [--btf FILE] [-o FILE]\n"
		   "  every type of the kernel's BTF (" VMLINUX_BTF ", or FILE: raw BTF or an ELF\n"
		   "  object's .BTF) as a C header for CO-RE programs, to stdout or FILE\n");
}

int cli_gen_vmlinux(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"btf", required_argument, NULL, 'b'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct bel_btf_c_opts opts = {
		.sz = sizeof(opts),
		.preserve_access_index = true,
		.header_guard = "__VMLINUX_H__",
	};
	struct bel_strbuf out = BEL_STRBUF_INIT;
	const char *in = VMLINUX_BTF, *path = NULL;
	struct bel_err err = {0};
	struct bel_btf *btf = NULL;
	char why[512];
	void *data;
	size_t size;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': in = optarg; break;
		case 'o': path = optarg; break;
		case 'h': gen_usage(stdout); return 0;
		default: gen_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		gen_usage(stderr);
		return 2;
	}
	data = read_whole(in, &size, why, sizeof(why));
	if (!data) {
		cli_error("%s", why);
		return 1;
	}
	if (!strcmp(in, VMLINUX_BTF)) {
		ret = bel_btf_parse_kernel(data, size, NULL, &btf, &err);
		if (ret)
			bel_err_prefix(&err, "%s", in);
	} else {
		ret = parse_file(in, data, size, &btf, &err);
	}
	if (!ret) {
		bel_strbuf_printf(&out, "/* Generated by bel gen vmlinux from BTF: do not edit. */\n\n");
		ret = bel_btf_dump_c(btf, NULL, 0, &opts, &out, &err);
		if (ret)
			bel_err_prefix(&err, "%s", in);
	}
	if (ret) {
		cli_error("%s", err.msg); /* names from the BTF, escaped */
	} else if (path) {
		ret = write_file(path, out.buf, out.len);
	} else if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout)) {
		cli_error("cannot write the header: %s", strerror(errno));
		ret = -EIO;
	}
	bel_strbuf_free(&out);
	bel_btf_free(btf);
	free(data);
	return ret ? 1 : 0;
}
