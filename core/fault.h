/*
 * fault.h — fault points for the torture suite, compiled into test builds
 * only (make build/faults/boxoffice.fcgi, which defines BO_FAULTS).
 *
 * FAULT_POINT("name") marks a place where a real crash would hurt most
 * (right after a commit, before the answer leaves). In the fault build the
 * process dies there, as kill -9 would, when the environment variable
 * BOXOFFICE_FAULT names that point; in every other build it is nothing.
 */
#ifndef BOXOFFICE_FAULT_H
#define BOXOFFICE_FAULT_H

#ifdef BO_FAULTS
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAULT_POINT(name)                                                     \
	do {                                                                  \
		const char *fault_ = getenv("BOXOFFICE_FAULT");               \
		if (fault_ != NULL && strcmp(fault_, (name)) == 0)            \
			_exit(137);                                           \
	} while (0)
#else
#define FAULT_POINT(name) ((void)0)
#endif

#endif
