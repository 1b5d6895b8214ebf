/*
 * registry 0.1.0 -> 0.2.0
 *
 * 0.1.0 is the first complete release (chunk catalog, artifacts and
 * deployments, the semver type, blobs and the version registry, the
 * key/value store, the tenancy framework); its install script is kept
 * frozen in test/upgrade/registry--0.1.0.sql for the upgrade test.
 * 0.2.0 adds what follows.  Every statement is schema-qualified.
 */

\echo Use "ALTER EXTENSION registry UPDATE TO '0.2.0'" to load this file. \quit

-- reliability (issue #7): chunk_config_section raised XX000 for a spec field of unknown type,
-- which any caller can pass; it is a 22023 now.
CREATE OR REPLACE FUNCTION registry.chunk_config_section(path text, spec jsonb, cfg jsonb) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	out jsonb := '{}';
	f text;
	fs jsonb;
	v jsonb;
	name text;
	n numeric;
BEGIN
	IF cfg IS NULL THEN
		cfg := '{}';
	END IF;
	IF jsonb_typeof(cfg) <> 'object' THEN
		RAISE EXCEPTION '% must be an object', coalesce(path, 'config') USING ERRCODE = '22023',
			DETAIL = format('It is %s.', cfg);
	END IF;
	FOR f IN SELECT jsonb_object_keys(cfg) LOOP
		IF NOT spec ? f THEN
			RAISE EXCEPTION 'unknown config field %', concat_ws('.', path, f) USING ERRCODE = '22023';
		END IF;
	END LOOP;
	FOR f, fs IN SELECT e.key, e.value FROM jsonb_each(spec) e LOOP
		name := concat_ws('.', path, f);
		v := cfg -> f;
		IF fs ->> 'type' = 'section' THEN
			out := out || jsonb_build_object(f, registry.chunk_config_section(name, fs -> 'fields', v));
			CONTINUE;
		END IF;
		IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
			IF fs ? 'default' THEN
				out := out || jsonb_build_object(f, fs -> 'default');
			END IF;
			CONTINUE;
		END IF;
		CASE fs ->> 'type'
			WHEN 'integer' THEN
				IF jsonb_typeof(v) <> 'number' OR (v #>> '{}')::numeric <> trunc((v #>> '{}')::numeric) THEN
					RAISE EXCEPTION '% must be an integer', name USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				n := (v #>> '{}')::numeric;
				IF fs ? 'min' AND n < (fs ->> 'min')::numeric THEN
					RAISE EXCEPTION '% must be at least %', name, fs ->> 'min' USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				IF fs ? 'max' AND n > (fs ->> 'max')::numeric THEN
					RAISE EXCEPTION '% must be at most %', name, fs ->> 'max' USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				IF fs ->> 'check' = 'chunk_boundary' AND (n - 2) % 10000 <> 0 THEN
					RAISE EXCEPTION '% must be the first ledger of a chunk', name USING ERRCODE = '22023',
						DETAIL = format('It is %s; chunk boundaries are 2, 10002, 20002, ...', v);
				END IF;
				out := out || jsonb_build_object(f, v);
			WHEN 'path' THEN
				IF jsonb_typeof(v) <> 'string' THEN
					RAISE EXCEPTION '% must be a string', name USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				IF left(v #>> '{}', 1) <> '/' THEN
					RAISE EXCEPTION '% must be an absolute path', name USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				out := out || jsonb_build_object(f, registry.normalize_root(v #>> '{}'));
			WHEN 'string' THEN
				IF jsonb_typeof(v) <> 'string' THEN
					RAISE EXCEPTION '% must be a string', name USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				IF fs ? 'one_of' AND NOT (fs -> 'one_of') @> jsonb_build_array(v) THEN
					RAISE EXCEPTION '% must be one of %', name, fs -> 'one_of' USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				out := out || jsonb_build_object(f, v);
			ELSE
				RAISE EXCEPTION 'unknown config spec type % for %', coalesce(fs ->> 'type', 'NULL'), name
					USING ERRCODE = '22023';
		END CASE;
	END LOOP;
	RETURN out;
END;
$$;
