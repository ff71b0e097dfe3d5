"""The benchmarks' baseline: every row of a file parsed by the csv module, nothing else.

    python bench/csv_pass.py FILE ENCODING DELIMITER

A script of its own, importing only the standard library, so the baseline does not pay
for importing leadgate (about 0.1 s, 7 % of a 1M-row pass) the way the measured command
does. Prints the number of rows.
"""

import csv
import sys


def main() -> None:
    path, encoding, delimiter = sys.argv[1:4]
    count = 0
    with open(path, encoding=encoding, newline="") as file:
        for _ in csv.reader(file, delimiter=delimiter):
            count += 1
    print(count)


if __name__ == "__main__":
    main()
