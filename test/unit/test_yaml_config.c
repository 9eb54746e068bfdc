/*-------------------------------------------------------------------------
 *
 * test_yaml_config.c
 *		Unit tests of the pure-C feature repo parser (src/yaml_config.c,
 *		src/yaml_tree.c, src/yaml_ttl.c).
 *
 * Built with ASan and UBSan by `make unit`; prints TAP-like lines
 * ("ok N - desc" / "not ok N - desc") and exits non-zero on any failure.
 * Every expectation here was written by hand from the contract in
 * src/yaml_config.h, docs/API.md and STYLE.md section 2.7.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  test/unit/test_yaml_config.c
 *
 *-------------------------------------------------------------------------
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml_config.h"

/* alloc_hook.h is force-included here too; this file allocates for real. */
#undef malloc
#undef calloc

/*
 * The parser's files are compiled for this program with their malloc and
 * calloc routed through these counters (alloc_hook.h, force-included by
 * `make unit`) and with small arena blocks (-DARENA_BLOCK=256: many
 * allocations, so many failure points), so that test_out_of_memory() can
 * make the n-th allocation fail and check that every such failure is
 * reported cleanly and leaks nothing (LSan checks at exit).
 */
static long alloc_count = 0;	/* allocations made by the parser */
static long alloc_fail_at = 0;	/* fail the allocation with this number; 0 = never */

void	   *counted_malloc(size_t n);
void	   *counted_calloc(size_t n, size_t m);

void *
counted_malloc(size_t n)
{
	if (alloc_fail_at > 0 && ++alloc_count == alloc_fail_at)
		return NULL;
	if (alloc_fail_at == 0)
		alloc_count++;
	return malloc(n);
}

void *
counted_calloc(size_t n, size_t m)
{
	if (alloc_fail_at > 0 && ++alloc_count == alloc_fail_at)
		return NULL;
	if (alloc_fail_at == 0)
		alloc_count++;
	return calloc(n, m);
}

static int	ntests = 0;
static int	nfailed = 0;

