"""The one text cleaner used before export."""
from interop.text import clean, clean_text, reject_control_characters


def test_control_characters_go_and_line_breaks_stay():
    assert clean_text("Ma\x00ri\x1ba") == "Maria"
    assert clean_text("line one\nline two\ttab\r\n") == "line one\nline two\ttab"
    assert clean_text("\x7f\x85x\ufeff") == "x"


def test_unusual_spaces_become_plain_spaces():
    assert clean_text("Maria\u00a0José\u2009Lopez\u2028") == "Maria José Lopez"


def test_blank_text_is_omitted():
    assert clean_text("   \n\t ") is None
    assert clean_text("\x00\x01") is None


def test_clean_drops_empty_fields_recursively_but_keeps_false_and_zero():
    resource = {"name": [{"family": " ", "given": ["", "\x00"]}], "note": [{"text": "  "}], "active": False,
                "valueInteger": 0, "code": {"text": "ok"}}
    assert clean(resource) == {"active": False, "valueInteger": 0, "code": {"text": "ok"}}


def test_api_input_rejects_control_characters_with_a_position():
    assert reject_control_characters("fine\ttext\n") == "fine\ttext\n"
    try:
        reject_control_characters("ab\x1bc")
    except ValueError as error:
        assert "U+001B" in str(error) and "position 3" in str(error)
    else:
        raise AssertionError("expected a ValueError")
