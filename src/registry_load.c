/*-------------------------------------------------------------------------
 *
 * registry_load.c
 *		feast_apply's two inputs as ApplyStates: the parsed document and
 *		the registry's rows for the project.
 *
 * ApplyStateFromDoc copies the parser's malloc'd OfsConfig into palloc'd
 * memory at once (feast_apply frees the OfsConfig in a PG_FINALLY block),
 * turning maps into canonical jsonb text so that they compare equal to
 * what the registry returns. ApplyStateFromRegistry reads the project's
 * rows with SPI (the caller is connected and holds the project's lock
 * when it will write), copying every value out of the SPI tuple table
 * into the current memory context. Neither validates anything: that is
 * apply_validate.c's job, on the merged wanted state.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/registry_load.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "apply.h"
#include "yaml_config.h"
#include "spi_util.h"

/* ----------------------------------------------------------------
 * Small helpers
 * ----------------------------------------------------------------
 */

static char *
dup_or_null(const char *s)
{
	return s ? pstrdup(s) : NULL;
}

static char *
dup_or_empty(const char *s)
{
	return pstrdup(s ? s : "");
}

/* JSON text -> canonical jsonb text (key order and spacing of jsonb_out). */
static char *
canonical_json(const char *json)
{
	Datum		jb;

	if (json == NULL)
		return NULL;
	jb = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
	return DatumGetCString(DirectFunctionCall1(jsonb_out, jb));
}

/* A string map as canonical jsonb text. */
static char *
map_json(const OfsStrMap *map)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < map->n; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, map->items[i].key.s ? map->items[i].key.s : "");
		appendStringInfoString(&buf, ": ");
		escape_json(&buf, map->items[i].value.s ? map->items[i].value.s : "");
	}
	appendStringInfoChar(&buf, '}');
	return canonical_json(buf.data);
}

static KMap
kmap_from_doc(const OfsStrMap *map)
{
	KMap		km;

	km.n = map->n;
	km.keys = palloc0(sizeof(char *) * (map->n + 1));
	km.vals = palloc0(sizeof(char *) * (map->n + 1));
	km.keypos = palloc0(sizeof(OfsPos) * (map->n + 1));
	for (int i = 0; i < map->n; i++)
	{
		km.keys[i] = dup_or_empty(map->items[i].key.s);
		km.vals[i] = dup_or_empty(map->items[i].value.s);
		km.keypos[i] = map->items[i].key.pos;
	}
	return km;
}

/* text[] datum -> array of C strings (NULL elements become NULL). */
static char **
text_array(Datum d, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	char	  **out;

	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &count);
	out = palloc0(sizeof(char *) * (count + 1));
	for (int i = 0; i < count; i++)
		out[i] = nulls[i] ? NULL : TextDatumGetCString(elems[i]);
	*n = count;
	return out;
}

static char *
col_text_or_empty(int r, int i)
{
	char	   *s = SpiGetText(r, i);

	return s ? s : pstrdup("");
}

static int64
interval_usec(Interval *iv)
{
	return iv->time + (int64) iv->day * USECS_PER_DAY +
		(int64) iv->month * 30 * USECS_PER_DAY;
}

/* ----------------------------------------------------------------
 * The document as a state
 * ----------------------------------------------------------------
 */

/*
 * ApplyStateFromDoc copies a parsed document into a palloc'd state, with
 * defaults filled in; *project_out is the document's project.
 */
