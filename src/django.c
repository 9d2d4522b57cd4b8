/*-------------------------------------------------------------------------
 * django.c
 *		SQL glue for Django: encode, decode and import_django.
 *
 * The signed format itself lives in codec/, which knows nothing of
 * PostgreSQL.  Here its status codes become ereports with SQLSTATEs of
 * their own, so that an application can tell a forged or altered token
 * (SE001) from an expired one (SE002) and from a genuine token whose
 * content is unusable (SE003).  No message ever carries a token, a
 * signature, a secret or session data.
 *
 * The codec allocates with malloc.  Its output is copied into palloc'd
 * memory and released before anything that can raise an error runs, so an
 * ereport never leaks it.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "account.h"
#include "codec/codec.h"
#include "data.h"
#include "key.h"
#include "modify.h"
#include "pg_compat.h"
#include "settings.h"
#include "store.h"
#include "subxact.h"

/* SQLSTATEs of the codec's verdicts on a token (class SE: session). */
#define ERRCODE_SESSION_BAD_SIGNATURE	MAKE_SQLSTATE('S','E','0','0','1')
#define ERRCODE_SESSION_EXPIRED			MAKE_SQLSTATE('S','E','0','0','2')
#define ERRCODE_SESSION_CORRUPT			MAKE_SQLSTATE('S','E','0','0','3')

/* Rows read from the source table per fetch. */
#define IMPORT_BATCH_SIZE	1000

/*
 * Most fallback secrets decode and import_django accept.  Django projects
 * keep a handful in SECRET_KEY_FALLBACKS while a rotation runs; every one
 * costs an HMAC of the token, for every token, so the list is bounded.
 */
#define DJANGO_MAX_FALLBACK_SECRETS 100

/*
 * Raise the error for a codec status other than CODEC_OK.  max_age is only
 * used for an expired signature.
 */
static void
DjangoCodecError(CodecStatus status, int64 max_age)
{
	switch (status)
	{
		case CODEC_OK:
			break;
		case CODEC_BAD_SIGNATURE:
			ereport(ERROR,
					(errcode(ERRCODE_SESSION_BAD_SIGNATURE),
					 errmsg("session token has a bad signature"),
					 errhint("The token was altered, is not a Django session token, "
							 "or was signed with another secret or salt.")));
			break;
		case CODEC_EXPIRED:
			ereport(ERROR,
					(errcode(ERRCODE_SESSION_EXPIRED),
					 errmsg("session token signature has expired"),
					 errdetail("The token was signed more than " INT64_FORMAT " seconds ago.",
							   max_age)));
			break;
		case CODEC_CORRUPT:
			ereport(ERROR,
					(errcode(ERRCODE_SESSION_CORRUPT),
					 errmsg("session token content is corrupt"),
					 errdetail("The signature is valid, but the content is not a JSON object "
							   "that Django could have written.")));
			break;
		case CODEC_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("session data is too large"),
					 errdetail("session.max_data_size allows %d bytes.",
							   session_max_data_size)));
			break;
		case CODEC_TOO_DEEP:
			ereport(ERROR,
					(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
					 errmsg("session data is nested too deeply"),
					 errdetail("At most %d levels of nesting are allowed.",
							   CODEC_MAX_DEPTH)));
			break;
		case CODEC_INVALID_INPUT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("session data cannot be encoded for Django"),
					 errdetail("Django cannot read integers of more than %d digits.",
							   CODEC_MAX_INT_DIGITS)));
			break;
		case CODEC_NO_MEMORY:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
			break;
	}
	elog(ERROR, "unexpected codec status %d", (int) status);
}

/*
 * Copy len bytes of malloc'd codec output into palloc'd memory with room
 * for a header of hdr bytes and a terminating NUL, and release the codec's
 * buffer at once, before anything can raise an error.
 */
