/*
 * registry 0.3.0 -> 0.4.0
 *
 * registry.descendants is C (src/lineage.c): it walks lineage chains while
 * the subtree has few of them and otherwise reads the component's tree in
 * one index-only scan, ordering the result in memory.  For that scan the
 * unique index on versions (project_id, component, seq) now covers id,
 * primary_parent, depth, semver and pruned_at; it is rebuilt here, which
 * locks registry.versions for the time of one index build.
 */

\echo Use "ALTER EXTENSION registry UPDATE TO '0.4.0'" to load this file. \quit

ALTER TABLE registry.versions
	DROP CONSTRAINT versions_project_id_component_seq_key,
	ADD CONSTRAINT versions_project_id_component_seq_key
		UNIQUE (project_id, component, seq) INCLUDE (id, primary_parent, depth, semver, pruned_at);

CREATE OR REPLACE FUNCTION registry.descendants(version_id bigint)
	RETURNS TABLE (distance integer, id bigint, seq bigint, semver registry.semver, pruned boolean)
	AS 'MODULE_PATHNAME', 'registry_descendants'
	LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION registry.descendants(bigint) IS
	'every version below this one by primary parent, nearest first (distance 1 = child); P0002 for an unknown version';
