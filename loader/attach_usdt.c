/* SPDX-License-Identifier: MIT */
/*
 * USDT probes for objects written against libbpf's <bpf/usdt.bpf.h>. A probe (provider:name)
 * may be compiled into many sites, each with its own argument spec. Each distinct spec of an
 * attach gets a spec id: a slot of the object's __bpf_usdt_specs array holding the record
 * elf/usdt_spec.h builds, and the BPF cookie of the site's uprobe, which is how usdt.bpf.h
 * finds the record. Where the site's address in memory is known (a non-PIE executable, or a
 * given process), __bpf_usdt_ip_to_spec_id gets it too: usdt.bpf.h reads that map instead on
 * kernels without BPF cookies. Detaching gives the ids back for later attaches.
 */
#include <errno.h>
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/array.h"
#include "common/hash.h"
#include "elf/usdt_spec.h"
#include "uprobe.h"

#define SPECS_MAP "__bpf_usdt_specs"
#define IP_MAP "__bpf_usdt_ip_to_spec_id"

static struct ldr_usdt_ids *usdt_ids(struct bel_object *obj)
{
	struct ldr_usdt_ids *ids;

	pthread_mutex_lock(&obj->lock);
	ids = obj->usdt_ids;
	if (!ids) {
		ids = calloc(1, sizeof(*ids));
		if (ids) {
			pthread_mutex_init(&ids->lock, NULL);
			obj->usdt_ids = ids;
		}
	}
	pthread_mutex_unlock(&obj->lock);
	return ids;
}

void ldr_usdt_state_free(struct bel_object *obj)
{
	if (!obj->usdt_ids)
		return;
	pthread_mutex_destroy(&obj->usdt_ids->lock);
	free(obj->usdt_ids->free);
	free(obj->usdt_ids);
	obj->usdt_ids = NULL;
}

static int take_id(struct ldr_usdt_ids *ids, uint32_t max, int32_t *id)
{
	int ret = 0;

	pthread_mutex_lock(&ids->lock);
	if (ids->nfree)
		*id = ids->free[--ids->nfree];
	else if (ids->next < max)
		*id = (int32_t)ids->next++;
	else
		ret = -E2BIG;
	pthread_mutex_unlock(&ids->lock);
	return ret;
}

static void give_back(struct ldr_usdt_ids *ids, const int32_t *back, uint32_t n)
{
	uint32_t i;

	pthread_mutex_lock(&ids->lock);
	for (i = 0; i < n; i++) {
		/* should memory run out, the id is lost to this object, nothing worse */
		if (bel_grow(&ids->free, ids->nfree, &ids->cap, sizeof(*ids->free), 16))
			break;
		ids->free[ids->nfree++] = back[i];
	}
	pthread_mutex_unlock(&ids->lock);
}

static int map_fd_by_name(struct bel_object *obj, const char *name)
{
	struct bel_map *map = bel_object_find_map(obj, name);

	return map ? bel_map_fd(map) : -1;
}

static void release_one(struct bel_object *obj, struct ldr_usdt_link *l)
{
	int ip_fd = map_fd_by_name(obj, IP_MAP);
	uint32_t i;

	for (i = 0; i < l->nips && ip_fd >= 0; i++)
		bel_sys_map_delete_elem(ip_fd, &l->ips[i]);
	if (!l->pinned && obj->usdt_ids)
		give_back(obj->usdt_ids, l->ids, l->nids);
	free(l->ids);
	free(l->ips);
}

void ldr_usdt_release(struct bel_program *prog)
{
	uint32_t i;

	for (i = 0; i < prog->nusdt; i++)
		release_one(prog->obj, &prog->usdt[i]);
	free(prog->usdt);
	prog->usdt = NULL;
	prog->nusdt = 0;
}

