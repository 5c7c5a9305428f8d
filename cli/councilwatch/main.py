"""`councilwatch`: run the system, extract findings from files, operate the pipeline."""

import argparse
import json
import sys
from pathlib import Path


def cmd_extract(paths: list[str]) -> int:
    from extract.findings import check_input, failed
    from extract.sandbox import Sandbox
    from extract.settings import ExtractSettings
    from shared.media import media_type_for

    settings = ExtractSettings()
    sandbox = Sandbox(settings.EXTRACT_MEMORY_LIMIT_MB, settings.EXTRACT_TIMEOUT_S, settings.EXTRACT_MAX_PAGES)
    try:
        for path in paths:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                print(json.dumps({"file": path, "error": {"code": "unreadable", "message": str(exc)}}), flush=True)
                continue
            media_type = media_type_for(None, path)
            error = check_input(data, settings.EXTRACT_MAX_BYTES, media_type)
            findings = failed(data, error, path) if error else sandbox.run(data, path, media_type)
            print(findings.model_copy(update={"file": path}).model_dump_json(), flush=True)
    finally:
        sandbox.close()
    return 0


def cmd_db_upgrade() -> int:
    from store.db import migrate
    from store.settings import StoreSettings

    migrate(StoreSettings().DATABASE_URL)
    print("database schema is up to date")
    return 0


def cmd_councils_refresh(source: str) -> int:
    from shared.councils import REGISTER_PATH, build_register, write_register

    rows = build_register(Path(source))
    write_register(rows)
    print(f"{len(rows)} councils written to {REGISTER_PATH}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="councilwatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run ingest, extract and store (a private Redis if none answers)")
    sub.add_parser("demo", help="run offline with a local webhook receiver and a first publication")
    serve = sub.add_parser("serve", help="run one service")
    serve.add_argument("service", choices=["ingest", "extract", "store"])
    ext = sub.add_parser("extract", help="print findings of PDFs as JSON Lines")
    ext.add_argument("paths", nargs="+")
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    councils = sub.add_parser("councils", help="the council register")
    councils.add_argument("action", choices=["refresh"])
    councils.add_argument("--from", dest="source", required=True, help="folder with the upstream CSVs")
    back = sub.add_parser("backfill", help="publish a publisher's history (resumable)")
    back.add_argument("--source", required=True, choices=["ofsted", "cqc", "lga"])
    back.add_argument("--since", help="only publications from this date (YYYY-MM-DD)")
    back.add_argument("--council", help="only this council (GSS code)")
    sources = sub.add_parser("sources", help="the publisher monitors")
    sources.add_argument("action", choices=["status"])
    dlq = sub.add_parser("dlq", help="dead letters: list, show one, redrive one or all")
    dlq.add_argument("action", choices=["list", "show", "redrive"])
    dlq.add_argument("id", nargs="?", help="a dead letter id (from dlq list)")
    dlq.add_argument("--all", action="store_true", help="with redrive: every dead letter")
    sub.add_parser("status", help="the pipeline at a glance")
    args = parser.parse_args(argv)

    if args.command in ("run", "demo"):
        from councilwatch.run import run

        run(demo=args.command == "demo")
        return 0
    if args.command == "serve":
        from councilwatch.serve import serve

        serve(args.service)
        return 0
    if args.command == "extract":
        return cmd_extract(args.paths)
    if args.command == "db":
        return cmd_db_upgrade()
    if args.command == "backfill":
        from councilwatch.watch import cmd_backfill

        return cmd_backfill(args.source, args.since, args.council)
    if args.command == "dlq":
        from councilwatch.operate import cmd_dlq

        if args.action != "list" and not args.id and not args.all:
            parser.error("dlq show/redrive needs an id (or --all with redrive)")
        return cmd_dlq(args.action, args.id, args.all)
    if args.command == "status":
        from councilwatch.operate import cmd_status

        return cmd_status()
    if args.command == "sources":
        from councilwatch.watch import cmd_sources_status

        return cmd_sources_status()
    return cmd_councils_refresh(args.source)


if __name__ == "__main__":
    sys.exit(main())
