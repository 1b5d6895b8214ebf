#!/usr/bin/env python3
"""Generates the bad-input matrix candidates for test/harness/bad_inputs.sh.

For every SQL-callable function of the extension (SIGS below, checked against
the catalog by the harness) it writes one row per (argument position, bad
value): the argument replaced by NULL or by a malformed value of its kind
(hex, JSON shape, version, range, key, criteria, number, oversized/empty/
control-character string, invalid UTF-8 bytes in bytea, ...), the others
valid, plus wrong-arity calls.  Output on stdout: "function<TAB>call<TAB>?".
`bad_inputs.sh --calibrate` runs these once (each rolled back), records each
row's outcome as its expectation and writes test/inputs/bad_inputs.tsv, which
is reviewed and checked in; the harness then demands exactly those outcomes.
Calls use no tab, newline or backslash, so the TSV loads with \\copy as-is.
"""
import sys

def q(s):
    return "'" + s.replace("'", "''") + "'"

BIG = "repeat('x', 1000000)"
LONG = "repeat('x', 5000)"
TEXT_BAD = ["''", BIG, LONG, "chr(1)", "'a' || chr(127) || 'b'", "' lead'", "'trail '",
            "'UPPER'", "'a/b/../c'", "'%'", "'''; DROP TABLE registry.kv; --'",
            "chr(65533) || chr(8238) || chr(8203)", "convert_from(decode('e697a5e69cac', 'hex'), 'UTF8')",
            "'-1'", "'99999999999999999999999999'", "chr(9) || chr(10) || chr(13)"]
HEX_BAD = ["''", "'0x'", "'0xzz'", "'0x1'", "'0xg0'", "'0X00'", "' 0x00'", "'0x00 '", "'0x-1'",
           "'0x' || repeat('0', 39)", "'0x' || repeat('ab', 200000)", "'x00'", "'00x0'", "'0x0x00'",
           "'0x' || chr(1)", "'0x' || chr(65533)"]
BIGINT_BAD = ["-1", "(-9223372036854775807 - 1)", "9223372036854775807", "4294967296", "2147483648",
              "-4294967296"]
INT_BAD = ["-1", "(-2147483647 - 1)", "2147483647", "0"]
JSON_BAD = ["'null'::jsonb", "'1'::jsonb", "'\"s\"'::jsonb", "'[]'::jsonb", "'{}'::jsonb", "'[1, 2]'::jsonb",
            "'{\"a\": null}'::jsonb", "'[null]'::jsonb", "'{\"\": \"\"}'::jsonb",
            "(repeat('[', 2000) || repeat(']', 2000))::jsonb", "'true'::jsonb",
            "jsonb_build_object('x', repeat('y', 100000))"]
BYTEA_BAD = ["decode('', 'hex')", "decode('ff00c328fe80', 'hex')", "decode(repeat('ff', 200000), 'hex')",
             "decode('00', 'hex')"]
TEXTARR_BAD = ["'{}'::text[]", "ARRAY[NULL]::text[]", "ARRAY['']", "ARRAY[chr(1)]", "ARRAY['x', 'x']",
               "array_fill('x'::text, ARRAY[10000])", "'{{a,b},{c,d}}'::text[]", "ARRAY[" + BIG + "]"]
SEMVER_BAD = ["''", "'1'", "'1.2'", "'1.2.3.4'", "'01.2.3'", "'1.02.3'", "'1.2.3-'", "'1.2.3+'", "'1.2.3-01'",
              "'-1.2.3'", "'99999999999999999999.0.0'", "'1.2.99999999999999999999'", "'1.2.3-a..b'",
              "'1.2.3+a..b'", "'1.2.3-' || chr(1)", "'1.2.3 '", "' 1.2.3'", "'1.2.x'", "'a.b.c'",
              "'1.2.3-' || repeat('a', 100000)", "'1..3'", "'1.2.3-Ä'"]
RANGE_BAD = ["''", "'>='", "'1.2.3 -'", "'- 1.2.3'", "'^'", "'~>x'", "'||'", "'>=1.0.0 <'", "'1.x.x.x'",
             "'a - b'", "'>=99999999999999999999.0.0'", "'1.2.3 || || 2.0.0'", "'>>1.0.0'", "'=<1.0.0'",
             "'^1.2.3-'", "'~' || chr(1)", "repeat('1.0.0 || ', 20000) || '1.0.0'", "'1.2.3 - 2.0.0 - 3.0.0'",
             "'<=>1.0.0'", "'!1.0.0'"]
