/*-------------------------------------------------------------------------
 *
 * schedule.c
 *		feast_schedule and feast_unschedule: one pg_cron job per project;
 *		feast_materialize_scheduled: the job's command.
 *
 * The job. feast_schedule creates or updates the pg_cron job named
 * "feast_materialize:<project>", owned by (and run as) the current user, in
 * the current database, whose command is
 *
 *	 CALL <extension schema>.feast_materialize_scheduled('<project>')
 *
 * The project is fixed in the command (a quoted literal), so a second
 * project never changes what the job does. pg_cron keys jobs by (name,
 * user) and its upsert keeps a job's database, so a job of that name and
 * user that runs in another database (a project of the same name there) is
 * refused rather than taken over; feast_unschedule only removes the
 * caller's job in the current database.
 *
 * Where pg_cron lives. pg_cron is installed in one database per cluster,
 * cron.database_name. When that is the current database, the job is made
 * with cron.schedule through SPI, in the caller's transaction. Otherwise it
 * is made there with cron.schedule_in_database, over a libpq connection to
 * the same server (this server's socket directory and port unless
 * offline_store.cron_conninfo says otherwise; a different postmaster is
 * refused), as the current user, with no username argument: pg_cron then
 * makes the job the connected role's. No role gains anything: user= and
 * dbname= are ours to set, and, as dblink and postgres_fdw require, a role
 * that is not a superuser must give its password in the setting and the
 * server must have asked for it (otherwise the connection could ride on the
 * server's own credentials: trust, peer, ~/.pgpass, a client certificate),
 * and may not name files for libpq to read. The remote transaction commits
 * in our pre-commit callback and is closed on abort, so the job changes
 * with the caller's transaction in both cases. One connection serves a
 * transaction (a second one would wait for the first's row locks forever);
 * a subtransaction that rolls back remote work undoes the whole remote
 * transaction, which is exact when the remote transaction began inside it
 * and otherwise makes the commit fail (no remote savepoints needed).
 *
 * The command. A procedure, so that it can commit: the CALL must be a
 * statement of its own, which is what a pg_cron job sends and what a user
 * types at psql (a function, run inside its caller's transaction, could not
 * commit, and one failing view would undo the others and its own failure
 * record). Each online feature view
 * of the project is materialized incrementally, through SQL (the
 * feast_materialize_incremental function, so this file depends only on the
 * SQL contract), in its own transaction: a subtransaction around the call
 * catches a failure, which is recorded in feast.materialization_runs
 * (status 'failed', its message) in that transaction, and then each view's
 * transaction commits. So a failing view neither rolls back nor blocks the
 * others, and its record is committed before the procedure ends in an
 * ERROR naming every failing view in its primary message (the first
 * thing a reader of cron.job_run_details sees), their messages in the
 * detail. The failure record's start_date is the start the run had, by
 * feast_materialize_incremental's rule (failed_run_start). A cancel (or statement_timeout) is recorded
 * for its view and ends the run at once. plpgsql could do the same loop,
 * but a procedure that commits cannot have a SET search_path clause, so
 * every expression of it would run under the caller's search_path; here
 * every statement is schema-qualified SQL text.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/schedule.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "common/int.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "libpq-fe.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/scansup.h"
#include "pgstat.h"
#include "postmaster/postmaster.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "registry.h"
#include "schedule.h"

PG_FUNCTION_INFO_V1(ofs_feast_schedule);
PG_FUNCTION_INFO_V1(ofs_feast_unschedule);
PG_FUNCTION_INFO_V1(ofs_feast_materialize_scheduled);

#define JOB_NAME_PREFIX "feast_materialize:"
#define DEFAULT_LOOKBACK_USEC (INT64CONST(52) * 7 * USECS_PER_DAY)

/* Where the pg_cron calls go. */
typedef struct CronTarget
{
	char	   *database;		/* cron.database_name */
	bool		remote;			/* another database: over libpq */
} CronTarget;

/* The rows of a query on pg_cron's tables, as text. */
typedef struct CronRows
{
	int			nrows;
	int			ncols;
	char	  **values;			/* row-major; NULL for a null */
} CronRows;

/* The failures of one run of feast_materialize_scheduled. */
typedef struct ViewFailure
{
	char	   *view;
	char	   *message;
} ViewFailure;

/* offline_store.cron_conninfo */
static char *cron_conninfo = NULL;

/*
 * The connection to cron.database_name of the current transaction, if any.
 * first_level is the local nesting level that began the remote
 * transaction, work_level the deepest level that has used it since (both
 * move to the parent when a subtransaction commits); lost says that a
 * rolled-back subtransaction closed it while work of an outer level was in
 * it, so that the transaction must not commit.
 */
static struct
{
	PGconn	   *conn;
	char	   *database;		/* in TopMemoryContext */
	int			first_level;
	int			work_level;
	bool		lost;
	bool		callbacks;		/* registered */
} remote;

static bool check_cron_conninfo(char **newval, void **extra, GucSource source);
static void check_schedule(const char *schedule);
static bool pg_cron_preloaded(void);
static void cron_target(CronTarget *target);
static void check_can_login(void);
static char *job_name(const char *project, const char *command);
static char *job_command(const char *schema, const char *project);
static char *extension_schema(FunctionCallInfo fcinfo);
static CronRows *cron_query(const CronTarget *target, const char *sql,
							int nargs, const char *const *args);
