"""Write a realistic, dirty, fictional vendor file for benchmarks and manual testing.

    uv run python bench/generate.py --vendor experian --rows 1000000 --out bench/data/experian.csv

Rows are written as they are made (constant memory). Every person is fictional: phone
numbers are valid-shaped NANP numbers on the 555 exchange, emails are at example.com.
The dirt is what vendors really send: Excel artefacts (``5552345678.0``, zips that lost
their leading zero), full or lower-case state names, missing names, bad phones, credit
grades and bands, currency and value ranges, quoted newlines, the odd row with a missing
cell, and blank trailing rows. Each vendor file also has its vendor's file habits:

- experian: cp1252 (Excel on Windows), comma, duplicated ``Telephone # N`` headers;
- transunion: UTF-8 with a BOM, pipe-delimited;
- leadsource: UTF-8, comma, quoted fields with commas and newlines.
"""

from __future__ import annotations

import argparse
import csv
import random
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

FIRST_NAMES = (
    "Mary", "JOHN", "patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Renée",
    "José", "Zoë", "Siobhán", "D\u2019Andre", "Mary Ann", "JAMES", "barbara", "Chloé", "Ángel",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "JOHNSON", "williams", "O\u2019Brien", "García", "Müller", "Nguyen", "McDonald",
    "Van Der Berg", "Lefèvre", "Peña", "DAVIS", "brown", "Smith-Jones", "Ó Súilleabháin",
)  # fmt: skip
STREETS = ("Main St", "OAK AVE", "elm street", "Maple Dr.", "Cedar Ln", "Pine Ct", "Lake Rd")
CITIES = (
    ("Springfield", "IL", "62701"), ("Boston", "MA", "02134"), ("Newark", "NJ", "07102"),
    ("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Miami", "FL", "33101"),
    ("Portland", "ME", "04101"), ("Phoenix", "AZ", "85001"), ("Hartford", "CT", "06103"),
)  # fmt: skip
STATE_NAMES = {
    "IL": "Illinois", "MA": "Massachusetts", "NJ": "New Jersey", "TX": "Texas",
    "CO": "Colorado", "FL": "Florida", "ME": "Maine", "AZ": "Arizona", "CT": "Connecticut",
}  # fmt: skip
# Syllables for made-up names and towns, so a file has thousands of distinct values (as real
# files do) instead of a handful that any cache would absorb.
SYLLABLES = (
    "an", "ber", "ca", "del", "el", "fra", "gor", "han", "is", "jo", "ka", "lin", "mar", "ne",
    "o", "pe", "qui", "ro", "sa", "ta", "u", "vi", "wen", "ya", "zel",
)  # fmt: skip
# Every area-code shape NANP assigns (2-9, then 0-8, then any digit; no N11): with the 555
# exchange that is 7.1 M fictional numbers, so a 1M-row file repeats a phone about as often
# as real lead files do (a few percent of rows), not on most rows.
AREA_CODES = tuple(
    f"{first}{second}{third}"
    for first in range(2, 10)
    for second in range(9)
    for third in range(10)
    if (second, third) != (1, 1)
)
GRADES = ("EXCELLENT", "GOOD", "FAIR", "POOR", "Excellent", "good")
BOOLEANS = ("Yes", "No", "Y", "N", "TRUE", "false", "1", "0", "")
EXTRA_COLUMNS = ("Age Range", "Estimated Income", "Mail Responder", "Dwelling Type")


