"""Runs one service under uvicorn: `councilwatch serve ingest|extract|store`."""

import uvicorn

SERVICES = {
    "ingest": ("ingest.main:create_app", "INGEST_HOST", "INGEST_PORT", "ingest.settings", "IngestSettings"),
    "extract": ("extract.main:create_app", "EXTRACT_HOST", "EXTRACT_PORT", "extract.settings", "ExtractSettings"),
    "store": ("store.main:create_app", "STORE_HOST", "STORE_PORT", "store.settings", "StoreSettings"),
}


def serve(name: str) -> None:
    import importlib

    factory, host_key, port_key, module, cls = SERVICES[name]
    settings = getattr(importlib.import_module(module), cls)()
    uvicorn.run(
        factory, factory=True, host=getattr(settings, host_key), port=getattr(settings, port_key),
        log_level="warning", access_log=False,
    )
