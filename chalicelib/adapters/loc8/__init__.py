"""HTTP client for Loc8 core's service API (docs/loc8-core-api.yaml)."""

from chalicelib.adapters.loc8.client import Loc8HttpApi
from chalicelib.adapters.loc8.retry import RetryPolicy

__all__ = ["Loc8HttpApi", "RetryPolicy"]