CHUNK_KEY_BAD = ["''", "'chunk:'", "'chunk:-1:ledgers'", "'chunk:00000042:foo'", "'chunk:00000042:'",
                 "'chunk:42:ledgers'", "'chunk:99999999999:ledgers'", "'hot:chunk:'", "'hot:chunk:-1'",
                 "'hot:chunk:0000004x'", "'chunk:00000042:ledgers:x'", "'CHUNK:00000042:ledgers'",
                 "'chunk:00000042:ledgers '", "'chunk:0x000042:ledgers'", "'hot:chunk:99999999999999999999'",
                 "'chunk:' || repeat('9', 5000) || ':ledgers'"]
CHUNK_ID_BAD = ["''", "'-1'", "'42'", "'0000004x'", "'99999999999999999999'", "' 00000042'", "'00000042 '",
                "'+0000042'", "'0x000042'", "repeat('0', 5000)"]
KV_KEY_BAD = ["''", "'wf'", "'wf/'", "'wf//x'", "'zz/ns/x'", "'ns/a/b'", "'/'", "'wf/ns/'", "'wf/ns'",
              "'wfh/ns/w/r'", "'ns/'", "'idem/ns/w'", "'wf/' || repeat('n', 5000) || '/w/r'", "'WF/ns/w/r'",
              "'wf/ns/w/r/'", "'wf/ns//r'"]
KV_PREFIX_BAD = ["''", "'zz'", "'zz/'", "'wf'", "'wf/'", "'//'", "'wf//'", "repeat('wf/', 3000)",
                 "'WF/ns'", "'idem'"]
CONFIG_BAD = JSON_BAD + ["'{\"service\": 1}'::jsonb", "'{\"service\": {\"nope\": 1}}'::jsonb",
                         "'{\"immutable_storage\": []}'::jsonb", "'{\"backfill\": {\"bsb\": \"x\"}}'::jsonb",
                         "'{\"service\": {\"retention_chunks\": -1}}'::jsonb"]
OPS_BAD = JSON_BAD + ["'[1]'::jsonb", "'[{\"op\": \"zap\"}]'::jsonb", "'[{\"op\": \"put\"}]'::jsonb",
                      "'[{\"op\": \"put\", \"key\": \"wf/a/b/c\", \"value_base64\": \"!!!\"}]'::jsonb",
                      "'[{\"op\": \"put\", \"key\": \"wf/a/b/c\", \"value\": 1}]'::jsonb",
                      "'[{\"op\": \"put\", \"key\": \"bad\", \"value\": \"v\"}]'::jsonb",
                      "'[{\"op\": \"del\"}]'::jsonb", "'[{\"op\": \"del\", \"key\": 5}]'::jsonb",
                      "'[{\"op\": \"put\", \"key\": \"wf/a/b/c\", \"value\": \"v\"}, {\"op\": \"zap\"}]'::jsonb",
                      "'[{\"op\": null, \"key\": \"wf/a/b/c\"}]'::jsonb",
                      "'{\"op\": \"put\", \"key\": \"wf/a/b/c\", \"value\": \"v\"}'::jsonb"]
IMPORT_BAD = JSON_BAD + ["'{\"artifacts\": 1}'::jsonb", "'{\"deployments\": {}}'::jsonb",
                         "'{\"deployments\": [1]}'::jsonb", "'{\"deployments\": [{\"x\": 1}]}'::jsonb",
                         "'{\"artifacts\": [{\"name\": \"\"}]}'::jsonb", "'{\"version\": 99}'::jsonb",
                         "'{\"artifacts\": [{\"project_id\": \"relin\", \"name\": \"N\", \"abi\": [], \"bytecode\": \"0xzz\"}]}'::jsonb",
                         "'{\"deployments\": [{\"project_id\": \"relin\", \"idempotency_key\": \"k\", \"chain_id\": \"\", \"contract\": \"C\", \"address\": \"0x1\"}]}'::jsonb",
                         "'{\"active_chains\": \"x\"}'::jsonb"]
ABI_BAD = ["'null'::jsonb", "'1'::jsonb", "'\"s\"'::jsonb", "'{}'::jsonb", "'true'::jsonb",
           "(repeat('[', 2000) || repeat(']', 2000))::jsonb"]
