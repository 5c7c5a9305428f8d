"""Runs one service under uvicorn: `councilwatch serve ingest|extract|store`."""

import sys

import uvicorn

from shared.broker import EXIT_GROUP_LOST, on_restart_request, restart_requested

SERVICES = {
    "ingest": ("ingest.main:create_app", "INGEST_HOST", "INGEST_PORT", "ingest.settings", "IngestSettings"),
    "extract": ("extract.main:create_app", "EXTRACT_HOST", "EXTRACT_PORT", "extract.settings", "ExtractSettings"),
    "store": ("store.main:create_app", "STORE_HOST", "STORE_PORT", "store.settings", "StoreSettings"),
}


def serve(name: str) -> None:
    import importlib

    factory, host_key, port_key, module, cls = SERVICES[name]
    settings = getattr(importlib.import_module(module), cls)()
    server = uvicorn.Server(uvicorn.Config(
        factory, factory=True, host=getattr(settings, host_key), port=getattr(settings, port_key),
        log_level="warning", access_log=False,
    ))
    # A lost consumer group stops the server gracefully (uvicorn would re-raise a SIGTERM
    # after shutting down, and the exit code would be lost).
    on_restart_request(lambda: setattr(server, "should_exit", True))
    server.run()
    if restart_requested():
        sys.exit(EXIT_GROUP_LOST)  # a supervisor starts it again; start-up recreates the group
