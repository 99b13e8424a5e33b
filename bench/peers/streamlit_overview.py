"""The seed's way to the dashboard's overview page: a Streamlit app over the same gold tables.

Reads the current gold Parquet files named in FITLAKE_GOLD_TABLES (a JSON object: table -> files),
shows the same key figures and the last 90 days of daily active members. Data are cached per
process (st.cache_data), as fitlake caches a page's data until the lakehouse changes.
"""
import json
import os

import pyarrow.parquet as pq
import streamlit as st

TABLES = json.loads(os.environ["FITLAKE_GOLD_TABLES"])


@st.cache_data
def read(name):
    return pq.read_table(TABLES[name], partitioning=None).to_pandas()


st.set_page_config(page_title="Overview", layout="wide")
st.title("Overview")
dau = read("daily_active_members").sort_values("date")
wau = read("weekly_active_members")
wau = wau[wau["days_in_data"] == 7].sort_values("week_start")
mau = read("monthly_active_members").sort_values("month_start")
revenue = read("revenue_by_product_daily")
last = dau.iloc[-1]
day = revenue["date"].max()
recent = revenue[revenue["date"] > day - __import__("pandas").Timedelta(days=7)]["revenue"].sum()
cols = st.columns(4)
cols[0].metric(f"DAU on {last['date']}", f"{int(last['active_members']):,}")
cols[1].metric(f"WAU, week of {wau.iloc[-1]['week_start']}", f"{int(wau.iloc[-1]['active_members']):,}")
cols[2].metric(f"MAU, {str(mau.iloc[-1]['month_start'])[:7]}", f"{int(mau.iloc[-1]['active_members']):,}")
cols[3].metric("Retail revenue, last 7 days", f"${float(recent):,.0f}")
st.subheader("Daily active members, last 90 days")
st.line_chart(dau.tail(90).set_index("date")["active_members"])