COMPILER_BAD = ["'[]'::jsonb", "'1'::jsonb", "'\"s\"'::jsonb", "'null'::jsonb"]
NAME_BAD = ["''::name", "'no_such_role_relin'::name", "repeat('r', 100)::name", "'PUBLIC'::name", "'-'::name"]
PRIV_BAD = ["''", "'owner'", "'READ'", "'read '", "'admin2'", BIG]
INTERVAL_BAD = ["'-1 minute'::interval", "'0'::interval", "'1000000 years'::interval", "'-1000000 years'::interval",
                "'1 microsecond'::interval"]
TS_BAD = ["'infinity'::timestamptz", "'-infinity'::timestamptz", "'4713-01-01 00:00:00+00 BC'::timestamptz"]
BUMP_BAD = ["''", "'majr'", "'MAJOR'", "'pre'", "'major '", BIG, "chr(1)"]
SEMARR_BAD = ["ARRAY[NULL]::registry.semver[]", "'{}'::registry.semver[]", "ARRAY['1.2'::registry.semver]",
              "'{1.2.3,x}'::registry.semver[]"]
CHAIN_BAD = ["''", "'1:2'", "'x y'", "chr(1)", "'-'", BIG, "' 1'", "'a' || chr(10)"]

V = "'1.2.3'::registry.semver"

def semver(bad):
    return "(" + bad + ")::registry.semver"

# signature -> list of (argument name, valid value, bad values)
SIGS = {}
def sig(s, *args):
    SIGS[s] = list(args)

T = lambda n, ok, bad=TEXT_BAD: (n, ok, bad)
P = ("project_id", "'relin'", TEXT_BAD)
PN = ("project_id", "'relin'", TEXT_BAD)

sig("registry.version()")
sig("registry.valid_project_id(text)", ("s", "'relin'", TEXT_BAD))
sig("registry.check_project_id(text)", ("s", "'relin'", TEXT_BAD))
for f in ("chunk_for_ledger", "last_complete_chunk_at"):
    sig("registry.%s(bigint)" % f, ("ledger", "100", BIGINT_BAD))
for f in ("chunk_first_ledger", "chunk_last_ledger", "chunk_id_text", "chunk_bucket", "hot_chunk_key"):
    sig("registry.%s(bigint)" % f, ("chunk", "42", BIGINT_BAD))
sig("registry.effective_retention_floor(bigint,bigint,bigint)", ("u", "100000", BIGINT_BAD),
    ("r", "2", BIGINT_BAD), ("e", "2", BIGINT_BAD))
sig("registry.chunk_below_floor(bigint,bigint)", ("chunk", "42", BIGINT_BAD), ("f", "2", BIGINT_BAD))
sig("registry.valid_chunk_kind(text)", ("kind", "'ledgers'", TEXT_BAD))
sig("registry.chunk_key(bigint,text)", ("chunk", "42", BIGINT_BAD), ("kind", "'ledgers'", TEXT_BAD))
sig("registry.parse_chunk_id(text)", ("id", "'00000042'", CHUNK_ID_BAD + TEXT_BAD))
sig("registry.parse_chunk_key(text)", ("key", "'chunk:00000042:ledgers'", CHUNK_KEY_BAD + TEXT_BAD))
sig("registry.parse_hot_chunk_key(text)", ("key", "'hot:chunk:00000042'", CHUNK_KEY_BAD + TEXT_BAD))
sig("registry.chunk_check_args(bigint,text)", ("chunk", "42", BIGINT_BAD), P)
sig("registry.chunk_kinds(text[])", ("kinds", "ARRAY['ledgers']", TEXTARR_BAD + ["ARRAY['foo']"]))
for f in ("mark_chunk_freezing", "flip_chunk_frozen", "demote_chunk_pruning"):
    sig("registry.%s(bigint,text[],text)" % f, ("chunk", "4242", BIGINT_BAD),
        ("kinds", "ARRAY['ledgers']", TEXTARR_BAD + ["ARRAY['foo']", "ARRAY['ledgers', 'foo']"]), P)
sig("registry.delete_chunk_key(bigint,text,text)", ("chunk", "4242", BIGINT_BAD), ("kind", "'ledgers'", TEXT_BAD), P)
for f in ("put_hot_transient", "flip_hot_ready", "delete_hot_key", "hot_state"):
    sig("registry.%s(bigint,text)" % f, ("chunk", "4242", BIGINT_BAD), P)
