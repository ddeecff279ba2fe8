//! The sector's Python validators (PyPI: csc-validator-be-cin, csc-validator-be-903), installed
//! into their own virtualenv under `target/`, for the tests that check Canopy against them.
//! Without Python or the network they are skipped, loudly, unless CANOPY_REQUIRE_VALIDATORS=1.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The packages, pinned as in ../shared/tools/validators-venv.sh.
const PACKAGES: &[&str] = &["csc-validator-be-cin==0.1.13", "csc-validator-be-903==0.1.17", "pytest", "openpyxl"];

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

fn install() -> Result<PathBuf, String> {
    let venv = target_dir().join("validators-venv");
    let python = venv.join("bin/python");
    let marker = venv.join(format!(".installed-{}", PACKAGES.join("+")));
    if marker.exists() {
        return Ok(python);
    }
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd.output().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)))
        }
    };
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(&python).args(["-m", "pip", "install", "-q", "--disable-pip-version-check"]).args(PACKAGES))?;
    std::fs::write(&marker, "").map_err(|e| e.to_string())?;
    Ok(python)
}

/// The virtualenv's Python, installing it the first time; `None` (said loudly) when it
/// cannot be had and is not required.
pub(crate) fn python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(install) {
        Ok(p) => Some(p.clone()),
        Err(why) => {
            assert!(
                std::env::var("CANOPY_REQUIRE_VALIDATORS").is_err(),
                "CANOPY_REQUIRE_VALIDATORS=1 but the sector's validators could not be installed: {why}"
            );
            eprintln!("\n*** SKIPPED: the cross-check against the sector's Python validators: {why} ***\n");
            None
        }
    }
}

/// What the CIN validator found in a file: (rule, child) pairs, and return-level rules.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct CinFindings {
    pub findings: Vec<(String, Option<String>)>,
    pub la_level: Vec<String>,
    pub rules_failed_to_run: Vec<String>,
}

pub(crate) fn cin_findings(python: &Path, file: &Path) -> CinFindings {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/dfe_cin_findings.py");
    let out = Command::new(python).arg(script).arg(file).output().expect("run the CIN validator");
    assert!(out.status.success(), "the CIN validator failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the CIN validator's JSON")
}

/// What the 903 validator found in a directory: (rule, table, child), and the rules that failed
/// to run at all.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Findings903 {
    pub findings: Vec<(String, String, String)>,
    pub failed: Vec<String>,
}

pub(crate) fn findings_903(python: &Path, dir: &Path, year: i32, la_ons: &str) -> Findings903 {
    findings_903_with(python, dir, year, la_ons, None)
}

/// As `findings_903`, with last year's files too.
pub(crate) fn findings_903_with(
    python: &Path,
    dir: &Path,
    year: i32,
    la_ons: &str,
    last_year: Option<&Path>,
) -> Findings903 {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/dfe_903_findings.py");
    let mut cmd = Command::new(python);
    cmd.arg(script).arg(dir).arg(year.to_string()).arg(la_ons);
    if let Some(last) = last_year {
        cmd.arg(format!("lac{}_{:02}", year - 1, year % 100)).arg(last);
    }
    let out = cmd.output().expect("run the 903 validator");
    assert!(out.status.success(), "the 903 validator failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the 903 validator's JSON")
}

/// Writes, as the ONS postcode directory's CSV, the postcodes a directory of 903 files uses, as
/// the 903 validator's own copy of the directory has them.
pub(crate) fn postcodes_903(python: &Path, dir: &Path, out: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/dfe_postcodes.py");
    let run = Command::new(python).arg(script).arg(dir).arg(out).output().expect("run the postcode lookup");
    assert!(run.status.success(), "the postcode lookup failed: {}", String::from_utf8_lossy(&run.stderr));
}