static const char *cron_value(const CronRows *rows, int row, int col);
static char *cron_privilege_hint(const CronTarget *target);
static CronRows *local_query(const CronTarget *target, const char *sql,
							 int nargs, const char *const *args);
static void remote_begin(const char *database);
static void remote_connect(const char *database);
static void remote_close(void);
static PGresult *remote_exec(const char *sql, int nargs, const char *const *args);
static void remote_report(PGresult *res) pg_attribute_noreturn();
static void remote_command(const char *sql);
static void remote_xact_callback(XactEvent event, void *arg);
static void remote_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
									SubTransactionId parentSubid, void *arg);
static bool view_is_online(const char *project, const char *view);
static ErrorData *materialize_one(const char *sql, const char *project,
								  const char *view, TimestampTz end);
static TimestampTz failed_run_start(const char *project, const char *view,
									TimestampTz end);
static void record_failure(const char *project, const char *view,
						   TimestampTz end, TimestampTz started_at,
						   const char *message);
static void spi_run(const char *sql, int nargs, Oid *types, Datum *values,
					int expected);

/*
 * ScheduleInit registers offline_store.cron_conninfo.
 *
 * The value may hold a password: it is shown to superusers only, and the
 * check hook refuses a password in a value stored in a catalog that other
 * roles read (pg_db_role_setting through ALTER ROLE/DATABASE ... SET,
 * pg_proc through a function's SET clause), when it is stored if the
 * library is loaded then, else when a session reads it.
 */
void
ScheduleInit(void)
{
	DefineCustomStringVariable("offline_store.cron_conninfo",
							   gettext_noop("Connection options with which feast_schedule and feast_unschedule reach pg_cron in another database."),
							   gettext_noop("A libpq connection string without user and dbname, which are the current user and cron.database_name. A role that is not a superuser gives its password here."),
							   &cron_conninfo,
							   "",
							   PGC_USERSET,
							   GUC_SUPERUSER_ONLY | GUC_NOT_IN_SAMPLE,
							   check_cron_conninfo, NULL, NULL);
}

/*
 * check_cron_conninfo accepts an empty value or a connection string that
 * does not choose the user, the database or replication.
 */
static bool
check_cron_conninfo(char **newval, void **extra, GucSource source)
{
	PQconninfoOption *opts;
	char	   *err = NULL;
	const char *bad = NULL;
	bool		password = false;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	opts = PQconninfoParse(*newval, &err);
	if (opts == NULL)
	{
		if (err)
		{
			GUC_check_errdetail("%s", pchomp(err));
			PQfreemem(err);
		}
		else
			GUC_check_errdetail("out of memory");
		return false;
	}
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
	{
		if (o->val == NULL)
			continue;
		if (strcmp(o->keyword, "user") == 0 ||
			strcmp(o->keyword, "dbname") == 0 ||
			strcmp(o->keyword, "replication") == 0)
			bad = o->keyword;
		else if (strcmp(o->keyword, "password") == 0)
			password = true;
	}
	PQconninfoFree(opts);
	if (bad)
	{
		GUC_check_errdetail("Connection option \"%s\" cannot be set: the connection is made as the current user to database cron.database_name.",
							bad);
		return false;
	}
	/*
	 * PGC_S_TEST: being stored by ALTER ROLE/DATABASE ... SET or a
	 * function's SET clause; the other three: read from those catalogs
	 * (stored while the library was not loaded, so unchecked then).
	 */
	if (password &&
		(source == PGC_S_TEST || source == PGC_S_DATABASE ||
		 source == PGC_S_USER || source == PGC_S_DATABASE_USER))
	{
		GUC_check_errdetail("A password must not be stored in the system catalogs, where other roles can read it.");
		GUC_check_errhint("Set offline_store.cron_conninfo in the session with SET.");
		return false;
	}
	return true;
}

/*
 * check_schedule refuses a schedule with text after its fields: pg_cron
 * reads the fields it needs and ignores the rest (a crontab line's
 * command), so "* * * * * anything" would be stored as given and run every
 * minute. A schedule is five fields, a macro (@hourly), or "N seconds"
 * (pg_cron 1.5 and later); pg_cron checks the fields themselves.
 */
static void
check_schedule(const char *schedule)
{
	int			ntokens = 0;
	const char *last = NULL;
	const char *p = schedule;

	while (*p)
	{
		while (*p && scanner_isspace(*p))
			p++;
		if (*p == '\0')
			break;
		last = p;
		ntokens++;
		while (*p && !scanner_isspace(*p))
			p++;
	}
	if (ntokens == 5 ||
		(ntokens == 1 && last[0] == '@') ||
		(ntokens == 2 && (pg_strncasecmp(last, "second", 6) == 0)))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid schedule: %s", schedule),
			 errdetail("A schedule is five fields (minute, hour, day of month, month, day of week) or a macro such as @daily.")));
}

/* Whether pg_cron is in shared_preload_libraries (it loads nowhere else). */
static bool
pg_cron_preloaded(void)
{
	const char *libs = GetConfigOption("shared_preload_libraries", true, false);
	List	   *names;
	ListCell   *lc;
	bool		found = false;

	if (libs == NULL ||
		!SplitDirectoriesString(pstrdup(libs), ',', &names))
		return false;
	foreach(lc, names)
	{
		const char *name = lfirst(lc);
		const char *base = strrchr(name, '/');

		base = base ? base + 1 : name;
		if (strcmp(base, "pg_cron") == 0 || strcmp(base, "pg_cron" DLSUFFIX) == 0)
			found = true;
	}
	return found;
}