static void ok(int cond, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
ok(int cond, const char *fmt,...)
{
	va_list		ap;

	ntests++;
	if (!cond)
		nfailed++;
	printf("%sok %d - ", cond ? "" : "not ", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int
streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
diag_str(const char *what, const char *got, const char *want)
{
	printf("#   %s: got [%s], want [%s]\n", what, got ? got : "(null)",
		   want ? want : "(null)");
}

/* Parse a document that must be valid; on failure report the error. */
static OfsConfig *
parse_ok(const char *doc, const char *desc)
{
	OfsError	err;
	OfsConfig  *cfg = OfsConfigParse(doc, strlen(doc), &err);

	ok(cfg != NULL, "parses: %s", desc);
	if (cfg == NULL)
		printf("#   error kind %d at %d:%d: %s / %s / %s\n", err.kind,
			   err.pos.line, err.pos.column, err.message, err.detail, err.hint);
	return cfg;
}

/*
 * A document that must fail with kind at line:col, with exactly msg as the
 * message, and (when given) exactly hint / detail.
 */
static void
expect_err_full(const char *doc, size_t len, OfsErrorKind kind, int line,
				int col, const char *msg, const char *detail, const char *hint,
				const char *desc)
{
	OfsError	err;
	OfsConfig  *cfg = OfsConfigParse(doc, len, &err);
	int			good;

	if (cfg != NULL)
	{
		ok(0, "rejects: %s", desc);
		printf("#   parsed without error\n");
		OfsConfigFree(cfg);
		return;
	}
	good = err.kind == kind && err.pos.line == line && err.pos.column == col &&
		streq(err.message, msg) &&
		(detail == NULL || streq(err.detail, detail)) &&
		(hint == NULL || streq(err.hint, hint));
	ok(good, "rejects: %s", desc);
	if (!good)
	{
		printf("#   kind %d (want %d) at %d:%d (want %d:%d)\n", err.kind, kind,
			   err.pos.line, err.pos.column, line, col);
		diag_str("message", err.message, msg);
		if (detail)
			diag_str("detail", err.detail, detail);
		if (hint)
			diag_str("hint", err.hint, hint);
	}
}

static void
expect_err(const char *doc, OfsErrorKind kind, int line, int col,
		   const char *msg, const char *hint, const char *desc)
{
	expect_err_full(doc, strlen(doc), kind, line, col, msg, NULL, hint, desc);
}

#define CHECK_STR(got, want, what) \
	do { \
		const char *g_ = (got); \
		const char *w_ = (want); \
		ok(streq(g_, w_), "%s", what); \
		if (!streq(g_, w_)) \
			diag_str(what, g_, w_); \
	} while (0)

#define CHECK_INT(got, want, what) \
	do { \
		long long g_ = (long long) (got); \
		long long w_ = (long long) (want); \
		ok(g_ == w_, "%s", what); \
		if (g_ != w_) \
			printf("#   %s: got %lld, want %lld\n", what, g_, w_); \
	} while (0)

#define CHECK_POS(p, l, c, what) \
	do { \
		OfsPos p_ = (p); \
		ok(p_.line == (l) && p_.column == (c), "%s", what); \
		if (!(p_.line == (l) && p_.column == (c))) \
			printf("#   %s: got %d:%d, want %d:%d\n", what, p_.line, p_.column, (l), (c)); \
	} while (0)

/* ----------------------------------------------------------------
 * The example document of API.md
 * ----------------------------------------------------------------
 */
static const char *api_example =
"project: driver_ranking\n"
"provider: local\n"
"online_store:\n"
"  type: postgres            # in-database online tables\n"
"  db_schema: feast_online\n"
"offline_store:\n"
"  type: offline_store\n"
"entity_key_serialization_version: 3\n"
"\n"
"entities:\n"
"  - name: driver\n"
"    join_keys: [driver_id]\n"
"    value_type: INT64\n"
"sources:\n"
"  - name: driver_stats_source\n"
"    type: table                 # table | query | push\n"
"    table: public.driver_hourly_stats       # or  query: SELECT ...\n"
"    timestamp_field: event_timestamp\n"
"    created_timestamp_column: created\n"
"    field_mapping: {conv: conv_rate}         # source column -> feature name\n"
"  - name: driver_stats_push\n"
"    type: push\n"
"    batch_source: driver_stats_source\n"
"feature_views:\n"
"  - name: driver_hourly_stats\n"
"    entities: [driver]\n"
"    ttl: 2h                     # 0 or absent: no lower bound; also 86400s, 1d, P1D, '01:00:00'\n"
"    source: driver_stats_source # or driver_stats_push\n"
"    online: true\n"
"    schema:\n"
"      - {name: conv_rate, dtype: Float32}\n"
"      - {name: acc_rate, dtype: Float32}\n"
"      - {name: avg_daily_trips, dtype: Int64}\n"
"    tags: {team: driver_performance}\n"
"feature_services:\n"
"  - name: driver_activity_v1\n"
"    features:\n"
"      - driver_hourly_stats                 # all features\n"
"      - feature_view: driver_hourly_stats   # a projection\n"
"        name: driver_recent                 # alias (with_name)\n"
"        features: [conv_rate]\n"
"        join_key_map: {driver_id: other_driver_id}\n";

static void
test_api_example(void)
{
	OfsConfig  *c = parse_ok(api_example, "the API.md example");
	OfsSource  *s;
	OfsFeatureView *fv;
	OfsFeatureService *fs;

	if (c == NULL)
		return;
	CHECK_STR(c->project.s, "driver_ranking", "example: project");
	CHECK_POS(c->project.pos, 1, 10, "example: project position");
	CHECK_STR(c->provider.s, "local", "example: provider");
	CHECK_STR(c->description.s, "", "example: project_description defaults to empty");
	CHECK_STR(c->online_store_json, "{\"type\": \"postgres\", \"db_schema\": \"feast_online\"}",
			  "example: online_store JSON");
	CHECK_STR(c->offline_store_json, "{\"type\": \"offline_store\"}",
			  "example: offline_store JSON");
	CHECK_STR(c->online_schema.s, "feast_online", "example: online schema");
	CHECK_POS(c->online_schema.pos, 5, 14, "example: online schema position");
	ok(c->registry_json == NULL && c->batch_engine_json == NULL &&
	   c->materialization_json == NULL && c->auth_json == NULL,
	   "example: absent sections are NULL");
	CHECK_INT(c->entity_key_serialization_version, 3, "example: esv");
	ok(c->coerce_tz_aware, "example: coerce_tz_aware defaults to true");
	ok(c->has_entities && c->has_sources && c->has_feature_views &&
	   c->has_feature_services, "example: all sections present");

	CHECK_INT(c->nentities, 1, "example: one entity");
	CHECK_STR(c->entities[0].name.s, "driver", "example: entity name");
	CHECK_POS(c->entities[0].pos, 11, 5, "example: entity position");
	CHECK_STR(c->entities[0].join_key.s, "driver_id", "example: entity join key");
	CHECK_POS(c->entities[0].join_key.pos, 12, 17, "example: join key position");
	CHECK_STR(c->entities[0].value_type.s, "INT64", "example: entity value type");
	CHECK_STR(c->entities[0].description.s, "", "example: entity description empty");
	CHECK_STR(c->entities[0].owner.s, "", "example: entity owner empty");
	CHECK_INT(c->entities[0].tags.n, 0, "example: entity has no tags");

	CHECK_INT(c->nsources, 2, "example: two sources");
	s = &c->sources[0];
	CHECK_STR(s->name.s, "driver_stats_source", "example: source name");
	ok(s->type == OFS_SOURCE_TABLE, "example: table source");
	CHECK_STR(s->type_text.s, "table", "example: type text");
	CHECK_STR(s->table.s, "public.driver_hourly_stats", "example: table");
	ok(s->query.s == NULL && s->batch_source.s == NULL, "example: no query, no batch source");
	CHECK_STR(s->timestamp_field.s, "event_timestamp", "example: timestamp_field");
	CHECK_STR(s->created_timestamp_column.s, "created", "example: created column");
	ok(s->date_partition_column.s == NULL, "example: no date partition column");
	CHECK_INT(s->field_mapping.n, 1, "example: one field mapping");
	CHECK_STR(s->field_mapping.items[0].key.s, "conv", "example: mapping source column");
	CHECK_STR(s->field_mapping.items[0].value.s, "conv_rate", "example: mapping feature name");
	CHECK_POS(s->field_mapping.items[0].value.pos, 20, 27, "example: mapping value position");
	s = &c->sources[1];
	ok(s->type == OFS_SOURCE_PUSH, "example: push source");
	CHECK_STR(s->batch_source.s, "driver_stats_source", "example: batch source");
	ok(s->timestamp_field.s == NULL, "example: push source has no timestamp_field");

	CHECK_INT(c->nfeature_views, 1, "example: one feature view");
	fv = &c->feature_views[0];
	CHECK_STR(fv->name.s, "driver_hourly_stats", "example: view name");
	CHECK_INT(fv->entities.n, 1, "example: view entities");
	CHECK_STR(fv->entities.items[0].s, "driver", "example: view entity");
	CHECK_STR(fv->ttl.s, "2h", "example: ttl as written");
	CHECK_INT(fv->ttl_usec, INT64_C(7200000000), "example: ttl in usec");
	CHECK_STR(fv->source.s, "driver_stats_source", "example: view source");
	ok(fv->online && fv->offline, "example: online and offline");
	CHECK_INT(fv->nschema, 3, "example: three features");
	CHECK_POS(fv->schema_pos, 31, 7, "example: schema position");
	CHECK_STR(fv->schema[0].name.s, "conv_rate", "example: feature 1");
	CHECK_STR(fv->schema[0].dtype.s, "Float32", "example: feature 1 dtype");
	CHECK_POS(fv->schema[0].pos, 31, 9, "example: feature 1 position");
	CHECK_STR(fv->schema[2].name.s, "avg_daily_trips", "example: feature 3");
	CHECK_STR(fv->schema[2].dtype.s, "Int64", "example: feature 3 dtype");
	CHECK_INT(fv->tags.n, 1, "example: view tags");
	CHECK_STR(fv->tags.items[0].key.s, "team", "example: tag key");
	CHECK_STR(fv->tags.items[0].value.s, "driver_performance", "example: tag value");

	CHECK_INT(c->nfeature_services, 1, "example: one feature service");
	fs = &c->feature_services[0];
	CHECK_STR(fs->name.s, "driver_activity_v1", "example: service name");
	CHECK_INT(fs->nprojections, 2, "example: two projections");
	CHECK_STR(fs->projections[0].feature_view.s, "driver_hourly_stats", "example: projection 1 view");
	ok(!fs->projections[0].has_features && fs->projections[0].alias.s == NULL,
	   "example: projection 1 is all features without alias");
	CHECK_POS(fs->projections[0].pos, 38, 9, "example: projection 1 position");
	CHECK_STR(fs->projections[1].feature_view.s, "driver_hourly_stats", "example: projection 2 view");
	CHECK_STR(fs->projections[1].alias.s, "driver_recent", "example: projection 2 alias");
	ok(fs->projections[1].has_features && fs->projections[1].features.n == 1 &&
	   streq(fs->projections[1].features.items[0].s, "conv_rate"),
	   "example: projection 2 features");
	ok(fs->projections[1].join_key_map.n == 1 &&
	   streq(fs->projections[1].join_key_map.items[0].key.s, "driver_id") &&
	   streq(fs->projections[1].join_key_map.items[0].value.s, "other_driver_id"),
	   "example: projection 2 join key map");
	OfsConfigFree(c);
}

/* ----------------------------------------------------------------
 * Top-level keys and defaults
 * ----------------------------------------------------------------
 */
static void
test_top_level(void)
{
	OfsConfig  *c;

	c = parse_ok("project: p\n", "minimal document");
	if (c)
	{
		CHECK_STR(c->provider.s, "local", "default provider");
		CHECK_STR(c->description.s, "", "default description");
		CHECK_STR(c->online_store_json, "{\"type\": \"postgres\", \"db_schema\": \"feast_online\"}",
				  "default online_store JSON");
		CHECK_STR(c->offline_store_json, "{\"type\": \"offline_store\"}",
				  "default offline_store JSON");
		CHECK_STR(c->online_schema.s, "feast_online", "default online schema");
		CHECK_INT(c->entity_key_serialization_version, 3, "default esv");
		ok(c->coerce_tz_aware, "default coerce_tz_aware");
		ok(!c->has_entities && !c->has_sources && !c->has_feature_views &&
		   !c->has_feature_services, "absent sections are not present");
		ok(c->nentities == 0 && c->entities == NULL, "no entities");
		OfsConfigFree(c);
	}

	c = parse_ok("project: p\n"
				 "project_description: \"My project\"\n"
				 "provider: aws\n"
				 "registry: data/registry.db\n"
				 "online_store:\n"
				 "  type: postgres\n"
				 "  db_schema: my_online\n"
				 "  host: localhost\n"
				 "  port: 5432\n"
				 "  database: feast\n"
				 "  user: u\n"
				 "  password: 'secret'\n"
				 "  sslmode: require\n"
				 "  sslkey_path: /k\n"
				 "  sslcert_path: /c\n"
				 "  sslrootcert_path: /r\n"
				 "  keepalives_idle: 30\n"
				 "  min_conn: 1\n"
				 "  max_conn: 10\n"
				 "  conn_type: pool\n"
				 "  vector_enabled: false\n"
				 "  similarity: cosine\n"
				 "offline_store:\n"
				 "  host: db\n"
				 "  type: postgres\n"
				 "  entity_select_mode: embed_query\n"
				 "  db_schema: public\n"
				 "batch_engine: {type: local, backend: polars}\n"
				 "materialization:\n"
				 "  pull_latest_features: true\n"
				 "  online_write_batch_size: 1000\n"
				 "auth: {type: no_auth}\n"
				 "entity_key_serialization_version: 2\n"
				 "coerce_tz_aware: False\n"
				 "entities: []\n"
				 "sources: []\n"
				 "feature_views: []\n"
				 "feature_services: []\n",
				 "every top-level key");
	if (c)
	{
		CHECK_STR(c->description.s, "My project", "project_description");
		CHECK_STR(c->provider.s, "aws", "provider");
		CHECK_STR(c->registry_json, "\"data/registry.db\"", "registry scalar as JSON string");
		CHECK_STR(c->online_store_json,
				  "{\"type\": \"postgres\", \"db_schema\": \"my_online\", \"host\": \"localhost\", "
				  "\"port\": 5432, \"database\": \"feast\", \"user\": \"u\", "
				  "\"sslmode\": \"require\", \"sslkey_path\": \"/k\", \"sslcert_path\": \"/c\", "
				  "\"sslrootcert_path\": \"/r\", \"keepalives_idle\": 30, \"min_conn\": 1, "
				  "\"max_conn\": 10, \"conn_type\": \"pool\", \"vector_enabled\": false, "
				  "\"similarity\": \"cosine\"}",
				  "online_store JSON keeps every connection key in order, but the password");
		CHECK_INT(c->nsecrets, 1, "one secret left out");
		if (c->nsecrets == 1)
		{
			CHECK_STR(c->secrets[0].s, "online_store.password", "its path");
			CHECK_INT(c->secrets[0].pos.line, 12, "its line");
		}
		ok(c->has_online_store && c->has_offline_store, "both stores present");
		CHECK_STR(c->online_schema.s, "my_online", "online schema from db_schema");
		CHECK_STR(c->offline_store_json,
				  "{\"type\": \"postgres\", \"host\": \"db\", \"entity_select_mode\": \"embed_query\", "
				  "\"db_schema\": \"public\"}",
				  "offline_store JSON: type first, others in order");
		CHECK_STR(c->batch_engine_json, "{\"type\": \"local\", \"backend\": \"polars\"}",
				  "batch_engine JSON");
		CHECK_STR(c->materialization_json,
				  "{\"pull_latest_features\": true, \"online_write_batch_size\": 1000}",
				  "materialization JSON");
		CHECK_STR(c->auth_json, "{\"type\": \"no_auth\"}", "auth JSON");
		CHECK_INT(c->entity_key_serialization_version, 2, "esv 2");
		ok(!c->coerce_tz_aware, "coerce_tz_aware False");
		ok(c->has_entities && c->has_sources && c->has_feature_views &&
		   c->has_feature_services && c->nentities == 0 && c->nsources == 0 &&
		   c->nfeature_views == 0 && c->nfeature_services == 0,
		   "empty sections are present and empty");
		OfsConfigFree(c);
	}

	c = parse_ok("project: p\nonline_store: {db_schema: \"we\\\"ird\"}\n"
				 "offline_store: {type: offline_store}\n"
				 "entity_key_serialization_version: 1\ncoerce_tz_aware: TRUE\n",
				 "online_store without type; esv 1");
	if (c)
	{
		CHECK_STR(c->online_store_json, "{\"type\": \"postgres\", \"db_schema\": \"we\\\"ird\"}",
				  "type default filled in, schema escaped");
		CHECK_STR(c->online_schema.s, "we\"ird", "online schema kept exactly");
		CHECK_INT(c->entity_key_serialization_version, 1, "esv 1");
		ok(c->coerce_tz_aware, "coerce_tz_aware TRUE");
		OfsConfigFree(c);
	}

	/* null values count as absent */
	c = parse_ok("project: p\nproject_description: ~\nprovider: null\nregistry:\n"
				 "online_store: ~\nentities: ~\ncoerce_tz_aware:\n",
				 "null values are absent keys");
	if (c)
	{
		CHECK_STR(c->description.s, "", "null description is empty");
		CHECK_STR(c->provider.s, "local", "null provider defaults");
		ok(c->registry_json == NULL, "null registry is absent");
		CHECK_STR(c->online_schema.s, "feast_online", "null online_store defaults");
		ok(!c->has_entities, "null entities section is absent");
		ok(c->coerce_tz_aware, "null coerce_tz_aware defaults");
		OfsConfigFree(c);
	}

	/* JSON is YAML */
	c = parse_ok("{\"project\": \"j\", \"entities\": [{\"name\": \"e\", \"join_keys\": [\"id\"]}]}",
				 "a JSON document");
	if (c)
	{
		CHECK_STR(c->project.s, "j", "JSON: project");
		ok(c->nentities == 1 && streq(c->entities[0].join_key.s, "id"), "JSON: entity");
		OfsConfigFree(c);
	}

	/* a number as project name is the text as written */
	c = parse_ok("project: 0123\n", "numeric project name");
	if (c)
	{
		CHECK_STR(c->project.s, "0123", "numeric project name kept as written");
		OfsConfigFree(c);
	}

	OfsConfigFree(NULL);
	ok(1, "OfsConfigFree(NULL) is a no-op");
}

/* ----------------------------------------------------------------
 * JSON emission
 * ----------------------------------------------------------------
 */
static void
test_json(void)
{
	OfsConfig  *c;

	c = parse_ok("project: p\n"
				 "registry:\n"
				 "  path: \"a\\\"b\\\\c\\nd\\te\\x01\\x1f\\u00e9\\r\\b\\f/\"\n"
				 "  \"k\\\"ey\": 1\n"
				 "  nested:\n"
				 "    list: [1, -2, +3, 007, 0x1F, 0o17, 1.5, .5, -1.e3, 2E+05, 1e-3]\n"
				 "    quoted: [\"1\", 'true', \"null\", '']\n"
				 "    words: [true, False, ~, null, NULL, yes, no, on, .inf, -.inf, .nan, 1_000]\n"
				 "    deep: {a: {b: [{c: []}, {}]}}\n"
				 "    tagged: [!!str 12, !!int 7, !custom x]\n"
				 "  z: ''\n"
				 "  empty:\n"
				 "  unicode: \"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"\n",
				 "registry with every kind of scalar");
	if (c)
	{
		CHECK_STR(c->registry_json,
				  "{\"path\": \"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\xc3\xa9\\r\\b\\f/\", "
				  "\"k\\\"ey\": 1, "
				  "\"nested\": {\"list\": [1, -2, 3, 7, 31, 15, 1.5, 0.5, -1e3, 2e05, 1e-3], "
				  "\"quoted\": [\"1\", \"true\", \"null\", \"\"], "
				  "\"words\": [true, false, null, null, null, \"yes\", \"no\", \"on\", "
				  "\".inf\", \"-.inf\", \".nan\", \"1_000\"], "
				  "\"deep\": {\"a\": {\"b\": [{\"c\": []}, {}]}}, "
				  "\"tagged\": [\"12\", 7, \"x\"]}, "
				  "\"z\": \"\", \"empty\": null, "
				  "\"unicode\": \"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
				  "registry JSON: escaping, numbers, literals, nesting, order");
		OfsConfigFree(c);
	}

	c = parse_ok("project: p\nauth: [a, [b, {c: d}], 18446744073709551616, 0xFFFFFFFFFFFFFFFF]\n"
				 "batch_engine: 42\nmaterialization: true\n",
				 "sections that are sequences or scalars");
	if (c)
	{
		CHECK_STR(c->auth_json,
				  "[\"a\", [\"b\", {\"c\": \"d\"}], 18446744073709551616, 18446744073709551615]",
				  "auth sequence JSON; big integers stay numbers");
		CHECK_STR(c->batch_engine_json, "42", "batch_engine scalar integer");
		CHECK_STR(c->materialization_json, "true", "materialization scalar boolean");
		OfsConfigFree(c);
	}

	c = parse_ok("project: p\nonline_store:\n  user: \"p\\\"w\\\\\\n\"\n  port: '5432'\n",
				 "online_store escaping");
	if (c)
	{
		CHECK_STR(c->online_store_json,
				  "{\"type\": \"postgres\", \"db_schema\": \"feast_online\", "
				  "\"user\": \"p\\\"w\\\\\\n\", \"port\": \"5432\"}",
				  "online_store JSON escapes; quoted port stays a string");
		ok(c->has_online_store && !c->has_offline_store, "only online_store present");
		OfsConfigFree(c);
	}

	/* connection secrets: left out at any depth, each noted */
	c = parse_ok("project: p\n"
				 "registry: \"postgresql://u:pw@h/db\"\n"
				 "offline_store: {type: postgres, password: x, host: h}\n"
				 "auth:\n"
				 "  Client-Secret: x\n"
				 "  keep: {a: 1, API_KEY: x, list: [1, \"dbname=d  password = x\", \"https://h/a:b@c\"]}\n"
				 "  passphrase_file: x\n"
				 "  pwd: x\n"
				 "  pwds: y\n",
				 "secrets");
	if (c)
	{
		static const char *const paths[] = {
			"registry", "offline_store.password", "auth.Client-Secret",
			"auth.keep.API_KEY", "auth.keep.list[1]", "auth.passphrase_file", "auth.pwd"
		};

		ok(c->registry_json == NULL, "a registry URL with a password is left out");
		CHECK_STR(c->offline_store_json, "{\"type\": \"postgres\", \"host\": \"h\"}",
				  "offline_store without its password");
		CHECK_STR(c->auth_json,
				  "{\"keep\": {\"a\": 1, \"list\": [1, \"https://h/a:b@c\"]}, \"pwds\": \"y\"}",
				  "auth without its secrets");
		CHECK_INT(c->nsecrets, 7, "seven secrets noted");
		for (int i = 0; i < 7 && i < c->nsecrets; i++)
			CHECK_STR(c->secrets[i].s, paths[i], "secret path");
		OfsConfigFree(c);
	}
	ok(OfsHasPassword("postgres://u:p@h", 16) && OfsHasPassword("A+b.c-d://:@", 12) &&
	   !OfsHasPassword("postgres://u@h:5432/x", 21) && !OfsHasPassword("postgres://h/u:p@x", 18) &&
	   !OfsHasPassword("1x://u:p@h", 10) && !OfsHasPassword("x:/u:p@h", 8),
	   "URL passwords");
	ok(OfsHasPassword("password=x", 10) && OfsHasPassword("a\tSSLPassword\n=x", 16) &&
	   !OfsHasPassword("xpassword=x", 11) && !OfsHasPassword("password x", 10) &&
	   !OfsHasPassword("passwor", 7),
	   "conninfo passwords");
	ok(OfsIsSecretKey("Token", 5) && OfsIsSecretKey("access-key", 10) &&
	   OfsIsSecretKey("privatekey", 10) && OfsIsSecretKey("PWD", 3) &&
	   !OfsIsSecretKey("pwds", 4) && !OfsIsSecretKey("sslkey_path", 11) &&
	   !OfsIsSecretKey("api key", 7) && !OfsIsSecretKey("passes", 6),
	   "secret key names");

	expect_err("project: p\nregistry:\n  a: 1\n  b: {x: 1, x: 2}\n",
			   OFS_ERR_DUPLICATE, 4, 13, "duplicate key \"x\" in key \"registry\"", NULL,
			   "duplicate key nested in registry");
	expect_err("project: p\nauth:\n  ? [a]\n  : 1\n",
			   OFS_ERR_WRONG_TYPE, 3, 5, "keys in key \"auth\" must be strings", NULL,
			   "non-scalar key in auth");
}

/* ----------------------------------------------------------------
 * Entities, sources, feature views, feature services
 * ----------------------------------------------------------------
 */
static void
test_entities(void)
{
	OfsConfig  *c;

	c = parse_ok("project: p\n"
				 "entities:\n"
				 "  - name: driver\n"
				 "  - name: customer\n"
				 "    join_keys: [customer_id]\n"
				 "    value_type: Int32\n"
				 "    description: A customer.\n"
				 "    owner: me@example.com\n"
				 "    tags: {a: '1', b: ~, c: 2}\n"
				 "  - {name: 'x', value_type: Float32}\n"
				 "  - {name: 'y', value_type: float64}\n"
				 "  - {name: 'z', value_type: UnixTimestamp}\n"
				 "  - {name: 'w', value_type: unix_timestamp}\n",
				 "entities");
	if (c)
	{
		CHECK_INT(c->nentities, 6, "six entities");
		CHECK_STR(c->entities[0].join_key.s, "driver", "join key defaults to the name");
		ok(c->entities[0].value_type.s == NULL, "value_type absent is NULL");
		CHECK_STR(c->entities[1].join_key.s, "customer_id", "join key");
		CHECK_STR(c->entities[1].value_type.s, "INT32", "Int32 -> INT32");
		CHECK_STR(c->entities[1].description.s, "A customer.", "entity description");
		CHECK_STR(c->entities[1].owner.s, "me@example.com", "entity owner");
		ok(c->entities[1].tags.n == 3 &&
		   streq(c->entities[1].tags.items[0].value.s, "1") &&
		   streq(c->entities[1].tags.items[1].key.s, "b") &&
		   streq(c->entities[1].tags.items[1].value.s, "") &&
		   streq(c->entities[1].tags.items[2].value.s, "2"),
		   "entity tags: null value is empty, numbers as text");
		CHECK_STR(c->entities[2].value_type.s, "FLOAT", "Float32 -> FLOAT");
		CHECK_STR(c->entities[3].value_type.s, "DOUBLE", "float64 -> DOUBLE");
		CHECK_STR(c->entities[4].value_type.s, "UNIX_TIMESTAMP", "UnixTimestamp -> UNIX_TIMESTAMP");
		CHECK_STR(c->entities[5].value_type.s, "UNIX_TIMESTAMP", "unix_timestamp -> UNIX_TIMESTAMP");
		CHECK_POS(c->entities[1].value_type.pos, 6, 17, "value_type position");
		OfsConfigFree(c);
	}

	expect_err("project: p\nentities:\n  - name: e\n    value_type: INT128\n",
			   OFS_ERR_INVALID_VALUE, 4, 17,
			   "invalid value for key \"value_type\" in entity \"e\": \"INT128\"",
			   "Valid value types are: INT32, INT64, FLOAT, DOUBLE, STRING, BYTES, BOOL, UNIX_TIMESTAMP.",
			   "invalid value_type");
	expect_err("project: p\nentities:\n  - name: e\n    join_keys: [a, b]\n",
			   OFS_ERR_INVALID_VALUE, 4, 16,
			   "key \"join_keys\" in entity \"e\" must list exactly one join key", NULL,
			   "two join keys");
	expect_err("project: p\nentities:\n  - name: e\n    join_keys: []\n",
			   OFS_ERR_INVALID_VALUE, 4, 16,
			   "key \"join_keys\" in entity \"e\" must list exactly one join key", NULL,
			   "no join key");
	expect_err("project: p\nentities:\n  - name: e\n    join_keys: ['']\n",
			   OFS_ERR_INVALID_VALUE, 4, 17,
			   "entries of key \"join_keys\" in entity \"e\" must not be empty", NULL,
			   "empty join key");
	expect_err("project: p\nentities:\n  - name: e\n    join_keys: a\n",
			   OFS_ERR_WRONG_TYPE, 4, 16,
			   "key \"join_keys\" in entity \"e\" must be a sequence", NULL,
			   "join_keys scalar");
	expect_err("project: p\nentities:\n  - name: e\n    join_keys: [[a]]\n",
			   OFS_ERR_WRONG_TYPE, 4, 17,
			   "entries of key \"join_keys\" in entity \"e\" must be strings", NULL,
			   "join_keys nested sequence");
	expect_err("project: p\nentities:\n  - join_keys: [a]\n",
			   OFS_ERR_MISSING_KEY, 3, 5,
			   "missing required key \"name\" in entity", NULL,
			   "entity without name");
	expect_err("project: p\nentities:\n  - name: ''\n",
			   OFS_ERR_INVALID_VALUE, 3, 11,
			   "key \"name\" in entity must not be empty", NULL,
			   "entity with empty name");
	expect_err("project: p\nentities:\n  - name: [a]\n",
			   OFS_ERR_WRONG_TYPE, 3, 11,
			   "key \"name\" in entity must be a string", NULL,
			   "entity name is a sequence");
	expect_err("project: p\nentities:\n  - name: e\n    joinkeys: [a]\n",
			   OFS_ERR_UNKNOWN_KEY, 4, 5,
			   "unrecognized key \"joinkeys\" in entity \"e\"",
			   "Valid keys are: name, join_keys, value_type, description, owner, tags.",
			   "unknown key in entity");
	expect_err("project: p\nentities:\n  - name: e\n  - name: f\n  - name: e\n",
			   OFS_ERR_DUPLICATE, 5, 11,
			   "entity \"e\" is defined more than once", NULL,
			   "duplicate entity");
	expect_err("project: p\nentities:\n  - name: e\n    name: f\n",
			   OFS_ERR_DUPLICATE, 4, 5,
			   "duplicate key \"name\" in entity", NULL,
			   "duplicate key in entity");
	expect_err("project: p\nentities:\n  - name: e\n    tags: {a: 1, a: 2}\n",
			   OFS_ERR_DUPLICATE, 4, 18,
			   "duplicate key \"a\" in key \"tags\" in entity \"e\"", NULL,
			   "duplicate tag");
	expect_err("project: p\nentities:\n  - name: e\n    tags: {a: [1]}\n",
			   OFS_ERR_WRONG_TYPE, 4, 15,
			   "values in key \"tags\" in entity \"e\" must be strings", NULL,
			   "tag value is a sequence");
	expect_err("project: p\nentities:\n  - name: e\n    tags: [a]\n",
			   OFS_ERR_WRONG_TYPE, 4, 11,
			   "key \"tags\" in entity \"e\" must be a mapping", NULL,
			   "tags is a sequence");
	expect_err("project: p\nentities:\n  - name: e\n    tags: {'': x}\n",
			   OFS_ERR_INVALID_VALUE, 4, 12,
			   "keys in key \"tags\" in entity \"e\" must not be empty", NULL,
			   "empty tag key");
	expect_err("project: p\nentities: e\n",
			   OFS_ERR_WRONG_TYPE, 2, 11,
			   "key \"entities\" in feature store configuration must be a sequence", NULL,
			   "entities is a scalar");
	expect_err("project: p\nentities: [e]\n",
			   OFS_ERR_WRONG_TYPE, 2, 12,
			   "entries of key \"entities\" must be mappings", NULL,
			   "entity is a scalar");
}

static void
test_sources(void)
{
	OfsConfig  *c;

	c = parse_ok("project: p\n"
				 "sources:\n"
				 "  - name: t\n"
				 "    table: '\"My Schema\".\"T\"'\n"
				 "    timestamp_field: ts\n"
				 "    date_partition_column: day\n"
				 "    field_mapping: {a: b, b: a, c: c}\n"
				 "    description: d\n"
				 "    owner: o\n"
				 "    tags: {k: v}\n"
				 "  - name: q\n"
				 "    query: SELECT 1 AS x, now() AS ts\n"
				 "    timestamp_field: ts\n"
				 "  - name: pu\n"
				 "    batch_source: t\n"
				 "  - name: q2\n"
				 "    type: query\n"
				 "    query: |\n"
				 "      SELECT *\n"
				 "      FROM t\n"
				 "    timestamp_field: ts\n"
				 "    created_timestamp_column: created\n"
				 "  - name: t2\n"
				 "    type: table\n"
				 "    table: t\n"
				 "    query: ~\n"
				 "    timestamp_field: ts\n",
				 "sources of every type");
	if (c)
	{
		OfsSource  *s = c->sources;

		CHECK_INT(c->nsources, 5, "five sources");
		ok(s[0].type == OFS_SOURCE_TABLE && streq(s[0].type_text.s, "table"),
		   "type inferred from table");
		CHECK_STR(s[0].table.s, "\"My Schema\".\"T\"", "table kept as written");
		CHECK_STR(s[0].date_partition_column.s, "day", "date_partition_column");
		ok(s[0].field_mapping.n == 3 && streq(s[0].field_mapping.items[1].key.s, "b") &&
		   streq(s[0].field_mapping.items[1].value.s, "a"),
		   "field_mapping swapping names is fine");
		CHECK_STR(s[0].description.s, "d", "source description");
		CHECK_STR(s[0].owner.s, "o", "source owner");
		ok(s[0].tags.n == 1 && streq(s[0].tags.items[0].value.s, "v"), "source tags");
		ok(s[1].type == OFS_SOURCE_QUERY && streq(s[1].type_text.s, "query"),
		   "type inferred from query");
		CHECK_STR(s[1].query.s, "SELECT 1 AS x, now() AS ts", "query text");
		ok(s[2].type == OFS_SOURCE_PUSH && streq(s[2].type_text.s, "push"),
		   "type inferred from batch_source");
		CHECK_STR(s[2].description.s, "", "push description empty");
		ok(s[3].type == OFS_SOURCE_QUERY, "explicit query type");
		CHECK_STR(s[3].query.s, "SELECT *\nFROM t\n", "literal block query");
		CHECK_STR(s[3].created_timestamp_column.s, "created", "created_timestamp_column");
		ok(s[4].type == OFS_SOURCE_TABLE && s[4].query.s == NULL,
		   "null query on a table source is absent");
		OfsConfigFree(c);
	}

	expect_err("project: p\nsources:\n  - name: s\n    timestamp_field: ts\n",
			   OFS_ERR_MISSING_KEY, 3, 5,
			   "missing required key \"table\", \"query\" or \"batch_source\" in data source \"s\"",
			   NULL, "source without type, table, query, batch_source");
	expect_err("project: p\nsources:\n  - name: s\n    type: table\n    timestamp_field: ts\n",
			   OFS_ERR_MISSING_KEY, 3, 5,
			   "missing required key \"table\" in data source \"s\"", NULL,
			   "table source without table");
	expect_err("project: p\nsources:\n  - name: s\n    type: push\n",
			   OFS_ERR_MISSING_KEY, 3, 5,
			   "missing required key \"batch_source\" in data source \"s\"", NULL,
			   "push source without batch_source");
	expect_err("project: p\nsources:\n  - name: s\n    table: t\n",
			   OFS_ERR_MISSING_KEY, 3, 5,
			   "missing required key \"timestamp_field\" in data source \"s\"", NULL,
			   "table source without timestamp_field");
	expect_err("project: p\nsources:\n  - name: s\n    type: table\n    table: t\n"
			   "    query: SELECT 1\n    timestamp_field: ts\n",
			   OFS_ERR_UNKNOWN_KEY, 6, 5,
			   "key \"query\" is not valid in table data source \"s\"",
			   "Valid keys for a table data source are: name, type, table, timestamp_field, "
			   "created_timestamp_column, date_partition_column, field_mapping, description, owner, tags.",
			   "query on a table source");
	expect_err("project: p\nsources:\n  - name: s\n    type: push\n    batch_source: b\n"
			   "    table: t\n",
			   OFS_ERR_UNKNOWN_KEY, 6, 5,
			   "key \"table\" is not valid in push data source \"s\"",
			   "Valid keys for a push data source are: name, type, batch_source, description, owner, tags.",
			   "table on a push source");
	expect_err("project: p\nsources:\n  - name: s\n    batch_source: b\n    timestamp_field: ts\n",
			   OFS_ERR_UNKNOWN_KEY, 5, 5,
			   "key \"timestamp_field\" is not valid in push data source \"s\"", NULL,
			   "timestamp_field on a push source");
	expect_err("project: p\nsources:\n  - name: s\n    type: query\n    query: q\n"
			   "    timestamp_field: ts\n    table: t\n",
			   OFS_ERR_UNKNOWN_KEY, 7, 5,
			   "key \"table\" is not valid in query data source \"s\"", NULL,
			   "table on a query source");
	expect_err("project: p\nsources:\n  - name: s\n    table: t\n    query: q\n    timestamp_field: ts\n",
			   OFS_ERR_CONFLICT, 3, 5,
			   "data source \"s\" has more than one of the keys \"table\", \"query\" and \"batch_source\"",
			   "Set \"type\" to table, query or push.",
			   "table and query without type");
	expect_err("project: p\nsources:\n  - name: s\n    type: file\n    table: t\n",
			   OFS_ERR_INVALID_VALUE, 4, 11,
			   "invalid value for key \"type\" in data source \"s\": \"file\"",
			   "Valid types are: table, query, push.",
			   "invalid source type");
	expect_err("project: p\nsources:\n  - name: s\n    tabel: t\n",
			   OFS_ERR_UNKNOWN_KEY, 4, 5,
			   "unrecognized key \"tabel\" in data source \"s\"",
			   "Valid keys are: name, type, table, query, batch_source, timestamp_field, "
			   "created_timestamp_column, date_partition_column, field_mapping, description, owner, tags.",
			   "unknown key in source");
	expect_err("project: p\nsources:\n  - name: s\n    table: t\n    timestamp_field: ts\n"
			   "    field_mapping:\n      a: x\n      b: y\n      c: x\n",
			   OFS_ERR_CONFLICT, 9, 10,
			   "columns \"a\" and \"c\" of data source \"s\" are both mapped to \"x\" in key \"field_mapping\"",
			   NULL, "field_mapping conflict");
	expect_err("project: p\nsources:\n  - name: s\n    table: t\n    timestamp_field: ts\n"
			   "    field_mapping: {a: x, a: y}\n",
			   OFS_ERR_DUPLICATE, 6, 27,
			   "duplicate key \"a\" in key \"field_mapping\" in data source \"s\"", NULL,
			   "field_mapping source column twice");
	expect_err("project: p\nsources:\n  - name: s\n    table: t\n    timestamp_field: ts\n"
			   "    field_mapping: {a: ''}\n",
			   OFS_ERR_INVALID_VALUE, 6, 24,
			   "values in key \"field_mapping\" in data source \"s\" must not be empty", NULL,
			   "field_mapping to an empty name");
	expect_err("project: p\nsources:\n  - name: s\n    table: t\n    timestamp_field: ts\n"
			   "    field_mapping: {a: ~}\n",
			   OFS_ERR_INVALID_VALUE, 6, 24,
			   "values in key \"field_mapping\" in data source \"s\" must not be empty", NULL,
			   "field_mapping to null");
	expect_err("project: p\nsources:\n  - name: s\n    table: t\n    timestamp_field: ''\n",
			   OFS_ERR_INVALID_VALUE, 5, 22,
			   "key \"timestamp_field\" in data source \"s\" must not be empty", NULL,
			   "empty timestamp_field");
	expect_err("project: p\nsources:\n  - {name: s, table: t, timestamp_field: ts}\n"
			   "  - {name: s, query: q, timestamp_field: ts}\n",
			   OFS_ERR_DUPLICATE, 4, 12,
			   "data source \"s\" is defined more than once", NULL,
			   "duplicate source");
}

static const char *fv_prefix = "project: p\nfeature_views:\n  - name: v\n    source: s\n";

static void
test_feature_views(void)
{
	OfsConfig  *c;
	char		doc[4096];

	c = parse_ok("project: p\n"
				 "feature_views:\n"
				 "  - name: v\n"
				 "    source: s\n"
				 "    schema:\n"
				 "      - name: a\n"
				 "        dtype: float32\n"
				 "        description: the a\n"
				 "        tags: {x: y}\n"
				 "      - {name: b, dtype: 'Array(int64)'}\n"
				 "      - {name: c, dtype: UNIXTIMESTAMP}\n"
				 "      - {name: d, dtype: array( string )}\n"
				 "  - name: w\n"
				 "    entities: [e1, e2]\n"
				 "    ttl: 7200\n"
				 "    source: s\n"
				 "    online: false\n"
				 "    offline: FALSE\n"
				 "    description: dd\n"
				 "    owner: oo\n"
				 "    tags: {t: u}\n"
				 "    schema: [{name: a, dtype: Bool}]\n"
				 "  - {name: x, source: s, ttl: 0, schema: [{name: a, dtype: Bytes}], online: True}\n",
				 "feature views");
	if (c)
	{
		OfsFeatureView *v = c->feature_views;

		CHECK_INT(c->nfeature_views, 3, "three views");
		CHECK_INT(v[0].entities.n, 0, "entities default to [] (entity-less)");
		ok(v[0].ttl.s == NULL && v[0].ttl_usec == 0, "ttl absent: NULL and 0");
		ok(v[0].online && v[0].offline, "online and offline default to true");
		CHECK_STR(v[0].schema[0].dtype.s, "Float32", "float32 -> Float32");
		CHECK_STR(v[0].schema[0].description.s, "the a", "field description");
		ok(v[0].schema[0].tags.n == 1 && streq(v[0].schema[0].tags.items[0].key.s, "x"),
		   "field tags");
		CHECK_STR(v[0].schema[1].dtype.s, "Array(Int64)", "Array(int64) -> Array(Int64)");
		CHECK_STR(v[0].schema[1].description.s, "", "field description defaults to empty");
		CHECK_STR(v[0].schema[2].dtype.s, "UnixTimestamp", "UNIXTIMESTAMP -> UnixTimestamp");
		CHECK_STR(v[0].schema[3].dtype.s, "Array(String)", "array( string ) -> Array(String)");
		CHECK_STR(v[0].description.s, "", "view description defaults to empty");
		ok(v[1].entities.n == 2 && streq(v[1].entities.items[1].s, "e2"), "view entities");
		CHECK_POS(v[1].entities.pos, 14, 15, "view entities position");
		CHECK_STR(v[1].ttl.s, "7200", "integer ttl as written");
		CHECK_INT(v[1].ttl_usec, INT64_C(7200000000), "integer ttl is seconds");
		ok(!v[1].online && !v[1].offline, "online false, offline FALSE");
		CHECK_STR(v[1].description.s, "dd", "view description");
		CHECK_STR(v[1].owner.s, "oo", "view owner");
		ok(v[1].tags.n == 1 && streq(v[1].tags.items[0].value.s, "u"), "view tags");
		ok(streq(v[2].ttl.s, "0") && v[2].ttl_usec == 0 && v[2].online, "ttl 0, online True");
		OfsConfigFree(c);
	}

	snprintf(doc, sizeof(doc), "%s    ttl: 1y\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 10,
			   "invalid value for key \"ttl\" in feature view \"v\": \"1y\"",
			   "Use seconds (7200), a number with a unit (7200s, 90m, 2h, 1d, 1w, 500ms, "
			   "1.5h, 1h30m), an ISO 8601 duration (PT2H, P1DT2H30M) or HH:MM:SS (02:00:00).",
			   "invalid ttl");
	snprintf(doc, sizeof(doc), "%s    ttl: -5\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 10,
			   "invalid value for key \"ttl\" in feature view \"v\": \"-5\"", NULL,
			   "negative ttl");
	snprintf(doc, sizeof(doc), "%s    ttl: 9223372036855\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 10,
			   "invalid value for key \"ttl\" in feature view \"v\": \"9223372036855\"", NULL,
			   "ttl overflowing int64 microseconds");
	snprintf(doc, sizeof(doc), "%s    ttl: P1M\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 10,
			   "invalid value for key \"ttl\" in feature view \"v\": \"P1M\"", NULL,
			   "ttl in months");
	snprintf(doc, sizeof(doc), "%s    ttl: ''\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 10,
			   "invalid value for key \"ttl\" in feature view \"v\": \"\"", NULL,
			   "empty ttl");
	snprintf(doc, sizeof(doc), "%s    ttl: [1]\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 10,
			   "key \"ttl\" in feature view \"v\" must be a duration", NULL,
			   "ttl is a sequence");
	snprintf(doc, sizeof(doc), "%s    online: maybe\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 13,
			   "key \"online\" in feature view \"v\" must be a boolean", "Use true or false.",
			   "online: maybe");
	snprintf(doc, sizeof(doc), "%s    offline: yes\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 14,
			   "key \"offline\" in feature view \"v\" must be a boolean", NULL,
			   "offline: yes (YAML 1.1 boolean) is rejected");
	snprintf(doc, sizeof(doc), "%s    online: 'true'\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 13,
			   "key \"online\" in feature view \"v\" must be a boolean", NULL,
			   "quoted 'true' is a string, not a boolean");
	snprintf(doc, sizeof(doc), "%s    online: tRUE\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 13,
			   "key \"online\" in feature view \"v\" must be a boolean", NULL,
			   "tRUE is not a boolean");
	snprintf(doc, sizeof(doc), "%s    schema: [{name: a, dtype: Float16}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 31,
			   "invalid value for key \"dtype\" in field \"a\" of feature view \"v\": \"Float16\"",
			   "Valid dtypes are: Int32, Int64, Float32, Float64, String, Bytes, Bool, "
			   "UnixTimestamp, and Array(...) of each.",
			   "invalid dtype");
	snprintf(doc, sizeof(doc), "%s    schema: [{name: a, dtype: 'Array(Array(Int64))'}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 31,
			   "invalid value for key \"dtype\" in field \"a\" of feature view \"v\": \"Array(Array(Int64))\"",
			   NULL, "nested Array dtype");
	snprintf(doc, sizeof(doc), "%s    schema: [{name: a}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_MISSING_KEY, 5, 14,
			   "missing required key \"dtype\" in field \"a\" of feature view \"v\"", NULL,
			   "field without dtype");
	snprintf(doc, sizeof(doc), "%s    schema: [{dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_MISSING_KEY, 5, 14,
			   "missing required key \"name\" in field of feature view \"v\"", NULL,
			   "field without name");
	snprintf(doc, sizeof(doc), "%s    schema: [{name: a, dtype: Int64, type: x}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_UNKNOWN_KEY, 5, 38,
			   "unrecognized key \"type\" in field \"a\" of feature view \"v\"",
			   "Valid keys are: name, dtype, description, tags.",
			   "unknown key in field");
	snprintf(doc, sizeof(doc), "%s    schema: [a]\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 14,
			   "field of feature view \"v\" must be a mapping", NULL,
			   "field is a scalar");
	snprintf(doc, sizeof(doc), "%s    schema: []\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 13,
			   "key \"schema\" in feature view \"v\" must not be empty", NULL,
			   "empty schema");
	snprintf(doc, sizeof(doc), "%s    schema: {a: Int64}\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 13,
			   "key \"schema\" in feature view \"v\" must be a sequence", NULL,
			   "schema is a mapping");
	snprintf(doc, sizeof(doc), "%s", fv_prefix);
	expect_err(doc, OFS_ERR_MISSING_KEY, 3, 5,
			   "missing required key \"schema\" in feature view \"v\"", NULL,
			   "view without schema");
	expect_err("project: p\nfeature_views:\n  - name: v\n    schema: [{name: a, dtype: Int64}]\n",
			   OFS_ERR_MISSING_KEY, 3, 5,
			   "missing required key \"source\" in feature view \"v\"", NULL,
			   "view without source");
	snprintf(doc, sizeof(doc), "%s    schema:\n      - {name: a, dtype: Int64}\n"
			 "      - {name: b, dtype: Int64}\n      - {name: a, dtype: Int32}\n", fv_prefix);
	expect_err(doc, OFS_ERR_DUPLICATE, 8, 16,
			   "feature \"a\" is defined more than once in feature view \"v\"", NULL,
			   "duplicate feature");
	snprintf(doc, sizeof(doc), "%s    entities: [a, b, a]\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_DUPLICATE, 5, 22,
			   "\"a\" is listed more than once in key \"entities\" in feature view \"v\"", NULL,
			   "duplicate entity in view");
	snprintf(doc, sizeof(doc), "%s    entities: driver\n    schema: [{name: a, dtype: Int64}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 15,
			   "key \"entities\" in feature view \"v\" must be a sequence", NULL,
			   "view entities is a scalar");
	snprintf(doc, sizeof(doc), "%s    schema: [{name: a, dtype: Int64}]\n    ttl2: 1\n", fv_prefix);
	expect_err(doc, OFS_ERR_UNKNOWN_KEY, 6, 5,
			   "unrecognized key \"ttl2\" in feature view \"v\"",
			   "Valid keys are: name, entities, ttl, source, online, offline, schema, "
			   "aggregations, description, owner, tags.",
			   "unknown key in view");
	expect_err("project: p\nfeature_views:\n"
			   "  - {name: v, source: s, schema: [{name: a, dtype: Int64}]}\n"
			   "  - {name: v, source: s, schema: [{name: a, dtype: Int64}]}\n",
			   OFS_ERR_DUPLICATE, 4, 12,
			   "feature view \"v\" is defined more than once", NULL,
			   "duplicate view");
}

/* ----------------------------------------------------------------
 * Windowed aggregations
 * ----------------------------------------------------------------
 */
static void
test_aggregations(void)
{
	OfsConfig  *c;
	char		doc[4096];

	c = parse_ok("project: p\n"
				 "feature_views:\n"
				 "  - name: v\n"
				 "    source: s\n"
				 "    schema: [{name: amount, dtype: Float64}]\n"
				 "    aggregations:\n"
				 "      - {column: amount, function: sum, time_window: 7d}\n"
				 "      - {column: amount, function: count, time_window: 1h, name: orders_1h}\n"
				 "      - column: amount\n"
				 "        function: stddev\n"
				 "        time_window: PT90M\n"
				 "  - name: w\n"
				 "    source: s\n"
				 "    aggregations: [{column: x, function: mean, time_window: 0.5s}]\n"
				 "  - name: x\n"
				 "    source: s\n"
				 "    schema: []\n"
				 "    aggregations: [{column: x, function: max, time_window: '01:00:00'}]\n",
				 "aggregations");
	if (c)
	{
		OfsFeatureView *v = c->feature_views;

		CHECK_INT(v[0].naggregations, 3, "three aggregations");
		CHECK_STR(v[0].aggregations[0].column.s, "amount", "aggregation column");
		CHECK_STR(v[0].aggregations[0].function.s, "sum", "aggregation function");
		CHECK_STR(v[0].aggregations[0].time_window.s, "7d", "time window as written");
		CHECK_INT(v[0].aggregations[0].window_usec, INT64_C(604800000000), "7d in microseconds");
		ok(v[0].aggregations[0].name.s == NULL, "name absent: NULL");
		CHECK_STR(v[0].aggregations[0].result_name, "sum_amount", "default name <function>_<column>");
		CHECK_POS(v[0].aggregations[0].pos, 7, 9, "aggregation position");
		CHECK_STR(v[0].aggregations[1].result_name, "orders_1h", "explicit name");
		CHECK_POS(v[0].aggregations[1].name.pos, 8, 66, "name position");
		CHECK_INT(v[0].aggregations[1].window_usec, INT64_C(3600000000), "1h");
		CHECK_STR(v[0].aggregations[2].result_name, "stddev_amount", "block mapping");
		CHECK_INT(v[0].aggregations[2].window_usec, INT64_C(5400000000), "PT90M");
		CHECK_POS(v[0].aggregations_pos, 7, 7, "aggregations position");
		CHECK_INT(v[1].nschema, 0, "a view without schema");
		CHECK_STR(v[1].aggregations[0].result_name, "mean_x", "mean");
		CHECK_INT(v[1].aggregations[0].window_usec, 500000, "sub-second window");
		CHECK_INT(v[2].nschema, 0, "an empty schema beside aggregations");
		CHECK_INT(v[2].aggregations[0].window_usec, INT64_C(3600000000), "HH:MM:SS window");
		CHECK_INT(c->feature_views[0].nschema, 1, "schema beside aggregations");
		OfsConfigFree(c);
	}

	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, function: median, time_window: 1d}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 42,
			   "invalid value for key \"function\" in aggregation \"median_a\" of feature view \"v\": \"median\"",
			   "Valid functions are: sum, count, mean, min, max, stddev.",
			   "unknown aggregation function");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, function: SUM, time_window: 1d}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 42,
			   "invalid value for key \"function\" in aggregation \"SUM_a\" of feature view \"v\": \"SUM\"",
			   NULL, "function names are lower case, as Feast's");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, function: sum, time_window: 0}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 60,
			   "invalid value for key \"time_window\" in aggregation \"sum_a\" of feature view \"v\": \"0\"",
			   "A time window is a positive duration: seconds (3600), a number with a unit "
			   "(90m, 2h, 7d, 1w), an ISO 8601 duration (P7D) or HH:MM:SS (01:00:00).",
			   "zero time window");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, function: sum, time_window: -1h}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 60,
			   "invalid value for key \"time_window\" in aggregation \"sum_a\" of feature view \"v\": \"-1h\"",
			   NULL, "negative time window");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, function: sum, time_window: P1M}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 60,
			   "invalid value for key \"time_window\" in aggregation \"sum_a\" of feature view \"v\": \"P1M\"",
			   NULL, "a time window in months is not exact");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, function: sum, time_window: 1 week}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 60,
			   "invalid value for key \"time_window\" in aggregation \"sum_a\" of feature view \"v\": \"1 week\"",
			   NULL, "an unknown time window spelling");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, function: sum, time_window: [1]}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 60,
			   "key \"time_window\" in aggregation \"sum_a\" of feature view \"v\" must be a duration",
			   NULL, "a time window that is a sequence");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, function: sum}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_MISSING_KEY, 5, 20,
			   "missing required key \"time_window\" in aggregation \"sum_a\" of feature view \"v\"",
			   NULL, "no time window");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{function: sum, time_window: 1h}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_MISSING_KEY, 5, 20,
			   "missing required key \"column\" in aggregation of feature view \"v\"",
			   NULL, "no column");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, time_window: 1h}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_MISSING_KEY, 5, 20,
			   "missing required key \"function\" in aggregation of feature view \"v\"",
			   NULL, "no function");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: '', function: sum, time_window: 1h}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 29,
			   "key \"column\" in aggregation of feature view \"v\" must not be empty",
			   NULL, "empty column");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, function: sum, time_window: 1h, name: ''}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 70,
			   "key \"name\" in aggregation of feature view \"v\" must not be empty",
			   NULL, "empty name");
	snprintf(doc, sizeof(doc), "%s    aggregations: [{column: a, function: sum, time_window: 1h, slide_interval: 1m}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_UNKNOWN_KEY, 5, 64,
			   "unrecognized key \"slide_interval\" in aggregation of feature view \"v\"",
			   "Valid keys are: column, function, time_window, name.",
			   "unknown key in an aggregation");
	snprintf(doc, sizeof(doc), "%s    aggregations: [sum]\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 20,
			   "aggregation of feature view \"v\" must be a mapping", NULL,
			   "aggregation is a scalar");
	snprintf(doc, sizeof(doc), "%s    aggregations: {column: a}\n", fv_prefix);
	expect_err(doc, OFS_ERR_WRONG_TYPE, 5, 19,
			   "key \"aggregations\" in feature view \"v\" must be a sequence", NULL,
			   "aggregations is a mapping");
	snprintf(doc, sizeof(doc), "%s    aggregations:\n"
			 "      - {column: a, function: sum, time_window: 1h}\n"
			 "      - {column: a, function: sum, time_window: 1d}\n", fv_prefix);
	expect_err(doc, OFS_ERR_DUPLICATE, 7, 9,
			   "aggregation \"sum_a\" is defined more than once in feature view \"v\"",
			   "Give one of them a name of its own with key \"name\".",
			   "two aggregations with the same default name");
	snprintf(doc, sizeof(doc), "%s    aggregations:\n"
			 "      - {column: a, function: sum, time_window: 1h, name: n}\n"
			 "      - {column: b, function: max, time_window: 1d, name: n}\n", fv_prefix);
	expect_err(doc, OFS_ERR_DUPLICATE, 7, 59,
			   "aggregation \"n\" is defined more than once in feature view \"v\"",
			   "", "two aggregations with the same explicit name");
	snprintf(doc, sizeof(doc), "%s    aggregations:\n"
			 "      - {column: a, function: sum, time_window: 1h, name: count_b}\n"
			 "      - {column: b, function: count, time_window: 1d}\n", fv_prefix);
	expect_err(doc, OFS_ERR_DUPLICATE, 7, 9,
			   "aggregation \"count_b\" is defined more than once in feature view \"v\"",
			   NULL, "an explicit name equal to another's default name");
	snprintf(doc, sizeof(doc), "%s    schema: [{name: sum_a, dtype: Int64}]\n"
			 "    aggregations: [{column: a, function: sum, time_window: 1h}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_DUPLICATE, 6, 20,
			   "aggregation \"sum_a\" of feature view \"v\" has the name of a field of its schema",
			   "Give the aggregation a name of its own with key \"name\".",
			   "an aggregation named like a field of the schema");
	snprintf(doc, sizeof(doc), "%s    schema: [{name: a, dtype: Int64}]\n"
			 "    aggregations: [{column: a, function: sum, time_window: 1h, name: a}]\n", fv_prefix);
	expect_err(doc, OFS_ERR_DUPLICATE, 6, 70,
			   "aggregation \"a\" of feature view \"v\" has the name of a field of its schema",
			   "", "an explicit name equal to a field's");
	snprintf(doc, sizeof(doc), "%s    aggregations: []\n", fv_prefix);
	expect_err(doc, OFS_ERR_MISSING_KEY, 3, 5,
			   "missing required key \"schema\" in feature view \"v\"",
			   "A feature view needs a schema, aggregations, or both.",
			   "no schema and no aggregations");
	snprintf(doc, sizeof(doc), "%s    schema: []\n    aggregations: []\n", fv_prefix);
	expect_err(doc, OFS_ERR_INVALID_VALUE, 5, 13,
			   "key \"schema\" in feature view \"v\" must not be empty", NULL,
			   "an empty schema and no aggregations");
}

