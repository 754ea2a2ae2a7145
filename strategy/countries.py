"""Country codes (ISO 3166-1 alpha-2) and their Swedish names, for partner hints. Pure data."""

from __future__ import annotations

#: Swedish names of the countries fundwatch's data files name (unknown codes are shown as the code)
COUNTRY_SV: dict[str, str] = {
    "AT": "Österrike",
    "BE": "Belgien",
    "BG": "Bulgarien",
    "BY": "Belarus",
    "CY": "Cypern",
    "CZ": "Tjeckien",
    "DE": "Tyskland",
    "DK": "Danmark",
    "EE": "Estland",
    "ES": "Spanien",
    "FI": "Finland",
    "FR": "Frankrike",
    "GR": "Grekland",
    "HR": "Kroatien",
    "HU": "Ungern",
    "IE": "Irland",
    "IS": "Island",
    "IT": "Italien",
    "LI": "Liechtenstein",
    "LT": "Litauen",
    "LU": "Luxemburg",
    "LV": "Lettland",
    "MK": "Nordmakedonien",
    "MT": "Malta",
    "NL": "Nederländerna",
    "NO": "Norge",
    "PL": "Polen",
    "PT": "Portugal",
    "RO": "Rumänien",
    "RS": "Serbien",
    "RU": "Ryssland",
    "SE": "Sverige",
    "SI": "Slovenien",
    "SK": "Slovakien",
    "TR": "Turkiet",
    "UA": "Ukraina",
    "UG": "Uganda",
    "US": "USA",
}


def country_sv(code: str) -> str:
    return COUNTRY_SV.get(code.upper(), code.upper())


def valid_code(code: str) -> bool:
    """Two capital letters (the shape of an ISO 3166-1 alpha-2 code)."""
    return len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()