static char *
DjangoTakeOutput(char *buf, size_t len, size_t hdr)
{
	char	   *copy = NULL;

	if (AllocSizeIsValid(hdr + len + 1))
		copy = palloc_extended(hdr + len + 1, MCXT_ALLOC_NO_OOM);
	if (copy != NULL)
	{
		memcpy(copy + hdr, buf, len);
		copy[hdr + len] = '\0';
	}
	codec_free(buf);
	if (copy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return copy;
}

/* A secret as the codec wants it: never NULL, never empty. */
static CodecBytes
DjangoSecret(text *secret, const char *what)
{
	CodecBytes	b;

	if (secret == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
	b.data = VARDATA_ANY(secret);
	b.len = VARSIZE_ANY_EXHDR(secret);
	if (b.len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what)));
	return b;
}

static CodecBytes
DjangoSalt(text *salt)
{
	CodecBytes	b;

	if (salt == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("salt must not be null")));
	b.data = VARDATA_ANY(salt);
	b.len = VARSIZE_ANY_EXHDR(salt);
	return b;
}

/*
 * The secret followed by the fallback secrets (Django's SECRET_KEY and
 * SECRET_KEY_FALLBACKS), in that order.  The bytes stay in the arguments.
 * At most DJANGO_MAX_FALLBACK_SECRETS fallback secrets are accepted.
 */
static CodecBytes *
DjangoSecrets(text *secret, ArrayType *fallbacks, int *nsecrets)
{
	CodecBytes *secrets;
	Datum	   *elems = NULL;
	bool	   *nulls = NULL;
	int			nelems = 0;
	int			i;

	if (fallbacks != NULL)
	{
		nelems = ArrayGetNItems(ARR_NDIM(fallbacks), ARR_DIMS(fallbacks));
		if (nelems > DJANGO_MAX_FALLBACK_SECRETS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many fallback secrets"),
					 errdetail("At most %d fallback secrets are allowed, %d were given.",
							   DJANGO_MAX_FALLBACK_SECRETS, nelems)));
		deconstruct_array(fallbacks, TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &nelems);
	}
	secrets = palloc(sizeof(CodecBytes) * (nelems + 1));
	secrets[0] = DjangoSecret(secret, "secret");
	for (i = 0; i < nelems; i++)
		secrets[i + 1] = DjangoSecret(nulls[i] ? NULL : DatumGetTextPP(elems[i]),
									  "fallback secret");
	*nsecrets = nelems + 1;
	return secrets;
}

/* Unix time in whole seconds (rounded down), as Django's signing uses it. */
static int64
DjangoUnixTime(TimestampTz ts)
{
	int64		usecs;

	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("signing time must be finite")));
	usecs = ts + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
	return usecs >= 0 ? usecs / USECS_PER_SEC : -((-usecs + USECS_PER_SEC - 1) / USECS_PER_SEC);
}

/*
 * Decode a token into palloc'd JSON text, or return the codec's status with
 * *json set to NULL.
 *
 * The codec is given one secret at a time, so that a cancel is served
 * between secrets: each one costs an HMAC over the whole token, and the
 * codec cannot be interrupted while it holds malloc'd memory.  The first
 * secret that verifies decides, as in Django.  (The codec, given them all,
 * would try every secret on the signed format before the pre-3.1 one; a
 * token cannot verify in both formats, so the verdict is the same.)
 */
static CodecStatus
DjangoDecode(text *token, const CodecBytes *secrets, int nsecrets, CodecBytes salt,
			 int64 max_age, char **json)
{
	char	   *out = NULL;
	size_t		out_len = 0;
	int64		now = DjangoUnixTime(GetCurrentTimestamp());
	CodecStatus status = CODEC_BAD_SIGNATURE;
	int			i;

	*json = NULL;
	for (i = 0; i < nsecrets && status == CODEC_BAD_SIGNATURE; i++)
	{
		CHECK_FOR_INTERRUPTS();
		status = codec_decode(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token),
							  &secrets[i], 1, salt, max_age, now,
							  (size_t) session_max_data_size, &out, &out_len);
	}
	if (status != CODEC_OK)
	{
		if (out != NULL)
			codec_free(out);
		return status;
	}
	*json = DjangoTakeOutput(out, out_len, 0);
	return CODEC_OK;
}

