/*
 * registry 0.6.0 -> 0.7.0
 *
 * registry.kv_list hides its limit from the planner (a subquery), so that a
 * page of a prefix is always the ordered scan of the org's (org, key) index
 * that stops after the page.  In 0.6.0 the planner saw the limit's value: on
 * a prefix with somewhat more keys than the page (1,000 of 2,000, say),
 * written in no particular order, it read every key under the prefix with a
 * bitmap scan and sorted them, about 2.5 times slower with the table
 * cached.
 *
 * CREATE OR REPLACE keeps the function's grants and comment.  No table is
 * touched.
 */

\echo Use "ALTER EXTENSION registry UPDATE TO '0.7.0'" to load this file. \quit

CREATE OR REPLACE FUNCTION registry.kv_list(org text, prefix text, after text DEFAULT NULL,
											"limit" integer DEFAULT NULL)
	RETURNS TABLE (key text, value bytea, upd bigint)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT k.key, k.value, k.upd
	  FROM registry.kv AS k
	 WHERE k.org = registry.kv_org(kv_list.org)
	   AND k.key >= registry.kv_prefix_lo(kv_list.prefix)
	   AND k.key < registry.kv_prefix_hi(kv_list.prefix)
	   AND k.key > COALESCE(kv_list.after, ''::text)
	 ORDER BY k.key
	 LIMIT (SELECT registry.kv_check_limit(kv_list."limit"));
END;
