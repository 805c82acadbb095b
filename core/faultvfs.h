/*
 * faultvfs.h — I/O errors, full disks and out of memory for SQLite, the way
 * SQLite's own test suite makes them (test_vfs.c, test_malloc.c): a VFS
 * that wraps the default one and fails the Nth xWrite / xSync / xTruncate /
 * xRead, and an allocator (SQLITE_CONFIG_MALLOC) that fails the Nth
 * allocation. Compiled into the fault build only (make
 * build/faults/boxoffice.fcgi, -DBO_FAULTS); in every other build both
 * calls are nothing.
 *
 * What to fail is read from the control file PATH.faults beside the
 * database (PATH is the database), re-read whenever it changes, so a test
 * arms and clears faults on a running stack; BOXOFFICE_VFS_FAULT gives the
 * rules a process starts with. One rule a line (or separated by ';'):
 *
 *     OP N once|persist [ioerr|full|garbage]
 *
 * OP is write, sync, truncate, read or malloc. The Nth call of OP after
 * the rules were (re)read fails; "once" fails that call only, "persist"
 * that one and every later one until the rules change. Writes fail with
 * SQLITE_IOERR_WRITE, or SQLITE_FULL with "full"; syncs with
 * SQLITE_IOERR_FSYNC, truncates with SQLITE_IOERR_TRUNCATE, reads with
 * SQLITE_IOERR_READ, or with "garbage" a page read from the database
 * file succeeds with every byte wrong (SQLite finds it corrupt, and keeps
 * it in the connection's cache); a failed allocation
 * returns NULL (SQLite answers SQLITE_NOMEM). An empty or missing file clears every rule. Rules and
 * counts are shared by all the processes of a stack (memory mapped by the
 * master before it forks): "sync 3 once" fails the third sync after the
 * change, whichever worker makes it, and a worker started again later
 * does not fail it again. Only the database, its WAL and its journal fail;
 * each fault fired is logged on stderr ("boxoffice-faults[PID]: …").
 */
#ifndef BOXOFFICE_FAULTVFS_H
#define BOXOFFICE_FAULTVFS_H

#ifdef BO_FAULTS
/* Installs the allocator and registers the VFS as the default, once per
 * process, before SQLite is first used; db_path names the control file. */
void faults_setup(const char *db_path);
/* Re-reads the control file when it changed since the last look. */
void faults_poll(void);
#else
#define faults_setup(db_path) ((void)(db_path))
#define faults_poll() ((void)0)
#endif

#endif
