-- The extension's members: any change to the SQL API shows here as a diff.
SELECT object FROM (
	SELECT pg_catalog.pg_describe_object(classid, objid, 0) AS object
	FROM pg_catalog.pg_depend
	WHERE refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
	  AND refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'offline_store')
	  AND deptype = 'e'
) members
ORDER BY object COLLATE "C";

-- The setting exists once the library is loaded.
LOAD 'offline_store';
SHOW offline_store.project;
