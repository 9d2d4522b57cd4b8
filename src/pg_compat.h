/*
 * pg_compat.h
 *		Differences between the major releases of PostgreSQL the extension
 *		builds on.  Include after postgres.h and the headers it adapts.
 */
#ifndef SESSION_PG_COMPAT_H
#define SESSION_PG_COMPAT_H

/* The varlena macros (VARDATA, VARSIZE ...) moved to varatt.h in 16. */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * index_beginscan takes the scan's instrumentation from 18 on; the
 * extension never collects any.
 */
#if PG_VERSION_NUM >= 180000
#define index_beginscan_compat(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan(heap, index, snapshot, NULL, nkeys, norderbys)
#else
#define index_beginscan_compat(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan(heap, index, snapshot, nkeys, norderbys)
#endif

#endif							/* SESSION_PG_COMPAT_H */