PG_FUNCTION_INFO_V1(session_encode);

/*
 * encode(data jsonb, secret text, salt text, compress boolean,
 *		  signed_at timestamptz) returns text
 *
 * Django's signing.dumps(data, key=secret, salt=salt, compress=compress),
 * which is what SessionBase.encode writes, signed at signed_at or now.
 */
Datum
session_encode(PG_FUNCTION_ARGS)
{
	Jsonb	   *data;
	CodecBytes	secret;
	CodecBytes	salt;
	bool		compress;
	int64		signed_at;
	char	   *json;
	char	   *out = NULL;
	size_t		out_len = 0;
	CodecStatus status;
	text	   *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	data = PG_GETARG_JSONB_P(0);
	secret = DjangoSecret(PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1), "secret");
	salt = DjangoSalt(PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2));
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("compress must not be null")));
	compress = PG_GETARG_BOOL(3);
	signed_at = DjangoUnixTime(PG_ARGISNULL(4) ? GetCurrentTimestamp()
							   : PG_GETARG_TIMESTAMPTZ(4));
	SessionDataCheck(data);

	json = JsonbToCString(NULL, &data->root, VARSIZE(data));
	status = codec_encode(json, strlen(json), secret, salt, compress, signed_at,
						  (size_t) session_max_data_size, &out, &out_len);
	if (status != CODEC_OK)
	{
		if (out != NULL)
			codec_free(out);
		DjangoCodecError(status, -1);
	}
	result = (text *) DjangoTakeOutput(out, out_len, VARHDRSZ);
	SET_VARSIZE(result, VARHDRSZ + out_len);
	PG_RETURN_TEXT_P(result);
}

PG_FUNCTION_INFO_V1(session_decode);

/*
 * decode(token text, secret text, salt text, fallback_secrets text[],
 *		  max_age integer) returns jsonb
 *
 * Django's SessionBase.decode, except that a token that does not verify is
 * an error instead of an empty session.  With max_age, a token signed more
 * than that many seconds ago is refused (signing.loads(max_age=...)).
 */
Datum
session_decode(PG_FUNCTION_ARGS)
{
	text	   *token;
	CodecBytes *secrets;
	int			nsecrets;
	CodecBytes	salt;
	int64		max_age = -1;
	char	   *json;
	CodecStatus status;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	token = PG_GETARG_TEXT_PP(0);
	secrets = DjangoSecrets(PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1),
							PG_ARGISNULL(3) ? NULL : PG_GETARG_ARRAYTYPE_P(3),
							&nsecrets);
	salt = DjangoSalt(PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2));
	if (!PG_ARGISNULL(4))
	{
		max_age = PG_GETARG_INT32(4);
		if (max_age < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_age must not be negative")));
	}

	status = DjangoDecode(token, secrets, nsecrets, salt, max_age, &json);
	if (status != CODEC_OK)
		DjangoCodecError(status, max_age);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}

/*
 * Is an error raised while converting one row's data something about that
 * row, which the import may skip?  Only errors of the data itself are:
 * class 22 (data exception) and a value jsonb cannot hold (54000, e.g. a
 * string over its length limit).  A cancel, a timeout, a shutdown, running
 * out of memory or anything else ends the import.
 */
static bool
DjangoImportErrorIsRowData(int sqlerrcode)
{
	return ERRCODE_TO_CATEGORY(sqlerrcode) == ERRCODE_DATA_EXCEPTION ||
		sqlerrcode == ERRCODE_PROGRAM_LIMIT_EXCEEDED;
}

typedef struct DjangoJsonbArg
{
	char	   *json;
	Jsonb	   *result;
} DjangoJsonbArg;

static void
DjangoImportJsonbStep(void *arg)
{
	DjangoJsonbArg *a = (DjangoJsonbArg *) arg;

	a->result = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(a->json)));
}

