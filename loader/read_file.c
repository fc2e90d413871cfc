/* SPDX-License-Identifier: MIT */
/* Reading files: whole regular files into memory (object files, the binaries uprobes are placed
 * in, BTF files), and the one number of a sysfs or tracefs file. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/num.h"
#include "internal.h"

/* Bytes [off, off + len) of the file, whole, into to, or false. */
static bool read_to(int fd, uint8_t *to, uint64_t off, uint64_t len)
{
	while (len) {
		ssize_t n = pread(fd, to, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		to += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return true;
}

/* The same at the same offset of buf, an image of the file. */
static bool read_range(int fd, uint8_t *buf, uint64_t off, uint64_t len)
{
	return read_to(fd, buf + off, off, len);
}

/* The section name at offset name of the section name table, or NULL when it is not a string
 * ending inside the table. */
static const char *section_name(const char *strtab, uint64_t strtab_size, uint32_t name)
{
	if (name >= strtab_size || !memchr(strtab + name, '\0', strtab_size - name))
		return NULL;
	return strtab + name;
}

/* Whether a section is one bel never reads: debugging information (DWARF and its relocations),
 * in an object built with -g a quarter of the file or more, and the relocations of .BTF.ext
 * (for linkers: its records name their sections by name already), as large as .BTF.ext. */
static bool never_read(const char *name)
{
	static const char *const prefixes[] = {".debug", ".rel.debug", ".rela.debug"};
	static const char *const names[] = {".rel.BTF.ext", ".rela.BTF.ext"};
	size_t i;

	for (i = 0; name && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Where a section goes when read apart (.BTF, .BTF.ext: the spec keeps them as they are), or
 * NULL. */
static void **apart_slot(const char *name, struct bel_spec_apart *apart, size_t **size)
{
	if (!name)
		return NULL;
	if (!strcmp(name, ".BTF")) {
		*size = &apart->btf_size;
		return &apart->btf;
	}
	if (!strcmp(name, ".BTF.ext")) {
		*size = &apart->btf_ext_size;
		return &apart->btf_ext;
	}
	return NULL;
}

static void apart_free(struct bel_spec_apart *apart)
{
	free(apart->btf);
	free(apart->btf_ext);
	memset(apart, 0, sizeof(*apart));
}

/*
 * The parts of the object bel parses, into buf (size bytes, zeroed): the ELF header, the section
 * header table and every section but those never read (above). .BTF and .BTF.ext go to
 * buffers of their own (apart, malloc'd), which the spec keeps as they are, so that the
 * object's largest sections are not in memory twice. Returns size when all of it was read;
 * anything it cannot follow (another class or byte order, extended numbering, ranges out of
 * the file) makes it read the whole file instead, for the parser to judge. Every range is
 * checked against size in 64 bits before it is read.
 */
static size_t read_needed(int fd, uint8_t *buf, size_t size, struct bel_spec_apart *apart)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
	const Elf64_Shdr *sh;
	const Elf64_Shdr *names;
	size_t *slot_size;
	uint64_t table;
	void **slot;
	uint16_t i;

	if (size < sizeof(*eh) || !read_range(fd, buf, 0, sizeof(*eh)) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB
									    : ELFDATA2MSB) ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || !eh->e_shnum || eh->e_shstrndx >= eh->e_shnum ||
	    eh->e_shoff > size || (table = (uint64_t)eh->e_shnum * sizeof(*sh)) > size - eh->e_shoff ||
	    eh->e_shoff % 8 || !read_range(fd, buf, eh->e_shoff, table))
		goto whole;
	sh = (const Elf64_Shdr *)(buf + eh->e_shoff);
	names = &sh[eh->e_shstrndx];
	if (names->sh_type != SHT_STRTAB || names->sh_offset > size ||
	    names->sh_size > size - names->sh_offset ||
	    !read_range(fd, buf, names->sh_offset, names->sh_size))
		goto whole;
	for (i = 1; i < eh->e_shnum; i++) {
		const char *name = section_name((const char *)buf + names->sh_offset, names->sh_size,
						sh[i].sh_name);

		if (sh[i].sh_type == SHT_NOBITS || !sh[i].sh_size || i == eh->e_shstrndx ||
		    never_read(name))
			continue;
		if (sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset)
			goto whole;
		slot = sh[i].sh_type == SHT_PROGBITS ? apart_slot(name, apart, &slot_size) : NULL;
		if (slot && !*slot) {
			*slot = malloc(sh[i].sh_size);
			*slot_size = sh[i].sh_size;
			if (*slot && read_to(fd, *slot, sh[i].sh_offset, sh[i].sh_size))
				continue;
			goto whole;
		}
		if (!read_range(fd, buf, sh[i].sh_offset, sh[i].sh_size))
			goto whole;
	}
	return size;
whole:
	apart_free(apart);
	return read_range(fd, buf, 0, size) ? size : 0;
}

static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	default: return "not a regular file";
	}
}