static void
test_feature_services(void)
{
	OfsConfig  *c;

	c = parse_ok("project: p\n"
				 "feature_services:\n"
				 "  - name: s\n"
				 "    description: sd\n"
				 "    owner: so\n"
				 "    tags: {a: b}\n"
				 "    features:\n"
				 "      - v1\n"
				 "      - feature_view: v2\n"
				 "      - feature_view: v3\n"
				 "        features: [f]\n"
				 "  - name: t\n"
				 "    features: []\n",
				 "feature services");
	if (c)
	{
		OfsFeatureService *s = c->feature_services;

		CHECK_INT(c->nfeature_services, 2, "two services");
		CHECK_STR(s[0].description.s, "sd", "service description");
		CHECK_STR(s[0].owner.s, "so", "service owner");
		ok(s[0].tags.n == 1, "service tags");
		CHECK_INT(s[0].nprojections, 3, "three projections");
		ok(!s[0].projections[1].has_features && s[0].projections[1].alias.s == NULL &&
		   s[0].projections[1].join_key_map.n == 0,
		   "mapping projection without features: all features");
		ok(s[0].projections[2].has_features && s[0].projections[2].features.n == 1,
		   "features: [f] is present");
		CHECK_INT(s[1].nprojections, 0, "empty service");
		OfsConfigFree(c);
	}

	expect_err("project: p\nfeature_services:\n  - name: s\n    features:\n      - feature_view: v\n        features: []\n",
			   OFS_ERR_INVALID_VALUE, 6, 19,
			   "key \"features\" in projection of feature view \"v\" in feature service \"s\" must list at least one feature",
			   "Leave out the key to use every feature of the view.",
			   "projection with features: []");
	expect_err("project: p\nfeature_services:\n  - name: s\n",
			   OFS_ERR_MISSING_KEY, 3, 5,
			   "missing required key \"features\" in feature service \"s\"", NULL,
			   "service without features");
	expect_err("project: p\nfeature_services:\n  - name: s\n    features: v\n",
			   OFS_ERR_WRONG_TYPE, 4, 15,
			   "key \"features\" in feature service \"s\" must be a sequence", NULL,
			   "service features is a scalar");
	expect_err("project: p\nfeature_services:\n  - name: s\n    features: [{name: x}]\n",
			   OFS_ERR_MISSING_KEY, 4, 16,
			   "missing required key \"feature_view\" in projection of feature service \"s\"", NULL,
			   "projection without feature_view");
	expect_err("project: p\nfeature_services:\n  - name: s\n    features: [{feature_view: v, alias: x}]\n",
			   OFS_ERR_UNKNOWN_KEY, 4, 34,
			   "unrecognized key \"alias\" in projection of feature view \"v\" in feature service \"s\"",
			   "Valid keys are: feature_view, name, features, join_key_map.",
			   "unknown key in projection");
	expect_err("project: p\nfeature_services:\n  - name: s\n    features: [{feature_view: v, features: [a, a]}]\n",
			   OFS_ERR_DUPLICATE, 4, 48,
			   "\"a\" is listed more than once in key \"features\" in projection of feature view \"v\" in feature service \"s\"",
			   NULL, "duplicate feature in projection");
	expect_err("project: p\nfeature_services:\n  - name: s\n    features: [{feature_view: v, join_key_map: [a]}]\n",
			   OFS_ERR_WRONG_TYPE, 4, 48,
			   "key \"join_key_map\" in projection of feature view \"v\" in feature service \"s\" must be a mapping",
			   NULL, "join_key_map is a sequence");
	expect_err("project: p\nfeature_services:\n  - name: s\n    features: [~]\n",
			   OFS_ERR_WRONG_TYPE, 4, 16,
			   "entries of key \"features\" in feature service \"s\" must be feature view names or mappings",
			   NULL, "null projection");
	expect_err("project: p\nfeature_services:\n  - name: s\n    features: [[v]]\n",
			   OFS_ERR_WRONG_TYPE, 4, 16,
			   "projection of feature service \"s\" must be a mapping", NULL,
			   "projection is a sequence");
	expect_err("project: p\nfeature_services:\n  - name: s\n    feature: [v]\n",
			   OFS_ERR_UNKNOWN_KEY, 4, 5,
			   "unrecognized key \"feature\" in feature service \"s\"",
			   "Valid keys are: name, features, description, owner, tags.",
			   "unknown key in service");
	expect_err("project: p\nfeature_services:\n  - {name: s, features: []}\n  - {name: s, features: []}\n",
			   OFS_ERR_DUPLICATE, 4, 12,
			   "feature service \"s\" is defined more than once", NULL,
			   "duplicate service");
}

