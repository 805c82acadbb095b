/*
 * page_metrics.c — GET /metrics: the service in the Prometheus text
 * format, for the operator's Prometheus server.
 *
 * Who may ask is nginx's business (location = /metrics in
 * nginx/boxoffice.conf: the operator's addresses, loopback by default).
 * A scrape reaches one worker; what it says is the whole service's: the
 * request counters are shared by every worker and the master
 * (metrics_shm.h), and the rest is read from the database at scrape time,
 * in one read transaction (core/metrics_db.h). Should that read fail, the
 * counters are still written and boxoffice_db_readable says 0, so that a
 * database in trouble does not also blind the monitoring.
 */
#include <stdio.h>

#include "arena.h"
#include "metrics_db.h"
#include "metrics_shm.h"
#include "metrics_text.h"
#include "pages.h"
#include "router.h"

static void
write_db_families(struct metrics *m, const struct metrics_db *d)
{
	for (int f = 0; f < MDB__MAX; f++) {
		const struct metrics_db_info *info =
		    metrics_db_info((enum metrics_db_family)f);

		metrics_family(m, info->name, info->kind == MDB_COUNTER ?
		    METRIC_COUNTER : METRIC_GAUGE, info->help);
		for (size_t i = 0; i < d->n[f]; i++) {
			const struct metrics_db_sample *s = &d->samples[f][i];
			char id[24];
			struct metric_label l = { info->label, id };

			snprintf(id, sizeof id, "%lld", (long long)s->id);
			metrics_int(m, info->label ? &l : NULL, info->label ? 1 : 0,
			    s->value);
		}
	}
	metrics_family(m, "boxoffice_wal_bytes", METRIC_GAUGE,
	    "Size of the SQLite write-ahead log (boxoffice-expire's checkpoint "
	    "truncates it).");
	metrics_int(m, NULL, 0, d->wal_bytes);
}

void
page_metrics(struct req *r)
{
	struct app *app = r->app;
	const char *names[R__MAX + 1];
	struct metrics_db d;
	struct metrics m;
	enum bo_status s;

	s = metrics_db_read(r->db, &r->arena, r->now, &d);
	if (app->metrics_snap == NULL)
		app->metrics_snap = xmalloc(sizeof *app->metrics_snap);
	for (int i = 0; i <= R__MAX; i++)
		names[i] = router_route_name((enum route)i);
	metrics_shm_read(app->metrics, app->metrics_snap);
	metrics_begin(&m, r->body);
	metrics_shm_write(app->metrics_snap, &m, names, R__MAX + 1);
	metrics_family(&m, "boxoffice_db_readable", METRIC_GAUGE,
	    "1 when this scrape could read the database's families, else 0.");
	metrics_int(&m, NULL, 0, s == BO_OK);
	if (s == BO_OK)
		write_db_families(&m, &d);
	r->content_type_out = METRICS_CONTENT_TYPE;
}