/* object: read as a BPF object (read_needed), else whole. */
static int read_regular(int fd, const char *path, uint64_t max, bool object, void **image,
			size_t *size, struct bel_spec_apart *apart, struct bel_err *err)
{
	struct stat st, after;
	uint8_t *buf;
	size_t done = 0;

	if (fstat(fd, &st))
		return bel_errf(err, errno, "cannot stat %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bel_errf(err, EINVAL, "%s is not a regular file (%s)", path, file_kind(st.st_mode));
	if (st.st_size <= 0 || (uint64_t)st.st_size > SIZE_MAX || (uint64_t)st.st_size > max)
		return bel_errf(err, st.st_size ? EFBIG : EINVAL, "%s is %s", path,
				!st.st_size ? "empty" : (uint64_t)st.st_size > max
				? "larger than bel reads" : "too large for this process");
	/* zeroed: pages that read_needed skips cost nothing until written */
	buf = object ? calloc(1, (size_t)st.st_size) : malloc((size_t)st.st_size);
	if (!buf)
		return bel_errf(err, ENOMEM, "out of memory for %s (%lld bytes)", path,
				(long long)st.st_size);
	if (object)
		done = read_needed(fd, buf, (size_t)st.st_size, apart);
	else if (read_range(fd, buf, 0, (uint64_t)st.st_size))
		done = (size_t)st.st_size;
	if (done < (size_t)st.st_size || fstat(fd, &after) || after.st_size != st.st_size ||
	    after.st_mtim.tv_sec != st.st_mtim.tv_sec || after.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
		free(buf);
		if (object)
			apart_free(apart);
		return bel_errf(err, EIO, "%s changed while being read (%zu of %lld bytes read)", path,
				done, (long long)st.st_size);
	}
	*image = buf;
	*size = done;
	return 0;
}

int ldr_read_regular_fd(int fd, const char *path, uint64_t max, void **image, size_t *size,
			struct bel_err *err)
{
	return read_regular(fd, path, max, false, image, size, NULL, err);
}

int ldr_read_object_fd(int fd, const char *path, void **image, size_t *size,
		       struct bel_spec_apart *apart, struct bel_err *err)
{
	memset(apart, 0, sizeof(*apart));
	return read_regular(fd, path, SIZE_MAX, true, image, size, apart, err);
}

void *ldr_read_fd(int fd, size_t size)
{
	uint8_t *buf = malloc(size);
	size_t done = 0;

	while (buf && done < size) {
		ssize_t n = pread(fd, buf + done, size - done, (off_t)done);

		if (n <= 0) {
			free(buf);
			return NULL;
		}
		done += (size_t)n;
	}
	return buf;
}

void *ldr_read_file(const char *path, size_t *size)
{
	struct stat st;
	void *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && st.st_size > 0) {
		buf = ldr_read_fd(fd, (size_t)st.st_size);
		*size = (size_t)st.st_size;
	}
	close(fd);
	return buf;
}

/* A file holding one number and a newline (sysfs, tracefs): fd is read from its start. */
int ldr_read_uint_fd(int fd, uint64_t *out)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return bel_parse_u64(buf, 0, UINT64_MAX, out) ? -EINVAL : 0;
}

int ldr_read_uint_file(const char *path, uint64_t *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = ldr_read_uint_fd(fd, out);
	close(fd);
	return ret;
}