/*
 * cron_target finds where pg_cron is installed and makes sure it is there:
 * in this database (checked), or in another one (a remote transaction is
 * open on it, on this same server). Errors, with a hint saying how to set
 * pg_cron up, when it is not loaded or not installed.
 */
static void
cron_target(CronTarget *target)
{
	const char *database = GetConfigOption("cron.database_name", true, false);
	char	   *current = get_database_name(MyDatabaseId);

	if (!pg_cron_preloaded() || database == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pg_cron is not loaded"),
				 errdetail("Scheduling materialization needs the pg_cron extension, which must be loaded at server start."),
				 errhint("Install pg_cron (on Debian: apt-get install postgresql-15-cron), add pg_cron to shared_preload_libraries, set cron.database_name to the database that keeps the jobs, restart the server, and run CREATE EXTENSION pg_cron in that database.")));

	target->database = pstrdup(database);
	target->remote = strcmp(database, current) != 0;
	if (!target->remote)
	{
		if (!OidIsValid(get_extension_oid("pg_cron", true)))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("extension \"pg_cron\" is not installed in database \"%s\"",
							database),
					 errdetail("pg_cron keeps its jobs in database \"%s\" (cron.database_name).",
							   database),
					 errhint("Run CREATE EXTENSION pg_cron in database \"%s\".",
							 database)));
		return;
	}
	remote_begin(database);
}

/*
 * check_can_login errors unless the current user can log in: pg_cron runs
 * the job as the role that scheduled it, and a role without LOGIN cannot
 * start a session, background worker or not.
 */
static void
check_can_login(void)
{
	HeapTuple	tup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(GetUserId()));
	bool		canlogin;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for role %u", GetUserId());
	canlogin = ((Form_pg_authid) GETSTRUCT(tup))->rolcanlogin;
	ReleaseSysCache(tup);
	if (!canlogin)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("role \"%s\" is not permitted to log in",
						GetUserNameFromId(GetUserId(), false)),
				 errdetail("pg_cron runs a job as the role that schedules it."),
				 errhint("Schedule the job as a role with LOGIN that is a member of the project's owner role.")));
}

/*
 * job_name returns "feast_materialize:<project>"; pg_cron keeps job names
 * as type name, so a longer one is an error rather than a truncation.
 */
static char *
job_name(const char *project, const char *command)
{
	char	   *name = psprintf(JOB_NAME_PREFIX "%s", project);

	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("pg_cron job name \"%s\" is too long", name),
				 errdetail("pg_cron job names are at most %d bytes.", NAMEDATALEN - 1),
				 errhint("Schedule the command with cron.schedule under a name of your own: %s",
						 command)));
	return name;
}

/* The job's command: one CALL with the project as a quoted literal. */
static char *
job_command(const char *schema, const char *project)
{
	return psprintf("CALL %s.feast_materialize_scheduled(%s)",
					quote_identifier(schema),
					quote_literal_cstr(project));
}

/*
 * extension_schema returns the extension's schema: the one of the SQL
 * function being called (every function of the extension is there).
 */
static char *
extension_schema(FunctionCallInfo fcinfo)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	char	   *name = get_namespace_name(nsp);

	if (name == NULL)
		elog(ERROR, "cache lookup failed for namespace %u", nsp);
	return name;
}

/*
 * cron_query runs a query on pg_cron's side (text parameters, cast in the
 * SQL where needed) and returns its rows as text, allocated in the current
 * memory context.
 */
static CronRows *
cron_query(const CronTarget *target, const char *sql, int nargs,
		   const char *const *args)
{
	CronRows   *rows;
	PGresult   *res;

	if (!target->remote)
		return local_query(target, sql, nargs, args);

	remote.work_level = Max(remote.work_level, GetCurrentTransactionNestLevel());
	res = remote_exec(sql, nargs, args);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		remote_report(res);
	rows = palloc0(sizeof(CronRows));
	rows->nrows = PQntuples(res);
	rows->ncols = PQnfields(res);
	rows->values = palloc0(sizeof(char *) * Max(rows->nrows * rows->ncols, 1));
	for (int r = 0; r < rows->nrows; r++)
		for (int c = 0; c < rows->ncols; c++)
			if (!PQgetisnull(res, r, c))
				rows->values[r * rows->ncols + c] = pstrdup(PQgetvalue(res, r, c));
	PQclear(res);
	return rows;
}

static const char *
cron_value(const CronRows *rows, int row, int col)
{
	Assert(row < rows->nrows && col < rows->ncols);
	return rows->values[row * rows->ncols + col];
}

/* The hint for a privilege error of pg_cron's. */
static char *
cron_privilege_hint(const CronTarget *target)
{
	if (target->remote)
		return psprintf("In database \"%s\", a superuser can GRANT USAGE ON SCHEMA cron and EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) to the role.",
						target->database);
	return psprintf("In database \"%s\", a superuser can GRANT USAGE ON SCHEMA cron to the role.",
					target->database);
}

/*
 * local_query is cron_query in this database, through SPI, in the caller's
 * transaction.
 */
