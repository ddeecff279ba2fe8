//! `canopy bench --only returns`: the statutory returns at the size of a large council. The CIN
//! census and SSDA903 are built from the records of the demo's largest council, then its census
//! children are repeated with new identities up to the target (50,000 by default) so that the
//! writers, the reader and the rules run at that size; the sector's Python validators then check
//! the same files in the same run.

use canopy_domain::calendar::Clock;
use canopy_domain::calendar::WorkingCalendar;
use canopy_domain::cases::RuleContext;
use canopy_domain::people::Upn;
use canopy_domain::returns::cin::rules::{check_child, check_return, ruleset, Period};
use canopy_domain::returns::cin::CinReturn;
use canopy_domain::returns::quality::cin_problems;
use canopy_domain::returns::ssda903::rules as lac;
use canopy_domain::returns::ssda903::Ssda903Return;
use canopy_domain::returns::CollectionYear;
use canopy_interop::cin_xml::{read_cin_all, write_cin};
use canopy_interop::ssda903_csv::{read_903_dir, write_903};
use canopy_store::Store;
use canopy_web::clock::SystemClock;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The census children repeated with new ids and UPNs up to `target`.
fn scaled_cin(census: &CinReturn, target: usize) -> CinReturn {
    let mut out = CinReturn { header: census.header.clone(), children: Vec::with_capacity(target) };
    if census.children.is_empty() {
        return out;
    }
    for n in 0..target {
        let mut c = census.children[n % census.children.len()].clone();
        c.la_child_id = Some(format!("B{n:07}"));
        let body = format!("314{:04}26{:03}", n / 1000 % 10_000, n % 1000);
        if c.upn.is_some() {
            c.upn = Upn::check_letter(&body).map(|l| format!("{l}{body}"));
        }
        out.children.push(c);
    }
    out
}

/// The 903 tables repeated for `copies` copies of every child, with new ids.
fn scaled_903(census: &Ssda903Return, copies: usize) -> Ssda903Return {
    let rename = |child: &Option<String>, k: usize| child.as_ref().map(|c| format!("{c}x{k}"));
    let mut out = Ssda903Return::default();
    macro_rules! copy {
        ($($field:ident),+) => {$(
            for k in 0..copies {
                out.$field.extend(census.$field.iter().map(|r| { let mut r = r.clone(); r.child = rename(&r.child, k); r }));
            }
        )+};
    }
    copy!(header, episodes, reviews, uasc, oc2, oc3, ad1, placed_adoption, prev_perm, missing, sw_episodes, dolo);
    out
}

