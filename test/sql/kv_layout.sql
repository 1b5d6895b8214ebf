-- Key/value store, part 1: the key layout rules of seed 004 (pure functions
-- registry.ns_from_key, registry.kv_key_namespace, registry.split_prefix,
-- registry.kv_prefix_lo/hi, registry.kv_org, registry.kv_check_limit).
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(67);

-- ns_from_key: every layout of the seed
SELECT is((SELECT row(kind, ns, rest)::text FROM registry.ns_from_key('ns/default')),
          '(ns,default,"")', 'ns/<name> lives in namespace <name>, no rest');
SELECT is((SELECT row(kind, ns, rest)::text FROM registry.ns_from_key('wf/default/order-1/run-9')),
          '(wf,default,order-1/run-9)', 'wf/<ns>/<workflowId>/<runId>');
SELECT is((SELECT row(kind, ns, rest)::text FROM registry.ns_from_key('wfh/prod/wf1/run1/17')),
          '(wfh,prod,wf1/run1/17)', 'wfh/<ns>/<workflowId>/<runId>/<eventId>');
SELECT is((SELECT row(kind, ns, rest)::text FROM registry.ns_from_key('sc/prod/nightly')),
          '(sc,prod,nightly)', 'sc/<ns>/<scheduleId>');
SELECT is((SELECT row(kind, ns, rest)::text FROM registry.ns_from_key('bt/prod/b-1')),
          '(bt,prod,b-1)', 'bt/<ns>/<batchId>');
SELECT is((SELECT row(kind, ns, rest)::text FROM registry.ns_from_key('dp/prod/v2')),
          '(dp,prod,v2)', 'dp/<ns>/<deploymentName>');
SELECT is((SELECT row(kind, ns, rest)::text FROM registry.ns_from_key('nx/prod/ep')),
          '(nx,prod,ep)', 'nx/<ns>/<endpointName>');
SELECT is((SELECT row(kind, ns, rest)::text FROM registry.ns_from_key('id/prod/a@b.example')),
          '(id,prod,a@b.example)', 'id/<ns>/<email>');
SELECT is((SELECT row(kind, ns, rest)::text FROM registry.ns_from_key('sa/prod/CustomKeywordField')),
          '(sa,prod,CustomKeywordField)', 'sa/<ns>/<attrName>');
SELECT is((SELECT row(kind, ns, rest)::text FROM registry.ns_from_key('idem/prod/wf1/req-7')),
          '(idem,prod,wf1/req-7)', 'idem/<ns>/<workflowId>/<requestId>');
SELECT is((SELECT rest FROM registry.ns_from_key('wf/prod/a/b/c')), 'a/b/c',
          'an identifier may contain "/": extra segments stay in rest');
SELECT is((SELECT ns FROM registry.ns_from_key('sc/é日本/x')), 'é日本',
          'namespaces are any bytes but "/"');
SELECT is((SELECT rest FROM registry.ns_from_key(E'sc/p/\x7f')), E'\x7f',
          'control characters are allowed in identifiers');
SELECT is((SELECT ns FROM registry.ns_from_key('sc/p/' || repeat('x', 4091))), 'p',
          'a key of exactly 4096 bytes is accepted');

-- ns_from_key: bad keys
SELECT throws_ok($$SELECT registry.ns_from_key('')$$, '22023',
                 'key must not be empty', 'the empty key is 22023');
SELECT throws_ok($$SELECT registry.ns_from_key('sc/p/' || repeat('x', 4092))$$, '22023',
                 'key is too long', 'a key over 4 KiB is 22023');
SELECT throws_ok($$SELECT registry.ns_from_key('zz/prod/x')$$, '22023',
                 'unknown kind "zz" in key', 'an unknown kind is 22023');
SELECT throws_ok($$SELECT registry.ns_from_key('WF/prod/a/b')$$, '22023',
                 'unknown kind "WF" in key', 'kinds are case-sensitive');
SELECT throws_ok($$SELECT registry.ns_from_key('plain')$$, '22023',
                 'unknown kind "plain" in key', 'a key without "/" is an unknown kind');
SELECT throws_ok($$SELECT registry.ns_from_key('wf')$$, '22P02',
                 'missing namespace in key', 'a bare kind is 22P02');