static CronRows *
local_query(const CronTarget *target, const char *sql, int nargs,
			const char *const *args)
{
	MemoryContext caller = CurrentMemoryContext;
	CronRows   *rows = palloc0(sizeof(CronRows));
	Oid			types[4];
	Datum		values[4];
	int			rc;

	Assert(nargs <= 4);
	for (int i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = CStringGetTextDatum(args[i]);
	}

	PG_TRY();
	{
		if ((rc = SPI_connect()) != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
		rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
		MemoryContextSwitchTo(caller);
		rows->nrows = (int) SPI_processed;
		rows->ncols = SPI_tuptable->tupdesc->natts;
		rows->values = palloc0(sizeof(char *) * Max(rows->nrows * rows->ncols, 1));
		for (int r = 0; r < rows->nrows; r++)
			for (int c = 0; c < rows->ncols; c++)
				rows->values[r * rows->ncols + c] =
					SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1);
		SPI_finish();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/*
		 * pg_cron's own errors stand; our SQL text is not shown, and a
		 * privilege error says what to grant.
		 */
		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			PG_RE_THROW();
		FlushErrorState();
		edata->internalquery = NULL;
		edata->internalpos = 0;
		edata->cursorpos = 0;
		edata->context = psprintf("pg_cron in database \"%s\" (cron.database_name)",
								  target->database);
		if (edata->sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE && edata->hint == NULL)
			edata->hint = cron_privilege_hint(target);
		ReThrowError(edata);
	}
	PG_END_TRY();
	return rows;
}

/*
 * remote_begin makes sure the current transaction has its remote
 * transaction in database (cron.database_name), on this server, with
 * pg_cron installed.
 */
static void
remote_begin(const char *database)
{
	int			level = GetCurrentTransactionNestLevel();
	CronRows   *rows;
	const char *args[1];
	CronTarget	target = {(char *) database, true};

	if (remote.lost)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("a change to pg_cron jobs in database \"%s\" was rolled back with a savepoint",
						remote.database),
				 errdetail("The other changes to pg_cron jobs of this transaction were lost with it."),
				 errhint("Roll back the transaction and make the changes again, outside the savepoint.")));
	if (!remote.callbacks)
	{
		RegisterXactCallback(remote_xact_callback, NULL);
		RegisterSubXactCallback(remote_subxact_callback, NULL);
		remote.callbacks = true;
	}
	if (remote.conn != NULL)
	{
		remote.work_level = Max(remote.work_level, level);
		return;
	}

	remote.first_level = level;
	remote.work_level = level;
	remote_connect(database);
	remote_command("BEGIN");

	/* the same postmaster, and pg_cron there */
	args[0] = timestamptz_to_str(PgStartTime);
	rows = cron_query(&target,
					  "SELECT pg_catalog.pg_postmaster_start_time() OPERATOR(pg_catalog.=) $1::pg_catalog.timestamptz, "
					  "EXISTS (SELECT FROM pg_catalog.pg_extension "
					  "WHERE extname OPERATOR(pg_catalog.=) 'pg_cron')",
					  1, args);
	if (strcmp(cron_value(rows, 0, 0), "t") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offline_store.cron_conninfo leads to another server"),
				 errdetail("The pg_cron that runs jobs in this database is the one of this server, in database \"%s\".",
						   database),
				 errhint("Remove host, hostaddr and port from offline_store.cron_conninfo, or make them name this server.")));
	if (strcmp(cron_value(rows, 0, 1), "t") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"pg_cron\" is not installed in database \"%s\"",
						database),
				 errdetail("pg_cron keeps its jobs in database \"%s\" (cron.database_name).",
						   database),
				 errhint("Run CREATE EXTENSION pg_cron in database \"%s\".",
						 database)));
}

/*
 * remote_connect opens remote.conn to database on this server (unless
 * offline_store.cron_conninfo names another host or port) as the current
 * user. Waits interruptibly. For a role that is not a superuser, the
 * setting must hold a password and the server must have used it.
 */