void ldr_usdt_keep_pinned(struct bel_object *obj)
{
	uint32_t i, j;

	for (i = 0; i < obj->spec->nprogs; i++) {
		struct bel_program *prog = &obj->progs[i];

		pthread_mutex_lock(&prog->lock);
		for (j = 0; j < prog->nusdt; j++)
			prog->usdt[j].pinned = true;
		pthread_mutex_unlock(&prog->lock);
	}
}

/* "BINARY:PROVIDER:NAME", each part replaced by the option that gives it. */
struct usdt_target {
	char binary[PATH_MAX];
	char provider[256], name[256];
};

static int copy_part(char *dst, size_t size, const char *src, size_t len, const char *what,
		     struct bel_err *err)
{
	if (len >= size)
		return bel_errf(err, ENAMETOOLONG, "%s of %zu bytes", what, len);
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

static int usdt_target(const struct bel_program *prog, const struct bel_attach_opts *o,
		       struct usdt_target *t, struct bel_err *err)
{
	const char *target = BEL_OPT(o, target, NULL) ?: prog->def->attach_target;
	const char *opt;

	memset(t, 0, sizeof(*t));
	if (target) {
		const char *c1 = strchr(target, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2 || c1 == target || c2 == c1 + 1 || !c2[1] || strchr(c2 + 1, ':'))
			return bel_errf(err, EINVAL, "'%s' is not BINARY:PROVIDER:NAME", target);
		if (copy_part(t->binary, sizeof(t->binary), target, (size_t)(c1 - target), "binary", err) ||
		    copy_part(t->provider, sizeof(t->provider), c1 + 1, (size_t)(c2 - c1 - 1), "provider",
			      err) ||
		    copy_part(t->name, sizeof(t->name), c2 + 1, strlen(c2 + 1), "probe name", err))
			return err->code;
	}
	if (((opt = BEL_OPT(o, binary, NULL)) &&
	     copy_part(t->binary, sizeof(t->binary), opt, strlen(opt), "binary", err)) ||
	    ((opt = BEL_OPT(o, usdt_provider, NULL)) &&
	     copy_part(t->provider, sizeof(t->provider), opt, strlen(opt), "provider", err)) ||
	    ((opt = BEL_OPT(o, usdt_name, NULL)) &&
	     copy_part(t->name, sizeof(t->name), opt, strlen(opt), "probe name", err)))
		return err->code;
	if (!t->binary[0] || !t->provider[0] || !t->name[0])
		return bel_errf(err, EINVAL, "names no USDT probe (usdt/BINARY:PROVIDER:NAME, or "
				"bel_attach_opts.binary, usdt_provider and usdt_name)");
	return 0;
}

/* The maps usdt.bpf.h declares, as this program's load created them. */
static int usdt_maps(struct bel_program *prog, int *specs_fd, uint32_t *max_specs, int *ip_fd,
		     struct bel_err *err)
{
	struct bel_map *specs = bel_object_find_map(prog->obj, SPECS_MAP);
	struct bel_map *ips = bel_object_find_map(prog->obj, IP_MAP);

	if (!specs || bel_map_fd(specs) < 0)
		return bel_errf(err, ENOENT, "the program has no map %s (does it include "
				"<bpf/usdt.bpf.h>?)", SPECS_MAP);
	if (bel_map_key_size(specs) != 4 || bel_map_value_size(specs) != BEL_USDT_SPEC_SIZE)
		return bel_errf(err, EINVAL, "map %s has %u-byte keys and %u-byte values; usdt.bpf.h's "
				"has 4 and %d", SPECS_MAP, bel_map_key_size(specs),
				bel_map_value_size(specs), BEL_USDT_SPEC_SIZE);
	*specs_fd = bel_map_fd(specs);
	*max_specs = bel_map_max_entries(specs);
	*ip_fd = -1;
	if (ips && bel_map_fd(ips) >= 0 && bel_map_key_size(ips) == 8 && bel_map_value_size(ips) == 4)
		*ip_fd = bel_map_fd(ips);
	return 0;
}

/* Where a file offset of the binary is mapped in process pid: the mapping of the same file
 * (device and inode) that holds it. 0 when it is not mapped there. */
static uint64_t address_in(int pid, const struct stat *st, uint64_t offset)
{
	char path[64], line[512];
	uint64_t ip = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!ip && fgets(line, sizeof(line), f)) {
		unsigned long long start, end, pgoff, ino;
		unsigned int maj, min;

		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu", &start, &end, &pgoff, &maj, &min,
			   &ino) == 6 && ino == st->st_ino && makedev(maj, min) == st->st_dev &&
		    offset >= pgoff && offset - pgoff < end - start)
			ip = start + (offset - pgoff);
		/* the rest of a line longer than the buffer is not a line of its own */
		while (!strchr(line, '\n') && fgets(line, sizeof(line), f))
			;
	}
	fclose(f);
	return ip;
}

