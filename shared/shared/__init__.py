"""Code shared by the CouncilWatch services: the event contract, settings, broker wiring,
blob store, council register, health checks and logging. Nothing here runs on its own."""
