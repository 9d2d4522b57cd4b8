/*-------------------------------------------------------------------------
 * data.h
 *		Session data: what may be stored, and its fields.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_DATA_H
#define SESSION_DATA_H

#include "utils/jsonb.h"

extern void SessionDataCheck(Jsonb *data);

#endif
