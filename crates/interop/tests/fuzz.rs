//! Fuzz targets for the readers, run on stable Rust as tests: each seed in `fuzz/corpus/<reader>`
//! is mutated (bytes flipped, cut, repeated, spliced, random bytes added) and fed to the reader,
//! which must answer with a value or a typed error that says where, and never panic. The smoke
//! run in CI is short; `CANOPY_FUZZ_ITERATIONS=1000000 cargo test -p canopy-interop --release
//! --test fuzz` runs longer.

use canopy_interop::cin_xml::{read_cin_all, CinReadError};
use canopy_interop::mapped_csv::{read_mapped, Mapping, MappingError};
use canopy_interop::ssda903_csv::{read_903_file, read_903_parts, Read903, Ssda903ReadError};
use std::path::Path;

/// A small deterministic generator (xorshift64*), so a failing input can be found again.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"&amp;",
    b"&#xFFFF;",
    b"&bogus;",
    b"<![CDATA[",
    b"]]>",
    b"\"",
    b",",
    b"\r\n",
    b"\n",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\x80",
    b"\0",
    b"31/02/2026",
    b"2026-13-45",
    b"<Child>",
    b"</Child>",
    b"<CINdetails>",
    b"<Reviews>",
    b"<Disabilities>",
    b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
];

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.truncate(at),
            2 => {
                let end = (at + rng.below(64)).min(data.len());
                let chunk = data[at..end].to_vec();
                data.splice(at..at, chunk);
            }
            3 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                data.splice(at..at, piece.iter().copied());
            }
            4 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + rng.below(256)).min(other.len());
                data.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                let end = (at + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
        }
    }
    data
}

fn corpus(reader: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(reader);
    let mut paths: Vec<_> = std::fs::read_dir(&dir).expect("corpus").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    let seeds: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).expect("seed")).collect();
    assert!(!seeds.is_empty(), "the {reader} corpus has seeds");
    seeds
}

fn iterations() -> usize {
    std::env::var("CANOPY_FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000)
}

/// Feeds mutants of every seed to `target`, which says whether the answer is acceptable.
fn fuzz(reader: &str, target: impl Fn(&[u8]) -> Result<(), String> + std::panic::RefUnwindSafe) {
    let seeds = corpus(reader);
    for seed in &seeds {
        target(seed).unwrap_or_else(|e| panic!("a {reader} seed is refused wrongly: {e}"));
    }
    let mut rng = Rng(0x5EED_CA70_0000_0001);
    for n in 0..iterations() {
        let other = rng.below(seeds.len());
        let input = mutate(&mut rng, &seeds[n % seeds.len()], &seeds[other]);
        match std::panic::catch_unwind(|| target(&input)) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => {
                panic!("{reader} input {n} gave an unplaced error: {why}\n{}", String::from_utf8_lossy(&input))
            }
            Err(_) => panic!("{reader} input {n} made the reader panic:\n{}", String::from_utf8_lossy(&input)),
        }
    }
}

#[test]
fn the_cin_reader_never_panics_and_says_where() {
    fuzz("cin", |input| match read_cin_all(input) {
        Ok(census) => {
            if census.children.iter().flat_map(|c| &c.unreadable).any(|u| u.line == 0) {
                return Err("an unreadable value with no line".into());
            }
            Ok(())
        }
        Err(CinReadError::Malformed { line, .. }) | Err(CinReadError::Misplaced { line, .. }) if line > 0 => Ok(()),
        Err(CinReadError::NotACensus) => Ok(()),
        Err(e) => Err(e.to_string()),
    });
}

#[test]
fn the_ssda903_reader_never_panics_and_says_where() {
    fuzz("ssda903", |input| {
        let mut out = Read903::default();
        match read_903_file(input, "fuzz.csv", &mut out) {
            Ok(_) => {
                if out.unreadable.iter().any(|(_, line, _)| *line == 0) {
                    return Err("an unreadable value with no line".into());
                }
                Ok(())
            }
            Err(Ssda903ReadError::UnknownTable { .. }) => Ok(()),
            Err(Ssda903ReadError::Malformed { line, .. }) if line > 0 => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    });
}

#[test]
fn the_ssda903_reader_in_parts_never_panics_says_where_and_keeps_every_row() {
    fuzz("ssda903", |input| {
        let whole = {
            let mut out = Read903::default();
            read_903_file(input, "fuzz.csv", &mut out).map(|_| out)
        };
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        std::fs::write(dir.path().join("fuzz.csv"), input).map_err(|e| e.to_string())?;
        // Parts of 64 bytes: anything but an empty file is spilled by child.
        let mut parts = match read_903_parts(dir.path(), 64) {
            Ok(parts) => parts,
            Err(Ssda903ReadError::UnknownTable { .. }) => return Ok(()),
            Err(Ssda903ReadError::Malformed { line, .. }) if line > 0 => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
        let mut rows = 0;
        for i in 0..parts.count() {
            let part = parts.take(i).map_err(|e| e.to_string())?;
            if part.unreadable.iter().any(|(_, line, _)| *line == 0) {
                return Err("an unreadable value with no line".into());
            }
            rows += part.census.tables().iter().map(|t| t.rows.len()).sum::<usize>();
        }
        let read_whole = whole.map_err(|e| e.to_string())?.census.tables().iter().map(|t| t.rows.len()).sum::<usize>();
        if rows != read_whole || rows as u64 != parts.rows {
            return Err(format!("{rows} rows in parts, {read_whole} read whole, {} counted", parts.rows));
        }
        Ok(())
    });
}

const MAPPING: &str = "field,column,values\nlocal_id,Person ID,\nfirst_name,Forename,\nlast_name,Surname,\n\
    date_of_birth,DOB,\nsex,Gender,Male=M;Female=F;Unknown=U\nnhs_number,NHS No,\npostcode,Postcode,\n\
    date_format,,yyyy-mm-dd\n";

#[test]
fn the_mapped_csv_reader_never_panics_and_says_where() {
    let mapping = Mapping::parse(MAPPING).expect("mapping");
    fuzz("mapped", |input| {
        let mut unplaced = None;
        let read = read_mapped(input, &mapping, |row| {
            if row.line == 0 {
                unplaced = Some("a row with no line".to_string());
            }
            Ok(())
        });
        if let Some(why) = unplaced {
            return Err(why);
        }
        match read {
            Ok(_) => Ok(()),
            Err(MappingError::File { line, .. }) if line > 0 => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    });
    // The mapping itself, mutated, is read or refused with its line.
    let mut rng = Rng(0x5EED_CA70_0000_0002);
    for n in 0..iterations() / 4 {
        let input = mutate(&mut rng, MAPPING.as_bytes(), MAPPING.as_bytes());
        let text = String::from_utf8_lossy(&input);
        match std::panic::catch_unwind(|| Mapping::parse(&text)) {
            Ok(Ok(_)) | Ok(Err(MappingError::Mapping { .. })) => {}
            Ok(Err(e)) => panic!("mapping {n} gave a file error: {e}"),
            Err(_) => panic!("mapping {n} made the reader panic:\n{text}"),
        }
    }
}