sig("registry.config_pin(text,text)", ("key", "'config:earliest_ledger'", TEXT_BAD), P)
sig("registry.last_committed_ledger(text)", P)
sig("registry.retention_floor(text)", P)
sig("registry.chunk_state(bigint,text,text)", ("chunk", "4242", BIGINT_BAD), ("kind", "'ledgers'", TEXT_BAD), P)
sig("registry.recovery_keys(text)", P)
sig("registry.catalog_keys(text,text)", ("prefix", "''", TEXT_BAD[1:] + CHUNK_KEY_BAD[1:]), P)
sig("registry.set_config_pin(text,text,text)", ("key", "'config:earliest_ledger'", TEXT_BAD), ("value", "'2'", ["''", BIG, "chr(1)"]), P)
sig("registry.set_retention(bigint,text)", ("r", "-5", BIGINT_BAD), P)
sig("registry.chunk_config_section(text,jsonb,jsonb)", ("path", "'service'", TEXT_BAD),
    ("spec", "'{\"x\": {\"type\": \"integer\"}}'::jsonb", JSON_BAD + ["'{\"x\": {\"type\": \"int\"}}'::jsonb"]),
    ("cfg", "'{\"x\": \"y\"}'::jsonb", JSON_BAD))
sig("registry.validate_config(jsonb)", ("config", "'{\"service\": {\"nope\": 1}}'::jsonb", CONFIG_BAD))
sig("registry.normalize_root(text)", ("root", "'/data'", TEXT_BAD + ["'relative'", "'/a/../..'", "'//'"]))
sig("registry.lock_roots(text[])", ("roots", "ARRAY['relative']", TEXTARR_BAD + ["ARRAY['/a', 'rel']"]))
sig("registry.release_roots()")
sig("registry.held_roots()")
sig("registry.decode_hex(text,text)", ("hex", "'0xzz'", HEX_BAD), ("field", "'hex'", TEXT_BAD[:4]))
sig("registry.encode_hex(bytea)", ("bytes", "decode('00', 'hex')", ["NULL"]))
sig("registry.check_deployment_key(text,text,text)", ("k", "'k1'", TEXT_BAD), ("c", "'1'", CHAIN_BAD), P)
sig("registry.check_chain_id(text)", ("c", "'1'", CHAIN_BAD + TEXT_BAD))
sig("registry.check_deploy_field(text,text)", ("v", "''", TEXT_BAD), ("f", "'contract'", TEXT_BAD))
sig("registry.deployment_row_ok(text,text,text,text,text,text,boolean)", P, ("k", "'k1'", TEXT_BAD),
    ("c", "'1'", CHAIN_BAD + TEXT_BAD), ("contract", "'C'", TEXT_BAD), ("address", "'0xa'", TEXT_BAD),
    ("tx_hash", "'0xt'", TEXT_BAD), ("confirmed", "true", ["false"]))
sig("registry.put_artifact(text,text,jsonb,text,text,jsonb,text,timestamp with time zone)", P,
    ("name", "'RelinToken'", TEXT_BAD), ("abi", "'[]'::jsonb", ABI_BAD), ("bytecode", "'0xzz'", HEX_BAD),
    ("deployed_bytecode", "'0x00'", HEX_BAD[1:]), ("compiler", "'{}'::jsonb", COMPILER_BAD),
    ("path", "'c.sol'", ["''", BIG, "chr(1)"]), ("updated_at", "now()", TS_BAD))
sig("registry.get_artifact(text,text)", P, ("name", "'RelinToken'", TEXT_BAD))
sig("registry.list_artifacts(text)", P)
sig("registry.artifact_revisions(text,text)", P, ("name", "'RelinToken'", TEXT_BAD))
sig("registry.artifact_json(text,text,bytea)", P, ("name", "'RelinToken'", TEXT_BAD),
    ("sha", "decode(repeat('00', 32), 'hex')", BYTEA_BAD))
sig("registry.deploy(text,text,text,text,text,boolean,text)", ("key", "'relin-k'", TEXT_BAD),
    ("chain", "'1'", CHAIN_BAD), ("contract", "'RelinToken'", TEXT_BAD), ("address", "'0xaaa'", HEX_BAD + ["''"]),
    ("tx", "'0xt1'", ["''", BIG, "chr(1)"]), ("confirmed", "false", []), P)
