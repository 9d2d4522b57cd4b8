/*-------------------------------------------------------------------------
 * subxact.h
 *		Run a step in a subtransaction, tolerating chosen errors.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_SUBXACT_H
#define SESSION_SUBXACT_H

extern bool SessionSubtransaction(void (*step) (void *arg), void *arg,
								  bool (*tolerate) (int sqlerrcode));

#endif
