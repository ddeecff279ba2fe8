//! `canopy import cin`: a council's CIN census from its old system into Canopy's records. The file
//! is read as a stream; children already in Canopy (by their local id, then their UPN) are matched
//! and left as they are, so a second run changes nothing; each child is checked by the rules a save
//! is checked by, and one that fails is kept in the report with its line and the reason. Children
//! are written in batches, each in one transaction, so a run stopped part-way leaves whole children
//! only, and running it again carries on.

use crate::cli_ctx;
use canopy_domain::cases::{running_clocks, RuleContext};
use canopy_domain::people::validate_child;
use canopy_domain::returns::cin::import::{child_input, journey_events, Rejected};
use canopy_domain::returns::cin::CinChild;
use canopy_interop::cin_xml::{read_cin, CinReadError};
use canopy_interop::report::csv_row;
use canopy_store::children::{ChildWithHistory, Placement};
use canopy_store::{Store, StoreError};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// How many children go in one transaction.
const BATCH: usize = 500;

/// What an import did, or would do on a dry run.
#[derive(Debug, Default)]
pub struct ImportSummary {
    pub read: usize,
    pub added: usize,
    /// Children already in Canopy, with how each was matched.
    pub matched: Vec<(String, &'static str)>,
    pub rejected: Vec<Rejected>,
}

impl ImportSummary {
    /// The rejected children as CSV: line, child, reason.
    pub fn report_csv(&self) -> String {
        let mut out = csv_row(["line", "child", "reason"]);
        for r in &self.rejected {
            let line = r.line.map(|l| l.to_string()).unwrap_or_default();
            out.push_str(&csv_row([line.as_str(), r.child.as_deref().unwrap_or(""), r.reason.as_str()]));
        }
        out
    }
}

/// Imports the census at `path` into the council with `la_code`; with `dry_run` nothing is written.
pub async fn cin(
    store: &Store,
    la_code: &str,
    path: &Path,
    dry_run: bool,
    today: NaiveDate,
    mut progress: impl FnMut(&ImportSummary),
) -> Result<ImportSummary, String> {
    let err = |e: StoreError| e.to_string();
    let council = crate::export::council_by_la_code(store, la_code).await?;
    let calendar = store.council_calendar(&council.id).await.map_err(err)?;
    let rules = store.clock_rules(&council.id).await.map_err(err)?;
    let ctx = RuleContext { calendar: &calendar, rules: &rules };
    let existing = store.children_in_council(&council.id).await.map_err(err)?;
    let by_local_id: HashMap<String, String> =
        existing.iter().filter(|c| !c.local_id.is_empty()).map(|c| (c.local_id.clone(), c.id.clone())).collect();
    let by_upn: HashMap<String, String> =
        existing.iter().filter_map(|c| Some((c.upn.clone()?, c.id.clone()))).collect();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut summary = ImportSummary::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut batch: Vec<ChildWithHistory> = Vec::new();
    // The reader hands children over one at a time; they are checked at once and written a
    // batch at a time, so the file is never held whole.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<CinChild>(BATCH);
    let reader_path = path.display().to_string();
    let reading = tokio::task::spawn_blocking(move || {
        read_cin(std::io::BufReader::new(file), |child| {
            tx.blocking_send(child).map_err(|_| CinReadError::Io("the import stopped".into()))
        })
        .map(|_| ())
        .map_err(|e: CinReadError| format!("{reader_path}: {e}"))
    });
    while let Some(child) = rx.recv().await {
        summary.read += 1;
        let line = child.line;
        let reject = |reason: String| Rejected { child: child.la_child_id.clone(), line, reason };
        let Some(local_id) = child.la_child_id.clone() else {
            summary.rejected.push(reject("the child has no LAchildID".into()));
            continue;
        };
        if !seen.insert(local_id.clone()) {
            summary.rejected.push(reject(format!("LAchildID {local_id} is in the file twice")));
            continue;
        }
        if by_local_id.contains_key(&local_id) {
            summary.matched.push((local_id, "local id"));
            continue;
        }
        if child.upn.as_ref().is_some_and(|u| by_upn.contains_key(u)) {
            summary.matched.push((local_id, "UPN"));
            continue;
        }
        let valid = match validate_child(&child_input(&child), today) {
            Ok(v) => v,
            Err(errors) => {
                let why: Vec<String> = errors.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                summary.rejected.push(reject(why.join("; ")));
                continue;
            }
        };
        let (events, journey) = match journey_events(&child, &ctx) {
            Ok(checked) => checked,
            Err(why) => {
                summary.rejected.push(reject(why));
                continue;
            }
        };
        let created_on = events.iter().map(|e| e.date()).min().unwrap_or(today);
        batch.push(ChildWithHistory {
            child: valid,
            placement: Placement {
                council_id: council.id.clone(),
                postcode: None,
                cluster_id: None,
                team_id: None,
                allocated_to: None,
            },
            created_on,
            clocks: running_clocks(&journey, &calendar, &rules),
            events,
        });
        if batch.len() >= BATCH {
            summary.added += write(store, &mut batch, dry_run).await.map_err(err)?;
        }
        if summary.read % 1000 == 0 {
            progress(&summary);
        }
    }
    reading.await.map_err(|e| e.to_string())??;
    summary.added += write(store, &mut batch, dry_run).await.map_err(err)?;
    progress(&summary);
    Ok(summary)
}

async fn write(store: &Store, batch: &mut Vec<ChildWithHistory>, dry_run: bool) -> Result<usize, StoreError> {
    let n = batch.len();
    if !dry_run && n > 0 {
        store.add_children_with_history(&cli_ctx(), batch).await?;
    }
    batch.clear();
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_interop::cin_xml::{read_cin_all, write_cin};
    use canopy_store::testing::{add_council, TestDb, TestEngine};

    #[tokio::test]
    async fn a_census_imports_once_and_exports_again_as_it_was() {
        let (demo, today) = crate::demo_children::demo_for_tests(600).await;
        let mut census = crate::export::cin(&demo.store, "314", 2026, "2026-04-02T09:00:00").await.expect("census");
        demo.cleanup().await;
        let good = census.clone();
        // Three children the import must refuse, each for its own reason.
        let mut bad_source = census.children[0].clone();
        bad_source.la_child_id = Some("BAD1".into());
        bad_source.upn = None;
        bad_source.details[0].referral_source = Some("99".into());
        let mut no_id = census.children[1].clone();
        no_id.la_child_id = None;
        let twice = census.children[2].clone();
        census.children.extend([bad_source, no_id, twice]);
        let file = std::env::temp_dir().join(format!("canopy-import-{}.xml", std::process::id()));
        write_cin(&census, std::fs::File::create(&file).expect("create")).expect("write");

        let db = TestDb::new(TestEngine::Sqlite).await.expect("db").expect("sqlite");
        db.store.ensure_reference_data(&crate::cli_ctx()).await.expect("reference data");
        add_council(&db.store, "Kingston upon Thames", "314", "E09000021", "KT1, KT2").await.expect("council");
        let council = crate::export::council_by_la_code(&db.store, "314").await.expect("council");
        let dry = cin(&db.store, "314", &file, true, today, |_| {}).await.expect("dry run");
        assert_eq!((dry.read, dry.added), (good.children.len() + 3, good.children.len()));
        assert_eq!(
            db.store.count_children_in_council(&council.id).await.expect("count"),
            0,
            "a dry run changes nothing"
        );

        let done = cin(&db.store, "314", &file, false, today, |_| {}).await.expect("import");
        assert_eq!(done.added, good.children.len());
        let reasons: Vec<&str> = done.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(done.rejected.len(), 3, "{reasons:?}");
        assert!(reasons[0].contains("the referral source '99'"), "{reasons:?}");
        assert!(reasons[1].contains("no LAchildID"));
        assert!(reasons[2].contains("in the file twice"));
        assert!(done.rejected.iter().all(|r| r.line.is_some_and(|l| l > 1)), "each with its line");
        assert!(done.report_csv().starts_with("line,child,reason\r\n"));

        let again = cin(&db.store, "314", &file, false, today, |_| {}).await.expect("again");
        assert_eq!(again.added, 0, "running it again changes nothing");
        assert_eq!(again.matched.len(), good.children.len());

        let back = crate::export::cin(&db.store, "314", 2026, "2026-04-02T09:00:00").await.expect("export");
        let ids = |c: &canopy_domain::returns::cin::CinReturn| {
            let mut ids: Vec<_> = c.children.iter().map(|c| c.la_child_id.clone()).collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(&back), ids(&good));
        let mut out = Vec::new();
        write_cin(&back, &mut out).expect("write");
        let reread = read_cin_all(out.as_slice()).expect("read");
        for child in &good.children {
            let mut found =
                reread.children.iter().find(|c| c.la_child_id == child.la_child_id).cloned().expect("child");
            found.line = None;
            assert_eq!(&found, child, "the round trip gives the child back as they were");
        }
        let _ = std::fs::remove_file(file);
        db.cleanup().await;
    }
}