sig("registry.get_deployment(text,text,text)", ("key", "'relin-k'", TEXT_BAD), ("chain", "'1'", CHAIN_BAD), P)
sig("registry.list_deployments(text,text)", P, ("chain", "'1'", CHAIN_BAD))
sig("registry.deployments_of_bytecode(bytea)", ("sha", "decode('00', 'hex')", BYTEA_BAD))
sig("registry.deployments_of_bytecode(text)", ("bytecode", "'0xzz'", HEX_BAD))
sig("registry.active_chain_id(text)", P)
sig("registry.set_active_chain(text,text)", ("chain", "''", CHAIN_BAD), P)
sig("registry.latest_deployment(text,text,text,integer)", P, ("contract", "'RelinToken'", TEXT_BAD),
    ("chain", "'1'", CHAIN_BAD), ("nth", "0", INT_BAD))
sig("registry.claim_deploy(text,text,text,text,interval)", ("key", "'relin-c'", TEXT_BAD),
    ("chain", "'1'", CHAIN_BAD), ("contract", "'RelinToken'", TEXT_BAD), P,
    ("lease", "'0'::interval", INTERVAL_BAD))
sig("registry.record_broadcast(text,text,text,text)", ("key", "'relin-none'", TEXT_BAD),
    ("chain", "'1'", CHAIN_BAD), ("tx", "'0xt'", ["''", BIG, "chr(1)"]), P)
sig("registry.confirm_deployment(text,text,text,text)", ("key", "'relin-none'", TEXT_BAD),
    ("chain", "'1'", CHAIN_BAD), P, ("address", "'0x1'", ["''", BIG, "chr(1)"]))
sig("registry.import_json(jsonb)", ("doc", "'[]'::jsonb", IMPORT_BAD))
sig("registry.export_json(text)", P)
sig("registry.semver_in(cstring)", ("s", "'1.2'::cstring", [b + "::cstring" for b in SEMVER_BAD]))
for f in ("semver_out", "semver_send", "semver_hash", "semver_major", "semver_minor", "semver_patch",
          "semver_prerelease", "semver_build"):
    sig("registry.%s(registry.semver)" % f, ("v", V, [semver(b) for b in SEMVER_BAD]))
sig("registry.to_semver(text)", ("s", "'1.2'", SEMVER_BAD + TEXT_BAD))
for f in ("semver_cmp", "semver_eq", "semver_ne", "semver_lt", "semver_le", "semver_gt", "semver_ge",
          "semver_cmp_build", "semver_smaller", "semver_larger"):
    sig("registry.%s(registry.semver,registry.semver)" % f, ("a", V, [semver(b) for b in SEMVER_BAD[:12]]),
        ("b", V, [semver(b) for b in SEMVER_BAD[12:]]))
sig("registry.semver_hash_extended(registry.semver,bigint)", ("v", V, [semver(b) for b in SEMVER_BAD[:8]]),
    ("seed", "0", []))
sig("registry.semver_bump(registry.semver,text)", ("v", V, [semver(b) for b in SEMVER_BAD[:6]]),
    ("what", "'majr'", BUMP_BAD))
sig("registry.version_cmp(text,text)", ("a", "'1.2.3'", SEMVER_BAD), ("b", "'1.2.3'", SEMVER_BAD[:10]))
sig("registry.satisfies(registry.semver,text)", ("v", V, [semver(b) for b in SEMVER_BAD[:6]]),
    ("range", "'>=1.0.0'", RANGE_BAD))
sig("registry.max_satisfying(registry.semver[],text)", ("vs", "ARRAY['1.2.3'::registry.semver]", SEMARR_BAD),
    ("range", "'>=1.0.0'", RANGE_BAD))
sig("registry.ns_from_key(text)", ("key", "'wf/ns/w/r'", KV_KEY_BAD + TEXT_BAD))
sig("registry.kv_key_namespace(text)", ("key", "'wf/ns/w/r'", KV_KEY_BAD + TEXT_BAD))
sig("registry.kv_row_ok(text,text,text)", ("org", "'relin'", TEXT_BAD), ("namespace", "'ns'", TEXT_BAD),
    ("key", "'wf/ns/w/r'", KV_KEY_BAD + TEXT_BAD))
