/*-------------------------------------------------------------------------
 * data.c
 *		Session data: what may be stored, and get, set and pop of one field.
 *
 * set and pop change one field atomically: two requests that set
 * different fields of one session at the same time both land (modify.c
 * reads again when the row changed under it).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "account.h"
#include "data.h"
#include "key.h"
#include "modify.h"
#include "pg_compat.h"
#include "settings.h"
#include "store.h"

/*
 * Session data is a JSON object no larger than session.max_data_size.  The
 * size is that of the stored jsonb value, which is what the table pays.
 */
void
SessionDataCheck(Jsonb *data)
{
	if (data == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("session data must not be null"),
				 errhint("Use '{}' for a session without data.")));
	if (!JB_ROOT_IS_OBJECT(data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("session data must be a JSON object"),
				 errdetail("Got a JSON %s.",
						   JB_ROOT_IS_SCALAR(data) ? "scalar" : "array")));
	if (VARSIZE(data) > (Size) session_max_data_size)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("session data is too large"),
				 errdetail("The data takes %zu bytes; session.max_data_size allows %d.",
						   (size_t) VARSIZE(data), session_max_data_size)));
}

/* The value of one top-level field of an object, or NULL if absent. */
static Jsonb *
SessionDataField(Jsonb *data, text *field)
{
	JsonbValue	k;
	JsonbValue *v;

	k.type = jbvString;
	k.val.string.val = VARDATA_ANY(field);
	k.val.string.len = VARSIZE_ANY_EXHDR(field);
	v = findJsonbValueFromContainer(&data->root, JB_FOBJECT, &k);
	return v ? JsonbValueToJsonb(v) : NULL;
}

static text *
SessionFieldArg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("session field name must not be null")));
	return PG_GETARG_TEXT_PP(argno);
}

PG_FUNCTION_INFO_V1(session_get);

/* get(key text, field text) returns jsonb: one field of a live session's data */
Datum
session_get(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	SessionRow	row;
	Jsonb	   *value;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || !SessionKeyParse(PG_GETARG_TEXT_PP(0), &key))
		PG_RETURN_NULL();
	if (!SessionStoreFetch(&key, &row, true) ||
		!SessionIsLive(row.expire_date, GetCurrentTimestamp()))
		PG_RETURN_NULL();
	value = SessionDataField(row.data, PG_GETARG_TEXT_PP(1));
	if (value == NULL)
		PG_RETURN_NULL();
	PG_RETURN_JSONB_P(value);
}

typedef struct SessionFieldArgs
{
	text	   *field;
	Jsonb	   *value;			/* set: the new value; pop: the old one */
} SessionFieldArgs;

/* The data after a change, checked, and the account that follows it. */
static void
SessionDataChanged(const SessionRow *row, SessionValues *v, Jsonb *data)
{
	SessionDataCheck(data);
	v->data = data;
	v->account = SessionAccountAfter(row->account, row->data, SessionDataAccount(data));
}

static void
SessionSetEdit(const SessionRow *row, SessionValues *v, TimestampTz now, void *arg)
{
	SessionFieldArgs *a = (SessionFieldArgs *) arg;
	Datum		path_elem = PointerGetDatum(a->field);
	ArrayType  *path = construct_array(&path_elem, 1, TEXTOID, -1, false, TYPALIGN_INT);

	SessionDataChanged(row, v,
					   DatumGetJsonbP(DirectFunctionCall4(jsonb_set,
														  JsonbPGetDatum(row->data),
														  PointerGetDatum(path),
														  JsonbPGetDatum(a->value),
														  BoolGetDatum(true))));
}

PG_FUNCTION_INFO_V1(session_set);

/*
 * set(key text, field text, value jsonb) returns boolean
 *
 * A SQL NULL value is stored as JSON null.  False if no live session.
 */
Datum
session_set(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	SessionFieldArgs a;

	SessionStoreCheckWritable(fcinfo);
	SessionKeyParseOrError(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), &key);
	a.field = SessionFieldArg(fcinfo, 1);
	a.value = PG_ARGISNULL(2)
		? DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("null")))
		: PG_GETARG_JSONB_P(2);
	PG_RETURN_BOOL(SessionModify(&key, true, SessionSetEdit, &a));
}

static void
SessionPopEdit(const SessionRow *row, SessionValues *v, TimestampTz now, void *arg)
{
	SessionFieldArgs *a = (SessionFieldArgs *) arg;

	a->value = SessionDataField(row->data, a->field);
	SessionDataChanged(row, v,
					   DatumGetJsonbP(DirectFunctionCall2(jsonb_delete,
														  JsonbPGetDatum(row->data),
														  PointerGetDatum(a->field))));
}

PG_FUNCTION_INFO_V1(session_pop);

/*
 * pop(key text, field text) returns jsonb
 *
 * Removes one field and returns the value it had; NULL if it had none or
 * no live session has the key.
 */
Datum
session_pop(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	SessionFieldArgs a;

	SessionStoreCheckWritable(fcinfo);
	SessionKeyParseOrError(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), &key);
	a.field = SessionFieldArg(fcinfo, 1);
	a.value = NULL;
	if (!SessionModify(&key, true, SessionPopEdit, &a) || a.value == NULL)
		PG_RETURN_NULL();
	PG_RETURN_JSONB_P(a.value);
}