static void
remote_connect(const char *database)
{
	PQconninfoOption *opts = NULL;
	const char **keywords;
	const char **values;
	int			n = 0;
	int			nopts = 0;
	bool		has_host = false;
	bool		has_port = false;
	bool		has_password = false;
	char	   *file_option = NULL;
	char	   *user = GetUserNameFromId(GetUserId(), false);
	PostgresPollingStatusType status;

	if (cron_conninfo && cron_conninfo[0] != '\0')
	{
		char	   *err = NULL;

		opts = PQconninfoParse(cron_conninfo, &err);
		if (opts == NULL)
		{
			char	   *msg = err ? pchomp(err) : pstrdup("out of memory");

			if (err)
				PQfreemem(err);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for parameter \"offline_store.cron_conninfo\""),
					 errdetail_internal("%s", msg)));
		}
		for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
			nopts++;
	}

	keywords = palloc0(sizeof(char *) * (nopts + 8));
	values = palloc0(sizeof(char *) * (nopts + 8));
	for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
	{
		if (o->val == NULL ||
			strcmp(o->keyword, "user") == 0 ||
			strcmp(o->keyword, "dbname") == 0 ||
			strcmp(o->keyword, "replication") == 0)
			continue;
		/* files that libpq would read as the server's operating system user */
		if (strcmp(o->keyword, "passfile") == 0 ||
			strcmp(o->keyword, "service") == 0 ||
			strncmp(o->keyword, "ssl", 3) == 0 ||
			strncmp(o->keyword, "gss", 3) == 0 ||
			strncmp(o->keyword, "krb", 3) == 0)
		{
			if (strcmp(o->keyword, "sslmode") != 0 &&
				strcmp(o->keyword, "sslcompression") != 0 &&
				strcmp(o->keyword, "gssencmode") != 0 &&
				file_option == NULL)
				file_option = pstrdup(o->keyword);
		}
		keywords[n] = pstrdup(o->keyword);
		values[n] = pstrdup(o->val);
		has_host |= strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0;
		has_port |= strcmp(o->keyword, "port") == 0;
		has_password |= strcmp(o->keyword, "password") == 0 && o->val[0] != '\0';
		n++;
	}
	if (opts)
		PQconninfoFree(opts);

	if (!superuser())
	{
		if (file_option)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("connection option \"%s\" of offline_store.cron_conninfo is reserved to superusers",
							file_option),
					 errdetail("libpq would read its files with the server's privileges.")));
		if (!has_password)
			ereport(ERROR,
					(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
					 errmsg("password is required"),
					 errdetail("pg_cron is installed in database \"%s\", which a role that is not a superuser reaches only with its password.",
							   database),
					 errhint("Give the password in the session: SET offline_store.cron_conninfo = 'password=...'.")));
	}

	if (!has_host)
	{
		List	   *dirs = NIL;

		keywords[n] = "host";
		if (Unix_socket_directories && Unix_socket_directories[0] != '\0' &&
			SplitDirectoriesString(pstrdup(Unix_socket_directories), ',', &dirs) &&
			dirs != NIL)
			values[n] = linitial(dirs);
		else
			values[n] = "localhost";
		n++;
	}
	if (!has_port)
	{
		keywords[n] = "port";
		values[n] = psprintf("%d", PostPortNumber);
		n++;
	}
	keywords[n] = "dbname";
	values[n++] = database;
	keywords[n] = "user";
	values[n++] = user;
	keywords[n] = "fallback_application_name";
	values[n++] = "offline_store";
	keywords[n] = "client_encoding";
	values[n++] = GetDatabaseEncodingName();
	keywords[n] = NULL;
	values[n] = NULL;

	if (!AcquireExternalFD())
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not connect to database \"%s\", where pg_cron is installed",
						database),
				 errdetail("There are too many open files on the local server.")));
	remote.conn = PQconnectStartParams(keywords, values, false);
	if (remote.conn == NULL)
	{
		ReleaseExternalFD();
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	}
	if (remote.database)
		pfree(remote.database);
	remote.database = MemoryContextStrdup(TopMemoryContext, database);

	/* as PQconnectPoll's documentation says, but waiting on our latch too */
	status = PQstatus(remote.conn) == CONNECTION_BAD ?
		PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
	while (status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED)
	{
		int			io = status == PGRES_POLLING_READING ?
			WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE;
		int			rc;

		rc = WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | io,
							   PQsocket(remote.conn), -1L, PG_WAIT_EXTENSION);
		if (rc & WL_LATCH_SET)
		{
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
		if (rc & io)
			status = PQconnectPoll(remote.conn);
	}

	if (PQstatus(remote.conn) != CONNECTION_OK)
	{
		char	   *msg = pchomp(PQerrorMessage(remote.conn));

		remote_close();
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not connect to database \"%s\", where pg_cron is installed",
						database),
				 errdetail_internal("%s", msg),
				 errhint("Connection options can be given in offline_store.cron_conninfo.")));
	}
	if (!superuser() && !PQconnectionUsedPassword(remote.conn))
	{
		remote_close();
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required"),
				 errdetail("The server let role \"%s\" connect to database \"%s\" without asking for its password.",
						   user, database),
				 errhint("A role that is not a superuser reaches pg_cron in another database only through a connection that asks for its password (pg_hba.conf).")));
	}
}

/* remote_close closes the connection, which rolls back its transaction. */
static void
remote_close(void)
{
	if (remote.conn == NULL)
		return;
	if (PQtransactionStatus(remote.conn) == PQTRANS_ACTIVE)
	{
		PGcancel   *cancel = PQgetCancel(remote.conn);
		char		errbuf[256];

		if (cancel)
		{
			(void) PQcancel(cancel, errbuf, sizeof(errbuf));
			PQfreeCancel(cancel);
		}
	}
	PQfinish(remote.conn);
	ReleaseExternalFD();
	remote.conn = NULL;
	remote.first_level = 0;
	remote.work_level = 0;
}

/*
 * remote_exec runs sql on remote.conn and returns its last result (the
 * caller clears it), NULL if the connection failed. Waits interruptibly.
 */
