-- Version registry: search(criteria) with every key, list_versions,
-- and bad criteria (unknown keys and operators name themselves, 22023).
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(40);

SELECT registry.configure_component('vt-srch', 'sem', 'semantic') IS NOT NULL \g /dev/null
CREATE TEMP TABLE s (name text PRIMARY KEY, id bigint);
INSERT INTO s SELECT 'a', id FROM registry.register('vt-srch', 'sem', E'def f():\n    return 1\n', '{"model": "m1", "tags": ["fast"]}',
                                                    version => '1.0.0', metrics => '{"score": 0.5, "latency": 12}', status => 'accepted');
INSERT INTO s SELECT 'b', id FROM registry.register('vt-srch', 'sem', E'def f():\n    return 2\n', '{"model": "m2"}',
                                                    version => '1.2.0', metrics => '{"score": 0.91, "latency": 30}', status => 'candidate');
INSERT INTO s SELECT 'c', id FROM registry.register('vt-srch', 'sem', E'def g():\n    return 3\n', '{"model": "m1", "tags": ["fast", "small"]}',
                                                    version => '2.0.0-rc.1', metrics => '{"score": 0.95, "latency": "n/a"}', status => 'candidate');
INSERT INTO s SELECT 'd', id FROM registry.register('vt-srch', 'sem', E'def f():\n    return 4\n', '{}',
                                                    version => '2.0.0', metrics => '{"score": 0.99}', status => 'rejected');
INSERT INTO s SELECT 'i', id FROM registry.register('vt-srch', 'inc', 'plain', '{"model": "m1"}', metrics => '{"score": 0.93}');

CREATE FUNCTION pg_temp.names(criteria jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(s.name, ' ' ORDER BY x.ordinality), '')
	  FROM registry.search(criteria) WITH ORDINALITY AS x JOIN s ON s.id = x.id
$$;

SELECT is(pg_temp.names('{"project": "vt-srch"}'), 'a b c d i', 'project; default order is by id');
SELECT is(pg_temp.names('{"project": "vt-srch", "component": "sem"}'), 'a b c d', 'component');
SELECT is(pg_temp.names('{"project": "vt-srch", "component": ["inc", "nope"]}'), 'i', 'component as a list');
SELECT is(pg_temp.names('{"project": "vt-srch", "status": "candidate"}'), 'b c', 'status');
SELECT is(pg_temp.names('{"project": "vt-srch", "status": ["accepted", "rejected"]}'), 'a d', 'status as a list');
SELECT is(pg_temp.names('{"project": "vt-srch", "metadata": {"model": "m1"}}'), 'a c i', 'metadata containment');
SELECT is(pg_temp.names('{"project": "vt-srch", "metadata": {"tags": ["small"]}}'), 'c', 'nested metadata containment');
SELECT is(pg_temp.names('{"project": "vt-srch", "metrics": {"score": {">=": 0.91}}}'), 'b c d i', 'metric >=');
SELECT is(pg_temp.names('{"project": "vt-srch", "metrics": {"score": {">": 0.91, "<": 0.99}}}'), 'c i', 'two operators on one metric');
SELECT is(pg_temp.names('{"project": "vt-srch", "metrics": {"score": {"<=": 0.5}}}'), 'a', 'metric <=');
SELECT is(pg_temp.names('{"project": "vt-srch", "metrics": {"score": {"=": 0.99}}}'), 'd', 'metric =');
SELECT is(pg_temp.names('{"project": "vt-srch", "metrics": {"score": 0.99}}'), 'd', 'a bare value means =');
SELECT is(pg_temp.names('{"project": "vt-srch", "metrics": {"latency": {"<>": 12}}}'), 'b c', 'metric <> (missing metrics do not match)');
SELECT is(pg_temp.names('{"project": "vt-srch", "metrics": {"latency": {">": 0}}}'), 'a b', 'a non-numeric metric value never matches a comparison');
SELECT is(pg_temp.names('{"project": "vt-srch", "version": "^1.0"}'), 'a b', 'version range ^1.0');
SELECT is(pg_temp.names('{"project": "vt-srch", "version": ">=1.1.0 <3 || 1.0.0"}'), 'a b d', 'version range with || (prereleases excluded)');
SELECT is(pg_temp.names('{"project": "vt-srch", "version": ">=2.0.0-rc.0"}'), 'c d', 'a prerelease comparator admits prereleases');
SELECT is(pg_temp.names('{"project": "vt-srch", "text": "return 2"}'), 'b', 'text in the implementation');
SELECT is(pg_temp.names('{"project": "vt-srch", "text": "def f"}'), 'a b d', 'text matching several');
SELECT is(pg_temp.names(jsonb_build_object('project', 'vt-srch', 'created_after', now() - interval '1 hour',
                                           'created_before', now() + interval '1 hour')), 'a b c d i', 'a time window');
