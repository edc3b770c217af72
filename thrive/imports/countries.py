"""Country cells as the two-letter codes Thrive stores: "US", "USA", "United States" → "US".

Names come from the time-zone database's table of ISO 3166 codes (the tzdata package:
"United States", "Britain (UK)", "Korea (South)"…), three-letter codes from the table
below, and a few names people write that neither has ("USA", "England", "Holland").
"""

from __future__ import annotations

import functools
import re

from thrive.contacts.places import iso3166_table

# ISO 3166-1 alpha-3 → alpha-2, as pairs.
_ALPHA3 = """
    AFG AF ALA AX ALB AL DZA DZ ASM AS AND AD AGO AO AIA AI ATA AQ ATG AG ARG AR ARM AM
    ABW AW AUS AU AUT AT AZE AZ BHS BS BHR BH BGD BD BRB BB BLR BY BEL BE BLZ BZ BEN BJ
    BMU BM BTN BT BOL BO BES BQ BIH BA BWA BW BVT BV BRA BR IOT IO BRN BN BGR BG BFA BF
    BDI BI CPV CV KHM KH CMR CM CAN CA CYM KY CAF CF TCD TD CHL CL CHN CN CXR CX CCK CC
    COL CO COM KM COG CG COD CD COK CK CRI CR CIV CI HRV HR CUB CU CUW CW CYP CY CZE CZ
    DNK DK DJI DJ DMA DM DOM DO ECU EC EGY EG SLV SV GNQ GQ ERI ER EST EE SWZ SZ ETH ET
    FLK FK FRO FO FJI FJ FIN FI FRA FR GUF GF PYF PF ATF TF GAB GA GMB GM GEO GE DEU DE
    GHA GH GIB GI GRC GR GRL GL GRD GD GLP GP GUM GU GTM GT GGY GG GIN GN GNB GW GUY GY
    HTI HT HMD HM VAT VA HND HN HKG HK HUN HU ISL IS IND IN IDN ID IRN IR IRQ IQ IRL IE
    IMN IM ISR IL ITA IT JAM JM JPN JP JEY JE JOR JO KAZ KZ KEN KE KIR KI PRK KP KOR KR
    KWT KW KGZ KG LAO LA LVA LV LBN LB LSO LS LBR LR LBY LY LIE LI LTU LT LUX LU MAC MO
    MDG MG MWI MW MYS MY MDV MV MLI ML MLT MT MHL MH MTQ MQ MRT MR MUS MU MYT YT MEX MX
    FSM FM MDA MD MCO MC MNG MN MNE ME MSR MS MAR MA MOZ MZ MMR MM NAM NA NRU NR NPL NP
    NLD NL NCL NC NZL NZ NIC NI NER NE NGA NG NIU NU NFK NF MKD MK MNP MP NOR NO OMN OM
    PAK PK PLW PW PSE PS PAN PA PNG PG PRY PY PER PE PHL PH PCN PN POL PL PRT PT PRI PR
    QAT QA REU RE ROU RO RUS RU RWA RW BLM BL SHN SH KNA KN LCA LC MAF MF SPM PM VCT VC
    WSM WS SMR SM STP ST SAU SA SEN SN SRB RS SYC SC SLE SL SGP SG SXM SX SVK SK SVN SI
    SLB SB SOM SO ZAF ZA SGS GS SSD SS ESP ES LKA LK SDN SD SUR SR SJM SJ SWE SE CHE CH
    SYR SY TWN TW TJK TJ TZA TZ THA TH TLS TL TGO TG TKL TK TON TO TTO TT TUN TN TUR TR
    TKM TM TCA TC TUV TV UGA UG UKR UA ARE AE GBR GB USA US UMI UM URY UY UZB UZ VUT VU
    VEN VE VNM VN VGB VG VIR VI WLF WF ESH EH YEM YE ZMB ZM ZWE ZW
"""
_ALIASES = {
    "usa": "US", "us": "US", "unitedstatesofamerica": "US", "america": "US",
    "uk": "GB", "unitedkingdom": "GB", "greatbritain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northernireland": "GB", "holland": "NL", "thenetherlands": "NL",
    "southkorea": "KR", "republicofkorea": "KR", "northkorea": "KP", "czechia": "CZ",
    "russianfederation": "RU", "vietnam": "VN", "ivorycoast": "CI", "uae": "AE",
    "deutschland": "DE", "espana": "ES", "españa": "ES", "italia": "IT", "brasil": "BR",
    "suisse": "CH", "schweiz": "CH", "österreich": "AT", "mexico": "MX", "méxico": "MX",
    "turkey": "TR", "türkiye": "TR", "hongkong": "HK", "macau": "MO", "burma": "MM",
    "swaziland": "SZ", "eswatini": "SZ", "capeverde": "CV", "macedonia": "MK",
    "vaticancity": "VA", "holysee": "VA", "palestine": "PS", "taiwan": "TW",
    "laos": "LA", "iran": "IR", "syria": "SY", "moldova": "MD", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "drc": "CD", "drcongo": "CD",
}  # fmt: skip


def _key(text: str) -> str:
    return re.sub(r"[^\w]|_", "", text.casefold())


@functools.cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    codes = _ALPHA3.split()
    for alpha3, alpha2 in zip(codes[::2], codes[1::2], strict=True):
        names[_key(alpha3)] = alpha2
    shorter: dict[str, set[str]] = {}
    for line in iso3166_table().splitlines():
        if not line or line.startswith("#"):
            continue
        code, _, name = line.partition("\t")
        names[_key(name)] = code
        if "(" in name:  # "Britain (UK)": "Britain" and "UK" too, unless two share it
            for part in (name.split("(")[0], name[name.index("(") + 1 : name.index(")")]):
                shorter.setdefault(_key(part), set()).add(code)
    for key, found in shorter.items():
        if len(found) == 1 and key not in names:
            names[key] = found.pop()
    names.update({_key(k): v for k, v in _ALIASES.items()})
    return names


@functools.cache
def _codes() -> frozenset[str]:
    return frozenset(_names().values())


def country_code(text: str) -> str | None:
    """The two-letter code for a code, three-letter code or English name; None if unknown."""
    cleaned = text.strip()
    if cleaned.upper() in _codes():
        return cleaned.upper()
    return _names().get(_key(cleaned))
