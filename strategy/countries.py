"""Country codes (ISO 3166-1 alpha-2) and their Swedish names, for partner hints and the yearly report. Pure data."""

from __future__ import annotations

#: Swedish names of the countries fundwatch's data files name (unknown codes are shown as the code)
COUNTRY_SV: dict[str, str] = {
    "AL": "Albanien",
    "AT": "Österrike",
    "AX": "Åland",
    "BA": "Bosnien och Hercegovina",
    "BE": "Belgien",
    "BG": "Bulgarien",
    "BW": "Botswana",
    "BY": "Belarus",
    "CH": "Schweiz",
    "CN": "Kina",
    "CY": "Cypern",
    "CZ": "Tjeckien",
    "DE": "Tyskland",
    "DK": "Danmark",
    "EE": "Estland",
    "ES": "Spanien",
    "FI": "Finland",
    "FO": "Färöarna",
    "FR": "Frankrike",
    "GB": "Storbritannien",
    "GE": "Georgien",
    "GL": "Grönland",
    "GR": "Grekland",
    "HR": "Kroatien",
    "HU": "Ungern",
    "IE": "Irland",
    "IN": "Indien",
    "IS": "Island",
    "IT": "Italien",
    "KE": "Kenya",
    "LI": "Liechtenstein",
    "LT": "Litauen",
    "LU": "Luxemburg",
    "LV": "Lettland",
    "MD": "Moldavien",
    "MK": "Nordmakedonien",
    "MT": "Malta",
    "MZ": "Moçambique",
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
    "TZ": "Tanzania",
    "UA": "Ukraina",
    "UG": "Uganda",
    "US": "USA",
    "VN": "Vietnam",
    "XK": "Kosovo",
    "ZA": "Sydafrika",
}


def country_sv(code: str) -> str:
    """The Swedish name of a country code, or the code itself when unknown."""
    return COUNTRY_SV.get(code.upper(), code.upper())


def valid_code(code: str) -> bool:
    """Two capital letters (the shape of an ISO 3166-1 alpha-2 code)."""
    return len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()
