"""A reading process's result, made cheap to pickle through the pipe, and restored exactly (lib.readworker).

    sent = pack(result)          # in the reading process, before pickle.dumps
    result = unpack(received)    # in the caller, after pickle.loads

A result's frames hold text columns of Python str objects (ids, names, units, notes), which pickle one
object at a time: the largest upload's 100,000 rows took ~0.4 s to pickle and ~0.2 s to unpickle. `pack`
turns each column whose every cell is a str into a categorical (an int array of codes and the distinct
texts; the rows repeat a few thousand ids and names), which pickles in a few milliseconds; `unpack` turns
exactly those columns back into object columns of str, so the caller gets the frame `read_workbook` made:
same values, dtypes, column order and attrs. Columns with anything but str (None, NaN, numbers) are sent as
they are. Dataclasses (WorkbookResult, lib.ingest.Routed) are walked field by field; anything else passes
through unchanged.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
from pandas.api.types import infer_dtype

PACKED = "_framepack_columns"   # attrs key naming the columns pack turned into categoricals


def pack(value: Any) -> Any:
    """`value` with every frame in it (a frame, or a dataclass's fields, nested) packed."""
    return _walk(value, _pack_frame)


def unpack(value: Any) -> Any:
    """What `pack` was given."""
    return _walk(value, _unpack_frame)


def _walk(value: Any, fn: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return fn(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {f.name: _walk(getattr(value, f.name), fn) for f in dataclasses.fields(value)
                   if f.init and (isinstance(getattr(value, f.name), pd.DataFrame)
                                  or dataclasses.is_dataclass(getattr(value, f.name)))}
        return dataclasses.replace(value, **changed) if changed else value
    return value


def _pack_frame(frame: pd.DataFrame) -> pd.DataFrame:
    names = list(frame.columns)
    if frame.empty or len(set(names)) != len(names) or not all(isinstance(n, str) for n in names):
        return frame   # nothing worth packing, or columns `assign` cannot name
    columns = {}
    for name in names:
        if frame[name].dtype != object:
            continue
        cells = frame[name].to_numpy()
        if infer_dtype(cells, skipna=False) == "string":
            codes, texts = pd.factorize(cells)
            columns[name] = pd.Categorical.from_codes(codes, pd.Index(texts, dtype=object))
    if not columns:
        return frame
    out = frame.assign(**columns)
    out.attrs = {**frame.attrs, PACKED: list(columns)}
    return out


def _unpack_frame(frame: pd.DataFrame) -> pd.DataFrame:
    columns = frame.attrs.get(PACKED)
    if columns is None:
        return frame
    out = frame.assign(**{name: frame[name].astype(object) for name in columns})
    out.attrs = {k: v for k, v in frame.attrs.items() if k != PACKED}
    return out
