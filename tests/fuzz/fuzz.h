/*
 * fuzz.h — what every fuzz target shares: the libFuzzer entry point and a
 * check that stops the run with a message (abort() is what libFuzzer and
 * the standalone runner both report as a crash).
 */
#ifndef BOXOFFICE_FUZZ_H
#define BOXOFFICE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: broken: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

#endif