static PGresult *
remote_exec(const char *sql, int nargs, const char *const *args)
{
	PGconn	   *conn = remote.conn;
	PGresult   *volatile last = NULL;

	if (!PQsendQueryParams(conn, sql, nargs, NULL, args, NULL, NULL, 0))
		return NULL;
	PG_TRY();
	{
		for (;;)
		{
			PGresult   *res;

			while (PQisBusy(conn))
			{
				int			rc;

				rc = WaitLatchOrSocket(MyLatch,
									   WL_LATCH_SET | WL_SOCKET_READABLE | WL_EXIT_ON_PM_DEATH,
									   PQsocket(conn), -1L, PG_WAIT_EXTENSION);
				if (rc & WL_LATCH_SET)
				{
					ResetLatch(MyLatch);
					CHECK_FOR_INTERRUPTS();
				}
				if ((rc & WL_SOCKET_READABLE) && !PQconsumeInput(conn))
				{
					PQclear(last);
					last = NULL;
					break;
				}
			}
			if (PQstatus(conn) == CONNECTION_BAD)
				break;
			res = PQgetResult(conn);
			if (res == NULL)
				break;
			PQclear(last);
			last = res;
		}
	}
	PG_CATCH();
	{
		PQclear(last);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return last;
}

/*
 * remote_report raises the error of a failed remote statement (res may be
 * NULL: the connection failed) with the remote SQLSTATE, message, detail
 * and hint, and clears res.
 */
static void
remote_report(PGresult *res)
{
	const char *field;
	char	   *sqlstate = NULL;
	char	   *primary = NULL;
	char	   *detail = NULL;
	char	   *hint = NULL;
	int			code = ERRCODE_CONNECTION_FAILURE;
	CronTarget	target = {remote.database, true};

	if (res)
	{
		if ((field = PQresultErrorField(res, PG_DIAG_SQLSTATE)) != NULL)
			sqlstate = pstrdup(field);
		if ((field = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) != NULL)
			primary = pstrdup(field);
		if ((field = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)) != NULL)
			detail = pstrdup(field);
		if ((field = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT)) != NULL)
			hint = pstrdup(field);
		PQclear(res);
	}
	if (primary == NULL)
		primary = pchomp(PQerrorMessage(remote.conn));
	if (sqlstate && strlen(sqlstate) == 5)
		code = MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2],
							 sqlstate[3], sqlstate[4]);
	if (code == ERRCODE_INSUFFICIENT_PRIVILEGE && hint == NULL)
		hint = cron_privilege_hint(&target);
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", primary),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0,
			 errcontext("pg_cron in database \"%s\" (cron.database_name)",
						remote.database)));
	pg_unreachable();
}

/* remote_command runs a statement that returns no rows. */
static void
remote_command(const char *sql)
{
	PGresult   *res = remote_exec(sql, 0, NULL);

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		remote_report(res);
	PQclear(res);
}

/*
 * remote_xact_callback commits the remote transaction just before the
 * local one commits (an error there aborts the local transaction), and
 * closes it when the local one aborts.
 */
static void
remote_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			if (remote.lost)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
						 errmsg("a change to pg_cron jobs in database \"%s\" was rolled back with a savepoint",
								remote.database),
						 errdetail("The other changes to pg_cron jobs of this transaction were lost with it, so the transaction cannot commit."),
						 errhint("Make the changes again, outside the savepoint.")));
			if (remote.conn)
			{
				remote_command("COMMIT");
				remote_close();
			}
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (remote.conn || remote.lost)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot prepare a transaction that changed pg_cron jobs in another database")));
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			remote_close();
			remote.lost = false;
			break;
		default:
			break;
	}
}

/*
 * remote_subxact_callback: remote work of a subtransaction that commits
 * belongs to its parent; a subtransaction that rolls back remote work
 * closes the connection, which undoes it exactly when the remote
 * transaction began inside the subtransaction, and otherwise marks the
 * transaction lost.
 */
static void
remote_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();

	if (remote.conn == NULL || remote.work_level < level)
		return;
	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		remote.work_level = level - 1;
		remote.first_level = Min(remote.first_level, level - 1);
	}
	else if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		bool		outer_work = remote.first_level < level;

		remote_close();
		remote.lost = outer_work;
	}
}

/*
 * feast_schedule(schedule, project): creates or updates the project's
 * pg_cron job; returns its id.
 */
Datum
ofs_feast_schedule(PG_FUNCTION_ARGS)
{
	char	   *schedule;
	char	   *project;
	char	   *name;
	char	   *command;
	char	   *user = GetUserNameFromId(GetUserId(), false);
	char	   *current = get_database_name(MyDatabaseId);
	CronTarget	target;
	CronRows   *rows;
	const char *args[4];

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("schedule must not be NULL")));
	schedule = text_to_cstring(PG_GETARG_TEXT_PP(0));
	check_schedule(schedule);
	project = RegistryResolveProject(PG_ARGISNULL(1) ? NULL :
									 text_to_cstring(PG_GETARG_TEXT_PP(1)));
	RegistryCheckProjectOwner(project);
	command = job_command(extension_schema(fcinfo), project);
	name = job_name(project, command);
	check_can_login();
	cron_target(&target);

	/* pg_cron's upsert would keep the job's database: refuse, name it */
	args[0] = name;
	args[1] = user;
	rows = cron_query(&target,
					  "SELECT database FROM cron.job "
					  "WHERE jobname OPERATOR(pg_catalog.=) $1::pg_catalog.name "
					  "AND username OPERATOR(pg_catalog.=) $2",
					  2, args);
	for (int i = 0; i < rows->nrows; i++)
		if (cron_value(rows, i, 0) == NULL || strcmp(cron_value(rows, i, 0), current) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("pg_cron job \"%s\" of role \"%s\" already exists in database \"%s\"",
							name, user, cron_value(rows, i, 0) ? cron_value(rows, i, 0) : ""),
					 errdetail("A project of the same name in another database has its own job under the same name."),
					 errhint("Run feast_unschedule(%s) in database \"%s\" first, or schedule the project as another role.",
							 quote_literal_cstr(project),
							 cron_value(rows, i, 0) ? cron_value(rows, i, 0) : "")));

	args[1] = schedule;
	args[2] = command;
	args[3] = current;
	if (target.remote)
		rows = cron_query(&target,
						  "SELECT cron.schedule_in_database($1, $2, $3, $4)",
						  4, args);
	else
		rows = cron_query(&target, "SELECT cron.schedule($1, $2, $3)", 3, args);
	if (rows->nrows != 1 || cron_value(rows, 0, 0) == NULL)
		elog(ERROR, "pg_cron returned no job id");
	PG_RETURN_INT64(pg_strtoint64(cron_value(rows, 0, 0)));
}

