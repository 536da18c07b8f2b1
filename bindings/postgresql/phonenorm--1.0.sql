-- phonenorm 1.0: the SQL functions of libphonenorm (see bindings/sql/phn_sql.h).
--
-- Every function is IMMUTABLE STRICT PARALLEL SAFE: the same text and region
-- give the same answer for a given metadata version, from any backend or
-- parallel worker; NULL in gives NULL out. An expression index over them
-- stays valid until phonenorm's metadata changes: REINDEX after upgrading it.
-- phn_metadata() says which metadata answers, so it is only STABLE.
--
-- COST 100 (times cpu_operator_cost): a parse takes about 1 us, some hundred
-- times a built-in operator. With the default cost of 1 the planner never
-- runs phn_e164() over a million rows in parallel workers; with 100 it does.
--
-- Objects are only created, never dropped or replaced: a later version's
-- script adds to these with its own CREATE/ALTER statements.

\echo Use "CREATE EXTENSION phonenorm" to load this file. \quit

CREATE FUNCTION phn_e164(text) RETURNS text
	AS 'MODULE_PATHNAME', 'phn_pg_e164' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
CREATE FUNCTION phn_e164(text, text) RETURNS text
	AS 'MODULE_PATHNAME', 'phn_pg_e164' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION phn_e164(text, text) IS
	'E.164 form of a valid phone number read in a region (ISO 3166-1 alpha-2, '''' = none), else NULL';

CREATE FUNCTION phn_status(text) RETURNS text
	AS 'MODULE_PATHNAME', 'phn_pg_status' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
CREATE FUNCTION phn_status(text, text) RETURNS text
	AS 'MODULE_PATHNAME', 'phn_pg_status' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION phn_status(text, text) IS
	'why a number is or is not valid: valid, too_short, not_a_number, ...';

CREATE FUNCTION phn_type(text) RETURNS text
	AS 'MODULE_PATHNAME', 'phn_pg_type' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
CREATE FUNCTION phn_type(text, text) RETURNS text
	AS 'MODULE_PATHNAME', 'phn_pg_type' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION phn_type(text, text) IS
	'type of a valid number (mobile, fixed_line, ...), else NULL';

CREATE FUNCTION phn_region(text) RETURNS text
	AS 'MODULE_PATHNAME', 'phn_pg_region' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
CREATE FUNCTION phn_region(text, text) RETURNS text
	AS 'MODULE_PATHNAME', 'phn_pg_region' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION phn_region(text, text) IS
	'region of a valid number (SA, US, 001 for non-geographic), else NULL';

CREATE FUNCTION phn_key(text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'phn_pg_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
CREATE FUNCTION phn_key(text, text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'phn_pg_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION phn_key(text, text) IS
	'64-bit dedupe key of a valid number (the key of phonenorm clean), else NULL';

CREATE FUNCTION phn_format(text, text, text) RETURNS text
	AS 'MODULE_PATHNAME', 'phn_pg_format' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION phn_format(text, text, text) IS
	'a valid number in a format (e164, international, national, rfc3966), else NULL';

CREATE FUNCTION phn_valid(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'phn_pg_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
CREATE FUNCTION phn_valid(text, text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'phn_pg_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION phn_valid(text, text) IS
	'true for a valid number, else false';

CREATE FUNCTION phn_metadata() RETURNS text
	AS 'MODULE_PATHNAME', 'phn_pg_metadata' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION phn_metadata() IS
	'which numbering-plan metadata answers in this backend, e.g. 9.0.35 bundled (libphonenumber 8.12.57)';