ApplyState *
ApplyStateFromDoc(const OfsConfig *cfg, AProject **project_out)
{
	ApplyState *st = palloc0(sizeof(ApplyState));
	AProject   *p = palloc0(sizeof(AProject));

	p->name = dup_or_empty(cfg->project.s);
	p->pos = cfg->project.pos;
	p->description = dup_or_empty(cfg->description.s);
	p->provider = pstrdup(cfg->provider.s ? cfg->provider.s : "local");
	p->registry = canonical_json(cfg->registry_json);
	p->online_store = canonical_json(cfg->online_store_json ? cfg->online_store_json :
									 "{\"type\": \"postgres\", \"db_schema\": \"feast_online\"}");
	p->offline_store = canonical_json(cfg->offline_store_json ? cfg->offline_store_json :
									  "{\"type\": \"offline_store\"}");
	p->batch_engine = canonical_json(cfg->batch_engine_json);
	p->materialization = canonical_json(cfg->materialization_json);
	p->auth = canonical_json(cfg->auth_json);
	p->eksv = cfg->entity_key_serialization_version;
	p->coerce_tz_aware = cfg->coerce_tz_aware;
	p->online_schema = pstrdup(cfg->online_schema.s ? cfg->online_schema.s : "feast_online");
	p->online_schema_pos = cfg->online_schema.pos;
	p->has_online_store = cfg->has_online_store;
	p->has_offline_store = cfg->has_offline_store;
	*project_out = p;

	st->has_entities = cfg->has_entities;
	st->has_sources = cfg->has_sources;
	st->has_views = cfg->has_feature_views;
	st->has_services = cfg->has_feature_services;

	for (int i = 0; i < cfg->nentities; i++)
	{
		const OfsEntity *d = &cfg->entities[i];
		AEntity    *e = palloc0(sizeof(AEntity));

		e->name = dup_or_empty(d->name.s);
		e->join_key = dup_or_empty(d->join_key.s ? d->join_key.s : d->name.s);
		e->value_type = dup_or_null(d->value_type.s);
		e->description = dup_or_empty(d->description.s);
		e->owner = dup_or_empty(d->owner.s);
		e->tags = map_json(&d->tags);
		e->from_doc = true;
		e->pos = d->pos;
		e->value_type_pos = d->value_type.s ? d->value_type.pos : d->pos;
		st->entities = lappend(st->entities, e);
	}

	for (int i = 0; i < cfg->nsources; i++)
	{
		const OfsSource *d = &cfg->sources[i];
		ASource    *s = palloc0(sizeof(ASource));

		s->name = dup_or_empty(d->name.s);
		s->type = pstrdup(d->type == OFS_SOURCE_TABLE ? "table" :
						  d->type == OFS_SOURCE_QUERY ? "query" : "push");
		s->table_name = dup_or_null(d->table.s);
		s->query = dup_or_null(d->query.s);
		s->batch_source = dup_or_null(d->batch_source.s);
		s->timestamp_field = dup_or_null(d->timestamp_field.s);
		s->created_col = dup_or_null(d->created_timestamp_column.s);
		s->date_partition_column = dup_or_null(d->date_partition_column.s);
		s->field_mapping = map_json(&d->field_mapping);
		s->fm = kmap_from_doc(&d->field_mapping);
		s->description = dup_or_empty(d->description.s);
		s->owner = dup_or_empty(d->owner.s);
		s->tags = map_json(&d->tags);
		s->from_doc = true;
		s->pos = d->pos;
		s->table_pos = d->table.pos;
		s->query_pos = d->query.pos;
		s->batch_source_pos = d->batch_source.pos;
		s->timestamp_pos = d->timestamp_field.pos;
		s->created_pos = d->created_timestamp_column.pos;
		s->date_partition_pos = d->date_partition_column.pos;
		st->sources = lappend(st->sources, s);
	}

	for (int i = 0; i < cfg->nfeature_views; i++)
	{
		const OfsFeatureView *d = &cfg->feature_views[i];
		AView	   *v = palloc0(sizeof(AView));

		v->name = dup_or_empty(d->name.s);
		v->source = dup_or_empty(d->source.s);
		v->ttl_usec = d->ttl_usec;
		v->online = d->online;
		v->offline = d->offline;
		v->description = dup_or_empty(d->description.s);
		v->owner = dup_or_empty(d->owner.s);
		v->tags = map_json(&d->tags);
		v->nentities = d->entities.n;
		v->entities = palloc0(sizeof(char *) * (d->entities.n + 1));
		v->entity_pos = palloc0(sizeof(OfsPos) * (d->entities.n + 1));
		for (int j = 0; j < d->entities.n; j++)
		{
			v->entities[j] = dup_or_empty(d->entities.items[j].s);
			v->entity_pos[j] = d->entities.items[j].pos;
		}
		v->nfeatures = d->nschema;
		v->features = palloc0(sizeof(AFeature) * (d->nschema + 1));
		for (int j = 0; j < d->nschema; j++)
		{
			const OfsField *fd = &d->schema[j];
			AFeature   *f = &v->features[j];

			f->name = dup_or_empty(fd->name.s);
			f->dtype = dup_or_empty(fd->dtype.s);
			f->description = dup_or_empty(fd->description.s);
			f->tags = map_json(&fd->tags);
			f->pos = fd->name.pos.line > 0 ? fd->name.pos : fd->pos;
			f->dtype_pos = fd->dtype.pos.line > 0 ? fd->dtype.pos : fd->pos;
		}
		v->from_doc = true;
		v->pos = d->pos;
		v->source_pos = d->source.pos;
		st->views = lappend(st->views, v);
	}

	for (int i = 0; i < cfg->nfeature_services; i++)
	{
		const OfsFeatureService *d = &cfg->feature_services[i];
		AService   *s = palloc0(sizeof(AService));

		s->name = dup_or_empty(d->name.s);
		s->description = dup_or_empty(d->description.s);
		s->owner = dup_or_empty(d->owner.s);
		s->tags = map_json(&d->tags);
		s->nprojections = d->nprojections;
		s->projections = palloc0(sizeof(AProjection) * (d->nprojections + 1));
		for (int j = 0; j < d->nprojections; j++)
		{
			const OfsProjection *pd = &d->projections[j];
			AProjection *pr = &s->projections[j];

			pr->feature_view = dup_or_empty(pd->feature_view.s);
			pr->alias = dup_or_null(pd->alias.s);
			if (pd->has_features)
			{
				pr->nfeatures = pd->features.n;
				pr->features = palloc0(sizeof(char *) * (pd->features.n + 1));
				pr->feature_pos = palloc0(sizeof(OfsPos) * (pd->features.n + 1));
				for (int k = 0; k < pd->features.n; k++)
				{
					pr->features[k] = dup_or_empty(pd->features.items[k].s);
					pr->feature_pos[k] = pd->features.items[k].pos;
				}
			}
			else
				pr->nfeatures = -1;
			pr->join_key_map = map_json(&pd->join_key_map);
			pr->jkm = kmap_from_doc(&pd->join_key_map);
			pr->pos = pd->pos;
			pr->feature_view_pos = pd->feature_view.pos.line > 0 ?
				pd->feature_view.pos : pd->pos;
		}
		s->from_doc = true;
		s->pos = d->pos;
		st->services = lappend(st->services, s);
	}

	return st;
}