/* ----------------------------------------------------------------
 * Document-level errors
 * ----------------------------------------------------------------
 */
static void
test_document_errors(void)
{
	char	   *big;
	size_t		n;
	int			i;
	char		deep[512];

	expect_err("", OFS_ERR_MISSING_KEY, 1, 1,
			   "missing required key \"project\" in feature store configuration", NULL,
			   "empty document");
	expect_err("# only a comment\n", OFS_ERR_MISSING_KEY, 1, 1,
			   "missing required key \"project\" in feature store configuration", NULL,
			   "comment-only document");
	expect_err("---\n...\n", OFS_ERR_MISSING_KEY, 1, 1,
			   "missing required key \"project\" in feature store configuration", NULL,
			   "explicit empty document");
	expect_err("provider: local\n", OFS_ERR_MISSING_KEY, 1, 1,
			   "missing required key \"project\" in feature store configuration", NULL,
			   "no project");
	expect_err("project: ''\n", OFS_ERR_INVALID_VALUE, 1, 10,
			   "key \"project\" in feature store configuration must not be empty", NULL,
			   "empty project");
	expect_err("project: {a: b}\n", OFS_ERR_WRONG_TYPE, 1, 10,
			   "key \"project\" in feature store configuration must be a string", NULL,
			   "project is a mapping");
	expect_err("- project: p\n", OFS_ERR_WRONG_TYPE, 1, 1,
			   "feature store configuration must be a mapping", NULL,
			   "document is a sequence");
	expect_err("hello\n", OFS_ERR_WRONG_TYPE, 1, 1,
			   "feature store configuration must be a mapping", NULL,
			   "document is a scalar");
	expect_err("project: p\nfoo: 1\n", OFS_ERR_UNKNOWN_KEY, 2, 1,
			   "unrecognized key \"foo\" in feature store configuration",
			   "Valid keys are: project, project_description, provider, registry, online_store, "
			   "offline_store, batch_engine, materialization, auth, entity_key_serialization_version, "
			   "coerce_tz_aware, entities, sources, feature_views, feature_services.",
			   "unknown top-level key");
	expect_err("project: p\nproject: q\n", OFS_ERR_DUPLICATE, 2, 1,
			   "duplicate key \"project\" in feature store configuration", NULL,
			   "duplicate top-level key");
	expect_err("project: p\n? [a]\n: 1\n", OFS_ERR_WRONG_TYPE, 2, 3,
			   "keys in feature store configuration must be strings", NULL,
			   "sequence as a top-level key");
	expect_err("project: p\nonline_store: {type: postgres, hots: x}\n", OFS_ERR_UNKNOWN_KEY, 2, 32,
			   "unrecognized key \"hots\" in online store configuration",
			   "Valid keys are: type, db_schema, host, port, database, user, password, sslmode, "
			   "sslkey_path, sslcert_path, sslrootcert_path, keepalives_idle, min_conn, max_conn, "
			   "conn_type, vector_enabled, similarity.",
			   "unknown key in online_store");
	expect_err("project: p\nonline_store:\n  type: sqlite\n", OFS_ERR_INVALID_VALUE, 3, 9,
			   "invalid value for key \"type\" in online store configuration: \"sqlite\"",
			   "The only valid type is: postgres.", "online_store type sqlite");
	expect_err("project: p\nonline_store:\n  db_schema: ''\n", OFS_ERR_INVALID_VALUE, 3, 14,
			   "key \"db_schema\" in online store configuration must not be empty", NULL,
			   "empty db_schema");
	expect_err("project: p\nonline_store: postgres\n", OFS_ERR_WRONG_TYPE, 2, 15,
			   "key \"online_store\" in feature store configuration must be a mapping", NULL,
			   "online_store is a scalar");
	expect_err("project: p\noffline_store:\n  type: dask\n", OFS_ERR_INVALID_VALUE, 3, 9,
			   "invalid value for key \"type\" in offline store configuration: \"dask\"",
			   "Valid types are: offline_store, postgres.", "offline_store type dask");
	expect_err("project: p\noffline_store:\n  vector_enabled: true\n", OFS_ERR_UNKNOWN_KEY, 3, 3,
			   "unrecognized key \"vector_enabled\" in offline store configuration",
			   "Valid keys are: type, host, port, database, user, password, sslmode, sslkey_path, "
			   "sslcert_path, sslrootcert_path, keepalives_idle, min_conn, max_conn, conn_type, "
			   "db_schema, entity_select_mode.",
			   "unknown key in offline_store");
	expect_err("project: p\noffline_store: {type: postgres, host: a, host: b}\n",
			   OFS_ERR_DUPLICATE, 2, 42,
			   "duplicate key \"host\" in offline store configuration", NULL,
			   "duplicate key in offline_store");
	expect_err("project: p\nentity_key_serialization_version: abc\n", OFS_ERR_WRONG_TYPE, 2, 35,
			   "key \"entity_key_serialization_version\" in feature store configuration must be an integer",
			   NULL, "esv abc");
	expect_err("project: p\nentity_key_serialization_version: '3'\n", OFS_ERR_WRONG_TYPE, 2, 35,
			   "key \"entity_key_serialization_version\" in feature store configuration must be an integer",
			   NULL, "quoted esv");
	expect_err("project: p\nentity_key_serialization_version: 4\n", OFS_ERR_INVALID_VALUE, 2, 35,
			   "invalid value for key \"entity_key_serialization_version\" in feature store configuration: \"4\"",
			   "Valid versions are: 1, 2, 3.", "esv 4");
	expect_err("project: p\nentity_key_serialization_version: 0\n", OFS_ERR_INVALID_VALUE, 2, 35,
			   "invalid value for key \"entity_key_serialization_version\" in feature store configuration: \"0\"",
			   NULL, "esv 0");
	expect_err("project: p\nentity_key_serialization_version: 99999999999999999999\n",
			   OFS_ERR_INVALID_VALUE, 2, 35,
			   "invalid value for key \"entity_key_serialization_version\" in feature store configuration: \"99999999999999999999\"",
			   NULL, "esv overflowing int64");
	expect_err("project: p\ncoerce_tz_aware: maybe\n", OFS_ERR_WRONG_TYPE, 2, 18,
			   "key \"coerce_tz_aware\" in feature store configuration must be a boolean", NULL,
			   "coerce_tz_aware maybe");

	/* syntax */
	expect_err_full("project: [p\n", strlen("project: [p\n"), OFS_ERR_SYNTAX, 2, 1,
					"invalid YAML in feature store configuration",
					"Did not find expected ',' or ']' at line 2, column 1.", NULL,
					"unclosed flow sequence");
	expect_err_full("project: p\n\tprovider: x\n", strlen("project: p\n\tprovider: x\n"),
					OFS_ERR_SYNTAX, 2, 1,
					"invalid YAML in feature store configuration",
					"Found a tab character that violates indentation at line 2, column 1.", NULL,
					"tab indentation");
	expect_err_full("project: p\nprovider: \"a\xff\"\n", strlen("project: p\nprovider: \"a\xff\"\n"),
					OFS_ERR_SYNTAX, 2, 13,
					"invalid YAML in feature store configuration",
					"Invalid leading UTF-8 octet at line 2, column 13.", NULL,
					"invalid UTF-8");
	expect_err_full("project: p\nprovider: \"a\\0b\"\n", strlen("project: p\nprovider: \"a\\0b\"\n"),
					OFS_ERR_SYNTAX, 2, 11,
					"invalid YAML in feature store configuration",
					"String contains a null character at line 2, column 11.", NULL,
					"escaped NUL character");
	expect_err_full("project: p\0\n", 12, OFS_ERR_SYNTAX, 1, 11,
					"invalid YAML in feature store configuration", NULL, NULL,
					"raw NUL byte");
	expect_err_full("project: p\n---\nproject: q\n", strlen("project: p\n---\nproject: q\n"),
					OFS_ERR_SYNTAX, 2, 1,
					"feature store configuration contains more than one YAML document",
					"Only one YAML document is allowed.", NULL,
					"two documents");
	expect_err("project: p\nregistry: &r {a: 1}\nauth: *r\n", OFS_ERR_INVALID_VALUE, 3, 7,
			   "YAML aliases are not supported in feature store configuration",
			   "Repeat the value instead of using an alias.", "alias");
	expect_err("a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n", OFS_ERR_INVALID_VALUE, 2, 8,
			   "YAML aliases are not supported in feature store configuration", NULL,
			   "billion laughs is refused at the first alias");
	{
		OfsConfig  *c = parse_ok("project: &p p\nprovider: !!str local\n",
								 "anchors without aliases and tags are fine");

		if (c)
		{
			CHECK_STR(c->project.s, "p", "anchored project");
			CHECK_STR(c->provider.s, "local", "tagged provider");
			OfsConfigFree(c);
		}
	}

	/* nesting: 64 levels are fine, 65 are not */
	n = 0;
	n += (size_t) snprintf(deep + n, sizeof(deep) - n, "project: p\nregistry: ");
	for (i = 0; i < 63; i++)
		deep[n++] = '[';
	for (i = 0; i < 63; i++)
		deep[n++] = ']';
	deep[n] = '\0';
	{
		OfsConfig  *c = parse_ok(deep, "64 levels of nesting");

		if (c)
		{
			ok(strlen(c->registry_json) == 126 && c->registry_json[0] == '[',
			   "64 levels: registry JSON");
			OfsConfigFree(c);
		}
	}
	n = 0;
	n += (size_t) snprintf(deep + n, sizeof(deep) - n, "project: p\nregistry: ");
	for (i = 0; i < 64; i++)
		deep[n++] = '[';
	for (i = 0; i < 64; i++)
		deep[n++] = ']';
	deep[n] = '\0';
	expect_err_full(deep, strlen(deep), OFS_ERR_TOO_LARGE, 2, 74,
					"feature store configuration is nested too deeply",
					"Nesting exceeds 64 levels at line 2, column 74.", NULL,
					"65 levels of nesting");
	big = malloc(200001);
	memset(big, '[', 100000);
	memset(big + 100000, ']', 100000);
	big[200000] = '\0';
	expect_err(big, OFS_ERR_TOO_LARGE, 1, 65,
			   "feature store configuration is nested too deeply", NULL,
			   "100000 levels of nesting");
	free(big);

	/* node count: 2000000 nodes are fine, one more is refused */
	for (i = 0; i < 2; i++)
	{
		/* root, project key and value, registry key and sequence: 5 nodes */
		size_t		items = i == 0 ? 1999995 : 1999997;
		size_t		k;
		OfsError	err;
		OfsConfig  *c;

		big = malloc(32 + 2 * items);
		n = (size_t) sprintf(big, "project: p\nregistry: [");
		for (k = 0; k < items; k++)
		{
			big[n++] = '1';
			big[n++] = k + 1 < items ? ',' : ']';
		}
		big[n] = '\0';
		c = OfsConfigParse(big, n, &err);
		if (i == 0)
		{
			ok(c != NULL && strlen(c->registry_json) == 3 * 1999995,
			   "document of 2000000 nodes is parsed");
			OfsConfigFree(c);
		}
		else
			ok(c == NULL && err.kind == OFS_ERR_TOO_LARGE && err.pos.line == 2 &&
			   err.pos.column == 11 &&
			   streq(err.message, "feature store configuration has too many elements") &&
			   streq(err.detail, "The document has more than 2000000 YAML nodes."),
			   "document of 2000002 nodes is refused");
		free(big);
	}

	/* size: exactly the limit is parsed, one byte more is refused */
	n = 64 * 1024 * 1024;
	big = malloc(n + 1);
	memset(big, ' ', n + 1);
	memcpy(big, "project: p\n#", 12);
	big[n - 1] = '\n';
	expect_err_full(big, n + 1, OFS_ERR_TOO_LARGE, 0, 0,
					"feature store configuration is too large",
					"The document has 67108865 bytes; the maximum is 67108864 bytes.", NULL,
					"document over 64 MB");
	{
		OfsError	err;
		OfsConfig  *c = OfsConfigParse(big, n, &err);

		ok(c != NULL && streq(c->project.s, "p"), "document of exactly 64 MB is parsed");
		OfsConfigFree(c);
	}
	free(big);
}

