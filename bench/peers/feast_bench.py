"""Feast peer for `npm run bench -- --only feature_store`: the same offline Parquet tables, the same
entity rows, Feast's DuckDB offline store and Redis online store. Prints one JSON line of timings.

usage: feast_bench.py SPEC.json   (spec: workdir, views [{name, path, features}], entities, redis_port, online_reads)
"""
import json
import sys
import time
from datetime import timedelta

import numpy as np
import pandas as pd
from feast import Entity, FeatureStore, FeatureView, Field, FileSource, RepoConfig
from feast.infra.offline_stores.duckdb import DuckDBOfflineStoreConfig
from feast.infra.online_stores.redis import RedisOnlineStoreConfig
from feast.types import Float64, Int64, String
from feast.value_type import ValueType

TYPES = {"int": Int64, "float": Float64, "string": String, "bool": Int64}


def main() -> None:
    spec = json.load(open(sys.argv[1]))
    config = RepoConfig(
        project="fitlake_bench",
        registry=f"{spec['workdir']}/registry.db",
        provider="local",
        offline_store=DuckDBOfflineStoreConfig(),
        online_store=RedisOnlineStoreConfig(connection_string=f"127.0.0.1:{spec['redis_port']}"),
        entity_key_serialization_version=3,
    )
    store = FeatureStore(config=config)
    member = Entity(name="member", join_keys=["member_id"], value_type=ValueType.STRING)
    views = []
    for v in spec["views"]:
        source = FileSource(path=v["path"], timestamp_field="feature_ts", created_timestamp_column="created_ts")
        views.append(
            FeatureView(
                name=v["name"],
                entities=[member],
                ttl=timedelta(days=2),
                schema=[Field(name=f["name"], dtype=TYPES[f["type"]]) for f in v["features"]],
                source=source,
                online=True,
            )
        )
    store.apply([member, *views])
    refs = [f"{v['name']}:{f['name']}" for v in spec["views"] for f in v["features"]]

    entity_df = pd.read_parquet(spec["entities"])
    entity_df["event_timestamp"] = pd.to_datetime(entity_df["event_timestamp"], utc=True)
    t = time.perf_counter()
    df = store.get_historical_features(entity_df=entity_df, features=refs).to_df()
    pit_seconds = time.perf_counter() - t
    non_null = int(df[refs[0].split(":")[1]].notna().sum())

    end = pd.Timestamp(spec["end"])
    t = time.perf_counter()
    store.materialize(start_date=pd.Timestamp("1970-01-01", tz="UTC").to_pydatetime(), end_date=end.to_pydatetime())
    materialize_seconds = time.perf_counter() - t

    keys = spec["online_keys"]
    lat = []
    for k in keys:
        t = time.perf_counter()
        store.get_online_features(features=refs, entity_rows=[{"member_id": k}]).to_dict()
        lat.append((time.perf_counter() - t) * 1000)
    lat = np.array(lat)
    print(json.dumps({
        "feast": __import__("feast").__version__,
        "pit_seconds": pit_seconds,
        "pit_rows": len(df),
        "pit_non_null_first_feature": non_null,
        "materialize_seconds": materialize_seconds,
        "online_reads": len(keys),
        "online_p50_ms": float(np.percentile(lat, 50)),
        "online_p99_ms": float(np.percentile(lat, 99)),
    }))


if __name__ == "__main__":
    main()