/// Peak resident memory of this process, from the kernel.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Runs a Python validator driver and returns its JSON, or why it could not.
fn python(args: &[&str]) -> Result<serde_json::Value, String> {
    let venv = std::env::var("CANOPY_VALIDATORS_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&venv).args(args).output().map_err(|e| format!("cannot run {venv}: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("failed").to_string());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

pub async fn returns(store: &Store, target: usize) -> Result<(), String> {
    let err = |e: canopy_store::StoreError| e.to_string();
    let year = CollectionYear(2026);
    let councils = store.list_councils(&canopy_store::Scope::Organisation).await.map_err(err)?;
    let mut largest = None;
    for c in &councils {
        let n = store.count_children_in_council(&c.id).await.map_err(err)?;
        if largest.as_ref().is_none_or(|(_, m)| n > *m) {
            largest = Some((c.clone(), n));
        }
    }
    let (council, in_council) = largest.ok_or("the demo has no council")?;
    println!("returns: {} has {in_council} children", council.name);

    let started = Instant::now();
    let census = store.cin_return(&council.id, &council.la_code, year, "2026-04-02T09:00:00").await.map_err(err)?;
    let built = started.elapsed();
    let mut xml = Vec::new();
    write_cin(&census, &mut xml).map_err(|e| e.to_string())?;
    println!(
        "CIN census export from the records: {} children of {in_council} in {} (read, build and write {})",
        census.children.len(),
        ms(built),
        ms(started.elapsed())
    );
    let started = Instant::now();
    let lac = store.ssda903_return(&council.id, year).await.map_err(err)?;
    println!(
        "SSDA903 export from the records: {} children, {} episodes in {}",
        lac.header.len(),
        lac.episodes.len(),
        ms(started.elapsed())
    );

    // At the size of a large council.
    let big = scaled_cin(&census, target);
    let dir = std::env::temp_dir().join(format!("canopy-bench-returns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join("cin.xml");
    let started = Instant::now();
    write_cin(&big, std::io::BufWriter::new(std::fs::File::create(&file).map_err(|e| e.to_string())?))
        .map_err(|e| e.to_string())?;
    let wrote = started.elapsed();
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!("CIN census of {target} children written in {} ({:.1} MB)", ms(wrote), size as f64 / 1e6);
    let started = Instant::now();
    let read = read_cin_all(std::io::BufReader::new(std::fs::File::open(&file).map_err(|e| e.to_string())?))
        .map_err(|e| e.to_string())?;
    println!("CIN census of {} children read back in {}", read.children.len(), ms(started.elapsed()));
    // Importing them into an empty database, as a council brought on board would.
    let import_dir = dir.join("import");
    let fresh = Store::open_embedded(&import_dir).await.map_err(err)?;
    fresh.ensure_reference_data(&crate::cli_ctx()).await.map_err(err)?;
    canopy_store::testing::add_council(&fresh, &council.name, &council.la_code, &council.ons_code, "KT1")
        .await
        .map_err(err)?;
    let started = Instant::now();
    let imported = crate::import::cin(&fresh, &council.la_code, &file, false, SystemClock.today(), |_| {}).await?;
    println!(
        "CIN census of {target} children imported into an empty database in {} ({} added, {} rejected)",
        ms(started.elapsed()),
        imported.added,
        imported.rejected.len()
    );
    for r in imported.rejected.iter().take(3) {
        println!("  rejected, line {}: {}", r.line.unwrap_or(0), r.reason);
    }
    // And the census of those 50,000 children made again from the records, as an export is.
    let imported_council = crate::export::council_by_la_code(&fresh, &council.la_code).await?;
    let mut runs = Vec::new();
    let mut exported = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let again =
            fresh.cin_return(&imported_council.id, &council.la_code, year, "2026-04-02T09:00:00").await.map_err(err)?;
        let built = started.elapsed();
        let mut xml = Vec::new();
        write_cin(&again, &mut xml).map_err(|e| e.to_string())?;
        runs.push((started.elapsed(), built));
        exported = again.children.len();
    }
    runs.sort();
    let ((best, best_built), (median, _)) = (runs[0], runs[runs.len() / 2]);
    println!(
        "CIN census export from the records of those {exported} children: best {} (built in {}, written in {} more), median {}",
        ms(best),
        ms(best_built),
        ms(best - best_built),
        ms(median)
    );
    drop(fresh);
    let rules = ruleset(year).ok_or("no rules")?;
    let calendar = WorkingCalendar::england_and_wales();
    let period = Period::of(year, &calendar).ok_or("no period")?;
    let mut runs = Vec::new();
    let mut found = 0;
    for _ in 0..5 {
        let started = Instant::now();
        found = check_return(&rules, &read, &period).len();
        runs.push(started.elapsed());
    }
    runs.sort();
    println!(
        "CIN rules ({} rules) on {} children: best {} median {} ({found} findings)",
        rules.len(),
        read.children.len(),
        ms(runs[0]),
        ms(runs[runs.len() / 2])
    );
    // Re-checking one child, as a save does: the rules alone, and from the journey as stored.
    let started = Instant::now();
    for c in &read.children {
        check_child(&rules, c, &period);
    }
    let per_child = started.elapsed() / read.children.len().max(1) as u32;
    println!("one child's CIN rules: {:.1} µs on average", per_child.as_secs_f64() * 1e6);
    let children = store.children_in_council(&council.id).await.map_err(err)?;
    let histories = store.case_histories_in_council(&council.id).await.map_err(err)?;
    let rules_of_council = store.clock_rules(&council.id).await.map_err(err)?;
    let council_calendar = store.council_calendar(&council.id).await.map_err(err)?;
    let ctx = RuleContext { calendar: &council_calendar, rules: &rules_of_council };
    let today = SystemClock.today();
    let by_id: std::collections::HashMap<&str, &canopy_store::children::ChildRow> =
        children.iter().map(|c| (c.id.as_str(), c)).collect();
    let sample: Vec<_> = histories
        .iter()
        .filter(|h| !h.events.is_empty())
        .filter_map(|h| Some((*by_id.get(h.child_id.as_str())?, &h.events)))
        .take(2000)
        .collect();
    let started = Instant::now();
    for (child, events) in &sample {
        cin_problems(&child.census_child(events), today, &ctx)?;
    }
    let each = started.elapsed() / (sample.len().max(1) as u32);
    println!(
        "re-checking one child from their stored journey (replay, census view, rules): {:.1} µs on average over {}",
        each.as_secs_f64() * 1e6,
        sample.len()
    );

    let copies = target.div_ceil(lac.header.len().max(1));
    let big903 = scaled_903(&lac, copies);
    let lac_dir = dir.join("903");
    let started = Instant::now();
    write_903(&big903, &lac_dir).map_err(|e| e.to_string())?;
    println!(
        "SSDA903 of {} children, {} episodes, written in {}",
        big903.header.len(),
        big903.episodes.len(),
        ms(started.elapsed())
    );
    let started = Instant::now();
    let read903 = read_903_dir(&lac_dir).map_err(|e| e.to_string())?;
    println!("SSDA903 of {} children read back in {}", read903.census.header.len(), ms(started.elapsed()));
    let lac_rules = lac::ruleset(year).ok_or("no 903 rules")?;
    let inputs = lac::Inputs { local_authority: Some(&council.ons_code), ..Default::default() };
    let cx = lac::Context::new(year, &read903.census, inputs).ok_or("no 903 year")?;
    let mut runs = Vec::new();
    let mut found = 0;
    for _ in 0..5 {
        let started = Instant::now();
        found = lac::check_return(&lac_rules, &read903.census, &cx).len();
        runs.push(started.elapsed());
    }
    runs.sort();
    println!(
        "SSDA903 rules ({} rules, with the council's ONS code, without last year, providers or postcodes) on {} children and {} episodes: best {} median {} ({found} findings)",
        lac_rules.len(),
        read903.census.header.len(),
        read903.census.episodes.len(),
        ms(runs[0]),
        ms(runs[runs.len() / 2])
    );
    // Re-checking one looked-after child from their stored care, as a save does.
    let in_care: Vec<_> = histories
        .iter()
        .filter(|h| !h.care.is_empty())
        .filter_map(|h| Some((*by_id.get(h.child_id.as_str())?, h)))
        .take(500)
        .collect();
    // Each child ten times over, each re-check timed, as the machine's other work makes a few slow.
    let mut times = Vec::new();
    for _ in 0..10 {
        for (child, _) in &in_care {
            let started = Instant::now();
            let history = store.case_history(&child.id).await.map_err(err)?;
            store.ssda903_problems_of(child, &history, &ctx, Some(&council.ons_code), today).await.map_err(err)?;
            times.push(started.elapsed());
        }
    }
    times.sort();
    let at = |share: f64| times.get((times.len() as f64 * share) as usize).map_or(0.0, |t| t.as_secs_f64() * 1000.0);
    let mean = times.iter().sum::<Duration>().as_secs_f64() * 1000.0 / times.len().max(1) as f64;
    println!(
        "re-checking one looked-after child's SSDA903 from the database (read their care, build this year's and last year's return, rules): median {:.2} ms, 90th percentile {:.2} ms, mean {mean:.2} ms over {} re-checks of {} children",
        at(0.5),
        at(0.9),
        times.len(),
        in_care.len()
    );
    let fresh903 = Store::open_embedded(&dir.join("import903")).await.map_err(err)?;
    fresh903.ensure_reference_data(&crate::cli_ctx()).await.map_err(err)?;
    canopy_store::testing::add_council(&fresh903, &council.name, &council.la_code, &council.ons_code, "KT1")
        .await
        .map_err(err)?;
    let started = Instant::now();
    let imported = crate::import::ssda903(
        &fresh903,
        &council.la_code,
        &lac_dir,
        Some(year),
        false,
        today,
        crate::import::PART_BYTES,
        |_| {},
    )
    .await?;
    println!(
        "SSDA903 of {} children imported into an empty database in {} ({} added, {} rejected)",
        read903.census.header.len(),
        ms(started.elapsed()),
        imported.added,
        imported.rejected.len()
    );
    for r in imported.rejected.iter().take(3) {
        println!("  rejected: {}: {}", r.child.as_deref().unwrap_or(""), r.reason);
    }
    // Reading and checking alone, whole and spilled by child as files larger than memory are.
    for (how, part_bytes) in [("whole", u64::MAX), ("in parts of 4 MB, spilled by child", 4 << 20)] {
        let started = Instant::now();
        let dry =
            crate::import::ssda903(&fresh903, &council.la_code, &lac_dir, Some(year), true, today, part_bytes, |_| {})
                .await?;
        println!("SSDA903 import dry run, read {how}: {} ({} children read)", ms(started.elapsed()), dry.read);
    }
    drop(fresh903);
    println!("peak memory: {}", peak_memory());

    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools");
    let cin_tool = tools.join("run_cin.py");
    let lac_tool = tools.join("run_903.py");
    if !cin_tool.exists() {
        println!("the sector's validators: skipped (../shared/tools/run_cin.py is not here)");
        return Ok(());
    }
    let file_s = file.display().to_string();
    match python(&[&cin_tool.display().to_string(), &file_s, "--fast-ingest"]) {
        Ok(v) => println!(
            "Python CIN validator on the same {target} children: parse {} s, rules {} s, {} findings",
            v["timings"]["parse_s"], v["timings"]["validate_s"], v["errors_total"]
        ),
        Err(e) => println!(
            "Python CIN validator: could not run: {e} (set CANOPY_VALIDATORS_PYTHON to the validators' python)"
        ),
    }
    let lac_s = lac_dir.display().to_string();
    match python(&[&lac_tool.display().to_string(), &lac_s, "--collection-year", "2026", "--la", &council.ons_code]) {
        Ok(v) => println!(
            "Python 903 validator on the same {} children: read {} s, rules {} s, {} findings",
            big903.header.len(),
            v["timings"]["import_and_read_files_s"],
            v["timings"]["ingest_and_validate_s"],
            v["errors_total"]
        ),
        Err(e) => println!("Python 903 validator: could not run: {e}"),
    }
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
