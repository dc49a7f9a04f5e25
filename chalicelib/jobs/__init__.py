"""Lambda entry points that are not HTTP: the scheduled fan-out and the SQS worker."""