SELECT throws_ok($$SELECT registry.ns_from_key('wf/')$$, '22P02',
                 'missing namespace in key', 'a kind and "/" is 22P02');
SELECT throws_ok($$SELECT registry.ns_from_key('/prod/x')$$, '22P02',
                 'empty segment in key', 'an empty kind is 22P02');
SELECT throws_ok($$SELECT registry.ns_from_key('sc//x')$$, '22P02',
                 'empty segment in key', 'an empty namespace is 22P02');
SELECT throws_ok($$SELECT registry.ns_from_key('wf/prod/a//b')$$, '22P02',
                 'empty segment in key', 'an empty inner segment is 22P02');
SELECT throws_ok($$SELECT registry.ns_from_key('sc/prod/x/')$$, '22P02',
                 'empty segment in key', 'a trailing "/" is 22P02');
SELECT throws_ok($$SELECT registry.ns_from_key('ns/')$$, '22P02',
                 'missing namespace in key', 'ns/ alone is 22P02');
SELECT throws_ok($$SELECT registry.ns_from_key('ns/a/b')$$, '22P02',
                 'namespace name must not contain "/"', 'ns/<name> with "/" in the name is 22P02');
SELECT throws_ok($$SELECT registry.ns_from_key('sc/prod')$$, '22P02',
                 'too few segments in key', 'a key with nothing after its namespace is 22P02');
SELECT throws_ok($$SELECT registry.ns_from_key('wf/prod/only-workflow')$$, '22P02',
                 'too few segments in key', 'wf needs workflowId and runId');
SELECT throws_ok($$SELECT registry.ns_from_key('wfh/prod/wf/run')$$, '22P02',
                 'too few segments in key', 'wfh needs an eventId');
SELECT throws_ok($$SELECT registry.ns_from_key('idem/prod/wf')$$, '22P02',
                 'too few segments in key', 'idem needs a requestId');
SELECT is(registry.ns_from_key(NULL), NULL, 'NULL in, NULL out (STRICT)');
SELECT is(registry.kv_key_namespace('idem/prod/wf1/req-7'), 'prod', 'kv_key_namespace is the ns of ns_from_key');
SELECT throws_ok($$SELECT registry.kv_key_namespace('wf/prod/x')$$, '22P02',
                 'too few segments in key', 'kv_key_namespace raises what ns_from_key raises');

-- split_prefix
SELECT is((SELECT row(kind, ns, suffix)::text FROM registry.split_prefix('ns/')),
          '(ns,,"")', 'ns/ lists across namespaces (ns is NULL)');
SELECT is((SELECT row(kind, ns, suffix)::text FROM registry.split_prefix('ns')),
          '(ns,,"")', 'ns lists across namespaces');
SELECT is((SELECT row(kind, ns, suffix)::text FROM registry.split_prefix('nx/')),
          '(nx,,"")', 'nx/ lists across namespaces');
SELECT is((SELECT row(kind, ns, suffix)::text FROM registry.split_prefix('nx/prod/')),
          '(nx,prod,"")', 'nx/<ns>/ lists one namespace');
SELECT is((SELECT row(kind, ns, suffix)::text FROM registry.split_prefix('wf/prod/order-')),
          '(wf,prod,order-)', 'wf/<ns>/<suffix>');
SELECT is((SELECT row(kind, ns, suffix)::text FROM registry.split_prefix('wf/prod')),
          '(wf,prod,"")', 'a namespace without the trailing "/"');
SELECT is((SELECT row(kind, ns, suffix)::text FROM registry.split_prefix('wf/prod/a/b/')),
          '(wf,prod,a/b/)', 'a suffix may end with "/"');
SELECT throws_ok($$SELECT registry.split_prefix('wf/')$$, '22023',
                 'missing namespace in prefix', 'wf/ without a namespace is 22023');
SELECT throws_ok($$SELECT registry.split_prefix('idem')$$, '22023',
                 'missing namespace in prefix', 'idem without a namespace is 22023');
SELECT throws_ok($$SELECT registry.split_prefix('sc')$$, '22023',
                 'missing namespace in prefix', 'every kind but ns and nx needs a namespace');