/*
 * feast_unschedule(project): removes the current user's job of the project
 * in the current database; false if there is none. The project need not
 * exist any more (its job may outlive it).
 */
Datum
ofs_feast_unschedule(PG_FUNCTION_ARGS)
{
	char	   *project;
	char	   *name;
	CronTarget	target;
	CronRows   *rows;
	const char *args[3];

	if (PG_ARGISNULL(0))
		project = RegistryResolveProject(NULL);
	else
		project = text_to_cstring(PG_GETARG_TEXT_PP(0));
	RegistryCheckProjectOwner(project);
	name = job_name(project, job_command(extension_schema(fcinfo), project));
	cron_target(&target);

	args[0] = name;
	args[1] = GetUserNameFromId(GetUserId(), false);
	args[2] = get_database_name(MyDatabaseId);
	rows = cron_query(&target,
					  "SELECT jobid FROM cron.job "
					  "WHERE jobname OPERATOR(pg_catalog.=) $1::pg_catalog.name "
					  "AND username OPERATOR(pg_catalog.=) $2 "
					  "AND database OPERATOR(pg_catalog.=) $3 ORDER BY jobid",
					  3, args);
	for (int i = 0; i < rows->nrows; i++)
	{
		args[0] = cron_value(rows, i, 0);
		(void) cron_query(&target, "SELECT cron.unschedule($1::pg_catalog.int8)",
						  1, args);
	}
	PG_RETURN_BOOL(rows->nrows > 0);
}

/*
 * spi_run runs a statement in the current SPI connection; any result but
 * expected is an internal error.
 */
static void
spi_run(const char *sql, int nargs, Oid *types, Datum *values, int expected)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);

	if (rc != expected)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
}

/* Whether the view still exists and is online (apply may have run). */
static bool
view_is_online(const char *project, const char *view)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	bool		online;

	values[0] = CStringGetTextDatum(project);
	values[1] = CStringGetTextDatum(view);
	spi_run("SELECT 1 FROM feast.feature_views "
			"WHERE project OPERATOR(pg_catalog.=) $1 "
			"AND name OPERATOR(pg_catalog.=) $2 AND online",
			2, types, values, SPI_OK_SELECT);
	online = SPI_processed > 0;
	SPI_freetuptable(SPI_tuptable);
	return online;
}

/*
 * materialize_one runs sql (feast_materialize_incremental of one view) in a
 * subtransaction; returns NULL when it succeeded, else its error (in the
 * current memory context), the subtransaction rolled back.
 */
static ErrorData *
materialize_one(const char *sql, const char *project, const char *view,
				TimestampTz end)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		Oid			types[3] = {TIMESTAMPTZOID, TEXTOID, TEXTOID};
		Datum		values[3];

		values[0] = TimestampTzGetDatum(end);
		values[1] = CStringGetTextDatum(view);
		values[2] = CStringGetTextDatum(project);
		spi_run(sql, 3, types, values, SPI_OK_SELECT);
		SPI_freetuptable(SPI_tuptable);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_END_TRY();
	return edata;
}

/*
 * failed_run_start returns the start a failed incremental run of the view
 * had: the end of its last materialization, else end minus the ttl (52
 * weeks without one), no earlier than the earliest timestamp. This is
 * feast_materialize_incremental's rule.
 */
static TimestampTz
failed_run_start(const char *project, const char *view, TimestampTz end)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	Datum		d;
	bool		isnull;
	int64		lookback = DEFAULT_LOOKBACK_USEC;
	TimestampTz start;

	values[0] = CStringGetTextDatum(project);
	values[1] = CStringGetTextDatum(view);
	spi_run("SELECT (SELECT pg_catalog.max(i.end_date) FROM feast.materialization_intervals i "
			"WHERE i.project OPERATOR(pg_catalog.=) $1 "
			"AND i.feature_view OPERATOR(pg_catalog.=) $2), "
			"(SELECT v.ttl FROM feast.feature_views v "
			"WHERE v.project OPERATOR(pg_catalog.=) $1 "
			"AND v.name OPERATOR(pg_catalog.=) $2)",
			2, types, values, SPI_OK_SELECT);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
	{
		start = DatumGetTimestampTz(d);
		SPI_freetuptable(SPI_tuptable);
		return start;
	}
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	if (!isnull)
	{
		Interval   *ttl = DatumGetIntervalP(d);

		/* a ttl has no months or days (a constraint says so) */
		if (ttl->time > 0 && ttl->day == 0 && ttl->month == 0)
			lookback = ttl->time;
	}
	SPI_freetuptable(SPI_tuptable);
	if (pg_sub_s64_overflow(end, lookback, &start) || !IS_VALID_TIMESTAMP(start))
		start = MIN_TIMESTAMP;
	return start;
}

/*
 * record_failure inserts the failed run of a view, as the current user (a
 * member of the project's owner role), in the current transaction.
 */
