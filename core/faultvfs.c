/*
 * faultvfs.c — the fault build's failing VFS and allocator (see faultvfs.h).
 *
 * The VFS is a thin shim over the default one, as SQLite's test_vfs.c and
 * test_devsym.c are: every call goes to the real VFS, except that xWrite,
 * xSync, xTruncate and xRead on the database, its WAL and its journal
 * first ask whether this call is the one to fail. The allocator wraps
 * SQLite's default malloc the same way. Nothing here is in a normal build.
 */
#include "faultvfs.h"

#ifdef BO_FAULTS

#include <assert.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum fault_op { F_WRITE, F_SYNC, F_TRUNCATE, F_READ, F_MALLOC, F__MAX };

static const char *const op_names[F__MAX] = {
	[F_WRITE] = "write", [F_SYNC] = "sync", [F_TRUNCATE] = "truncate",
	[F_READ] = "read", [F_MALLOC] = "malloc",
};

/* The I/O error each operation fails with (a write may say FULL instead). */
static const int op_codes[F__MAX] = {
	[F_WRITE] = SQLITE_IOERR_WRITE, [F_SYNC] = SQLITE_IOERR_FSYNC,
	[F_TRUNCATE] = SQLITE_IOERR_TRUNCATE, [F_READ] = SQLITE_IOERR_READ,
	[F_MALLOC] = SQLITE_NOMEM,
};

/*
 * The rules live in memory shared by every process of the stack: the
 * master maps it before it forks, so each worker, and each worker it
 * starts again later, sees the same rules and the same counts. "Fail the
 * next 3 syncs" means three in all, whichever workers make them.
 */
/* A read that "succeeds" with every byte of the page wrong, as a failing
 * disk or controller may deliver: SQLite finds the b-tree page corrupt
 * when it reads it. Only whole pages of the database file are garbled:
 * a WAL frame read wrong by a checkpoint would be copied into the
 * database unchecked, and a header read wrong (a file's, the WAL's) is
 * data loss no database without checksums survives. */
#define GARBAGE (-1)

struct rule {
	_Atomic int on;       /* armed */
	_Atomic long left;    /* calls until the one that fails (1: the next) */
	int persist;          /* keep failing after the first */
	int code;             /* the SQLite result the failing call returns */
};

struct shared {
	_Atomic unsigned long stamp;  /* which state of the control file */
	struct rule rules[F__MAX];
};

#define STAMP_ABSENT 1UL       /* no control file */

static struct shared *shared;
static char *ctl_path;          /* DB.faults */

/* Logs without allocating: safe from inside the allocator. */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	char line[256];
	int n = snprintf(line, sizeof line, "boxoffice-faults[%d]: ", (int)getpid());
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
}

/* Is this call of op the one to fail? Counts it. */
static int
fire(enum fault_op op)
{
	struct rule *r;
	long left;

	if (shared == NULL || !atomic_load(&(r = &shared->rules[op])->on))
		return 0;
	left = atomic_fetch_sub(&r->left, 1);
	if (left > 1)
		return 0;
	if (left == 1) {
		if (!r->persist)
			atomic_store(&r->on, 0);
		say("%s failed%s", op_names[op], r->persist ?
		    ", and fails until cleared" : " once");
		return 1;
	}
	return r->persist; /* past the Nth: only a persistent rule */
}

/* Parses "OP N once|persist [ioerr|full|garbage]" into out[]; 0 when it
 * is not a rule. */