SELECT is(pg_temp.names(jsonb_build_object('project', 'vt-srch', 'created_after', now() + interval '1 hour')), '',
          'a window in the future matches nothing');
SELECT is(pg_temp.names('{"project": "vt-srch", "any": [{"status": "accepted"}, {"metrics": {"score": {">": 0.98}}}]}'),
          'a d', 'any is OR');
SELECT is(pg_temp.names('{"project": "vt-srch", "component": "sem", "not": {"status": "candidate"}}'), 'a d', 'not');
SELECT is(pg_temp.names('{"project": "vt-srch", "all": [{"metadata": {"model": "m1"}}, {"component": "sem"}]}'), 'a c', 'all is AND');
SELECT is(pg_temp.names('{"project": "vt-srch", "any": []}'), '', 'an empty any matches nothing');
SELECT is(pg_temp.names('{"project": "vt-srch", "order_by": "-metrics.score", "limit": 2}'), 'd c', 'order by a metric, descending, limit');
SELECT is(pg_temp.names('{"project": "vt-srch", "order_by": "metrics.latency"}'), 'a b c d i', 'non-numeric and missing metrics sort last');
SELECT is(pg_temp.names('{"project": "vt-srch", "component": "sem", "order_by": "-version", "offset": 1}'), 'c b a',
          'order by version (semver precedence), descending, offset');
SELECT is(pg_temp.names('{"project": "vt-srch", "order_by": ["-created_at", "-id"], "limit": 1}'), 'i', 'order by several keys (created_at ties within a transaction, then id)');

-- list_versions: version order and filters
SELECT is((SELECT string_agg(s.name, ' ' ORDER BY x.ordinality) FROM registry.list_versions('vt-srch', 'sem') WITH ORDINALITY x JOIN s USING (id)),
          'a b c d', 'list_versions in semver precedence order (2.0.0-rc.1 before 2.0.0)');
SELECT is((SELECT string_agg(s.name, ' ' ORDER BY x.ordinality)
             FROM registry.list_versions('vt-srch', 'sem', '{"status": "candidate"}') WITH ORDINALITY x JOIN s USING (id)),
          'b c', 'list_versions with a filter');
SELECT throws_ok($$SELECT * FROM registry.list_versions('vt-srch', 'sem', '{"project": "x"}')$$, '22023', NULL,
                 'list_versions filters must not name project');

-- values never become SQL text
SELECT is(pg_temp.names($${"project": "vt-srch' OR true --", "status": "x'); DROP TABLE registry.versions; --"}$$), '',
          'quotes in values are plain data');
SELECT ok((SELECT position('DROP' IN sql) = 0 AND position('vt-srch' IN sql) = 0
             FROM registry.search_sql($${"project": "vt-srch", "status": "DROP"}$$)),
          'the generated SQL holds no value, only parameter positions');

-- bad criteria
SELECT throws_ok($$SELECT * FROM registry.search('{"colour": "red"}')$$, '22023', 'unknown search key: colour',
                 'an unknown key is 22023 naming it');
SELECT throws_ok($$SELECT * FROM registry.search('{"metrics": {"score": {"~": 1}}}')$$, '22023', 'unknown metric operator: ~',
                 'an unknown operator is 22023 naming it');
SELECT throws_ok($$SELECT * FROM registry.search('{"metrics": {"score": {">": "high"}}}')$$, '22023', NULL,
                 'a non-numeric threshold is 22023');
SELECT throws_ok($$SELECT * FROM registry.search('{"any": [{"limit": 3}]}')$$, '22023', NULL, 'limit inside any is 22023');
SELECT throws_ok($$SELECT * FROM registry.search('{"limit": -1}')$$, '22023', NULL, 'a negative limit is 22023');
SELECT throws_ok($$SELECT * FROM registry.search('{"order_by": "colour"}')$$, '22023', 'unknown order_by: colour',
                 'an unknown order_by is 22023');

SELECT * FROM finish();
ROLLBACK;
