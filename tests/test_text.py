"""scrapers.text: decoding whatever the server declares (RELIABILITY R9) and HTML to clean plain text."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from scrapers.text import clean, decode, excerpt, header_charset, html_to_text, main_text, soup_of

SWEDISH = "åäöÅÄÖ"


def html(charset_meta: str, body: str) -> str:
    return f"<!DOCTYPE html><html><head>{charset_meta}<title>t</title></head><body><p>{body}</p></body></html>"


# -- R9: encodings ------------------------------------------------------------------------------------
def test_latin1_page_with_only_a_meta_charset_keeps_swedish_letters():
    body = html('<meta charset="iso-8859-1">', f"Sök stöd {SWEDISH}").encode("latin-1")
    for header in (None, "text/html", "text/html; charset=utf-8"):  # no header, no charset, a wrong charset
        decoded = decode(body, header)
        assert f"Sök stöd {SWEDISH}" in decoded.text
        assert "\ufffd" not in decoded.text
    assert decode(body, None).warning is None
    assert (
        decode(body, "text/html; charset=utf-8").warning
        == "the server declared utf-8 but the document declares iso8859-1"
    )


def test_latin1_page_with_a_meta_http_equiv_charset():
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    assert SWEDISH in decode(html(meta, SWEDISH).encode("latin-1"), None).text


def test_xml_without_any_charset_is_utf8_without_warning():
    body = f'<?xml version="1.0"?><rss><channel><title>{SWEDISH}</title></channel></rss>'.encode()
    decoded = decode(body, "application/xml", is_html=False)
    assert SWEDISH in decoded.text and decoded.encoding == "utf-8" and decoded.warning is None


def test_xml_declaring_latin1_is_read_as_declared_even_when_the_server_says_utf8():
    body = f'<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>{SWEDISH}</title></rss>'.encode("latin-1")
    assert SWEDISH in decode(body, "application/rss+xml; charset=UTF-8", is_html=False).text


def test_utf8_with_three_bad_bytes_keeps_the_rest_and_warns():
    body = html('<meta charset="utf-8">', f"{SWEDISH} ok").encode("utf-8")
    broken = body.replace(b"ok", b"o\xffk\xfe\xfa")
    decoded = decode(broken, "text/html")
    assert SWEDISH in decoded.text
    assert decoded.text.count("\ufffd") <= 3
    assert decoded.warning == "3 byte(s) are not valid UTF-8 and were replaced by U+FFFD"


def test_windows_1252_smart_quotes_and_swedish_letters_survive_a_latin1_label():
    text = f"“{SWEDISH}” – ‘citat’ … €"
    body = html('<meta charset="iso-8859-1">', text).encode("cp1252")
    decoded = decode(body, "text/html; charset=ISO-8859-1")
    assert text in decoded.text
    assert decoded.warning is None


def test_undeclared_windows_1252_is_guessed_with_a_warning():
    body = html("", f"“{SWEDISH}”").encode("cp1252")
    decoded = decode(body, "text/html")
    assert f"“{SWEDISH}”" in decoded.text
    assert decoded.warning == "no charset declared; read as windows-1252"


def test_a_byte_order_mark_wins_over_any_declaration():
    body = "\ufeff".encode("utf-16-le") + html('<meta charset="iso-8859-1">', SWEDISH).encode("utf-16-le")
    assert SWEDISH in decode(body, "text/html; charset=iso-8859-1").text


def test_utf8_page_wrongly_labelled_latin1_is_still_utf8():
    body = html('<meta charset="iso-8859-1">', SWEDISH).encode("utf-8")
    assert SWEDISH in decode(body, "text/html; charset=iso-8859-1").text


def test_an_unknown_charset_name_is_ignored():
    body = html('<meta charset="x-klingon">', SWEDISH).encode("latin-1")
    assert SWEDISH in decode(body, "text/html; charset=bogus").text


def test_header_charset_reads_the_parameter():
    assert header_charset('text/html; charset="ISO-8859-1"') == "ISO-8859-1"
    assert header_charset("text/html") is None
    assert header_charset(None) is None


def test_soup_of_parses_bytes_with_the_right_encoding():
    soup = soup_of(html('<meta charset="windows-1252">', "Ansök “nu”").encode("cp1252"), None)
    assert soup.p.get_text() == "Ansök “nu”"


# -- HTML to text ----------------------------------------------------------------------------------------
def test_html_to_text_keeps_paragraphs_and_lists_and_drops_scripts_styles_and_forms():
    markup = """
    <h2>Vem kan söka?</h2><p>Kommuner   och
    regioner.</p><script>var x = "hemligt";</script><style>p{color:red}</style>
    <ul><li>Förstudier</li><li>Projekt<br>med partner</li></ul><form><input value="sök"><button>Sök</button></form>
    <p>Slut&nbsp;text<!-- kommentar --></p>"""
    assert html_to_text(markup) == (
        "Vem kan söka?\n\nKommuner och regioner.\n\n- Förstudier\n- Projekt\n\nmed partner\n\nSlut text"
    )


def test_html_to_text_of_a_deeply_nested_page_does_not_recurse_itself_to_death():
    markup = "<div>" * 5000 + "djupt" + "</div>" * 5000
    assert html_to_text(BeautifulSoup(markup, "html.parser")) == "djupt"


def test_html_to_text_of_nothing_is_empty():
    assert html_to_text(None) == "" and html_to_text("") == ""


def test_main_text_leaves_out_navigation_header_footer_cookie_banner_and_asides():
    page = """<html><body>
    <div class="cookie-banner">Vi använder kakor</div>
    <header><a href="/">Start</a></header><nav><a href="/a">Meny</a></nav>
    <div id="breadcrumbs"><a href="/">Hem</a> / Utlysningar</div>
    <main><h1>Utlysning</h1><p>Det här är texten.</p><aside>Relaterat</aside></main>
    <footer>Kontakt</footer></body></html>"""
    assert main_text(BeautifulSoup(page, "html.parser")) == "Utlysning\n\nDet här är texten."


def test_main_text_without_a_main_element_uses_the_body():
    page = "<html><body><nav>Meny</nav><div><p>Första stycket.</p><p>Andra.</p></div><footer>x</footer></body></html>"
    assert main_text(BeautifulSoup(page, "html.parser")) == "Första stycket.\n\nAndra."


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Kort text.", 300, "Kort text."),
        ("Första meningen är här. Andra meningen är mycket längre än gränsen tillåter.", 40, "Första meningen är här."),
        ("ett två tre fyra fem sex sju åtta nio tio", 20, "ett två tre fyra…"),
        ("  radbrytning\n\noch   mellanrum ", 300, "radbrytning och mellanrum"),
    ],
)
def test_excerpt_cuts_at_a_sentence_or_word(text, limit, expected):
    assert excerpt(text, limit) == expected


def test_clean_collapses_whitespace_and_removes_invisible_characters():
    assert clean("  a\u00a0b\u200b c\u00add\n ") == "a b cd"
    assert clean(None) == ""


def test_a_decoding_warning_is_logged_naming_source_and_url(caplog):
    broken = html('<meta charset="utf-8">', f"{SWEDISH}").encode("utf-8") + b"\xff"
    with caplog.at_level("WARNING", logger="scrapers.text"):
        soup_of(broken, "text/html", "tillvaxtverket", "https://x.se/a")
        soup_of(html("", SWEDISH).encode("utf-8"), "text/html", "tillvaxtverket", "https://x.se/b")
    assert [r.getMessage() for r in caplog.records] == [
        "tillvaxtverket: https://x.se/a: 1 byte(s) are not valid UTF-8 and were replaced by U+FFFD"
    ]
