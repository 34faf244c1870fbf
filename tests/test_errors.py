"""errors: diagnostics name the place; nothing printed can drive the terminal."""

from __future__ import annotations

from site_builder.errors import Diagnostic, printable


def test_diagnostic_names_path_line_and_column():
    assert str(Diagnostic("content/a.md", 3, "bad date", col=7)) == "content/a.md:3:7: error: bad date"
    assert str(Diagnostic("content/a.md", None, "x", severity="warning")) == "content/a.md: warning: x"


def test_printable_escapes_terminal_controls_and_bidi_marks():
    osc52 = "\x1b]52;c;ZXZpbA==\x07"  # would write the reader's clipboard
    shown = printable(f"送温暖{osc52}\u202e职工\u200e")
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert shown == "送温暖\\x1b]52;c;ZXZpbA==\\x07\\u202e职工\\u200e"


def test_printable_keeps_text_tabs_and_newlines():
    assert printable("一行\t二\n三") == "一行\t二\n三"


def test_a_diagnostic_never_prints_a_control_character():
    text = str(Diagnostic("content/\x1b[2Ja.md", 1, "title \x9b31m"))
    assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in text)