/*
 * jsonb from the codec's JSON text, or NULL if PostgreSQL refuses it.  The
 * codec promises text that jsonb_in accepts; the import still runs the
 * conversion in a subtransaction, so that one row's data can never abort
 * it.  Any other error is raised again once the subtransaction is gone.
 */
static Jsonb *
DjangoImportJsonb(char *json)
{
	DjangoJsonbArg a;

	a.json = json;
	a.result = NULL;
	if (!SessionSubtransaction(DjangoImportJsonbStep, &a, DjangoImportErrorIsRowData))
		return NULL;
	return a.result;
}

/* The owner of session.sessions, who writes the imported rows. */
static Oid
DjangoStoreOwner(void)
{
	Oid			nsp = get_namespace_oid("session", false);
	Oid			relid = get_relname_relid("sessions", nsp);
	HeapTuple	tup;
	Oid			owner;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the session table is missing"),
				 errhint("Run CREATE EXTENSION session in this database.")));
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

typedef struct ImportCounts
{
	int64		imported;
	int64		present;
	int64		unusable;
} ImportCounts;

/*
 * Import one row of django_session.  Only the writes run as the store's
 * owner; decoding runs as the caller.  A live session that appears between
 * the check and the insert (a concurrent save under the same key) makes
 * the insert return false, and counts as present too.
 */
static void
DjangoImportRow(HeapTuple tuple, TupleDesc desc, const CodecBytes *secrets, int nsecrets,
				CodecBytes salt, TimestampTz now, Oid store_owner, ImportCounts *counts)
{
	bool		isnull;
	Datum		d;
	SessionKey	key;
	SessionRow	row;
	SessionValues s;
	char	   *json;
	Jsonb	   *data;
	Oid			save_userid;
	int			save_sec_context;
	int64		id;
	bool		inserted;

	d = SPI_getbinval(tuple, desc, 1, &isnull);
	if (isnull || !SessionKeyParse(DatumGetTextPP(d), &key))
	{
		counts->unusable++;
		return;
	}
	/* A key the store already has is skipped before any decoding work. */
	if (SessionStoreFetch(&key, &row, false) && SessionIsLive(row.expire_date, now))
	{
		counts->present++;
		return;
	}
	/* The store keeps finite expiry dates only. */
	memset(&s, 0, sizeof(s));
	s.policy.fixed = true;
	s.policy.fixed_date = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 3, &isnull));
	if (isnull || TIMESTAMP_NOT_FINITE(s.policy.fixed_date))
	{
		counts->unusable++;
		return;
	}
	d = SPI_getbinval(tuple, desc, 2, &isnull);
	if (isnull ||
		DjangoDecode(DatumGetTextPP(d), secrets, nsecrets, salt, -1, &json) != CODEC_OK ||
		(data = DjangoImportJsonb(json)) == NULL ||
		!JB_ROOT_IS_OBJECT(data) ||
		VARSIZE(data) > (Size) session_max_data_size)
	{
		counts->unusable++;
		return;
	}

	s.data = data;
	s.account = SessionDataAccount(data);
	if (s.account && VARSIZE_ANY_EXHDR(s.account) > SESSION_ACCOUNT_MAX_LENGTH)
	{
		counts->unusable++;
		return;
	}

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(store_owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	if (s.account)
		SessionAccountBind(s.account, now);
	inserted = SessionInsertFresh(&key, &s, &id);
	SetUserIdAndSecContext(save_userid, save_sec_context);

	if (inserted)
		counts->imported++;
	else
		counts->present++;
}

PG_FUNCTION_INFO_V1(session_import_django);

/*
 * import_django(source regclass, secret text, fallback_secrets text[],
 *				 salt text) returns bigint
 *
 * Copy the live sessions of a django_session table into the store: same
 * keys (stored as digests), same data, and each Django expire_date as the
 * session's fixed expiry, so nobody is logged out.  A key the store already
 * has is skipped, so the import can run again to pick up sessions made
 * since.  Rows that cannot be decoded with the secrets, or whose key, data
 * or expiry date (infinity) the store cannot hold, are counted and skipped.
 * Any other error, a cancel or a timeout among them, ends the import.
 * Everything happens in the caller's transaction: an error leaves nothing
 * half-imported.  The salt is that of the project's session store class,
 * as for decode.
 *
 * The source is read as the caller, who needs SELECT on it; the rows are
 * written as the owner of session.sessions.  Returns the number imported.
 */
