/*-------------------------------------------------------------------------
 *
 * schedule.h
 *		Scheduling materialization with pg_cron.
 *
 * IDENTIFICATION
 *	  src/schedule.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_SCHEDULE_H
#define OFS_SCHEDULE_H

/* Registers offline_store.cron_conninfo; called from _PG_init. */
extern void ScheduleInit(void);

#endif							/* OFS_SCHEDULE_H */
