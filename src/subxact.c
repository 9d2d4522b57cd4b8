/*-------------------------------------------------------------------------
 * subxact.c
 *		Run a step in a subtransaction, tolerating chosen errors.
 *
 * For the few places where one error must not end the caller's work: the
 * best-effort touch of a load under REPEATABLE READ, and a row of
 * import_django() that PostgreSQL refuses.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "subxact.h"

/*
 * Run step(arg) in a subtransaction.  Returns true if it completed; false
 * if it raised an error that tolerate() accepts, after rolling the
 * subtransaction back.  Any other error is raised again, after the
 * subtransaction is rolled back, so that an enclosing handler finds its
 * own state.
 */
bool
SessionSubtransaction(void (*step) (void *arg), void *arg, bool (*tolerate) (int sqlerrcode))
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool done = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		step(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		done = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (!tolerate(edata->sqlerrcode))
			ReThrowError(edata);
		FreeErrorData(edata);
	}
	PG_END_TRY();
	return done;
}
