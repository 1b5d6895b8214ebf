-- House-style checks over every object the extension owns (runs last, so it
-- sees everything).  Each assertion lists the offenders, so a failure says
-- what to fix.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(10);

CREATE TEMP VIEW ext_objects AS
SELECT d.classid, d.objid
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
 WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass
   AND d.deptype = 'e' AND e.extname = 'registry';

CREATE TEMP VIEW ext_functions AS
SELECT p.oid::regprocedure::text AS sig, p.*
  FROM pg_catalog.pg_proc p JOIN ext_objects o
    ON o.classid = 'pg_catalog.pg_proc'::regclass AND o.objid = p.oid;

CREATE TEMP VIEW ext_relations AS
SELECT c.oid, c.oid::regclass::text AS name, c.relkind, c.relispartition
  FROM pg_catalog.pg_class c JOIN ext_objects o
    ON o.classid = 'pg_catalog.pg_class'::regclass AND o.objid = c.oid;

SELECT is(ARRAY(SELECT sig FROM ext_functions
                 WHERE pg_catalog.obj_description(oid, 'pg_proc') IS NULL ORDER BY 1),
          '{}'::text[], 'every function has a COMMENT');

SELECT is(ARRAY(SELECT name FROM ext_relations
                 WHERE relkind IN ('r', 'p', 'v', 'm', 'S')
                   AND pg_catalog.obj_description(oid, 'pg_class') IS NULL ORDER BY 1),
          '{}'::text[], 'every table, view and sequence has a COMMENT');

SELECT is(ARRAY(SELECT t.oid::regtype::text FROM pg_catalog.pg_type t JOIN ext_objects o
                    ON o.classid = 'pg_catalog.pg_type'::regclass AND o.objid = t.oid
                 WHERE t.typtype IN ('b', 'd', 'e', 'r')
                   AND pg_catalog.obj_description(t.oid, 'pg_type') IS NULL ORDER BY 1),
          '{}'::text[], 'every base type, domain, enum and range type has a COMMENT');

SELECT is(ARRAY(SELECT op.oid::regoperator::text FROM pg_catalog.pg_operator op JOIN ext_objects o
                    ON o.classid = 'pg_catalog.pg_operator'::regclass AND o.objid = op.oid
                 WHERE pg_catalog.obj_description(op.oid, 'pg_operator') IS NULL ORDER BY 1),
          '{}'::text[], 'every operator has a COMMENT');

-- Tables holding user data (ordinary and partitioned tables, not partitions,
-- whose rows the extension's own script does not own) and sequences must be
-- registered with pg_extension_config_dump so pg_dump keeps their rows.
SELECT is(ARRAY(SELECT r.name FROM ext_relations r
                 WHERE r.relkind IN ('r', 'p', 'S') AND NOT r.relispartition
                   AND r.oid <> ALL (COALESCE((SELECT e.extconfig FROM pg_catalog.pg_extension e
                                                WHERE e.extname = 'registry'), '{}'))
                 ORDER BY 1),
          '{}'::text[], 'every table and sequence is marked with pg_extension_config_dump');

SELECT is(ARRAY(SELECT sig FROM ext_functions f JOIN pg_catalog.pg_language l ON l.oid = f.prolang
                 WHERE l.lanname = 'c' AND f.provolatile = 'i' AND f.proparallel <> 's' ORDER BY 1),
          '{}'::text[], 'every IMMUTABLE C function is PARALLEL SAFE');

SELECT is(ARRAY(SELECT sig FROM ext_functions f JOIN pg_catalog.pg_language l ON l.oid = f.prolang
                 WHERE l.lanname = 'c' AND f.provolatile = 'i' AND NOT f.proisstrict
                   AND f.prorettype <> 'pg_catalog.internal'::regtype
                   AND f.prokind = 'f'
                   -- validators (check_*) take NULL on purpose, to reject it
                   AND f.proname NOT LIKE '%check\_%'
                   -- a row CHECK judges the table's nullable columns too
                   AND f.proname NOT IN ('deployment_row_ok', 'version_row_ok') ORDER BY 1),
          '{}'::text[], 'every IMMUTABLE C function is STRICT (validators aside)');

SELECT is(ARRAY(SELECT sig FROM ext_functions f JOIN pg_catalog.pg_language l ON l.oid = f.prolang
                 WHERE l.lanname = 'plpgsql'
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(f.proconfig) c
                                    WHERE c LIKE 'search\_path=%') ORDER BY 1),
          '{}'::text[], 'every PL/pgSQL function pins its search_path');

SELECT is(ARRAY(SELECT sig FROM ext_functions f
                 WHERE f.prosecdef
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(f.proconfig) c
                                    WHERE c IN ('search_path=pg_catalog, pg_temp',
                                                'search_path=pg_catalog,pg_temp')) ORDER BY 1),
          '{}'::text[], 'every SECURITY DEFINER function has search_path = pg_catalog, pg_temp');

SELECT is(ARRAY(SELECT n.nspname || '.' || p.proname
                  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'registry'
                   AND p.oid NOT IN (SELECT oid FROM ext_functions) ORDER BY 1),
          '{}'::text[], 'no function in schema registry lives outside the extension');

SELECT * FROM finish();
ROLLBACK;
