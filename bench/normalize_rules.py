"""Throughput of the normalization rules alone (no CSV parsing, no JSON output).

    uv run python bench/normalize_rules.py [--records 200000] [--runs 5] [--seed 11]

Times ``normalize_record`` over ``--records`` synthetic dirty ``RawRecord``s, ``--runs``
times, and prints records per CPU second for each run and the median. Records are built
(untimed) ``--batch`` at a time just before they are normalized, like the pipeline does;
``--batch 200000`` builds them all first, which leaves them cold in memory. The first run
starts with empty memo caches; later runs see them warm, as a long-running worker does.
Every value is fictional (555 exchanges, example.com).

Records look like a LeadSource export mapped to canonical fields (30 columns, 25 fields).
Names, cities, ZIPs and street names are drawn Zipf-like (weight 1/rank) from pools of
5,000 first names, 50,000 last names, 5,000 cities, 20,000 ZIPs and 3,000 street names,
in mixed case and spacing; phones, emails, house numbers, unit numbers, amounts and ids
are unique or nearly so. Roughly a third of the records carry at least one value the rules
must reject (bad phone, unknown yes/no, FICO exclusion code, missing first name...).
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time

from pipeline.core.records import RawRecord
from pipeline.normalize import normalize_record

SYLLABLES = ("an", "ber", "ca", "del", "el", "fra", "gor", "han", "is", "jo", "ka", "lin",
             "mar", "ne", "o", "pe", "qui", "ro", "sa", "ta", "u", "vi", "wen", "ya", "zel")  # fmt: skip
STATES = ("TX", "ca", "Florida", "NEW YORK", "il", "Pennsylvania", "OH", "ga", "NC", "mi",
          "New Jersey", "va", "WA", "az", "Massachusetts", "TN", "IN", "mo", "MD", "wi")  # fmt: skip
SUFFIXES = ("Street", "ST", "Ave", "AVENUE", "Rd.", "Drive", "DR", "Lane", "Ct", "Blvd",
            "Circle", "Way", "Pl", "Parkway", "Terrace", "Trl")  # fmt: skip
UNITS = (" Apt", " #", " Suite", " APT.", " Unit")
GRADES = ("EXCELLENT", "Good", "fair", "POOR", "720-739", "680-699", "800+", "715", "9003")
BOOLEANS = ("Yes", "No", "Y", "N", "TRUE", "false", "1", "0", "", "", "maybe")
LOAN_TYPES = ("FHA", "Conventional", "VA", "  USDA ", "", "Jumbo")
PURPOSES = ("Refinance", "Purchase", "Cash-Out Refinance", "Home Equity")
PROPERTY_TYPES = ("Single Family", "Condominium", "Townhome", "Multi-Family", "Mobile  Home")
PROPERTY_USES = ("Primary Residence", "Second Home", "Investment")


class Pool:
    """Values drawn Zipf-like: the k-th most common is k times rarer than the first."""

    def __init__(self, values: list[str]) -> None:
        self.values = values
        self.cum_weights = list(
            itertools.accumulate(1 / rank for rank in range(1, len(values) + 1))
        )

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


class Dirt:
    """Seeded random source of vendor-like values."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.first_names = Pool([self.word(2) for _ in range(5_000)])
        self.last_names = Pool([self.word(3) for _ in range(50_000)])
        self.cities = Pool([self.word(3) for _ in range(5_000)])
        self.zips = Pool([f"{self.rng.randrange(501, 99950):05d}" for _ in range(20_000)])
        self.streets = Pool([self.word(2).capitalize() for _ in range(3_000)])

    def word(self, syllables: int) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(syllables))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def name(self, pool: Pool) -> str:
        name = pool.pick(self.rng)
        style = self.rng.randrange(4)
        return name.upper() if style == 0 else name.capitalize() if style < 3 else f" {name} "

    def phone(self) -> str:
        if self.chance(0.05):
            return self.rng.choice(("555-1234", "0000000000", "N/A", "1234567890"))
        area = self.rng.choice(("212", "312", "415", "512", "617", "702", "303", "555"))
        line = f"{self.rng.randrange(10000):04d}"
        return self.rng.choice(
            (f"{area}555{line}", f"({area}) 555-{line}", f"{area}-555-{line}",
             f"{area}555{line}.0", f"+1 {area} 555 {line}", f"{area}.555.{line} x12")
        )  # fmt: skip

    def money(self, low: int, high: int) -> str:
        amount = self.rng.randrange(low, high)
        return self.rng.choice(
            (str(amount), f"${amount:,}", f"{amount}.00", f"{amount // 1000}K", "", "N/A")
        )

    def rate(self) -> str:
        rate = self.rng.randrange(250, 899)
        return self.rng.choice((str(rate), f"{rate / 100:.3f}", f"{rate / 100:.2f}%", ""))

    def date(self) -> str:
        year, month, day = (
            self.rng.randrange(2005, 2026),
            self.rng.randrange(1, 13),
            self.rng.randrange(1, 29),
        )
        return self.rng.choice(
            (
                f"{year}-{month:02d}-{day:02d}",
                f"{month}/{day}/{year}",
                f"{year}{month:02d}{day:02d}",
            )
        )

    def record(self, number: int) -> RawRecord:
        first, last = self.name(self.first_names), self.name(self.last_names)
        low = self.rng.randrange(100_000, 900_000, 15_000)
        street = f"{self.rng.randrange(1, 9999)} {self.streets.pick(self.rng)}"
        unit = f"{self.rng.choice(UNITS)} {self.rng.randrange(1, 40)}" if self.chance(0.15) else ""
        fields = {
            "source": "leadsource",
            "source_record_id": str(number),
            "first_name": "" if self.chance(0.02) else first,
            "last_name": last,
            "address": f"{street} {self.rng.choice(SUFFIXES)}{unit}",
            "city": self.name(self.cities),
            "state": self.rng.choice(STATES),
            "zip": self.zips.pick(self.rng).lstrip("0" if self.chance(0.3) else ""),
            "email": ""
            if self.chance(0.05)
            else f"{first.strip()}.{last.strip()}{number}@Example.com",
            "property_value": f"${low + 1:,} - ${low + 15_000:,}" if self.chance(0.5) else str(low),
            "credit_score": self.rng.choice(GRADES),
            "additional_cash": self.money(0, 100_000),
            "cash_out": self.rng.choice(BOOLEANS),
            "loan_type": self.rng.choice(LOAN_TYPES),
            "loan_purpose": self.rng.choice(PURPOSES),
            "property_type": self.rng.choice(PROPERTY_TYPES),
            "loan_balance": self.money(40_000, 900_000),
            "current_rate": self.rate(),
            "has_second_mortgage": self.rng.choice(BOOLEANS),
            "second_balance": self.money(5_000, 90_000),
            "found_home": self.rng.choice(BOOLEANS),
            "property_use": self.rng.choice(PROPERTY_USES),
            "ltv": str(self.rng.randrange(40, 98)),
            "mortgage_open_date": self.date(),
            "consent_url": f"https://cert.trustedform.com/{self.rng.getrandbits(96):024x}",
        }
        phones = [self.phone() for _ in range(1 + (self.rng.random() < 0.3))]
        extra = {"Lead Type": "Refinance", "Age Range": "35-44"}
        raw = {**fields, **extra, "Pri. Phone": phones[0]}
        return RawRecord(number=number, raw=raw, fields=fields, phones=phones, extra=extra)


def run_once(records: int, batch: int, seed: int) -> float:
    """Records per CPU second of ``normalize_record`` over ``records`` fresh records.

    Records are built ``batch`` at a time (untimed) and normalized right away, as the
    pipeline normalizes each record just after parsing it, while it is still in the CPU
    cache. CPU time rather than wall time keeps other processes on a shared machine out.
    """
    dirt = Dirt(seed)
    spent = 0.0
    for first in range(1, records + 1, batch):
        chunk = [dirt.record(number) for number in range(first, min(first + batch, records + 1))]
        started = time.process_time()
        for record in chunk:
            normalize_record(record)
        spent += time.process_time() - started
    return records / spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100, help="records built per timing")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    rates = []
    for run in range(1, args.runs + 1):
        rate = run_once(args.records, args.batch, args.seed)
        rates.append(rate)
        print(f"run {run}: {rate:,.0f} records/s")
    print(f"median of {args.runs} runs: {statistics.median(rates):,.0f} records/s")


if __name__ == "__main__":
    main()
