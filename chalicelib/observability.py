"""The service's one Logger, Metrics and Tracer (Powertools), shared by every module.

The Tracer loads the X-Ray SDK and botocore, about half of a cold import, so it is
built when the first invocation is traced rather than when the app is imported.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "loc8-integrations"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="Loc8Integrations", service=SERVICE)

# Most API requests emit no metric; Powertools would warn about that on every one.
warnings.filterwarnings("ignore", message="No application metrics to publish")


@cache
def tracer() -> Tracer:
    return Tracer(service=SERVICE)


def traced(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Powertools' `capture_lambda_handler` for one invocation (Chalice middleware wraps
    each invocation anew), with the Tracer built on the first."""
    return tracer().capture_lambda_handler(handler, capture_response=False)
