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