class Dirt:
    """Draws realistic messy values from one seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, options: tuple[str, ...]) -> str:
        return options[self.rng.randrange(len(options))]

    def made_up(self, syllables: int) -> str:
        return "".join(self.pick(SYLLABLES) for _ in range(syllables)).title()

    def cased(self, name: str) -> str:
        style = self.rng.randrange(10)
        if style == 0:
            return name.upper()
        if style == 1:
            return name.lower()
        return f" {name}" if style == 2 else name

    def first_name(self) -> str:
        if self.chance(0.03):
            return ""
        return self.cased(self.pick(FIRST_NAMES) if self.chance(0.6) else self.made_up(2))

    def last_name(self) -> str:
        if self.chance(0.05):
            return ""
        return self.cased(self.pick(LAST_NAMES) if self.chance(0.4) else self.made_up(3))

    def phone(self) -> str:
        if self.chance(0.06):
            return self.pick(("555-1234", "0000000000", "N/A", "123", "", "1-800-FLOWERS"))
        area, line = self.pick(AREA_CODES), f"{self.rng.randrange(10000):04d}"
        style = self.rng.randrange(7)
        if style == 0:
            return f"({area}) 555-{line}"
        if style == 1:
            return f"{area}-555-{line}"
        if style == 2:
            return f"{area}555{line}.0"
        if style == 3:
            return f"+1 {area} 555 {line}"
        if style == 4:
            return f"1{area}555{line}"
        if style == 5:
            return f"{area}.555.{line}"
        return f"{area}555{line}"

    def place(self) -> tuple[str, str, str]:
        city, state, zip_code = CITIES[self.rng.randrange(len(CITIES))]
        zip_code = f"{zip_code[:3]}{self.rng.randrange(100):02d}"
        if self.chance(0.5):
            city = self.made_up(2) + self.pick(("ville", " Falls", "ton", " City", ""))
        if self.chance(0.15):
            state = STATE_NAMES[state]
        elif self.chance(0.1):
            state = state.lower()
        if zip_code.startswith("0") and self.chance(0.5):
            zip_code = zip_code.lstrip("0")
        elif self.chance(0.1):
            zip_code += f"-{self.rng.randrange(10000):04d}"
        if self.chance(0.05):
            city = f" {city.upper()} "
        return city, state, zip_code

    def street(self) -> tuple[str, str]:
        number = str(self.rng.randrange(1, 9999))
        street = self.pick(STREETS)
        if self.chance(0.05):
            street += f"\nApt {self.rng.randrange(1, 40)}"
        elif self.chance(0.1):
            street += f", Unit {self.rng.randrange(1, 40)}"
        return number, street

    def score(self) -> str:
        if self.chance(0.05):
            return self.pick(("", "9003", "N/A"))
        return str(self.rng.randrange(540, 850))

    def money(self, low: int, high: int) -> str:
        amount = self.rng.randrange(low, high)
        style = self.rng.randrange(4)
        if style == 0:
            return f"${amount:,}"
        if style == 1:
            return f"{amount}.00"
        if style == 2 and self.chance(0.2):
            return ""
        return str(amount)

    def rate(self, *, implied_decimals: bool) -> str:
        rate = self.rng.randrange(250, 899)
        if implied_decimals and self.chance(0.7):
            return str(rate)
        text = f"{rate / 100:.3f}"
        return text + "%" if self.chance(0.2) else text

    def date(self) -> str:
        year, month, day = (
            self.rng.randrange(2005, 2026),
            self.rng.randrange(1, 13),
            self.rng.randrange(1, 29),
        )
        style = self.rng.randrange(3)
        if style == 0:
            return f"{year}-{month:02d}-{day:02d}"
        if style == 1:
            return f"{month}/{day}/{year}"
        return f"{year}{month:02d}{day:02d}"

    def extras(self) -> list[str]:
        return [
            self.pick(("25-34", "35-44", "45-54", "")),
            self.money(30_000, 250_000),
            self.pick(("Y", "N", "")),
            self.pick(("Single Family", "Condo", "")),
        ]


Row = list[str]


def experian_rows(dirt: Dirt) -> tuple[Row, Callable[[], Row]]:
    header = [
        "First Name", "Surname", "Primary Street ID (House number)", "Street Name/Apartment",
        "City", "State", "Zip Code", "Telephone # 1", "Telephone # 2", "Telephone # 1",
        "Telephone # 3", "FICO_V30A_PSCRN_SCORE_VALUE",
        "Total balance on open first mortgage trades reported in the last 3 months",
        "Estimated interest rate on open with balance first mortgage loans with the "
        "largest current balance reported in the last 6 months",
        *EXTRA_COLUMNS,
    ]  # fmt: skip

    def row() -> Row:
        number, street = dirt.street()
        city, state, zip_code = dirt.place()
        phones = [dirt.phone() if dirt.chance(share) else "" for share in (0.9, 0.4, 0.2, 0.2)]
        return [
            dirt.first_name().upper(), dirt.last_name().upper(), number, street.upper(), city,
            state, zip_code, *phones, dirt.score(), dirt.money(40_000, 900_000),
            dirt.rate(implied_decimals=True), *dirt.extras(),
        ]  # fmt: skip

    return header, row


def transunion_rows(dirt: Dirt) -> tuple[Row, Callable[[], Row]]:
    header = [
        "Perm_ID", "First_Name", "Last_Name", "Address", "City", "State", "Zipcode",
        "Phone_Number", "FICO04 Score", "Current Balance of Most Recent Mortgage",
        "Monthly Payment Amount of Most Recent Mortgage", "Open Date of Most Recent Mortgage",
        "Trigger_Date", *EXTRA_COLUMNS,
    ]  # fmt: skip
    counter = iter(range(10_000_000, 100_000_000))

    def row() -> Row:
        number, street = dirt.street()
        city, state, zip_code = dirt.place()
        return [
            f"TU{next(counter)}", dirt.first_name(), dirt.last_name(), f"{number} {street}",
            city, state, zip_code, dirt.phone(), dirt.score(), dirt.money(40_000, 900_000),
            dirt.money(600, 6_000), dirt.date(), dirt.date(), *dirt.extras(),
        ]  # fmt: skip

    return header, row


def leadsource_rows(dirt: Dirt) -> tuple[Row, Callable[[], Row]]:
    header = [
        "Lead ID", "Lead Type", "First Name", "Last Name", "Address", "City", "State", "ZIP",
        "Email", "Pri. Phone", "Sec. Phone", "Est. Home Value", "Credit Grade", "ADD_CASH",
        "Cash Out", "Loan Type", "Loan Purpose", "Prop. Desc", "BAL_ONE", "MTG_ONE_INT",
        "MTG_TWO", "BAL_TWO", "MTG_TWO_INT", "Found Home", "DOWN_PMT", "Property Purpose",
        "LTV", "bid_loan_val", "VA Eligible", "trustedformCertUrl",
    ]  # fmt: skip
    counter = iter(range(1, 100_000_000))

    def credit() -> str:
        style = dirt.rng.randrange(3)
        if style == 0:
            return dirt.pick(GRADES)
        low = dirt.rng.randrange(560, 820, 20)
        return f"{low}-{low + 19}" if style == 1 else dirt.score()

    def home_value() -> str:
        low = dirt.rng.randrange(100_000, 900_000, 15_000)
        return (
            f"${low + 1:,} - ${low + 15_000:,}"
            if dirt.chance(0.6)
            else dirt.money(low, low + 15_000)
        )

    def email(first: str, last: str) -> str:
        if dirt.chance(0.08):
            return dirt.pick(("", "N/A", "no-email", f"{first}@"))
        name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
        local = name.lower().replace(" ", "").strip(".") or "lead"
        return f"{local}{dirt.rng.randrange(1000)}@example.com"

    def row() -> Row:
        first, last = dirt.first_name(), dirt.last_name()
        number, street = dirt.street()
        city, state, zip_code = dirt.place()
        second = dirt.chance(0.3)
        return [
            str(next(counter)), dirt.pick(("Refinance", "Purchase", "Home Equity")), first, last,
            f"{number} {street}", city, state, zip_code, email(first, last), dirt.phone(),
            dirt.phone() if dirt.chance(0.3) else "", home_value(), credit(),
            dirt.money(0, 100_000), dirt.pick(BOOLEANS), dirt.pick(("FHA", "Conventional", "VA", "")),
            dirt.pick(("Refinance", "Purchase", "Cash-Out Refinance")),
            dirt.pick(("Single Family", "Condominium", "Townhome", "Multi-Family")),
            dirt.money(40_000, 900_000), dirt.rate(implied_decimals=False),
            "Yes" if second else "No", dirt.money(5_000, 90_000) if second else "",
            dirt.rate(implied_decimals=False) if second else "", dirt.pick(BOOLEANS),
            dirt.money(0, 80_000), dirt.pick(("Primary Residence", "Second Home", "Investment")),
            str(dirt.rng.randrange(40, 98)), dirt.money(80_000, 800_000), dirt.pick(BOOLEANS),
            f"https://cert.trustedform.com/{dirt.rng.getrandbits(160):040x}" if dirt.chance(0.8) else "",
        ]  # fmt: skip

    return header, row


VENDORS: dict[str, tuple[Callable[[Dirt], tuple[Row, Callable[[], Row]]], str, str]] = {
    # vendor: (layout, encoding, delimiter)
    "experian": (experian_rows, "cp1252", ","),
    "transunion": (transunion_rows, "utf-8-sig", "|"),
    "leadsource": (leadsource_rows, "utf-8", ","),
}


def rows(vendor: str, count: int, seed: int) -> Iterator[Row]:
    """The header, ``count`` data rows (about 0.1 % with a cell missing), blank tail rows."""
    dirt = Dirt(seed)
    header, make_row = VENDORS[vendor][0](dirt)
    yield header
    for _ in range(count):
        row = make_row()
        if dirt.chance(0.001):
            del row[dirt.rng.randrange(len(row))]
        yield row
    for _ in range(3):
        yield [""] * len(header)


def write(vendor: str, count: int, out: Path, seed: int = 7) -> None:
    _, encoding, delimiter = VENDORS[vendor]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding=encoding, errors="replace", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter, lineterminator="\r\n")
        writer.writerows(rows(vendor, count, seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", required=True, choices=sorted(VENDORS))
    parser.add_argument("--rows", required=True, type=int)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write(args.vendor, args.rows, args.out, args.seed)


if __name__ == "__main__":
    main()
