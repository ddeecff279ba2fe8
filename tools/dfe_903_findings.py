#!/usr/bin/env python
"""Runs the sector's SSDA903 validator (PyPI: csc-validator-be-903) on a directory of 903 CSV files
and prints what it found as JSON: {"findings": [[rule, table, child], ...], "failed": [rule, ...]}.
Canopy's tests compare this with Canopy's own export. Usage:
    python dfe_903_findings.py DIR COLLECTION_YEAR LA_ONS_CODE [RULESET [LAST_YEAR_DIR]]"""
import contextlib
import glob
import importlib
import io
import json
import logging
import os
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)


def main():
    directory, year, la = sys.argv[1], sys.argv[2], sys.argv[3]
    ruleset = sys.argv[4] if len(sys.argv) > 4 else "lac2025_26"
    from lac_validator import lac_validator
    from lac_validator.utils import process_uploaded_files

    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    # The validator means to give each rule "a clean copy of the files", but its copy is shallow,
    # so a rule that fills in blanks in place (365 fills every open episode's DEC with 31 March)
    # changes what the rules after it see. Each rule gets a deep copy here.
    lac_validator.copy_datastore = lambda store: {
        k: v.copy(deep=True) if k != "metadata" else v for k, v in store.items()
    }
    uploads = {"This year": sorted(glob.glob(os.path.join(directory, "*.csv")))}
    if len(sys.argv) > 5:
        uploads["Prev year"] = sorted(glob.glob(os.path.join(sys.argv[5], "*.csv")))
    files = process_uploaded_files(uploads)
    with contextlib.redirect_stdout(io.StringIO()):
        result = lac_validator.LacValidator(metadata={"collectionYear": year, "localAuthority": la},
                                            files=files, registry=registry, selected_rules=None)
    found = set()
    for table, df in result.ds_results.items():
        if table == "metadata":
            continue
        for column in df.columns:
            if isinstance(column, str) and column.startswith("ERR_"):
                for child in df.loc[df[column] == True, "CHILD"]:  # noqa: E712
                    found.add((column[4:], table, str(child)))
    json.dump({"findings": sorted(found), "failed": sorted(result.fails)}, sys.stdout)


if __name__ == "__main__":
    main()
