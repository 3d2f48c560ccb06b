#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <libelf.h>

#include "dwarf_lines.h"

/* A relative source name joined with its compilation directory, kept for
 * the life of the handle and found again by the two libdw strings (stable
 * while the handle is open), so repeated dumps allocate nothing new. */
struct joined {
	const char *dir, *file;
	char *path;
};

struct lp_dwarf {
	Dwarf *dw;
	struct joined *joined; /* open addressing, power-of-two size */
	size_t njoined, joined_cap;
};

/* The few libdw functions used, found once. */
static struct {
	__typeof__(dwarf_begin) *begin;
	__typeof__(dwarf_end) *end;
	__typeof__(dwarf_addrdie) *addrdie;
	__typeof__(dwarf_getsrc_die) *getsrc_die;
	__typeof__(dwarf_linesrc) *linesrc;
	__typeof__(dwarf_lineno) *lineno;
	__typeof__(dwarf_attr) *attr;
	__typeof__(dwarf_formstring) *formstring;
	__typeof__(dwarf_getelf) *getelf;
	int (*elf_cntl)(Elf *, Elf_Cmd); /* libelf's, a dependency of libdw */
} dw;
static pthread_once_t dw_once = PTHREAD_ONCE_INIT;
static int dw_ok;

static void dw_load(void)
{
	void *h = dlopen("libdw.so.1", RTLD_LAZY | RTLD_LOCAL);

	if (!h)
		return;
	*(void **)&dw.begin = dlsym(h, "dwarf_begin");
	*(void **)&dw.end = dlsym(h, "dwarf_end");
	*(void **)&dw.addrdie = dlsym(h, "dwarf_addrdie");
	*(void **)&dw.getsrc_die = dlsym(h, "dwarf_getsrc_die");
	*(void **)&dw.linesrc = dlsym(h, "dwarf_linesrc");
	*(void **)&dw.lineno = dlsym(h, "dwarf_lineno");
	*(void **)&dw.attr = dlsym(h, "dwarf_attr");
	*(void **)&dw.formstring = dlsym(h, "dwarf_formstring");
	*(void **)&dw.getelf = dlsym(h, "dwarf_getelf");
	*(void **)&dw.elf_cntl = dlsym(h, "elf_cntl");
	dw_ok = dw.begin && dw.end && dw.addrdie && dw.getsrc_die &&
		dw.linesrc && dw.lineno && dw.attr && dw.formstring &&
		dw.getelf && dw.elf_cntl;
}

struct lp_dwarf *lp_dwarf_open(const char *path)
{
	struct lp_dwarf *d;
	int fd;

	pthread_once(&dw_once, dw_load);
	if (!dw_ok || !(d = malloc(sizeof(*d))))
		return NULL;
	d->joined = NULL;
	d->njoined = d->joined_cap = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO: no wait */
	d->dw = fd >= 0 ? dw.begin(fd, DWARF_C_READ) : NULL;
	/* The handle lives from dump to dump: it must not keep a descriptor,
	 * which a program that closes every descriptor would take back and
	 * libdw would then read from. FDDONE has libelf read (or keep
	 * mapped) all it needs now. */
	if (d->dw && dw.elf_cntl(dw.getelf(d->dw), ELF_C_FDDONE) != 0) {
		dw.end(d->dw);
		d->dw = NULL;
	}
	if (fd >= 0)
		close(fd);
	if (!d->dw) {
		free(d);
		return NULL;
	}
	return d;
}

void lp_dwarf_close(struct lp_dwarf *d)
{
	if (!d)
		return;
	dw.end(d->dw);
	for (size_t i = 0; i < d->joined_cap; i++)
		free(d->joined[i].path);
	free(d->joined);
	free(d);
}

static size_t joined_slot(const struct lp_dwarf *d, const char *dir, const char *file)
{
	uint64_t h = ((uintptr_t)dir * 0x9E3779B97F4A7C15ull) ^ (uintptr_t)file;
	size_t i = (size_t)(h ^ (h >> 29)) & (d->joined_cap - 1);

	while (d->joined[i].path &&
	       (d->joined[i].dir != dir || d->joined[i].file != file))
		i = (i + 1) & (d->joined_cap - 1);
	return i;
}

static int joined_grow(struct lp_dwarf *d)
{
	struct joined *old = d->joined;
	size_t old_cap = d->joined_cap;

	d->joined_cap = old_cap ? old_cap * 2 : 64;
	d->joined = calloc(d->joined_cap, sizeof(*d->joined));
	if (!d->joined) {
		d->joined = old;
		d->joined_cap = old_cap;
		return -1;
	}
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].path)
			d->joined[joined_slot(d, old[i].dir, old[i].file)] = old[i];
	free(old);
	return 0;
}

/* dir/file, made once per pair; `file` itself when that fails. */
static const char *join(struct lp_dwarf *d, const char *dir, const char *file)
{
	struct joined *j;

	if ((d->njoined + 1) * 2 > d->joined_cap && joined_grow(d) != 0)
		return file;
	j = &d->joined[joined_slot(d, dir, file)];
	if (!j->path) {
		if (asprintf(&j->path, "%s/%s", dir, file) < 0) {
			j->path = NULL;
			return file;
		}
		j->dir = dir;
		j->file = file;
		d->njoined++;
	}
	return j->path;
}

int lp_dwarf_line(struct lp_dwarf *d, uint64_t addr, const char **file, int *line)
{
	Dwarf_Die cu;
	Dwarf_Line *l;

	if (!dw.addrdie(d->dw, addr, &cu) || !(l = dw.getsrc_die(&cu, addr)))
		return -1;
	*file = dw.linesrc(l, NULL, NULL);
	if (!*file || dw.lineno(l, line) != 0 || *line <= 0)
		return -1;
	/* Relative names are relative to the compilation directory: pprof's
	 * list finds the source by the absolute name. */
	if (**file != '/') {
		Dwarf_Attribute a;
		const char *dir = dw.formstring(dw.attr(&cu, DW_AT_comp_dir, &a));

		if (dir && *dir == '/')
			*file = join(d, dir, *file);
	}
	return 0;
}