/* ----------------------------------------------------------------
 * The registry as a state
 * ----------------------------------------------------------------
 */

/* Keys and values of a jsonb object column as two text[] columns. */
#define JSON_KEYS(col) \
	"ARRAY(SELECT k.key FROM pg_catalog.jsonb_each_text(" col ") k ORDER BY k.key COLLATE \"C\")"
#define JSON_VALS(col) \
	"ARRAY(SELECT k.value FROM pg_catalog.jsonb_each_text(" col ") k ORDER BY k.key COLLATE \"C\")"

static KMap
kmap_from_cols(int r, int kcol, int vcol)
{
	KMap		km;
	bool		isnull;
	int			nv;

	km.keys = text_array(SpiGetDatum(r, kcol, &isnull), &km.n);
	km.vals = text_array(SpiGetDatum(r, vcol, &isnull), &nv);
	km.keypos = palloc0(sizeof(OfsPos) * (km.n + 1));
	return km;
}

/*
 * ApplyStateFromRegistry loads the registry's objects of a project; its
 * project is NULL when the registry has none.
 */
ApplyState *
ApplyStateFromRegistry(const char *project)
{
	ApplyState *st = palloc0(sizeof(ApplyState));
	Params		p = {0};

	p_text(&p, project);

	exec_params("SELECT description, provider, registry::pg_catalog.text, "
				"online_store::pg_catalog.text, offline_store::pg_catalog.text, "
				"batch_engine::pg_catalog.text, materialization::pg_catalog.text, "
				"auth::pg_catalog.text, entity_key_serialization_version, "
				"coerce_tz_aware, online_schema "
				"FROM feast.projects WHERE name OPERATOR(pg_catalog.=) $1",
				&p, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		AProject   *pr = palloc0(sizeof(AProject));
		bool		isnull;

		pr->name = pstrdup(project);
		pr->description = col_text_or_empty(0, 1);
		pr->provider = col_text_or_empty(0, 2);
		pr->registry = SpiGetText(0, 3);
		pr->online_store = SpiGetText(0, 4);
		pr->offline_store = SpiGetText(0, 5);
		pr->batch_engine = SpiGetText(0, 6);
		pr->materialization = SpiGetText(0, 7);
		pr->auth = SpiGetText(0, 8);
		pr->eksv = DatumGetInt32(SpiGetDatum(0, 9, &isnull));
		pr->coerce_tz_aware = DatumGetBool(SpiGetDatum(0, 10, &isnull));
		pr->online_schema = col_text_or_empty(0, 11);
		st->project = pr;
	}

	exec_params("SELECT name, join_key, value_type, description, owner, "
				"tags::pg_catalog.text FROM feast.entities "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY name COLLATE \"C\"", &p, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		AEntity    *e = palloc0(sizeof(AEntity));

		e->name = SpiGetText(r, 1);
		e->join_key = SpiGetText(r, 2);
		e->value_type = SpiGetText(r, 3);
		e->description = col_text_or_empty(r, 4);
		e->owner = col_text_or_empty(r, 5);
		e->tags = SpiGetText(r, 6);
		st->entities = lappend(st->entities, e);
	}

	exec_params("SELECT name, type, table_name, query, batch_source, "
				"timestamp_field, created_timestamp_column, "
				"date_partition_column, field_mapping::pg_catalog.text, "
				"description, owner, tags::pg_catalog.text, "
				JSON_KEYS("field_mapping") ", " JSON_VALS("field_mapping") " "
				"FROM feast.data_sources "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY name COLLATE \"C\"", &p, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		ASource    *s = palloc0(sizeof(ASource));

		s->name = SpiGetText(r, 1);
		s->type = SpiGetText(r, 2);
		s->table_name = SpiGetText(r, 3);
		s->query = SpiGetText(r, 4);
		s->batch_source = SpiGetText(r, 5);
		s->timestamp_field = SpiGetText(r, 6);
		s->created_col = SpiGetText(r, 7);
		s->date_partition_column = SpiGetText(r, 8);
		s->field_mapping = SpiGetText(r, 9);
		s->description = col_text_or_empty(r, 10);
		s->owner = col_text_or_empty(r, 11);
		s->tags = SpiGetText(r, 12);
		s->fm = kmap_from_cols(r, 13, 14);
		st->sources = lappend(st->sources, s);
	}

	exec_params("SELECT v.name, v.source, v.ttl, v.online, v.offline, "
				"v.description, v.owner, v.tags::pg_catalog.text, "
				"ARRAY(SELECT e.entity FROM feast.feature_view_entities e "
				"WHERE e.project OPERATOR(pg_catalog.=) v.project "
				"AND e.feature_view OPERATOR(pg_catalog.=) v.name "
				"ORDER BY e.position) "
				"FROM feast.feature_views v "
				"WHERE v.project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY v.name COLLATE \"C\"", &p, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		AView	   *v = palloc0(sizeof(AView));
		bool		isnull;

		v->name = SpiGetText(r, 1);
		v->source = SpiGetText(r, 2);
		v->ttl_usec = interval_usec(DatumGetIntervalP(SpiGetDatum(r, 3, &isnull)));
		v->online = DatumGetBool(SpiGetDatum(r, 4, &isnull));
		v->offline = DatumGetBool(SpiGetDatum(r, 5, &isnull));
		v->description = col_text_or_empty(r, 6);
		v->owner = col_text_or_empty(r, 7);
		v->tags = SpiGetText(r, 8);
		v->entities = text_array(SpiGetDatum(r, 9, &isnull), &v->nentities);
		v->entity_pos = palloc0(sizeof(OfsPos) * (v->nentities + 1));
		st->views = lappend(st->views, v);
	}

	/*
	 * Features, grouped by view: one pass to count, one to fill, looking a
	 * view up only when the group changes.
	 */
	exec_params("SELECT feature_view, name, dtype, description, "
				"tags::pg_catalog.text FROM feast.features "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY feature_view COLLATE \"C\", position", &p, SPI_OK_SELECT);
	for (int pass = 0; pass < 2; pass++)
	{
		AView	   *v = NULL;
		ListCell   *lc;

		for (uint64 r = 0; r < SPI_processed; r++)
		{
			char	   *fv = SpiGetText(r, 1);
			AFeature   *f;

			if (v == NULL || strcmp(v->name, fv) != 0)
				v = find_view(st->views, fv);
			if (v == NULL)
				continue;		/* cannot happen: foreign key */
			if (pass == 0)
			{
				v->nfeatures++;
				continue;
			}
			f = &v->features[v->nfeatures++];
			f->name = SpiGetText(r, 2);
			f->dtype = SpiGetText(r, 3);
			f->description = col_text_or_empty(r, 4);
			f->tags = SpiGetText(r, 5);
		}
		if (pass == 0)
		{
			foreach(lc, st->views)
			{
				v = lfirst(lc);
				v->features = palloc0(sizeof(AFeature) * (v->nfeatures + 1));
				v->nfeatures = 0;
			}
		}
	}

	exec_params("SELECT name, description, owner, tags::pg_catalog.text "
				"FROM feast.feature_services "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY name COLLATE \"C\"", &p, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		AService   *s = palloc0(sizeof(AService));

		s->name = SpiGetText(r, 1);
		s->description = col_text_or_empty(r, 2);
		s->owner = col_text_or_empty(r, 3);
		s->tags = SpiGetText(r, 4);
		st->services = lappend(st->services, s);
	}

	exec_params("SELECT feature_service, feature_view, alias, features, "
				"join_key_map::pg_catalog.text, "
				JSON_KEYS("join_key_map") ", " JSON_VALS("join_key_map") " "
				"FROM feast.feature_service_projections "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY feature_service COLLATE \"C\", position",
				&p, SPI_OK_SELECT);
	for (int pass = 0; pass < 2; pass++)
	{
		AService   *svc = NULL;
		ListCell   *lc;

		for (uint64 r = 0; r < SPI_processed; r++)
		{
			char	   *fs = SpiGetText(r, 1);
			AProjection *pr;
			bool		isnull;
			Datum		d;

			if (svc == NULL || strcmp(svc->name, fs) != 0)
				svc = find_service(st->services, fs);
			if (svc == NULL)
				continue;		/* cannot happen: foreign key */
			if (pass == 0)
			{
				svc->nprojections++;
				continue;
			}
			pr = &svc->projections[svc->nprojections++];
			pr->feature_view = SpiGetText(r, 2);
			pr->alias = SpiGetText(r, 3);
			d = SpiGetDatum(r, 4, &isnull);
			if (isnull)
				pr->nfeatures = -1;
			else
			{
				pr->features = text_array(d, &pr->nfeatures);
				pr->feature_pos = palloc0(sizeof(OfsPos) * (pr->nfeatures + 1));
			}
			pr->join_key_map = SpiGetText(r, 5);
			pr->jkm = kmap_from_cols(r, 6, 7);
		}
		if (pass == 0)
		{
			foreach(lc, st->services)
			{
				svc = lfirst(lc);
				svc->projections = palloc0(sizeof(AProjection) * (svc->nprojections + 1));
				svc->nprojections = 0;
			}
		}
	}

	return st;
}
