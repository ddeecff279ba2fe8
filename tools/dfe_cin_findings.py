#!/usr/bin/env python
"""Runs the sector's CIN census validator (PyPI: csc-validator-be-cin) on one file and prints what it
found as JSON: {"findings": [[rule, child], ...], "la_level": [rule, ...]}. Canopy's cross-check test
compares this with Canopy's own validator. Usage: python dfe_cin_findings.py FILE.xml [RULESET]"""
import contextlib
import importlib
import io
import json
import sys
import warnings
import xml.etree.ElementTree as ET

warnings.filterwarnings("ignore")


def main():
    path = sys.argv[1]
    ruleset = sys.argv[2] if len(sys.argv) > 2 else "cin2025_26"
    from cin_validator import cin_validator

    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    root = ET.parse(path).getroot()
    data = cin_validator.process_data(cin_validator.convert_data(root))
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        result = cin_validator.CinValidator(data, registry)
    failed = [line for line in output.getvalue().splitlines() if line.startswith("Error with rule")]
    found = set()
    issues = result.full_issue_df
    if len(issues):
        for rule, child in issues[["rule_code", "child_id"]].itertuples(index=False):
            found.add((str(rule), None if child is None or child != child else str(child)))
    la_level = sorted({str(c) for c in result.multichild_issues["rule_code"].dropna()}) if len(result.multichild_issues) else []
    json.dump({"findings": sorted(found, key=lambda f: (f[0], f[1] or "")), "la_level": la_level,
               "rules_failed_to_run": failed}, sys.stdout)


if __name__ == "__main__":
    main()
