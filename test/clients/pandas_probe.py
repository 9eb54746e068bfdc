"""pandas_probe: a data scientist's training set through pandas.read_sql.

pandas.read_sql cannot write a column definition list, so it runs the query
feast_historical_sql returns. The session is in a time zone other than UTC
on purpose: with parse_dates={"event_timestamp": {"utc": True}} the
timestamps are tz-aware UTC whatever the session's TimeZone.

    python3 pandas_probe.py HOST PORT DBNAME USER PROJECT ENTITY_DF FEATURE...

Prints the generated query's columns with their dtypes, then the rows, and
exits non-zero when a check fails.

Copyright (c) 2026, offline_store developers
"""
import sys
import warnings

import pandas as pd
import psycopg2

host, port, dbname, user, project, entity_df = sys.argv[1:7]
features = sys.argv[7:]

# pandas < 2.2 warns about DBAPI2 connections other than sqlite3; they work
warnings.filterwarnings("ignore", message=".*SQLAlchemy.*")

conn = psycopg2.connect(host=host, port=port, dbname=dbname, user=user,
                        options="-c TimeZone=America/New_York")
with conn.cursor() as cur:
    cur.execute("SELECT feast_historical_sql(%s, %s, project => %s)",
                (entity_df, features, project))
    sql = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM (" + sql + ") t")
    expected_rows = cur.fetchone()[0]

df = pd.read_sql(sql, conn, parse_dates={"event_timestamp": {"utc": True}})
conn.close()

for name, dtype in df.dtypes.items():
    print(f"dtype {name}: {dtype}")
df = df.sort_values(["driver_id", "event_timestamp"]).reset_index(drop=True)
for row in df.itertuples(index=False):
    print("row " + " | ".join("NaN" if pd.isna(v) else str(v) for v in row))

ts = df["event_timestamp"]
assert isinstance(ts.dtype, pd.DatetimeTZDtype), ts.dtype
assert str(ts.dt.tz) == "UTC", ts.dt.tz
assert len(df) == expected_rows, (len(df), expected_rows)
for name in df.columns:
    if name != "event_timestamp":
        assert pd.api.types.is_numeric_dtype(df[name]), (name, df[name].dtype)
print(f"ok {len(df)} rows, event_timestamp tz-aware UTC, numeric features")