/* ----------------------------------------------------------------
 * Names
 * ----------------------------------------------------------------
 */
static void
test_names(void)
{
	OfsConfig  *c;
	char		doc[8192];
	char		longname[2100];
	OfsError	err;

	c = parse_ok("project: 'it''s \"quoted\"'\n"
				 "entities:\n"
				 "  - name: \"na\\u00efve caf\\u00e9\"\n"
				 "    join_keys: [\"Driver ID\"]\n"
				 "  - name: \"\xe6\x97\xa5\xe6\x9c\xac\"\n"
				 "  - name: ' leading and trailing '\n"
				 "  - name: 'a.b;DROP TABLE x;--'\n"
				 "  - name: \"tab\\there\"\n",
				 "names with quotes, unicode, spaces");
	if (c)
	{
		CHECK_STR(c->project.s, "it's \"quoted\"", "project with quotes");
		CHECK_STR(c->entities[0].name.s, "na\xc3\xafve caf\xc3\xa9", "unicode name");
		CHECK_STR(c->entities[0].join_key.s, "Driver ID", "join key with a space");
		CHECK_STR(c->entities[1].name.s, "\xe6\x97\xa5\xe6\x9c\xac", "CJK name");
		CHECK_STR(c->entities[2].name.s, " leading and trailing ", "spaces kept");
		CHECK_STR(c->entities[3].name.s, "a.b;DROP TABLE x;--", "SQL-looking name kept");
		CHECK_STR(c->entities[4].name.s, "tab\there", "tab in name");
		OfsConfigFree(c);
	}

	/* the error names the object exactly, and positions count characters */
	expect_err("project: p\nentities:\n  - name: \"\xc3\xa9\\\"x\"\n    bad: 1\n",
			   OFS_ERR_UNKNOWN_KEY, 4, 5,
			   "unrecognized key \"bad\" in entity \"\xc3\xa9\"x\"", NULL,
			   "error message with a unicode, quoted name");
	expect_err("project: p\nentities:\n  - {name: \xc3\xa9\xc3\xa9, bad: 1}\n",
			   OFS_ERR_UNKNOWN_KEY, 3, 16, "unrecognized key \"bad\" in entity \"\xc3\xa9\xc3\xa9\"", NULL,
			   "columns count characters, not bytes");

	/* a very long multibyte name: the message is cut at a character boundary */
	memset(longname, 0, sizeof(longname));
	for (int i = 0; i < 700; i++)
		memcpy(longname + 3 * i, "\xe2\x82\xac", 3);
	snprintf(doc, sizeof(doc), "project: p\nentities:\n  - name: %s\n    bad: 1\n", longname);
	ok(OfsConfigParse(doc, strlen(doc), &err) == NULL && err.kind == OFS_ERR_UNKNOWN_KEY &&
	   strlen(err.message) < sizeof(err.message) &&
	   strncmp(err.message, "unrecognized key \"bad\" in entity \"\xe2\x82\xac", 37) == 0,
	   "long name: message truncated");
	{
		size_t		len = strlen(err.message);
		size_t		i = 0;
		int			valid = 1;

		/* every multibyte sequence in the message is complete */
		while (i < len)
		{
			unsigned char ch = (unsigned char) err.message[i];
			size_t		w = ch < 0x80 ? 1 : (ch >= 0xF0 ? 4 : (ch >= 0xE0 ? 3 : 2));

			if (i + w > len)
				valid = 0;
			i += w;
		}
		ok(valid, "long name: truncated message is valid UTF-8");
	}
}