for f in ("split_prefix", "kv_prefix_lo", "kv_prefix_hi"):
    sig("registry.%s(text)" % f, ("prefix", "'wf/ns/'", KV_PREFIX_BAD + TEXT_BAD))
sig("registry.kv_org(text)", ("org", "'relin'", TEXT_BAD))
sig("registry.kv_check_limit(integer)", ("l", "-1", INT_BAD))
for f in ("kv_put", "kv_put_if_absent"):
    sig("registry.%s(text,text,bytea)" % f, ("org", "'relin'", TEXT_BAD), ("key", "'wf/'", KV_KEY_BAD + TEXT_BAD),
        ("value", "decode('00', 'hex')", BYTEA_BAD))
for f in ("kv_get", "kv_del"):
    sig("registry.%s(text,text)" % f, ("org", "'relin'", TEXT_BAD), ("key", "'wf/'", KV_KEY_BAD + TEXT_BAD))
sig("registry.kv_list(text,text,text,integer)", ("org", "'relin'", TEXT_BAD), ("prefix", "''", KV_PREFIX_BAD + TEXT_BAD),
    ("after", "'wf/ns/a'", ["''", BIG, "chr(1)"]), ("limit", "-1", INT_BAD))
sig("registry.kv_namespaces(text)", ("org", "'relin'", TEXT_BAD))
sig("registry.kv_orgs()")
sig("registry.kv_guard_partition(regclass)",
    ("part", "'registry.kv_p00'::regclass",
     ["'registry.kv'::regclass", "'registry.projects'::regclass", "'pg_catalog.pg_class'::regclass",
      "0::regclass", "'registry.no_such_table'::regclass", "(-1)::regclass"]))
sig("registry.kv_batch(text,jsonb)", ("org", "'relin'", TEXT_BAD), ("ops", "'[{\"op\": \"zap\"}]'::jsonb", OPS_BAD))
sig("registry.privilege_rank(text)", ("p", "'owner'", PRIV_BAD + TEXT_BAD))
sig("registry.accessible_projects(name,text)", ("who", "'postgres'::name", NAME_BAD), ("need", "'owner'", PRIV_BAD))
sig("registry.my_projects(text)", ("need", "'owner'", PRIV_BAD + TEXT_BAD))
sig("registry.project_privilege(text,name)", P, ("who", "'postgres'::name", NAME_BAD))
sig("registry.grant_project(text,name,text)", P, ("role", "'no_such_role_relin'::name", NAME_BAD),
    ("privilege", "'read'", PRIV_BAD))
sig("registry.revoke_project(text,name)", P, ("role", "'no_such_role_relin'::name", NAME_BAD))

# version registry: blobs, diff, components, versions, search
BLOBKEY = "registry.blob_key(convert_to('relin-blob', 'UTF8'))"
BLOBKEY_BAD = ["''", "'ciq'", "'CIQ' || repeat('a', 52)", "'ciq' || repeat('a', 52)", "'ciq' || repeat('1', 52)",
               "repeat('a', 55)", "'ciq' || repeat('a', 53)", "chr(1)", BIG, "'bafkreigh2akiscaildc'",
               "'ciq' || repeat('a', 51) || chr(65533)", "' ' || " + BLOBKEY, BLOBKEY + " || ' '", "upper(" + BLOBKEY + ")"]
VID = "(SELECT min(id) FROM registry.versions)"
VID_BAD = BIGINT_BAD + ["0", "999999999"]
BIGARR_BAD = ["'{}'::bigint[]", "ARRAY[NULL]::bigint[]", "ARRAY[-1]::bigint[]", "ARRAY[999999999]::bigint[]",
              "ARRAY[" + VID + ", " + VID + "]", "'{{1},{2}}'::bigint[]", "ARRAY[9223372036854775807]::bigint[]"]
sig("registry.version_row_ok(text,bigint,bigint[],bigint,text,bigint,jsonb,jsonb,text,integer,integer)", P,
    ("seq", "1", BIGINT_BAD), ("parents", "'{7}'::bigint[]", BIGARR_BAD), ("primary_parent", "7", BIGINT_BAD),
    ("implementation", BLOBKEY, TEXT_BAD), ("size", "0", BIGINT_BAD), ("metadata", "'{}'::jsonb", JSON_BAD),
    ("metrics", "'{}'::jsonb", JSON_BAD), ("status", "'ok'", TEXT_BAD), ("depth", "0", INT_BAD),
    ("chain_pos", "0", INT_BAD))
