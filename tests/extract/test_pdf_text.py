from extract.pdf import normalise_line, strip_running_lines


def test_bullet_glyphs_become_one_marker():
    for glyph in ("◼", "\uf0b7", "\x7f", "(cid:127)", "•", "■"):
        assert normalise_line(f"{glyph} The quality of plans") == "• The quality of plans"


def test_running_header_with_page_numbers_is_removed():
    pages = [["Title page", "Judgement Grade"]] + [
        ["Inspection of Tameside local authority children’s services", f"4 to 15 December 2023 {n}",
         f"Body {'abcdefghij'[n]}", f"about {'abcdefghij'[n]}"] for n in range(2, 9)
    ]
    cleaned = strip_running_lines(pages)
    assert cleaned[0] == ["Title page", "Judgement Grade"]
    for n, page in zip(range(2, 9), cleaned[1:], strict=True):
        assert page == [f"Body {'abcdefghij'[n]}", f"about {'abcdefghij'[n]}"]


def test_short_documents_are_left_alone():
    pages = [["Header", "a"], ["Header", "b"]]
    assert strip_running_lines(pages) == pages
