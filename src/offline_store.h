/*-------------------------------------------------------------------------
 *
 * offline_store.h
 *		Shared declarations of the offline_store extension.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/offline_store.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFFLINE_STORE_H
#define OFFLINE_STORE_H

/* offline_store.project: the default project when a call passes NULL */
extern char *ofs_default_project;

#endif							/* OFFLINE_STORE_H */
