"""Plan Monitor core: plain Python (never imports streamlit), usable from pytest, the CLI and notebooks."""