/* ----------------------------------------------------------------
 * ttl
 * ----------------------------------------------------------------
 */
static void
test_ttl(void)
{
	static const struct
	{
		const char *text;
		int64_t		usec;
	}			good[] = {
		{"0", 0},
		{"7200", INT64_C(7200000000)},
		{"7200s", INT64_C(7200000000)},
		{"2h", INT64_C(7200000000)},
		{"1d", INT64_C(86400000000)},
		{"90m", INT64_C(5400000000)},
		{"1w", INT64_C(604800000000)},
		{"500ms", INT64_C(500000)},
		{"250us", INT64_C(250)},
		{"1.5s", INT64_C(1500000)},
		{"1.5h", INT64_C(5400000000)},
		{"0.000001s", INT64_C(1)},
		{"1.000000000s", INT64_C(1000000)},
		{"1.5", INT64_C(1500000)},
		{"0s", 0},
		{"0.0", 0},
		{"1h30m", INT64_C(5400000000)},
		{"1d2h3m4s5ms6us", INT64_C(93784005006)},
		{"1w1d", INT64_C(691200000000)},
		{"P1D", INT64_C(86400000000)},
		{"PT2H", INT64_C(7200000000)},
		{"P1DT2H30M", INT64_C(95400000000)},
		{"PT0.5S", INT64_C(500000)},
		{"P2W", INT64_C(1209600000000)},
		{"PT90M", INT64_C(5400000000)},
		{"PT1H0.000001S", INT64_C(3600000001)},
		{"P0D", 0},
		{"P0.5D", INT64_C(43200000000)},
		{"01:00:00", INT64_C(3600000000)},
		{"26:00:00", INT64_C(93600000000)},
		{"00:00:00.5", INT64_C(500000)},
		{"0:01:30", INT64_C(90000000)},
		{"00:59:59.999999", INT64_C(3599999999)},
		{"9223372036854.775807s", INT64_MAX},
		{"9223372036854775807us", INT64_MAX},
		{"9223372036854", INT64_C(9223372036854000000)},
		{"106751991d", INT64_C(9223372022400000000)},
	};
	static const char *const bad[] = {
		"", " ", "-1", "-1s", "+1s", "1y", "1M", "1 h", " 1h", "1h ", "h", "1.s",
		".5s", "1..5s", "1e3", "0x10", "1m1h", "1h1h", "1s1m", "1ms1s", "1sm",
		"0.0000001s", "0.1us", "1.5us", "P", "PT", "P1DT", "P1M", "P1Y", "PT1D",
		"P1H", "p1d", "P-1D", "P1D2W", "PT1S1M", "P1.5", "00:60:00", "00:00:60",
		"1:2:3", "01:00", "01:00:00.", "01:00:00.0000001", "-01:00:00", "abc",
		"9223372036855", "9223372036854.775808s", "9223372036854775808us",
		"106751992d", "15250285w", "99999999999999999999999s", "inf", "nan",
		"1h30", "2h ", "PT0.0000001S", "01:00:00:00",
	};
	static const int64_t roundtrip[] = {
		0, 1, 999, 1000, 500000, 1000000, 1500000, 59000000, 60000000,
		90000000, 3599999999, 3600000000, INT64_C(5400000000), INT64_C(86400000000),
		INT64_C(86400000001), INT64_C(604800000000), INT64_C(9223372036854000000),
		INT64_C(9223372022400000000), INT64_MAX, INT64_MAX - 1,
	};
	static const struct
	{
		int64_t		usec;
		const char *text;
	}			canon[] = {
		{0, "0s"},
		{1, "0.000001s"},
		{500000, "0.5s"},
		{1500000, "1.5s"},
		{INT64_C(7200000000), "2h"},
		{INT64_C(5400000000), "90m"},
		{INT64_C(86400000000), "1d"},
		{INT64_C(604800000000), "7d"},
		{INT64_C(7201000000), "7201s"},
		{INT64_MAX, "9223372036854.775807s"},
	};
	size_t		i;
	uint64_t	state = 88172645463325252ULL;
	int			all_ok;
	char		buf[64];

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		int64_t		v = -1;
		bool		r = OfsParseTtl(good[i].text, &v);

		ok(r && v == good[i].usec, "ttl \"%s\" = %" PRId64 " us", good[i].text, good[i].usec);
		if (!(r && v == good[i].usec))
			printf("#   got %s %" PRId64 "\n", r ? "true" : "false", v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		int64_t		v = 12345;
		bool		r = OfsParseTtl(bad[i], &v);

		ok(!r && v == 12345, "ttl \"%s\" is rejected and *usec untouched", bad[i]);
	}
	ok(!OfsParseTtl(NULL, NULL), "ttl NULL is rejected");

	for (i = 0; i < sizeof(canon) / sizeof(canon[0]); i++)
	{
		OfsFormatTtl(canon[i].usec, buf, sizeof(buf));
		CHECK_STR(buf, canon[i].text, "OfsFormatTtl canonical spelling");
	}
	for (i = 0; i < sizeof(roundtrip) / sizeof(roundtrip[0]); i++)
	{
		int64_t		v = -1;

		OfsFormatTtl(roundtrip[i], buf, sizeof(buf));
		ok(OfsParseTtl(buf, &v) && v == roundtrip[i],
		   "round trip %" PRId64 " -> \"%s\"", roundtrip[i], buf);
	}
	/* a million pseudo-random values of every magnitude */
	all_ok = 1;
	for (i = 0; i < 1000000; i++)
	{
		int64_t		x,
					v = -1;

		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		x = (int64_t) (state >> (1 + state % 63));
		if (i % 4 == 1)
			x -= x % 1000000;
		else if (i % 4 == 2)
			x -= x % INT64_C(3600000000);
		OfsFormatTtl(x, buf, sizeof(buf));
		if (!OfsParseTtl(buf, &v) || v != x)
		{
			if (all_ok)
				printf("#   round trip failed for %" PRId64 " (\"%s\")\n", x, buf);
			all_ok = 0;
		}
	}
	ok(all_ok, "round trip of a million pseudo-random ttls");
	OfsFormatTtl(INT64_MAX, buf, 5);
	ok(strlen(buf) == 4, "OfsFormatTtl truncates to the buffer");
}

