//! Live data quality: what the DfE's rules found in each child's record, kept as findings that
//! open when first found and close when a later check no longer finds them.

use crate::children::{attach_access, child_from, ChildRow, CHILD_COLUMNS};
use crate::{new_id, Store, StoreError};
use sqlx::Row;
use std::collections::HashSet;

/// What a check of one child found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityFinding {
    /// "CIN" or "SSDA903".
    pub statutory_return: String,
    pub collection_year: i32,
    pub rule: String,
    /// "Error" or "Query".
    pub severity: String,
    pub place: String,
    pub message: String,
}

/// An open finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityRow {
    pub child_id: String,
    pub finding: QualityFinding,
    pub opened_ms: i64,
}

/// A council's open findings for one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCount {
    pub statutory_return: String,
    pub rule: String,
    pub severity: String,
    pub message: String,
    pub children: i64,
    pub findings: i64,
}

/// Open errors and queries, for a team (or none) or a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub errors: i64,
    pub queries: i64,
}

fn finding_from(r: &sqlx::any::AnyRow) -> Result<QualityRow, StoreError> {
    Ok(QualityRow {
        child_id: r.try_get("child_id")?,
        finding: QualityFinding {
            statutory_return: r.try_get("statutory_return")?,
            collection_year: i32::try_from(r.try_get::<i64, _>("collection_year")?)
                .map_err(|_| StoreError::Corrupt("collection year".into()))?,
            rule: r.try_get("rule")?,
            severity: r.try_get("severity")?,
            place: r.try_get("place")?,
            message: r.try_get("message")?,
        },
        opened_ms: r.try_get("opened_ms")?,
    })
}

/// Open errors and queries of a group of findings `q`, as `errors` and `queries`.
const COUNTS: &str = "SUM(CASE WHEN q.severity = 'Error' THEN 1 ELSE 0 END) AS errors, \
                      SUM(CASE WHEN q.severity = 'Query' THEN 1 ELSE 0 END) AS queries";

fn counts_from(r: &sqlx::any::AnyRow) -> Result<Counts, StoreError> {
    Ok(Counts { errors: r.try_get("errors")?, queries: r.try_get("queries")? })
}

const OPEN_COLUMNS: &str = "child_id, statutory_return, collection_year, rule, severity, place, message, opened_ms";

fn key(f: &QualityFinding) -> (&str, i32, &str, &str) {
    (f.statutory_return.as_str(), f.collection_year, f.rule.as_str(), f.place.as_str())
}

