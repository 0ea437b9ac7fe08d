"""The floor for bench/pages.py: a bare Streamlit page with one plotly chart."""
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")
st.title("floor")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])), width="stretch")
