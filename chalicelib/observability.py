"""The service's one Logger, Tracer and Metrics (Powertools), shared by every module."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "loc8-integrations"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="Loc8Integrations", service=SERVICE)

# Most API requests emit no metric; Powertools would warn about that on every one.
warnings.filterwarnings("ignore", message="No application metrics to publish")