static int
parse_rule(char *line, struct rule *out)
{
	char *save = NULL, *op = strtok_r(line, " \t\r", &save);
	char *n = strtok_r(NULL, " \t\r", &save);
	char *mode = strtok_r(NULL, " \t\r", &save);
	char *code = strtok_r(NULL, " \t\r", &save), *end;
	long left;
	int i;

	if (op == NULL || op[0] == '#')
		return 1; /* a blank line or a comment */
	for (i = 0; i < F__MAX && strcmp(op, op_names[i]) != 0; i++)
		;
	if (i == F__MAX || n == NULL || mode == NULL)
		return 0;
	left = strtol(n, &end, 10);
	if (*end != '\0' || left < 1)
		return 0;
	if (strcmp(mode, "persist") != 0 && strcmp(mode, "once") != 0)
		return 0;
	if (code != NULL && strcmp(code, "ioerr") != 0 &&
	    !(strcmp(code, "full") == 0 && i == F_WRITE) &&
	    !(strcmp(code, "garbage") == 0 && i == F_READ))
		return 0;
	out[i].on = 1;
	out[i].left = left;
	out[i].persist = strcmp(mode, "persist") == 0;
	out[i].code = op_codes[i];
	if (code != NULL && strcmp(code, "full") == 0)
		out[i].code = SQLITE_FULL;
	else if (code != NULL && strcmp(code, "garbage") == 0)
		out[i].code = GARBAGE;
	return 1;
}

/* Replaces every rule by those in text (lines or ';'-separated). */
static void
load_rules(char *text, const char *from)
{
	struct rule fresh[F__MAX];
	char *save = NULL;

	memset(fresh, 0, sizeof fresh);
	for (char *line = strtok_r(text, "\n;", &save); line != NULL;
	    line = strtok_r(NULL, "\n;", &save)) {
		char copy[128];

		snprintf(copy, sizeof copy, "%s", line);
		if (!parse_rule(line, fresh))
			say("%s: not a rule: %s", from, copy);
		else if (copy[strspn(copy, " \t\r")] != '\0')
			say("%s: armed: %s", from, copy);
	}
	for (int i = 0; i < F__MAX; i++) {
		struct rule *r = &shared->rules[i];

		atomic_store(&r->on, 0);
		r->persist = fresh[i].persist;
		r->code = fresh[i].code;
		atomic_store(&r->left, fresh[i].left);
		atomic_store(&r->on, fresh[i].on);
	}
}

/* Which state of the control file this is (never 0 or STAMP_ABSENT). */
static unsigned long
stamp_of(const struct stat *st)
{
	unsigned long h = 1469598103934665603UL;
	const unsigned long v[] = { st->st_ino, (unsigned long)st->st_size,
	    (unsigned long)st->st_mtim.tv_sec, (unsigned long)st->st_mtim.tv_nsec,
	    (unsigned long)st->st_ctim.tv_sec, (unsigned long)st->st_ctim.tv_nsec };

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		h = (h ^ v[i]) * 1099511628211UL;
	return h > STAMP_ABSENT ? h : h + 2;
}

void
faults_poll(void)
{
	char text[4096];
	struct stat st;
	unsigned long now, seen;
	ssize_t n;
	int fd;

	if (shared == NULL)
		return;
	now = stat(ctl_path, &st) == 0 ? stamp_of(&st) : STAMP_ABSENT;
	seen = atomic_load(&shared->stamp);
	/* The first process to see a change loads it, once for all. */
	if (now == seen ||
	    !atomic_compare_exchange_strong(&shared->stamp, &seen, now))
		return;
	if (now == STAMP_ABSENT) {
		text[0] = '\0';
		n = 0;
	} else {
		if ((fd = open(ctl_path, O_RDONLY | O_CLOEXEC)) < 0)
			return;
		n = read(fd, text, sizeof text - 1);
		close(fd);
		if (n < 0)
			return;
		text[n] = '\0';
	}
	load_rules(text, "control file");
	if (n == 0)
		say("no rules: every fault cleared");
}

/* ---- the allocator ---- */

static sqlite3_mem_methods mem_real;

static void *
fm_malloc(int n)
{
	return fire(F_MALLOC) ? NULL : mem_real.xMalloc(n);
}

static void
fm_free(void *p)
{
	mem_real.xFree(p);
}

static void *
fm_realloc(void *p, int n)
{
	return fire(F_MALLOC) ? NULL : mem_real.xRealloc(p, n);
}

static int
fm_size(void *p)
{
	return mem_real.xSize(p);
}

static int
fm_roundup(int n)
{
	return mem_real.xRoundup(n);
}

