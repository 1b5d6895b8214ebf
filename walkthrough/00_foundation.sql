-- registry walkthrough, part 0: the extension is installed.
\pset pager off
SELECT registry.version() AS library_version,
       (SELECT extversion FROM pg_extension WHERE extname = 'registry') AS sql_version;
