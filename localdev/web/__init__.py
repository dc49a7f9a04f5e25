"""The reference Loc8 web client (Settings > Integrations), served by the local stack."""