/* ----------------------------------------------------------------
 * dtypes and value types
 * ----------------------------------------------------------------
 */
static void
test_types(void)
{
	static const char *const dt[][2] = {
		{"Int32", "Int32"}, {"Int64", "Int64"}, {"Float32", "Float32"},
		{"Float64", "Float64"}, {"String", "String"}, {"Bytes", "Bytes"},
		{"Bool", "Bool"}, {"UnixTimestamp", "UnixTimestamp"},
		{"int32", "Int32"}, {"INT64", "Int64"}, {"float32", "Float32"},
		{"FLOAT64", "Float64"}, {"string", "String"}, {"bytes", "Bytes"},
		{"bool", "Bool"}, {"unixtimestamp", "UnixTimestamp"},
		{"Array(Int32)", "Array(Int32)"}, {"array(int64)", "Array(Int64)"},
		{"ARRAY(Float32)", "Array(Float32)"}, {"Array(float64)", "Array(Float64)"},
		{"Array(String)", "Array(String)"}, {"Array(Bytes)", "Array(Bytes)"},
		{"Array(Bool)", "Array(Bool)"}, {"Array(UnixTimestamp)", "Array(UnixTimestamp)"},
		{"Array( Int64 )", "Array(Int64)"},
	};
	static const char *const dt_bad[] = {
		"", "Int", "Float", "Float16", "Array", "Array()", "Array(Array(Int64))",
		"Array(Int64", "Int64)", " Int64", "Int64 ", "List(Int64)", "Array (Int64)",
		"Invalid", "PdfBytes",
	};
	static const char *const vt[][2] = {
		{"INT32", "INT32"}, {"INT64", "INT64"}, {"FLOAT", "FLOAT"},
		{"DOUBLE", "DOUBLE"}, {"STRING", "STRING"}, {"BYTES", "BYTES"},
		{"BOOL", "BOOL"}, {"UNIX_TIMESTAMP", "UNIX_TIMESTAMP"},
		{"Int32", "INT32"}, {"Int64", "INT64"}, {"Float32", "FLOAT"},
		{"Float64", "DOUBLE"}, {"String", "STRING"}, {"Bytes", "BYTES"},
		{"Bool", "BOOL"}, {"UnixTimestamp", "UNIX_TIMESTAMP"},
		{"int64", "INT64"}, {"double", "DOUBLE"},
	};
	static const char *const vt_bad[] = {
		"", "INT", "INT128", "FLOAT16", "Array(Int64)", "STRING_LIST", "UNKNOWN",
	};
	size_t		i;

	for (i = 0; i < sizeof(dt) / sizeof(dt[0]); i++)
		CHECK_STR(OfsNormalizeDtype(dt[i][0]), dt[i][1], dt[i][0]);
	for (i = 0; i < sizeof(dt_bad) / sizeof(dt_bad[0]); i++)
		ok(OfsNormalizeDtype(dt_bad[i]) == NULL, "dtype \"%s\" is invalid", dt_bad[i]);
	ok(OfsNormalizeDtype(NULL) == NULL, "dtype NULL is invalid");
	for (i = 0; i < sizeof(vt) / sizeof(vt[0]); i++)
		CHECK_STR(OfsNormalizeValueType(vt[i][0]), vt[i][1], vt[i][0]);
	for (i = 0; i < sizeof(vt_bad) / sizeof(vt_bad[0]); i++)
		ok(OfsNormalizeValueType(vt_bad[i]) == NULL, "value type \"%s\" is invalid", vt_bad[i]);
	ok(OfsNormalizeValueType(NULL) == NULL, "value type NULL is invalid");
}