Datum
session_import_django(PG_FUNCTION_ARGS)
{
	Oid			source;
	char	   *nspname;
	char	   *relname;
	char	   *query;
	CodecBytes *secrets;
	int			nsecrets;
	CodecBytes	salt;
	Oid			store_owner;
	TimestampTz now = GetCurrentTimestamp();
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1];
	SPIPlanPtr	plan;
	Portal		portal;
	MemoryContext batch_cxt;
	MemoryContext old_cxt;
	ImportCounts counts = {0, 0, 0};

	SessionStoreCheckWritable(fcinfo);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("source table must not be null")));
	source = PG_GETARG_OID(0);
	secrets = DjangoSecrets(PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1),
							PG_ARGISNULL(2) ? NULL : PG_GETARG_ARRAYTYPE_P(2),
							&nsecrets);
	salt = DjangoSalt(PG_ARGISNULL(3) ? NULL : PG_GETARG_TEXT_PP(3));
	relname = get_rel_name(source);
	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("source table with OID %u does not exist", source)));
	nspname = get_namespace_name(get_rel_namespace(source));
	store_owner = DjangoStoreOwner();

	/*
	 * A relation name cannot be a parameter; it comes quoted from the
	 * catalog, never from the caller's text.
	 */
	query = psprintf("SELECT session_key::pg_catalog.text, session_data::pg_catalog.text,"
					 " expire_date::pg_catalog.timestamptz FROM %s"
					 " WHERE expire_date::pg_catalog.timestamptz OPERATOR(pg_catalog.>) $1",
					 quote_qualified_identifier(nspname, relname));

	old_cxt = CurrentMemoryContext;
	SPI_connect();
	batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "session import batch",
									  ALLOCSET_DEFAULT_SIZES);
	plan = SPI_prepare(query, 1, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	values[0] = TimestampTzGetDatum(now);
	portal = SPI_cursor_open(NULL, plan, values, NULL, false);

	for (;;)
	{
		SPITupleTable *batch;
		uint64		i;
		uint64		n;

		SPI_cursor_fetch(portal, true, IMPORT_BATCH_SIZE);
		batch = SPI_tuptable;
		n = SPI_processed;
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
		{
			MemoryContext spi_cxt;

			CHECK_FOR_INTERRUPTS();
			spi_cxt = MemoryContextSwitchTo(batch_cxt);
			DjangoImportRow(batch->vals[i], batch->tupdesc,
							secrets, nsecrets, salt, now, store_owner, &counts);
			MemoryContextSwitchTo(spi_cxt);
			MemoryContextReset(batch_cxt);
		}
		SPI_freetuptable(batch);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	MemoryContextSwitchTo(old_cxt);

	if (counts.present > 0)
		ereport(NOTICE,
				(errmsg_plural("skipped " INT64_FORMAT " session that the store already has",
							   "skipped " INT64_FORMAT " sessions that the store already has",
							   counts.present, counts.present)));
	if (counts.unusable > 0)
		ereport(WARNING,
				(errmsg_plural("skipped " INT64_FORMAT " session of %s that could not be imported",
							   "skipped " INT64_FORMAT " sessions of %s that could not be imported",
							   counts.unusable, counts.unusable,
							   quote_qualified_identifier(nspname, relname)),
				 errdetail("Their data does not verify with the secrets given or is not a "
						   "JSON object, or their key, data or expiry date does not fit "
						   "the store."),
				 errhint("Sessions written with PickleSerializer cannot be imported; "
						 "a session store class not named SessionStore needs its salt.")));
	PG_RETURN_INT64(counts.imported);
}
