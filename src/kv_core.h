/*-------------------------------------------------------------------------
 *
 * kv_core.h
 *		Key layout rules of the namespaced key/value store (seed 004), in
 *		plain C so they can be unit-tested and fuzzed outside the server.
 *
 * A key is <kind>/<namespace>[/<rest>]:
 *
 *		ns/<name>							the namespace registry itself
 *		wf/<ns>/<workflowId>/<runId>
 *		wfh/<ns>/<workflowId>/<runId>/<eventId>
 *		sc/<ns>/<scheduleId>
 *		bt/<ns>/<batchId>
 *		dp/<ns>/<deploymentName>
 *		nx/<ns>/<endpointName>
 *		id/<ns>/<email>
 *		sa/<ns>/<attrName>
 *		idem/<ns>/<workflowId>/<requestId>
 *
 * The namespace segment routes the key.  A list prefix is
 * <kind>[/[<namespace>[/<suffix>]]]; only the kinds ns and nx may leave the
 * namespace out (they list across every namespace of an org).
 *
 * Nothing here allocates: results point into the caller's buffer, and the
 * caller supplies the output buffer of kv_prefix_range.
 *
 *-------------------------------------------------------------------------
 */
#ifndef KV_CORE_H
#define KV_CORE_H

#include <stddef.h>

/* Longest key (and list prefix), in bytes. */
#define KV_KEY_MAX 4096

/*
 * Room kv_prefix_range needs for each of its two bounds: the prefix plus a
 * trailing "/" (or one extra byte) plus one UTF-8 character.
 */
#define KV_BOUND_MAX (KV_KEY_MAX + 8)

typedef enum KvStatus
{
	KV_OK = 0,
	/* bad values: 22023 */
	KV_ERR_EMPTY,				/* empty key or prefix */
	KV_ERR_TOO_LONG,			/* over KV_KEY_MAX bytes */
	KV_ERR_UNKNOWN_KIND,		/* first segment is not a known kind */
	KV_ERR_PREFIX_NO_NS,		/* list prefix of a per-namespace kind names
								 * no namespace */
	/* bad syntax: 22P02 */
	KV_ERR_EMPTY_SEGMENT,		/* leading "/", "//" or (keys) trailing "/" */
	KV_ERR_KEY_NO_NS,			/* key has no namespace segment */
	KV_ERR_FEW_SEGMENTS,		/* fewer segments than the kind's layout */
	KV_ERR_NAME_SLASH			/* ns/<name> with a "/" in the name */
} KvStatus;

/* One kind of the layout: its name and how many segments follow <ns>. */
typedef struct KvKind
{
	const char *name;
	int			rest_segments;	/* minimum; ns has exactly 0 */
	int			cross_namespace;	/* lists across namespaces (ns, nx) */
	const char *layout;			/* for messages */
} KvKind;

/* A parsed key or prefix; pointers into the input, lengths in bytes. */
typedef struct KvParts
{
	const KvKind *kind;			/* NULL only when status is EMPTY or the kind
								 * is unknown */
	const char *kind_ptr;
	size_t		kind_len;
	const char *ns;				/* NULL in a cross-namespace prefix */
	size_t		ns_len;
	const char *rest;			/* rest of a key / suffix of a prefix; never
								 * NULL after success */
	size_t		rest_len;
} KvParts;

/* Every kind, in layout order; terminated by a NULL name. */
extern const KvKind kv_kinds[];

/* Look up a kind by name; NULL when unknown. */
extern const KvKind *kv_find_kind(const char *s, size_t len);

/* Parse a stored key: kind, namespace and rest. */
extern KvStatus kv_parse_key(const char *key, size_t len, KvParts *out);

/*
 * Parse a list prefix: kind, namespace (NULL for a cross-namespace listing
 * of ns or nx) and suffix.
 */
extern KvStatus kv_parse_prefix(const char *prefix, size_t len, KvParts *out);

/*
 * The half-open byte range [lo, hi) of the keys a prefix lists, compared
 * bytewise (C collation).  lo and hi must each have KV_BOUND_MAX bytes.  When
 * utf8 is set the bounds are valid UTF-8 (hi is the smallest string past
 * every key starting with lo); otherwise hi is a byte successor.  Returns the
 * parse status; the bounds are set only on KV_OK.
 */
extern KvStatus kv_prefix_range(const char *prefix, size_t len, int utf8,
								char *lo, size_t *lo_len,
								char *hi, size_t *hi_len);

/*
 * Smallest string greater than every string that starts with buf[0..len):
 * rewrites buf in place and returns the new length, or 0 when there is none
 * (all bytes 0xff / all characters U+10FFFF).  buf needs len + 4 bytes.
 */
extern size_t kv_successor(char *buf, size_t len, int utf8);

/* Is this status a syntax error (22P02) rather than a bad value (22023)? */
extern int	kv_status_is_syntax(KvStatus st);

#endif							/* KV_CORE_H */
