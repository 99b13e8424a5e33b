"""The fitlake engine functions in Spark SQL (the DuckDB macros' twins in duckdb_engine.ts).

Each is a signature and a body. They are expanded in place, like DuckDB's macros, when a model is
transpiled (Spark's SQL functions cannot feed a generator such as explode). Spark's TIMESTAMP is an
instant (the session zone is pinned to UTC); a gym-local wall time is converted with
from_utc_timestamp / to_utc_timestamp in the gym's zone.
"""


def engine_functions(tz: str) -> dict:
    z = "'" + tz.replace("'", "''") + "'"
    return {
        'fitlake_ts(x STRING) RETURNS TIMESTAMP': f"""CASE
            WHEN contains(x, '/') THEN to_utc_timestamp(coalesce(try_to_timestamp(trim(x), 'MM/dd/yyyy hh:mm a'), try_to_timestamp(trim(x), 'MM/dd/yyyy hh:mm:ss a')), {z})
            WHEN length(x) = 10 AND substr(x, 5, 1) = '-' THEN to_utc_timestamp(CAST(try_cast(x AS DATE) AS TIMESTAMP), {z})
            WHEN length(x) BETWEEN 11 AND 14 AND try_cast(x AS BIGINT) IS NOT NULL THEN timestamp_millis(CAST(x AS BIGINT))
            WHEN x rlike '([Zz]|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$' THEN try_cast(x AS TIMESTAMP)
            ELSE to_utc_timestamp(try_cast(trim(x) AS TIMESTAMP), {z})
          END""",
        'fitlake_local_date(t TIMESTAMP) RETURNS DATE': f'to_date(from_utc_timestamp(t, {z}))',
        'fitlake_epoch_ms(t TIMESTAMP) RETURNS BIGINT': 'unix_millis(t)',
        'fitlake_local_hour(t TIMESTAMP) RETURNS INT': f'hour(from_utc_timestamp(t, {z}))',
        'fitlake_local_minute(t TIMESTAMP) RETURNS INT': f'hour(from_utc_timestamp(t, {z})) * 60 + minute(from_utc_timestamp(t, {z}))',
        'fitlake_local_time(t TIMESTAMP) RETURNS TIMESTAMP': f'from_utc_timestamp(t, {z})',
        'fitlake_iso_weekday(d DATE) RETURNS INT': 'weekday(d) + 1',
        'fitlake_day_name(d DATE) RETURNS STRING': "date_format(d, 'EEEE')",
        'fitlake_day_start(d DATE) RETURNS TIMESTAMP': f'to_utc_timestamp(CAST(d AS TIMESTAMP), {z})',
        'fitlake_row_status(copy_no BIGINT, problem STRING) RETURNS STRING': "CASE WHEN copy_no > 1 THEN 'duplicate' WHEN problem IS NOT NULL THEN 'quarantined' ELSE 'ok' END",
        'fitlake_row_reason(copy_no BIGINT, problem STRING) RETURNS STRING': "CASE WHEN copy_no > 1 THEN 'replayed_record' ELSE problem END",
        # fitlake_batch_day(b) comes from the bronze log: spark_engine.ts defines it when it opens
        'fitlake_known_date(d DATE, source_file STRING, batch_id BIGINT) RETURNS DATE': (
            "date_add(greatest(d, least(try_cast(regexp_extract(source_file, '([0-9]{4}-[0-9]{2}-[0-9]{2})[.][a-z]+$', 1) AS DATE), "
            'fitlake_batch_day(batch_id))), 1)'
        ),
        'fitlake_norm_sku(x STRING) RETURNS STRING': "regexp_replace(upper(x), '[^A-Z0-9]', '')",
        'fitlake_add_months(d DATE, k INT) RETURNS DATE': 'add_months(d, k)',
        'fitlake_json_strings(x STRING) RETURNS ARRAY<STRING>': "from_json(x, 'array<string>')",
        'fitlake_days(lo DATE, hi DATE) RETURNS ARRAY<DATE>': 'CASE WHEN lo <= hi THEN sequence(lo, hi, INTERVAL 1 DAY) ELSE array() END',
        'fitlake_ints(n BIGINT) RETURNS ARRAY<BIGINT>': 'CASE WHEN n > 0 THEN sequence(CAST(0 AS BIGINT), n - 1) ELSE array() END',
        'fitlake_month_steps(lo DATE, hi DATE, months INT) RETURNS ARRAY<DATE>': 'CASE WHEN lo <= hi THEN sequence(lo, hi, make_ym_interval(0, months)) ELSE array() END',
    }