/* Every prefix of the example parses or fails cleanly (no crash, no leak). */
static void
test_prefixes(void)
{
	size_t		len = strlen(api_example);
	size_t		i;
	int			parsed = 0;

	for (i = 0; i <= len; i++)
	{
		OfsError	err;
		char	   *copy = malloc(i ? i : 1);
		OfsConfig  *c;

		memcpy(copy, api_example, i);
		c = OfsConfigParse(copy, i, &err);
		if (c)
			parsed++;
		else if (err.kind == OFS_ERR_NONE || err.message[0] == '\0')
			parsed = -1000000;
		OfsConfigFree(c);
		free(copy);
	}
	ok(parsed > 0, "every prefix of the example parses or fails with a message (%d parsed)", parsed);
}

/*
 * Fail each allocation of the parser in turn: the result must be an
 * out-of-memory error (never a crash, a leak or another error), until the
 * failure point is past the last allocation.
 */
static void
test_out_of_memory_doc(const char *doc, const char *desc, OfsErrorKind final)
{
	long		total,
				k;
	int			good = 1;
	OfsError	err;
	OfsConfig  *c;

	alloc_fail_at = 0;
	alloc_count = 0;
	c = OfsConfigParse(doc, strlen(doc), &err);
	total = alloc_count;
	ok((final == OFS_ERR_NONE) == (c != NULL) && (c != NULL || err.kind == final),
	   "out of memory: %s runs with %ld allocations", desc, total);
	OfsConfigFree(c);
	for (k = 1; k <= total; k++)
	{
		alloc_count = 0;
		alloc_fail_at = k;
		c = OfsConfigParse(doc, strlen(doc), &err);
		if (c != NULL || err.kind != OFS_ERR_OUT_OF_MEMORY ||
			!streq(err.message, "out of memory"))
		{
			if (good)
				printf("#   allocation %ld: %s kind %d [%s]\n", k,
					   c ? "parsed" : "failed", err.kind, err.message);
			good = 0;
		}
		OfsConfigFree(c);
	}
	alloc_fail_at = 0;
	ok(good && total > 2, "out of memory: %s fails cleanly at each of %ld allocations",
	   desc, total);
}

static void
test_out_of_memory(void)
{
	char		deep[256];
	int			i,
				n;

	test_out_of_memory_doc(api_example, "the API.md example", OFS_ERR_NONE);
	test_out_of_memory_doc("project: p\nfeature_views:\n  - name: v\n    source: s\n"
						   "    aggregations: [{column: a, function: sum, time_window: 7d},\n"
						   "                   {column: a, function: max, time_window: 1h, name: m}]\n",
						   "aggregations", OFS_ERR_NONE);
	test_out_of_memory_doc("project: p\nregistry: {a: [1, 'x', {b: c}]}\n"
						   "entities: [{name: e, tags: {a: b}}]\n",
						   "nested JSON and tags", OFS_ERR_NONE);
	test_out_of_memory_doc("project: p\nentities:\n  - name: e\n    bad: 1\n",
						   "an unknown key", OFS_ERR_UNKNOWN_KEY);
	test_out_of_memory_doc("project: [p\n", "a syntax error", OFS_ERR_SYNTAX);
	n = snprintf(deep, sizeof(deep), "project: p\nregistry: ");
	for (i = 0; i < 70; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	test_out_of_memory_doc(deep, "deep nesting", OFS_ERR_TOO_LARGE);
}

int
main(void)
{
	test_api_example();
	test_top_level();
	test_json();
	test_entities();
	test_sources();
	test_feature_views();
	test_aggregations();
	test_feature_services();
	test_document_errors();
	test_names();
	test_ttl();
	test_types();
	test_prefixes();
	test_out_of_memory();
	printf("1..%d\n", ntests);
	if (nfailed)
		printf("# %d of %d tests failed\n", nfailed, ntests);
	return nfailed ? 1 : 0;
}