static int
fm_init(void *unused)
{
	(void)unused;
	return mem_real.xInit(mem_real.pAppData);
}

static void
fm_shutdown(void *unused)
{
	(void)unused;
	mem_real.xShutdown(mem_real.pAppData);
}

static const sqlite3_mem_methods mem_faulty = {
	fm_malloc, fm_free, fm_realloc, fm_size, fm_roundup, fm_init,
	fm_shutdown, NULL,
};

/* ---- the files ---- */

struct fv_file {
	sqlite3_file base;
	sqlite3_file *real;     /* the real VFS's file, right after this */
	int faultable;          /* the database, its WAL or its journal */
	int main_db;            /* the database file itself */
};

static sqlite3_vfs *real_vfs;

#define REAL(f) (((struct fv_file *)(f))->real)
#define RM(f) (REAL(f)->pMethods)

/* The code this call of op fails with, or SQLITE_OK to go ahead. */
static int
fault_for(sqlite3_file *f, enum fault_op op)
{
	if (!((struct fv_file *)f)->faultable)
		return SQLITE_OK;
	faults_poll();
	return fire(op) ? shared->rules[op].code : SQLITE_OK;
}

static int
fv_close(sqlite3_file *f)
{
	return RM(f)->xClose(REAL(f));
}

static int
fv_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	struct fv_file *p = (struct fv_file *)f;
	int rc = SQLITE_OK;

	if (p->faultable) {
		faults_poll();
		/* Garbage goes to whole pages of the database file only. */
		if (shared->rules[F_READ].code != GARBAGE || (p->main_db && n >= 512))
			rc = fire(F_READ) ? shared->rules[F_READ].code : SQLITE_OK;
	}
	if (rc == GARBAGE) {
		if ((rc = RM(f)->xRead(REAL(f), buf, n, off)) == SQLITE_OK)
			for (int i = 0; i < n; i++)
				((unsigned char *)buf)[i] ^= 0x5a;
		return rc;
	}
	return rc != SQLITE_OK ? rc : RM(f)->xRead(REAL(f), buf, n, off);
}

static int
fv_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	int rc = fault_for(f, F_WRITE);

	return rc != SQLITE_OK ? rc : RM(f)->xWrite(REAL(f), buf, n, off);
}

static int
fv_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = fault_for(f, F_TRUNCATE);

	return rc != SQLITE_OK ? rc : RM(f)->xTruncate(REAL(f), size);
}

static int
fv_sync(sqlite3_file *f, int flags)
{
	int rc = fault_for(f, F_SYNC);

	return rc != SQLITE_OK ? rc : RM(f)->xSync(REAL(f), flags);
}

static int
fv_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return RM(f)->xFileSize(REAL(f), size);
}

static int
fv_lock(sqlite3_file *f, int lock)
{
	return RM(f)->xLock(REAL(f), lock);
}

static int
fv_unlock(sqlite3_file *f, int lock)
{
	return RM(f)->xUnlock(REAL(f), lock);
}

static int
fv_check_reserved(sqlite3_file *f, int *out)
{
	return RM(f)->xCheckReservedLock(REAL(f), out);
}

static int
fv_file_control(sqlite3_file *f, int op, void *arg)
{
	return RM(f)->xFileControl(REAL(f), op, arg);
}

static int
fv_sector_size(sqlite3_file *f)
{
	return RM(f)->xSectorSize(REAL(f));
}

static int
fv_device_characteristics(sqlite3_file *f)
{
	return RM(f)->xDeviceCharacteristics(REAL(f));
}

static int
fv_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **p)
{
	return RM(f)->xShmMap(REAL(f), region, size, extend, p);
}

static int
fv_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return RM(f)->xShmLock(REAL(f), offset, n, flags);
}

static void
fv_shm_barrier(sqlite3_file *f)
{
	RM(f)->xShmBarrier(REAL(f));
}

static int
fv_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return RM(f)->xShmUnmap(REAL(f), delete_flag);
}

static int
fv_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
	return RM(f)->xFetch(REAL(f), off, n, p);
}

