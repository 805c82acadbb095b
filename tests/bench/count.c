/*
 * count.c — the benchmark's work counter: build/bench-count.so, preloaded
 * by tests/bench/bench.mjs into boxoffice.fcgi and bench-commits.
 *
 *   LD_PRELOAD=build/bench-count.so BENCH_COUNTERS=FILE boxoffice.fcgi …
 *
 * Timings on a shared 2-core machine move by ±15% from run to run; the
 * work a request asks of SQLite does not. So the benchmark also counts it,
 * in the production binary as it is (no test build, no code in the
 * application): this library wraps sqlite3_step(), fsync() and
 * fdatasync() and adds to COUNTER_MAX 64-bit counters in FILE (created by
 * the caller, at least COUNTER_MAX * 8 bytes, zeros). FILE is mapped
 * MAP_SHARED in every process, so the workers of one program add to the
 * same numbers (atomic adds); bench.mjs reads the file before and after a
 * row and divides by the requests.
 *
 * What is counted (in file order, little-endian on this machine):
 *   statements  executions: a step on a statement that was not running
 *               (a fresh or reset one) starts one
 *   steps       sqlite3_step() calls (an execution that returns rows
 *               steps once per row, plus once for its end)
 *   vm_ops      virtual machine instructions run (SQLITE_STMTSTATUS_VM_STEP),
 *               the CPU work of SQLite itself in a unit that has no noise
 *   pages       database pages written to the WAL by commits
 *               (SQLITE_DBSTATUS_CACHE_WRITE; a checkpoint's copy into the
 *               database file is not included)
 *   syncs       fsync() and fdatasync() calls (commits, checkpoints)
 *
 * Not seen: statements that sqlite3_exec() runs (it steps internally, not
 * through this symbol); the application uses it only to open a
 * connection. Without BENCH_COUNTERS the library only passes calls on.
 * The cost is a few calls and atomic adds per step, under 1% of a request.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sqlite3.h>

enum counter {
	COUNT_STATEMENTS,
	COUNT_STEPS,
	COUNT_VM_OPS,
	COUNT_PAGES,
	COUNT_SYNCS,
	COUNTER_MAX
};

static uint64_t *counters;
static int mapped;

/* The shared counters, mapped at the first call (in the parent before the
 * workers fork, or in each worker: the mapping is shared either way);
 * NULL when BENCH_COUNTERS is not set or cannot be mapped. */
static uint64_t *
shared(void)
{
	const char *path;
	void *p;
	int fd;

	if (mapped)
		return counters;
	mapped = 1;
	if ((path = getenv("BENCH_COUNTERS")) == NULL || *path == '\0')
		return NULL;
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return NULL;
	p = mmap(NULL, COUNTER_MAX * sizeof *counters, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	close(fd);
	if (p != MAP_FAILED)
		counters = p;
	return counters;
}

static void
add(uint64_t *c, enum counter i, uint64_t n)
{
	if (n > 0)
		__atomic_fetch_add(&c[i], n, __ATOMIC_RELAXED);
}

/* The next definition of a symbol (libsqlite3's, libc's); aborts when
 * there is none, as the program could not work without it. */
static void *
next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL)
		abort();
	return f;
}

int
sqlite3_step(sqlite3_stmt *st)
{
	static int (*real)(sqlite3_stmt *);
	uint64_t *c = shared();
	int starts, rc, cur = 0, high = 0;

	if (real == NULL)
		real = (int (*)(sqlite3_stmt *))next("sqlite3_step");
	if (c == NULL || st == NULL)
		return real(st);
	starts = !sqlite3_stmt_busy(st);
	rc = real(st);
	add(c, COUNT_STATEMENTS, (uint64_t)starts);
	add(c, COUNT_STEPS, 1);
	add(c, COUNT_VM_OPS,
	    (uint64_t)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1));
	/* Pages this connection wrote since the last look (and reset). */
	if (sqlite3_db_status(sqlite3_db_handle(st), SQLITE_DBSTATUS_CACHE_WRITE,
	    &cur, &high, 1) == SQLITE_OK && cur > 0)
		add(c, COUNT_PAGES, (uint64_t)cur);
	return rc;
}

int
fsync(int fd)
{
	static int (*real)(int);
	uint64_t *c = shared();

	if (real == NULL)
		real = (int (*)(int))next("fsync");
	if (c != NULL)
		add(c, COUNT_SYNCS, 1);
	return real(fd);
}

int
fdatasync(int fd)
{
	static int (*real)(int);
	uint64_t *c = shared();

	if (real == NULL)
		real = (int (*)(int))next("fdatasync");
	if (c != NULL)
		add(c, COUNT_SYNCS, 1);
	return real(fd);
}