impl Store {
    /// Records what a check of one child found, in one transaction: findings not open before are
    /// opened, and open findings not found now are closed. Returns (opened, closed).
    pub async fn record_data_quality(
        &self,
        child_id: &str,
        council_id: &str,
        found: &[QualityFinding],
        at_ms: i64,
    ) -> Result<(usize, usize), StoreError> {
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&format!(
            "SELECT id, {OPEN_COLUMNS} FROM data_quality WHERE child_id = $1 AND closed_ms IS NULL"
        ))
        .bind(child_id)
        .fetch_all(tx.conn())
        .await?;
        let mut open = Vec::with_capacity(rows.len());
        for r in &rows {
            open.push((r.try_get::<String, _>("id")?, finding_from(r)?.finding));
        }
        let now: HashSet<_> = found.iter().map(key).collect();
        let before: HashSet<_> = open.iter().map(|(_, f)| key(f)).collect();
        let mut closed = 0;
        for (id, f) in &open {
            if !now.contains(&key(f)) {
                sqlx::query("UPDATE data_quality SET closed_ms = $1 WHERE id = $2")
                    .bind(at_ms)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                closed += 1;
            }
        }
        let mut opened = 0;
        let mut seen = HashSet::new();
        for f in found {
            if before.contains(&key(f)) || !seen.insert(key(f)) {
                continue;
            }
            sqlx::query(
                "INSERT INTO data_quality (id, child_id, council_id, collection_year, rule, severity, place, message, \
                 opened_ms, closed_ms, statutory_return) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)",
            )
            .bind(new_id())
            .bind(child_id)
            .bind(council_id)
            .bind(i64::from(f.collection_year))
            .bind(&f.rule)
            .bind(&f.severity)
            .bind(&f.place)
            .bind(&f.message)
            .bind(at_ms)
            .bind(&f.statutory_return)
            .execute(tx.conn())
            .await?;
            opened += 1;
        }
        tx.commit().await?;
        Ok((opened, closed))
    }

    /// Checks every child of a council, once: for a council brought on board, or after the
    /// rules change. A save re-checks only its own child. Returns how many children were checked.
    pub async fn check_council_quality(
        &self,
        council_id: &str,
        today: chrono::NaiveDate,
        at_ms: i64,
    ) -> Result<usize, StoreError> {
        let calendar = self.council_calendar(council_id).await?;
        let rules = self.clock_rules(council_id).await?;
        let ctx = canopy_domain::cases::RuleContext { calendar: &calendar, rules: &rules };
        let mut histories: std::collections::HashMap<String, crate::children::CaseHistories> =
            self.case_histories_in_council(council_id).await?.into_iter().map(|h| (h.child_id.clone(), h)).collect();
        let children = self.children_in_council(council_id).await?;
        let ons = self.council_ons_code(council_id).await?;
        for child in &children {
            let history = histories.remove(&child.id).unwrap_or_else(|| crate::children::CaseHistories {
                child_id: child.id.clone(),
                events: vec![],
                care: vec![],
                allocations: vec![],
            });
            let found = self.data_quality_findings(child, &history, &ctx, ons.as_deref(), today).await?;
            self.record_data_quality(&child.id, council_id, &found, at_ms).await?;
        }
        Ok(children.len())
    }

    /// What the CIN census and SSDA903 rules find in a child's record on `today`, for each open
    /// return, as findings to record. `local_authority` is the council's ONS code.
    pub async fn data_quality_findings(
        &self,
        child: &crate::children::ChildRow,
        history: &crate::children::CaseHistories,
        ctx: &canopy_domain::cases::RuleContext<'_>,
        local_authority: Option<&str>,
        today: chrono::NaiveDate,
    ) -> Result<Vec<QualityFinding>, StoreError> {
        let census_child = child.census_child(&history.events);
        let mut problems =
            canopy_domain::returns::quality::cin_problems(&census_child, today, ctx).map_err(StoreError::Corrupt)?;
        problems.extend(self.ssda903_problems_of(child, history, ctx, local_authority, today).await?);
        Ok(problems
            .into_iter()
            .map(|p| QualityFinding {
                statutory_return: p.statutory_return.label().into(),
                collection_year: p.year.0,
                rule: p.rule.into(),
                severity: p.severity.label().into(),
                place: p.at,
                message: p.message.into(),
            })
            .collect())
    }

    /// A council's ONS code, such as E09000021, when it has one.
    pub async fn council_ons_code(&self, council_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT ons_code FROM councils WHERE id = $1")
            .bind(council_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get::<String, _>("ons_code")).transpose()?.filter(|c| !c.is_empty()))
    }

    /// A child's open findings, errors first.
    pub async fn open_data_quality(&self, child_id: &str) -> Result<Vec<QualityRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {OPEN_COLUMNS} FROM data_quality WHERE child_id = $1 AND closed_ms IS NULL \
             ORDER BY collection_year, statutory_return, severity, rule, place"
        ))
        .bind(child_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(finding_from).collect()
    }

    /// A council's open findings for a return, by rule: how many children and findings.
    pub async fn data_quality_by_rule(&self, council_id: &str, year: i32) -> Result<Vec<RuleCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT statutory_return, rule, severity, MIN(message) AS message, COUNT(DISTINCT child_id) AS children, \
             COUNT(*) AS findings FROM data_quality WHERE council_id = $1 AND collection_year = $2 AND closed_ms IS NULL \
             GROUP BY statutory_return, rule, severity ORDER BY COUNT(*) DESC, statutory_return, rule",
        )
        .bind(council_id)
        .bind(i64::from(year))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RuleCount {
                    statutory_return: r.try_get("statutory_return")?,
                    rule: r.try_get("rule")?,
                    severity: r.try_get("severity")?,
                    message: r.try_get("message")?,
                    children: r.try_get("children")?,
                    findings: r.try_get("findings")?,
                })
            })
            .collect()
    }

    /// A council's open findings for a return, by the team that holds each child (none for a
    /// child no team holds).
    pub async fn data_quality_by_team(
        &self,
        council_id: &str,
        year: i32,
    ) -> Result<Vec<(Option<String>, Counts)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT c.team_id AS team_id, {COUNTS} FROM data_quality q JOIN children c ON c.id = q.child_id \
                 WHERE q.council_id = $1 AND q.collection_year = $2 AND q.closed_ms IS NULL \
                 GROUP BY c.team_id ORDER BY 2 DESC"
        ))
        .bind(council_id)
        .bind(i64::from(year))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((r.try_get::<Option<String>, _>("team_id")?, counts_from(r)?))).collect()
    }

    /// How many findings of a council's return were open at each moment given.
    pub async fn data_quality_open_at(
        &self,
        council_id: &str,
        year: i32,
        moments_ms: &[i64],
    ) -> Result<Vec<(i64, Counts)>, StoreError> {
        let mut out = Vec::with_capacity(moments_ms.len());
        for at in moments_ms {
            let r = sqlx::query(
                "SELECT COALESCE(SUM(CASE WHEN severity = 'Error' THEN 1 ELSE 0 END), 0) AS errors, \
                 COALESCE(SUM(CASE WHEN severity = 'Query' THEN 1 ELSE 0 END), 0) AS queries \
                 FROM data_quality WHERE council_id = $1 AND collection_year = $2 AND opened_ms <= $3 \
                 AND (closed_ms IS NULL OR closed_ms > $3)",
            )
            .bind(council_id)
            .bind(i64::from(year))
            .bind(*at)
            .fetch_one(self.pool())
            .await?;
            out.push((*at, counts_from(&r)?));
        }
        Ok(out)
    }

    /// Each child allocated to `user_id` with open errors or queries, with their counts, most
    /// errors first: one read for the work tray, not one a child.
    pub async fn data_quality_of_worker(&self, user_id: &str) -> Result<Vec<(ChildRow, Counts)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CHILD_COLUMNS}, o.errors AS errors, o.queries AS queries FROM children c JOIN \
                 (SELECT q.child_id AS child_id, {COUNTS} FROM data_quality q WHERE q.closed_ms IS NULL \
                 GROUP BY q.child_id) o ON o.child_id = c.id \
                 WHERE c.allocated_to = $1 AND c.merged_into IS NULL ORDER BY o.errors DESC, c.id"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        let mut children = rows.iter().map(child_from).collect::<Result<Vec<_>, _>>()?;
        attach_access(self, &mut children).await?;
        let counts = rows.iter().map(counts_from).collect::<Result<Vec<_>, _>>()?;
        Ok(children.into_iter().zip(counts).collect())
    }
}
