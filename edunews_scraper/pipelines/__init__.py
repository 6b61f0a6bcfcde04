"""Item pipelines, one job each, in the order of `ITEM_PIPELINES` (see settings.py)."""
