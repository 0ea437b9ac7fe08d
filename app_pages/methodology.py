"""测算方法: docs/methodology.md rendered in the app, read at run time, so the page always shows the file
as it is in the repository."""
import streamlit as st

import ui

ui.page_head(ui.plan(), None)
text = ui.methodology_markdown()
if text:
    st.markdown(text)   # our own file in the repository: Markdown (tables, formulas in code) is wanted here
else:
    st.warning(f"找不到测算方法说明文件 {ui.METHODOLOGY_FILE.name}(应在项目的 docs 目录中)。请从代码仓库恢复该文件。")