/* A spec id per distinct argument spec of this attach: a small open-addressing table. */
struct spec_index {
	uint32_t mask;
	const char **args;
	int32_t *ids;
};

static int32_t *spec_slot(struct spec_index *x, const char *args)
{
	uint32_t i = bel_hash(args, strlen(args)) & x->mask;

	while (x->args[i] && strcmp(x->args[i], args))
		i = (i + 1) & x->mask;
	x->args[i] = args;
	return &x->ids[i];
}

struct attach_state {
	struct ldr_usdt_link rec;
	uint32_t idcap, ipcap;
	int *links;
	uint32_t nlinks;
};

static void undo(struct bel_program *prog, struct attach_state *s, int ip_fd)
{
	uint32_t i;

	for (i = 0; i < s->nlinks; i++)
		close(s->links[i]);
	for (i = 0; i < s->rec.nips && ip_fd >= 0; i++)
		bel_sys_map_delete_elem(ip_fd, &s->rec.ips[i]);
	if (prog->obj->usdt_ids)
		give_back(prog->obj->usdt_ids, s->rec.ids, s->rec.nids);
	free(s->rec.ids);
	free(s->rec.ips);
	free(s->links);
}

/* One site: its spec id (new for a spec not seen in this attach), its ip entry, its uprobe. */
static int attach_site(struct bel_program *prog, int prog_fd, const struct bel_usdt_site *site,
		       const struct ldr_target_binary *bin, const struct stat *st,
		       const struct bel_attach_opts *o, struct spec_index *index, int specs_fd,
		       uint32_t max_specs, int ip_fd, struct attach_state *s, struct bel_err *err)
{
	int32_t *slot = spec_slot(index, site->args), id;
	struct ldr_uprobe u = {0};
	int pid = BEL_OPT(o, pid, 0), ret, link;
	uint64_t ip = 0;

	if (*slot < 0) {
		uint8_t spec[BEL_USDT_SPEC_SIZE];

		ret = bel_usdt_spec_build(site->args, BEL_OPT(o, cookie, 0), spec, err);
		if (ret)
			return ret;
		if (bel_grow(&s->rec.ids, s->rec.nids, &s->idcap, sizeof(*s->rec.ids), 4))
			return bel_errf(err, ENOMEM, "out of memory");
		if (take_id(prog->obj->usdt_ids, max_specs, &id))
			return bel_errf(err, E2BIG, "%s is full: its %u specs are taken (raise "
					"BPF_USDT_MAX_SPEC_CNT)", SPECS_MAP, max_specs);
		s->rec.ids[s->rec.nids++] = id;
		ret = bel_sys_map_update_elem(specs_fd, &id, spec, BPF_ANY);
		if (ret)
			return bel_errf(err, -ret, "writing spec %d to %s failed: %s", id, SPECS_MAP,
					strerror(-ret));
		*slot = id;
	}
	id = *slot;
	if (bin->bin->type == ET_EXEC)
		ip = site->addr;
	else if (pid > 0)
		ip = address_in(pid, st, site->offset);
	if (ip && ip_fd >= 0) {
		/* taken already (another attach at the same address): the cookie says which */
		if (bel_grow(&s->rec.ips, s->rec.nips, &s->ipcap, sizeof(*s->rec.ips), 4))
			return bel_errf(err, ENOMEM, "out of memory");
		if (!bel_sys_map_update_elem(ip_fd, &ip, &id, BPF_NOEXIST))
			s->rec.ips[s->rec.nips++] = ip;
	}
	u.bin = bin;
	u.offset = site->offset;
	u.ref_ctr_offset = site->sema_offset;
	u.cookie = (uint64_t)id;
	u.pid = pid;
	link = ldr_uprobe_link(prog_fd, &u, err);
	if (link < 0)
		return link;
	s->links[s->nlinks++] = link;
	return 0;
}

