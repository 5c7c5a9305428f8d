import csv

import pytest

from shared.councils import REGISTER_PATH, CouncilRegister, build_register, default_register, normalise_name
from tests.conftest import corpus_path


@pytest.mark.parametrize(
    ("name", "gss"),
    [
        ("Darlington Borough Council", "E06000005"),
        ("Darlington", "E06000005"),
        ("North Northamptonshire", "E06000061"),
        ("Bristol, City of", "E06000023"),
        ("Kingston upon Hull, City of", "E06000010"),
        ("Durham", "E06000047"),
        ("Royal Borough of Kensington and Chelsea", "E09000020"),
        ("Hertfordshire County Council", "E10000015"),
        ("Bournemouth, Christchurch and Poole", "E06000058"),
    ],
)
def test_names_and_aliases_resolve_to_gss(name, gss):
    assert default_register().resolve(name).gss_code == gss


def test_codes_and_successors():
    register = default_register()
    darlington = register.by_gss["E06000005"]
    assert (darlington.dfe_code, darlington.ofsted_urn) == ("841", "80458")
    assert register.by_urn["2637539"].name == "North Northamptonshire"
    assert register.by_gss["E08000016"].gss_code == "E08000038"  # Barnsley's former code
    cumbria = register.resolve("Cumbria County Council")
    assert cumbria.end_date and set(cumbria.replaced_by) == {"E06000063", "E06000064"}
    upper_tier = [r for r in register.records if r.current and r.ofsted_urn]
    assert len(upper_tier) >= 150


def test_unknown_names_do_not_resolve():
    assert default_register().resolve("Gotham City Council") is None
    assert normalise_name("The Council of the City of York") == "york"


def test_register_file_is_rebuilt_exactly_from_upstream_lookups(tmp_path):
    source = corpus_path("real", "councils", "uk_local_authorities.csv").parent
    rows = build_register(source)
    with open(REGISTER_PATH, newline="", encoding="utf-8") as fh:
        committed = list(csv.DictReader(fh))
    assert rows == committed
    assert CouncilRegister.load().by_gss.keys() == default_register().by_gss.keys()
