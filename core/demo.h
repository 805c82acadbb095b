/*
 * demo.h — the demo catalogue `make run` and the tests start from.
 */
#ifndef BOXOFFICE_DEMO_H
#define BOXOFFICE_DEMO_H

#include <stdint.h>

#include "db.h"

/*
 * Adds three concerts with future performances relative to now: a
 * 1,000-seat hall in named sections with price tiers, a 50-seat club and a
 * mid-size theatre, plus one performance whose sale has not opened yet.
 */
enum bo_status demo_load(struct db *db, int64_t now);

#endif