SELECT throws_ok($$SELECT registry.split_prefix('')$$, '22023',
                 'prefix must not be empty', 'the empty prefix is 22023');
SELECT throws_ok($$SELECT registry.split_prefix('foo/x/')$$, '22023',
                 'unknown kind "foo" in prefix', 'an unknown kind in a prefix is 22023');
SELECT throws_ok($$SELECT registry.split_prefix('wf//x')$$, '22P02',
                 'empty segment in prefix', 'an empty namespace in a prefix is 22P02');
SELECT throws_ok($$SELECT registry.split_prefix('wf/p/a//')$$, '22P02',
                 'empty segment in prefix', 'an empty inner segment in a prefix is 22P02');
SELECT throws_ok($$SELECT registry.split_prefix('ns/a/b')$$, '22P02',
                 'namespace name must not contain "/"', 'nothing follows a namespace name');
SELECT throws_ok($$SELECT registry.split_prefix(repeat('x', 4097))$$, '22023',
                 'prefix is too long', 'a prefix over 4 KiB is 22023');

-- the byte range a prefix lists
SELECT is(registry.kv_prefix_lo('wf/prod') || ' ' || registry.kv_prefix_hi('wf/prod'),
          'wf/prod/ wf/prod0', 'a named namespace is whole: wf/prod lists [wf/prod/, wf/prod0)');
SELECT is(registry.kv_prefix_lo('nx') || ' ' || registry.kv_prefix_hi('nx'),
          'nx/ nx0', 'nx lists every nx/ key');
SELECT is(registry.kv_prefix_lo('ns/prod') || ' ' || registry.kv_prefix_hi('ns/prod'),
          E'ns/prod ns/prod\x01', 'ns/<name> lists exactly the key ns/<name>');
SELECT is(registry.kv_prefix_hi('sc/p/aé'), 'sc/p/aê',
          'the upper bound increments the last character, staying valid UTF-8');
SELECT is(registry.kv_prefix_hi(E'sc/p/a\u007f'), E'sc/p/a\u0080',
          'U+007F is followed by U+0080');
SELECT is(registry.kv_prefix_hi(E'sc/p/a\uD7FF'), E'sc/p/a\uE000',
          'the successor skips the surrogate range');
SELECT is(registry.kv_prefix_hi(E'sc/p/a\U0010FFFF'), 'sc/p/b',
          'U+10FFFF has no successor: the character before it is incremented');
SELECT ok(convert_to(registry.kv_prefix_lo('sc/p/x' || chr(1114111)), 'UTF8')
            < convert_to(registry.kv_prefix_hi('sc/p/x' || chr(1114111)), 'UTF8'),
          'lo < hi in byte order');

-- org and limit
SELECT is(registry.kv_org(''), '_', 'the empty org is stored as _');
SELECT is(registry.kv_org('_'), '_', '_ is the empty org''s sentinel, as in the seed');
SELECT is(registry.kv_org('acme'), 'acme', 'other orgs are stored as given');
SELECT throws_ok($$SELECT registry.kv_org(repeat('o', 201))$$, '22023',
                 'org is too long', 'an org over 200 bytes is 22023');
SELECT throws_ok($$SELECT registry.kv_org(E'a\nb')$$, '22023',
                 'org must not contain control characters', 'an org with a control character is 22023');
SELECT is(registry.kv_check_limit(NULL), NULL, 'a NULL limit is no limit');
SELECT is(registry.kv_check_limit(0), 0::bigint, 'a zero limit is allowed');
SELECT throws_ok($$SELECT registry.kv_check_limit(-1)$$, '22023',
                 'limit must not be negative', 'a negative limit is 22023');

-- the layout functions are pure
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_proc
            WHERE pronamespace = 'registry'::regnamespace
              AND proname IN ('ns_from_key', 'split_prefix', 'kv_prefix_lo', 'kv_prefix_hi', 'kv_org',
                              'kv_key_namespace')
              AND provolatile = 'i' AND proisstrict AND proparallel = 's'),
          6, 'layout functions are IMMUTABLE STRICT PARALLEL SAFE');

SELECT * FROM finish();
ROLLBACK;