int ldr_attach_usdt(struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		    struct bel_err *err)
{
	struct attach_state s = {{0}};
	struct spec_index index = {0};
	struct ldr_target_binary bin;
	struct bel_usdt_site *sites = NULL;
	struct ldr_usdt_link *grown;
	struct usdt_target t;
	uint32_t nsites = 0, i, max_specs = 0, slots = 16;
	int specs_fd = -1, ip_fd = -1, ret;
	struct stat st;

	if (BEL_OPT(o, pid, 0) < 0)
		return bel_errf(err, EINVAL, "pid %d: give a process id, or 0 for every process",
				BEL_OPT(o, pid, 0));
	ret = usdt_target(prog, o, &t, err);
	if (!ret)
		ret = usdt_maps(prog, &specs_fd, &max_specs, &ip_fd, err);
	if (ret)
		return ret;
	if (!usdt_ids(prog->obj))
		return bel_errf(err, ENOMEM, "out of memory");
	ret = ldr_target_binary_open(t.binary, &bin, err);
	if (ret)
		return bel_err_prefix(err, "USDT probe %s:%s in %s", t.provider, t.name, t.binary);
	ret = bel_binary_usdt_sites(bin.bin, t.provider, t.name, &sites, &nsites, err);
	if (!ret && fstat(bin.fd, &st))
		ret = bel_errf(err, errno, "cannot stat %s", bin.path);
	while (slots < 2 * nsites)
		slots *= 2;
	if (!ret) {
		index.mask = slots - 1;
		index.args = calloc(slots, sizeof(*index.args));
		index.ids = malloc(slots * sizeof(*index.ids));
		s.links = calloc(nsites, sizeof(*s.links));
		s.rec.ids = NULL;
		grown = realloc(prog->usdt, (prog->nusdt + 1) * sizeof(*prog->usdt));
		if (grown)
			prog->usdt = grown;
		if (!index.args || !index.ids || !s.links || !grown ||
		    /* room for every link now, so adding them below cannot fail halfway */
		    bel_grow(&prog->links, prog->nlinks + nsites - 1, &prog->links_cap,
			     sizeof(*prog->links), 4))
			ret = bel_errf(err, ENOMEM, "out of memory for %u probe sites", nsites);
		else
			memset(index.ids, 0xff, slots * sizeof(*index.ids));
	}
	for (i = 0; i < nsites && !ret; i++) {
		ret = attach_site(prog, prog_fd, &sites[i], &bin, &st, o, &index, specs_fd, max_specs,
				  ip_fd, &s, err);
		if (ret)
			bel_err_prefix(err, "site %u of %u at 0x%llx (args '%s')", i, nsites,
				       (unsigned long long)sites[i].addr, sites[i].args);
	}
	free(index.args);
	free(index.ids);
	free(sites);
	if (ret) {
		undo(prog, &s, ip_fd);
		bel_err_prefix(err, "USDT probe %s:%s in %s", t.provider, t.name, bin.path);
		ldr_target_binary_close(&bin);
		return ret;
	}
	ldr_target_binary_close(&bin);
	for (i = 0; i + 1 < s.nlinks; i++)
		prog->links[prog->nlinks++] = s.links[i];
	prog->usdt[prog->nusdt++] = s.rec;
	ret = s.links[s.nlinks - 1];
	free(s.links);
	return ret;
}