static void
record_failure(const char *project, const char *view, TimestampTz end,
			   TimestampTz started_at, const char *message)
{
	Oid			types[6] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID,
	TIMESTAMPTZOID, TEXTOID};
	Datum		values[6];

	values[0] = CStringGetTextDatum(project);
	values[1] = CStringGetTextDatum(view);
	values[2] = TimestampTzGetDatum(failed_run_start(project, view, end));
	values[3] = TimestampTzGetDatum(end);
	values[4] = TimestampTzGetDatum(started_at);
	values[5] = CStringGetTextDatum(message);
	spi_run("INSERT INTO feast.materialization_runs "
			"(project, feature_view, start_date, end_date, incremental, status, "
			"rows_read, rows_written, started_at, finished_at, error) "
			"VALUES ($1, $2, $3, $4, true, 'failed', 0, 0, $5, "
			"pg_catalog.clock_timestamp(), $6)",
			6, types, values, SPI_OK_INSERT);
}

/*
 * feast_materialize_scheduled(project): CALL it. Materializes each online
 * feature view of the project incrementally up to the start of its own
 * transaction, commits after each view, records each failure, and ends in
 * an error naming the failed views (with the SQLSTATE of the first).
 */
Datum
ofs_feast_materialize_scheduled(PG_FUNCTION_ARGS)
{
	CallContext *call = (fcinfo->context && IsA(fcinfo->context, CallContext)) ?
		(CallContext *) fcinfo->context : NULL;
	MemoryContext proc_cxt;
	MemoryContext view_cxt;
	char	   *project;
	char	   *sql;
	List	   *views;
	List	   *failures = NIL;
	int			first_code = 0;
	int			nviews = 0;
	ListCell   *lc;
	int			rc;

	if (call == NULL || call->atomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("feast_materialize_scheduled must be called as a statement of its own"),
				 errdetail("It commits after each feature view, which is impossible inside a transaction block or a function."),
				 errhint("Run CALL feast_materialize_scheduled(...) outside BEGIN ... COMMIT.")));

	if ((rc = SPI_connect_ext(SPI_OPT_NONATOMIC)) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect_ext failed: %s", SPI_result_code_string(rc));
	/* SPI's procedure context lives under the portal: it survives commits */
	proc_cxt = CurrentMemoryContext;
	view_cxt = AllocSetContextCreate(proc_cxt, "feast_materialize_scheduled view",
									 ALLOCSET_DEFAULT_SIZES);

	project = RegistryResolveProject(PG_ARGISNULL(0) ? NULL :
									 text_to_cstring(PG_GETARG_TEXT_PP(0)));
	RegistryCheckProjectOwner(project);
	views = RegistryListFeatureViews(project, true);
	sql = psprintf("SELECT FROM %s.feast_materialize_incremental($1, "
				   "ARRAY[$2]::pg_catalog.text[], $3)",
				   quote_identifier(extension_schema(fcinfo)));

	foreach(lc, views)
	{
		const char *view = lfirst(lc);
		TimestampTz end;
		TimestampTz started_at;
		ErrorData  *edata;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(view_cxt);
		MemoryContextSwitchTo(view_cxt);
		if (!view_is_online(project, view))
			continue;
		nviews++;
		end = GetCurrentTransactionStartTimestamp();
		started_at = GetCurrentTimestamp();
		edata = materialize_one(sql, project, view, end);
		if (edata != NULL)
		{
			ViewFailure *f;

			record_failure(project, view, end, started_at, edata->message);
			MemoryContextSwitchTo(proc_cxt);
			f = palloc(sizeof(ViewFailure));
			f->view = pstrdup(view);
			f->message = pstrdup(edata->message);
			failures = lappend(failures, f);
			if (first_code == 0)
				first_code = edata->sqlerrcode;
			if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			{
				/*
				 * The failure is recorded; the cancel ends the run (edata
				 * lives in view_cxt, which survives the commit), without
				 * the context of the statement it interrupted.
				 */
				edata->context = psprintf("feast_materialize_scheduled: feature view \"%s\" of project \"%s\"",
										  view, project);
				edata->internalquery = NULL;
				SPI_commit();
				ReThrowError(edata);
			}
		}
		MemoryContextSwitchTo(proc_cxt);
		SPI_commit();
	}
	MemoryContextSwitchTo(proc_cxt);

	if (failures != NIL)
	{
		StringInfoData names;
		StringInfoData detail;

		initStringInfo(&names);
		initStringInfo(&detail);
		if (nviews == 1)
			appendStringInfoString(&detail, "The project's only online feature view failed.");
		else if (list_length(failures) == nviews)
			appendStringInfo(&detail, "All %d online feature views of the project failed.",
							 nviews);
		else if (nviews - list_length(failures) == 1)
			appendStringInfo(&detail, "%d of %d feature views failed; the other one was materialized.",
							 list_length(failures), nviews);
		else
			appendStringInfo(&detail, "%d of %d feature views failed; the other ones were materialized.",
							 list_length(failures), nviews);
		foreach(lc, failures)
		{
			ViewFailure *f = lfirst(lc);

			appendStringInfo(&names, "%s\"%s\"", names.len > 0 ? ", " : "", f->view);
			appendStringInfo(&detail, "\n\"%s\": %s", f->view, f->message);
		}
		ereport(ERROR,
				(errcode(first_code),
				 errmsg_plural("could not materialize feature view %s of project \"%s\"",
							   "could not materialize feature views %s of project \"%s\"",
							   list_length(failures), names.data, project),
				 errdetail_internal("%s", detail.data),
				 errhint("Each failure is recorded in feast.materialization_runs; feast.feature_view_freshness shows the last status of every feature view.")));
	}
	SPI_finish();
	return (Datum) 0;
}