static int
fv_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return RM(f)->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fv_io = {
	3, fv_close, fv_read, fv_write, fv_truncate, fv_sync, fv_file_size,
	fv_lock, fv_unlock, fv_check_reserved, fv_file_control, fv_sector_size,
	fv_device_characteristics, fv_shm_map, fv_shm_lock, fv_shm_barrier,
	fv_shm_unmap, fv_fetch, fv_unfetch,
};

/* ---- the VFS: everything but xOpen goes straight to the real one ---- */

static int
fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out_flags)
{
	struct fv_file *p = (struct fv_file *)f;
	int rc;

	(void)vfs;
	p->real = (sqlite3_file *)&p[1];
	p->faultable = (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL |
	    SQLITE_OPEN_MAIN_JOURNAL)) != 0;
	p->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
	rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out_flags);
	/* The unix VFS's files are all version 3, as fv_io forwards. */
	assert(p->real->pMethods == NULL || p->real->pMethods->iVersion >= 3);
	p->base.pMethods = p->real->pMethods != NULL ? &fv_io : NULL;
	return rc;
}

static int
fv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int
fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
fv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *
fv_dl_open(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return real_vfs->xDlOpen(real_vfs, name);
}

static void
fv_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
	(void)vfs;
	real_vfs->xDlError(real_vfs, n, msg);
}

static void (*fv_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void
fv_dl_close(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	real_vfs->xDlClose(real_vfs, h);
}

static int
fv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
fv_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int
fv_current_time(sqlite3_vfs *vfs, double *t)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, t);
}

static int
fv_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int
fv_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *t)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, t);
}

static sqlite3_vfs fv_vfs = {
	.iVersion = 2,
	.zName = "boxoffice-faults",
	.xOpen = fv_open,
	.xDelete = fv_delete,
	.xAccess = fv_access,
	.xFullPathname = fv_full_pathname,
	.xDlOpen = fv_dl_open,
	.xDlError = fv_dl_error,
	.xDlSym = fv_dl_sym,
	.xDlClose = fv_dl_close,
	.xRandomness = fv_randomness,
	.xSleep = fv_sleep,
	.xCurrentTime = fv_current_time,
	.xGetLastError = fv_get_last_error,
	.xCurrentTimeInt64 = fv_current_time_int64,
};

void
faults_setup(const char *db_path)
{
	static int done;
	const char *env = getenv("BOXOFFICE_VFS_FAULT");
	size_t len = strlen(db_path);

	if (done)
		return;
	done = 1;
	/* The allocator can only change before SQLite starts. */
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &mem_real) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_MALLOC, &mem_faulty) != SQLITE_OK)
		say("SQLite already started: allocations will not fail");
	if (sqlite3_initialize() != SQLITE_OK || (real_vfs = sqlite3_vfs_find(NULL)) == NULL) {
		say("cannot start SQLite");
		abort();
	}
	fv_vfs.mxPathname = real_vfs->mxPathname;
	fv_vfs.szOsFile = (int)sizeof(struct fv_file) + real_vfs->szOsFile;
	if (sqlite3_vfs_register(&fv_vfs, 1) != SQLITE_OK) {
		say("cannot register the VFS");
		abort();
	}
	if ((ctl_path = malloc(len + sizeof ".faults")) == NULL)
		abort();
	memcpy(ctl_path, db_path, len);
	memcpy(ctl_path + len, ".faults", sizeof ".faults");
	/* Before any fork: every worker shares it. */
	shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		say("cannot map the shared rules");
		abort();
	}
	if (env != NULL && *env != '\0') {
		char text[1024];
		struct stat st;

		snprintf(text, sizeof text, "%s", env);
		load_rules(text, "BOXOFFICE_VFS_FAULT");
		/* The file as it is now was not what armed these. */
		atomic_store(&shared->stamp, stat(ctl_path, &st) == 0 ?
		    stamp_of(&st) : STAMP_ABSENT);
	} else {
		faults_poll();
	}
}

#else
/* Not the fault build: nothing. (ISO C wants a declaration here.) */
typedef int faultvfs_not_built;
#endif
