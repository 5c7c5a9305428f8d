"""The council register: every English council with its codes, names and aliases.

The register is the project's own CSV (`shared/data/councils.csv`), built from the upstream
lookups (mySociety's register and name lookups, data-to-insight's Ofsted URN / DfE code
table) by `councilwatch councils refresh --from DIR`. The GSS code is the key everywhere.
"""

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REGISTER_PATH = Path(__file__).parent / "data" / "councils.csv"
# Names the upstream lookups lack: brand names ("Kingston Council") and children's trusts
# that deliver a council's children's services, each to the one council it serves.
ALIASES_PATH = Path(__file__).parent / "data" / "aliases.csv"
FIELDS = [
    "gss_code", "name", "official_name", "register_code", "type", "region", "dfe_code",
    "ofsted_urn", "start_date", "end_date", "replaced_by", "former_gss_codes", "aliases",
]
# Words that say what kind of body a council is, not which one: dropped when matching names.
_NOISE = re.compile(
    r"\b(the|council|borough|county|city|district|metropolitan|royal|london|of|ua|"
    r"unitary|authority|local)\b"
)


# A key this short, or one of these, says nothing about which council is meant.
_EMPTY_KEYS = {"and", "corporation", "upon", "on", "in"}


def _plain(name: str) -> str:
    text = name.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.replace("'", "").split())


def normalise_name(name: str) -> str:
    """The distinguishing words of a council name ("Darlington Borough Council" → "darlington")."""
    return " ".join(_NOISE.sub(" ", _plain(name)).split())


def name_keys(name: str) -> list[str]:
    """Keys a name is indexed under: all its words, and its distinguishing words when they
    still say something ("City of London" keeps only the first)."""
    keys = [_plain(name)]
    short = normalise_name(name)
    if len(short) >= 3 and short not in _EMPTY_KEYS and short not in keys:
        keys.append(short)
    return [k for k in keys if k]


@dataclass(frozen=True)
class CouncilRecord:
    gss_code: str
    name: str
    official_name: str
    register_code: str
    type: str
    region: str
    dfe_code: str
    ofsted_urn: str
    start_date: str
    end_date: str
    replaced_by: tuple[str, ...] = ()
    former_gss_codes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=(), repr=False)

    @property
    def current(self) -> bool:
        return not self.end_date


class CouncilRegister:
    def __init__(self, records: list[CouncilRecord]) -> None:
        self.records = records
        self.by_gss = {r.gss_code: r for r in records}
        for r in records:
            for old in r.former_gss_codes:
                self.by_gss.setdefault(old, r)
        self.by_urn = {r.ofsted_urn: r for r in records if r.ofsted_urn}
        self.by_dfe = {r.dfe_code: r for r in records if r.dfe_code}
        self._by_name: dict[str, CouncilRecord] = {}
        # Current councils win a shared alias over abolished ones.
        for r in sorted(records, key=lambda r: r.current):
            for alias in (r.name, r.official_name, *r.aliases):
                for key in name_keys(alias):
                    self._by_name[key] = r

    @classmethod
    def load(cls, path: Path = REGISTER_PATH, aliases: Path | None = ALIASES_PATH) -> "CouncilRegister":
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        register = cls([_record(row) for row in rows])
        if aliases and aliases.exists():
            with open(aliases, newline="", encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    record = register.by_gss[row["gss_code"]]
                    for key in name_keys(row["alias"]):
                        register._by_name[key] = record
        return register

    def resolve(self, name: str) -> CouncilRecord | None:
        """The council a name refers to ("Darlington Borough Council", "Bristol, City of")."""
        for key in name_keys(name):
            if key in self._by_name:
                return self._by_name[key]
        return None

    def find_in(self, text: str) -> CouncilRecord | None:
        """The council whose name is the longest run of words in `text` that names one."""
        words = _plain(text).split()
        for size in range(min(8, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                hit = self.resolve(" ".join(words[start : start + size]))
                if hit:
                    return hit
        return None


@lru_cache(maxsize=1)
def default_register() -> CouncilRegister:
    return CouncilRegister.load()


def _record(row: dict[str, str]) -> CouncilRecord:
    def split(value: str) -> tuple[str, ...]:
        return tuple(v for v in value.split("|") if v)

    return CouncilRecord(
        **{k: row[k] for k in FIELDS if k not in ("replaced_by", "former_gss_codes", "aliases")},
        replaced_by=split(row["replaced_by"]),
        former_gss_codes=split(row["former_gss_codes"]),
        aliases=split(row["aliases"]),
    )


# --- building the register from upstream files --------------------------------------------


def build_register(source: Path) -> list[dict[str, str]]:
    """Rows of our register from the upstream CSVs in `source` (a folder holding them)."""
    mysociety = _read(source / "uk_local_authorities.csv")
    names = _read(source / "lookup_name_to_registry.csv")
    providers = _read(source / "Provider_data_lookup.csv")

    england = [r for r in mysociety if r["nation"] == "England"]
    by_code = {r["local-authority-code"]: r for r in england}
    by_mysociety_gss = {r["gss-code"]: r for r in england}
    aliases: dict[str, set[str]] = {code: set() for code in by_code}
    for row in names:
        if row["local-authority-code"] in aliases:
            aliases[row["local-authority-code"]].add(row["la-name"].strip())

    provider_by_code: dict[str, dict[str, str]] = {}
    for p in providers:
        la = by_mysociety_gss.get(p["la_code_new"]) or _by_dfe(england, p["la_code"])
        if la is None:
            continue
        provider_by_code[la["local-authority-code"]] = p
        for extra in (p["local_authority_ons_name"], p["also_known_as"]):
            if extra:
                aliases[la["local-authority-code"]].add(extra.strip())

    rows = []
    for code, la in sorted(by_code.items()):
        p = provider_by_code.get(code, {})
        gss, former = la["gss-code"], [g for g in la["former-gss-codes"].split(",") if g]
        # A newer GSS code in the Ofsted lookup (Barnsley E08000016 → E08000038, Apr 2025)
        # becomes the current one; the old code is kept so it still resolves.
        if p.get("la_code_new") and p["la_code_new"] != gss:
            former.append(gss)
            gss = p["la_code_new"]
        replaced = [
            by_code[c]["gss-code"] for c in la["replaced-by"].split(",") if c in by_code
        ]
        names_for = aliases[code] | {a.strip() for a in la["alt-names"].split(",") if a.strip()}
        rows.append({
            "gss_code": gss,
            "name": la["nice-name"],
            "official_name": la["official-name"],
            "register_code": code,
            "type": la["local-authority-type"],
            "region": la["region"],
            "dfe_code": p.get("la_code") or la["old-ons-la-code"].split(".")[0],
            "ofsted_urn": p.get("urn", ""),
            "start_date": la["start-date"],
            "end_date": la["end-date"],
            "replaced_by": "|".join(replaced),
            "former_gss_codes": "|".join(sorted(set(former))),
            "aliases": "|".join(sorted(names_for)),
        })
    return rows


def write_register(rows: list[dict[str, str]], path: Path = REGISTER_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    default_register.cache_clear()


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _by_dfe(rows: list[dict[str, str]], dfe: str) -> dict[str, str] | None:
    return next((r for r in rows if dfe and r["old-ons-la-code"].split(".")[0] == dfe), None)