REF_BAD = ["''", "'-1'", "'99999999999999999999'", "'1.2'", "'1.2.3-'", "'01.2.3'", "'1a'", "'0'", "'999999'",
           "'nosuchalias'", "chr(1)", BIG, "'1.2.3 '", "'_x'"]
POLICY_BAD = ["''", "'keep-last-'", "'keep-last-0'", "'keep-last--1'", "'keep-last-99999999999999999999'",
              "'forever '", "'keep-last-1.5'", "'KEEP-LAST-1'", "'keep_last_1'", "chr(1)", BIG]
STRATEGY_BAD = ["''", "'semver'", "'INCREMENTAL'", "'incremental '", "chr(1)", BIG]
CRITERIA_BAD = JSON_BAD + ["'{\"nope\": 1}'::jsonb", "'{\"metrics\": {\"score\": {\"~\": 1}}}'::jsonb",
    "'{\"metrics\": {\"score\": {\">=\": \"x\"}}}'::jsonb", "'{\"metrics\": 1}'::jsonb", "'{\"version\": \">=>1\"}'::jsonb",
    "'{\"version\": 1}'::jsonb", "'{\"order_by\": \"nope\"}'::jsonb", "'{\"order_by\": [\"-metrics.\"]}'::jsonb",
    "'{\"order_by\": 1}'::jsonb", "'{\"limit\": -1}'::jsonb", "'{\"limit\": \"x\"}'::jsonb", "'{\"offset\": -5}'::jsonb",
    "'{\"limit\": 99999999999999999999}'::jsonb", "'{\"limit\": 1.5}'::jsonb", "'{\"any\": {}}'::jsonb",
    "'{\"any\": [1]}'::jsonb", "'{\"all\": \"x\"}'::jsonb", "'{\"not\": []}'::jsonb", "'{\"status\": 1}'::jsonb",
    "'{\"status\": [1]}'::jsonb", "'{\"created_after\": \"not a date\"}'::jsonb", "'{\"created_before\": 1}'::jsonb",
    "'{\"metadata\": \"x\"}'::jsonb", "'{\"text\": 1}'::jsonb", "'{\"project\": 1}'::jsonb",
    "'{\"component\": [\"a\"]}'::jsonb", "'{\"any\": [{\"limit\": 1}]}'::jsonb",
    "(repeat('{\"not\": ', 300) || '{}' || repeat('}', 300))::jsonb",
    "'{\"metrics\": {\"score\": {\">=\": 1e400}}}'::jsonb"]
ALIAS_BAD = ["''", "'1abc'", "'-x'", "chr(1)", BIG, "'a b'", "'1.2.3'", "'7'"]
C = ("component", "'relin-comp'", TEXT_BAD)
sig("registry.blob_key(bytea)", ("data", "decode('00', 'hex')", BYTEA_BAD))
for f in ("valid_blob_key", "check_blob_key", "blob_shard", "blob_size", "blob_bytes", "reclaim_blob"):
    sig("registry.%s(text)" % f, ("key", BLOBKEY, BLOBKEY_BAD))
sig("registry.blob_chunk_size()")
sig("registry.put_blob(bytea,boolean)", ("data", "convert_to('relin-blob', 'UTF8')", []), ("compress", "true", []))
sig("registry.get_blob(text,bigint,bigint)", ("key", BLOBKEY, BLOBKEY_BAD),
    ("range_start", "0", BIGINT_BAD + ["10", "11", "100000"]), ("range_end", "5", BIGINT_BAD + ["-2"]))
sig("registry.unified_diff(bytea,bytea,text,text,integer)", ("a", "decode('610a', 'hex')", BYTEA_BAD),
    ("b", "decode('620a', 'hex')", BYTEA_BAD), ("label_a", "'a'", TEXT_BAD[:4]), ("label_b", "'b'", TEXT_BAD[:4]),
    ("context", "3", INT_BAD))
sig("registry.valid_retention_policy(text)", ("policy", "'keep-last-0'", POLICY_BAD))
sig("registry.check_component_name(text)", ("name", "''", TEXT_BAD))
sig("registry.version_or_raise(bigint)", ("id", "0", VID_BAD))
sig("registry.apply_retention(text,text)", P, ("component", "'relin-none'", TEXT_BAD))
sig("registry.prune_released(text,bigint)", P, ("version_id", "0", VID_BAD))
sig("registry.configure_component(text,text,text,text,boolean)", P, C, ("strategy", "'bogus'", STRATEGY_BAD),
    ("retention", "'keep-last-0'", POLICY_BAD), ("compression", "NULL", []))
for impl, impl_bad in (("bytea", ("implementation", "decode('6c310a', 'hex')", BYTEA_BAD)),
                       ("text", ("implementation", "'l1' || chr(10)", TEXT_BAD[:4]))):
    sig("registry.register(text,text,%s,jsonb,bigint[],registry.semver,text,jsonb,jsonb,text)" % impl, P, C, impl_bad,
        ("metadata", "'{}'::jsonb", JSON_BAD), ("parents", "ARRAY[-1]::bigint[]", BIGARR_BAD),
        ("version", "NULL", [semver(b) for b in SEMVER_BAD[:6]] + ["'1.0.0'::registry.semver"]),
        ("bump", "NULL", BUMP_BAD), ("metrics", "NULL", JSON_BAD), ("test_results", "NULL", JSON_BAD[:6]),
        ("status", "NULL", TEXT_BAD[:6]))
sig("registry.get_version(bigint)", ("id", VID, VID_BAD))
sig("registry.get_version(text,text,text)", P, C, ("ref", "'production'", REF_BAD))
for f in ("get_implementation", "get_implementation_text", "get_lineage", "descendants"):
    sig("registry.%s(bigint)" % f, ("id", VID, VID_BAD))
for f in ("common_ancestor", "compare_versions"):
    sig("registry.%s(bigint,bigint)" % f, ("a", VID, VID_BAD), ("b", VID, VID_BAD))
sig("registry.lineage_dot(bigint,integer)", ("id", VID, VID_BAD), ("max", "500", INT_BAD))
sig("registry.search_condition(jsonb,jsonb,boolean)", ("criteria", "'{\"nope\": 1}'::jsonb", CRITERIA_BAD),
    ("params", "'[]'::jsonb", JSON_BAD), ("top", "true", []))
sig("registry.search_sql(jsonb)", ("criteria", "'{\"nope\": 1}'::jsonb", CRITERIA_BAD))
sig("registry.search(jsonb)", ("criteria", "'{\"nope\": 1}'::jsonb", CRITERIA_BAD))
sig("registry.list_versions(text,text,jsonb)", P, C, ("filters", "'{\"nope\": 1}'::jsonb", CRITERIA_BAD))
sig("registry.set_alias(text,text,text,bigint)", P, C, ("alias", "'production'", ALIAS_BAD), ("id", VID, VID_BAD))
sig("registry.drop_alias(text,text,text)", P, C, ("alias", "'nosuchalias'", ALIAS_BAD))
sig("registry.jsonb_changes(jsonb,jsonb)", ("a", "'{}'::jsonb", JSON_BAD), ("b", "'{}'::jsonb", JSON_BAD))
sig("registry.dot_quote(text)", ("s", "''", TEXT_BAD))

# aggregates: a NULL and a malformed element
AGG = {
    "registry.min(registry.semver)": "min",
    "registry.max(registry.semver)": "max",
}

rows = []
def emit(s, call):
    for ch in "\t\n\\":
        assert ch not in call, (s, call)
    rows.append((s, call))

for s, args in SIGS.items():
    fname = s.split("(")[0]
    for i, (name, ok, bad) in enumerate(args):
        for b in ["NULL"] + [x for x in bad if x != ok]:
            vals = [a[1] for a in args]
            vals[i] = b
            emit(s, "%s(%s)" % (fname, ", ".join(vals)))
    # wrong arity: one argument too many, and none at all when it takes some
    emit(s, "%s(%s)" % (fname, ", ".join([a[1] for a in args] + ["NULL::bytea"])))
    if args:
        emit(s, "%s()" % fname)
for s, f in AGG.items():
    emit(s, "(SELECT registry.%s(v) FROM (VALUES (NULL::registry.semver)) AS t(v))" % f)
    for b in SEMVER_BAD[:6]:
        emit(s, "(SELECT registry.%s(v) FROM (VALUES (%s), (%s)) AS t(v))" % (f, V, semver(b)))
    emit(s, "(SELECT registry.%s(v) FROM (VALUES (%s)) AS t(v) WHERE false)" % (f, V))

for s, call in rows:
    print("%s\t%s\t?" % (s, call))
