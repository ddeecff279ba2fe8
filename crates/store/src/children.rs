//! Children, their append-only history and the projection of their running clocks.

use crate::adoption::{adopter_history_cells, adopters_cells, ADOPTERS_COLUMNS, ADOPTER_HISTORY_COLUMNS};
use crate::db::Cell;
use crate::{new_id, AuditContext, AuditEvent, Scope, Store, StoreError, WriteTx};
use canopy_domain::access::{Resource, Sensitivity};
use canopy_domain::adoption::{imported_history, ValidAdopters};
use canopy_domain::cases::care::CareEntry;
use canopy_domain::cases::{
    Allocation, ClockKind, ClockRules, ClockSource, Event, RuleBroken, RunningClock, WorkerChangeReason,
};
use canopy_domain::early_help::EarlyHelpEntry;
use canopy_domain::people::ValidChild;
use chrono::NaiveDate;
use sqlx::Row;

/// A child's record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRow {
    pub id: String,
    pub council_id: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub expected_date_of_birth: Option<NaiveDate>,
    pub sex: String,
    pub ethnicity: String,
    pub disabilities: Vec<String>,
    pub nhs_number: Option<String>,
    pub upn: Option<String>,
    pub former_upn: Option<String>,
    pub upn_unknown: Option<String>,
    pub local_id: String,
    pub date_of_death: Option<NaiveDate>,
    pub postcode: Option<String>,
    pub cluster_id: Option<String>,
    pub team_id: Option<String>,
    pub allocated_to: Option<String>,
    pub sensitivity: String,
    pub merged_into: Option<String>,
    /// The independent reviewing officer of a looked-after child.
    pub iro_id: Option<String>,
    /// Where the child is in adoption, by `AdoptionStage` code.
    pub adoption_stage: Option<String>,
    pub named_people: Vec<String>,
    pub excluded_people: Vec<String>,
    pub excluded_teams: Vec<String>,
    /// Teams that work with the record besides its own, such as the adoption service.
    pub shared_teams: Vec<String>,
}

impl ChildRow {
    /// What the CIN census needs of the child, with their journey's events.
    pub fn census_child<'a>(&'a self, events: &'a [Event]) -> canopy_domain::returns::cin::CensusChild<'a> {
        canopy_domain::returns::cin::CensusChild {
            local_id: &self.local_id,
            upn: self.upn.as_deref(),
            former_upn: self.former_upn.as_deref(),
            upn_unknown: self.upn_unknown.as_deref(),
            birth_date: self.date_of_birth,
            expected_birth_date: self.expected_date_of_birth,
            sex: &self.sex,
            death_date: self.date_of_death,
            ethnicity: &self.ethnicity,
            disabilities: &self.disabilities,
            events,
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// The record as the access policy sees it.
    pub fn resource(&self) -> Resource {
        Resource {
            id: self.id.clone(),
            council_id: Some(self.council_id.clone()),
            team_id: self.team_id.clone(),
            allocated_to: self.allocated_to.clone(),
            sensitivity: sensitivity_from_code(&self.sensitivity),
            named_people: self.named_people.clone(),
            excluded_people: self.excluded_people.clone(),
            excluded_teams: self.excluded_teams.clone(),
            shared_teams: self.shared_teams.clone(),
            owner: None,
        }
    }
}

pub fn sensitivity_code(s: Sensitivity) -> &'static str {
    match s {
        Sensitivity::Normal => "normal",
        Sensitivity::Restricted => "restricted",
        Sensitivity::Sealed => "sealed",
    }
}

pub fn sensitivity_from_code(code: &str) -> Sensitivity {
    match code {
        "normal" => Sensitivity::Normal,
        "sealed" => Sensitivity::Sealed,
        // Anything unexpected is treated as restricted, never as open.
        _ => Sensitivity::Restricted,
    }
}

/// Where a new child's record sits and who holds it.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub council_id: String,
    pub postcode: Option<String>,
    pub cluster_id: Option<String>,
    pub team_id: Option<String>,
    pub allocated_to: Option<String>,
}

/// Who may open a child's record: its sensitivity, the people named on it, and the staff who
/// are its subject or family and so may never open it.
#[derive(Debug, Clone)]
pub struct ChildAccess {
    pub sensitivity: Sensitivity,
    pub named: Vec<String>,
    pub excluded: Vec<String>,
    /// Why access changed, for the history.
    pub reason: String,
}

/// A case note: what kind, when, what was written, and whether it belongs in the chronology.
#[derive(Debug, Clone)]
pub struct CaseNote {
    pub date: NaiveDate,
    pub note_type: String,
    pub text: String,
    pub significant: bool,
}

/// A family member or other adult, as added to a child's record.
#[derive(Debug, Clone)]
pub struct FamilyMember {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub relationship: String,
    pub same_household: bool,
    /// Set when the person works for the organisation.
    pub staff_user_id: Option<String>,
}

/// A person in a child's life, as the record lists them.
#[derive(Debug, Clone)]
pub struct RelationshipRow {
    pub person_id: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub relationship: String,
    pub same_household: bool,
    pub staff_user_id: Option<String>,
}

/// One entry of a child's history.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub seq: i64,
    pub at_ms: i64,
    pub actor_id: String,
    pub kind: String,
    pub event_date: NaiveDate,
    pub payload: String,
    pub reason: String,
}

/// A running clock with what a work tray shows beside it.
#[derive(Debug, Clone)]
pub struct ClockRow {
    pub child: ChildRow,
    pub kind: String,
    pub subject: String,
    pub started: NaiveDate,
    pub due: NaiveDate,
}

/// What a search for a child gives the store to find candidates by.
#[derive(Debug, Clone, Default)]
pub struct CandidateSearch {
    /// The first letters of the normalised surname.
    pub last_name_prefix: String,
    pub date_of_birth: Option<NaiveDate>,
    pub nhs_number: Option<String>,
    pub upn: Option<String>,
    pub local_id: Option<String>,
}

/// Which clocks a work tray or board asks for.
#[derive(Debug, Clone, Default)]
pub struct ClockFilter {
    /// Only children in these councils (`None`: every council).
    pub councils: Option<Vec<String>>,
    /// Only children allocated to this worker.
    pub allocated_to: Option<String>,
    /// Only children held by these teams.
    pub teams: Option<Vec<String>>,
    /// Only these kinds of clock.
    pub kinds: Option<Vec<String>>,
    /// Only children with no allocated worker.
    pub unallocated: bool,
}

pub(crate) const CHILD_COLUMNS: &str = "c.id, c.council_id, c.first_name, c.last_name, c.date_of_birth, c.expected_date_of_birth, c.sex, \
    c.ethnicity, c.disabilities, c.nhs_number, c.upn, c.former_upn, c.upn_unknown, c.local_id, c.date_of_death, c.postcode, c.cluster_id, \
    c.team_id, c.allocated_to, c.sensitivity, c.merged_into, c.iro_id, c.adoption_stage";

fn date(text: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    text.map(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| StoreError::Corrupt(format!("date {t}"))))
        .transpose()
}

pub(crate) fn child_from(r: &sqlx::any::AnyRow) -> Result<ChildRow, StoreError> {
    let disabilities: String = r.try_get("disabilities")?;
    Ok(ChildRow {
        id: r.try_get("id")?,
        council_id: r.try_get("council_id")?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        date_of_birth: date(r.try_get("date_of_birth")?)?,
        expected_date_of_birth: date(r.try_get("expected_date_of_birth")?)?,
        sex: r.try_get("sex")?,
        ethnicity: r.try_get("ethnicity")?,
        disabilities: disabilities.split_whitespace().map(str::to_string).collect(),
        nhs_number: r.try_get("nhs_number")?,
        upn: r.try_get("upn")?,
        former_upn: r.try_get("former_upn")?,
        upn_unknown: r.try_get("upn_unknown")?,
        local_id: r.try_get("local_id")?,
        date_of_death: date(r.try_get("date_of_death")?)?,
        postcode: r.try_get("postcode")?,
        cluster_id: r.try_get("cluster_id")?,
        team_id: r.try_get("team_id")?,
        allocated_to: r.try_get("allocated_to")?,
        sensitivity: r.try_get("sensitivity")?,
        merged_into: r.try_get("merged_into")?,
        iro_id: r.try_get("iro_id")?,
        adoption_stage: r.try_get("adoption_stage")?,
        named_people: Vec::new(),
        excluded_people: Vec::new(),
        excluded_teams: Vec::new(),
        shared_teams: Vec::new(),
    })
}

fn search_name(first: &str, last: &str) -> String {
    format!("{} {}", canopy_domain::people::normalise_name(last), canopy_domain::people::normalise_name(first))
}

/// A `council_id IN (…)` clause for `scope`, numbering its parameters from `first`.
pub(crate) fn scope_clause(column: &str, scope: &Scope, first: usize) -> (String, Vec<String>) {
    match scope {
        Scope::Organisation => ("1 = 1".into(), vec![]),
        Scope::Councils(ids) if ids.is_empty() => ("1 = 0".into(), vec![]),
        Scope::Councils(ids) => {
            let params: Vec<String> = (0..ids.len()).map(|i| format!("${}", first + i)).collect();
            (format!("{column} IN ({})", params.join(", ")), ids.clone())
        }
    }
}

async fn next_seq(tx: &mut WriteTx, child_id: &str) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM child_history WHERE child_id = $1")
        .bind(child_id)
        .fetch_one(tx.conn())
        .await?;
    Ok(row.try_get::<i64, _>(0)? + 1)
}

/// A child's history entries of one kind (`journey`, `care`, `early_help`), in the order they
/// were recorded.
pub(crate) async fn read_history<T: serde::de::DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    child_id: &str,
    kind: &str,
) -> Result<Vec<T>, StoreError> {
    let rows = sqlx::query("SELECT payload FROM child_history WHERE child_id = $1 AND kind = $2 ORDER BY seq")
        .bind(child_id)
        .bind(kind)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let text: String = r.try_get(0)?;
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{kind} entry of {child_id}: {e}")))
        })
        .collect()
}

/// A child's journey events, in the order they were recorded.
pub(crate) async fn read_journey(conn: &mut sqlx::AnyConnection, child_id: &str) -> Result<Vec<Event>, StoreError> {
    read_history(conn, child_id, "journey").await
}

pub(crate) async fn append_history(
    tx: &mut WriteTx,
    ctx: &AuditContext,
    child_id: &str,
    kind: &str,
    event_date: NaiveDate,
    payload: &str,
    reason: &str,
) -> Result<(), StoreError> {
    let seq = next_seq(tx, child_id).await?;
    sqlx::query(
        "INSERT INTO child_history (child_id, seq, at_ms, actor_id, kind, event_date, payload, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(child_id)
    .bind(seq)
    .bind(ctx.at_ms)
    .bind(&ctx.actor_id)
    .bind(kind)
    .bind(event_date.to_string())
    .bind(payload)
    .bind(reason)
    .execute(tx.conn())
    .await?;
    Ok(())
}

fn details_json(child: &ValidChild) -> String {
    serde_json::json!({
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth,
        "expected_date_of_birth": child.expected_date_of_birth,
        "sex": child.sex.code(),
        "ethnicity": child.ethnicity.code(),
        "disabilities": child.disabilities.iter().map(|d| d.code()).collect::<Vec<_>>(),
        "nhs_number": child.nhs_number.as_ref().map(|n| n.as_str()),
        "upn": child.upn.as_ref().map(|u| u.as_str()),
        "former_upn": child.former_upn.as_ref().map(|u| u.as_str()),
        "upn_unknown": child.upn_unknown.map(|u| u.code()),
        "local_id": child.local_id,
        "date_of_death": child.date_of_death,
    })
    .to_string()
}

impl Store {
    /// Adds a child's record, with its first history entry, in one transaction.
    pub async fn create_child(
        &self,
        ctx: &AuditContext,
        child: &ValidChild,
        placement: &Placement,
        today: NaiveDate,
    ) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = insert_child(&mut tx, ctx, child, placement).await?;
        append_history(&mut tx, ctx, &id, "record_created", today, &details_json(child), "").await?;
        if let Some(payload) = first_allocation(placement) {
            append_history(&mut tx, ctx, &id, "allocated", today, &payload, "").await?;
        }
        tx.audit(ctx, AuditEvent::succeeded("create_child", "child", &id).with_council(&placement.council_id)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a child's details; the history keeps what they were and why they changed.
    pub async fn update_child_details(
        &self,
        ctx: &AuditContext,
        id: &str,
        child: &ValidChild,
        reason: &str,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let n = DETAIL_COLUMNS.len();
        let sets: Vec<String> = DETAIL_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
        let sql = format!("UPDATE children SET {}, updated_at = ${} WHERE id = ${}", sets.join(", "), n + 1, n + 2);
        let mut query = sqlx::query(&sql);
        for value in detail_values(child) {
            query = query.bind(value);
        }
        let changed = query.bind(ctx.at_ms).bind(id).execute(tx.conn()).await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        append_history(&mut tx, ctx, id, "details_changed", today, &details_json(child), reason).await?;
        let council = child_council(&mut tx, id).await?;
        tx.audit(ctx, AuditEvent::succeeded("update_child", "child", id).with_council(&council)).await?;
        tx.commit().await
    }

    /// Allocates a child to a team and (optionally) a worker; `reason` says why the worker
    /// changed, for the social worker episodes.
    pub async fn allocate_child(
        &self,
        ctx: &AuditContext,
        id: &str,
        team_id: Option<&str>,
        worker: Option<&str>,
        reason: Option<WorkerChangeReason>,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query("UPDATE children SET team_id = $1, allocated_to = $2, updated_at = $3 WHERE id = $4")
            .bind(team_id)
            .bind(worker)
            .bind(ctx.at_ms)
            .bind(id)
            .execute(tx.conn())
            .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let payload =
            serde_json::json!({ "team_id": team_id, "allocated_to": worker, "sw_reason": reason }).to_string();
        append_history(&mut tx, ctx, id, "allocated", today, &payload, "").await?;
        let council = child_council(&mut tx, id).await?;
        tx.audit(ctx, AuditEvent::succeeded("allocate_child", "child", id).with_council(&council)).await?;
        tx.commit().await
    }

    /// The child's allocations to workers, oldest first, from which the social worker episodes
    /// are worked out.
    pub async fn allocations(&self, child_id: &str) -> Result<Vec<Allocation>, StoreError> {
        let rows = sqlx::query(
            "SELECT event_date, payload FROM child_history WHERE child_id = $1 AND kind = 'allocated' ORDER BY seq",
        )
        .bind(child_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                allocation_from(child_id, &r.try_get::<String, _>("event_date")?, &r.try_get::<String, _>("payload")?)
            })
            .collect()
    }

    /// One child's journey, care and allocations, in one read.
    pub async fn case_history(&self, child_id: &str) -> Result<CaseHistories, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT h.child_id, h.kind, h.event_date, h.payload FROM child_history h \
             WHERE h.child_id = $1 AND {CASE_KINDS} ORDER BY h.seq"
        ))
        .bind(child_id)
        .fetch_all(self.pool())
        .await?;
        let case = case_histories(rows)?.pop();
        Ok(case.unwrap_or_else(|| CaseHistories { child_id: child_id.to_string(), ..CaseHistories::default() }))
    }

    /// Every child's journey, care and allocations in a council, in one read, for caseloads.
    pub async fn case_histories_in_council(&self, council_id: &str) -> Result<Vec<CaseHistories>, StoreError> {
        self.case_histories_in_council_where(council_id, "1 = 1").await
    }

    /// The case of every child of a council who has ever been looked after, child by child.
    pub async fn case_histories_of_children_ever_in_care(
        &self,
        council_id: &str,
    ) -> Result<Vec<CaseHistories>, StoreError> {
        self.case_histories_in_council_where(council_id, EVER_IN_CARE).await
    }

    async fn case_histories_in_council_where(
        &self,
        council_id: &str,
        condition: &str,
    ) -> Result<Vec<CaseHistories>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT h.child_id, h.kind, h.event_date, h.payload FROM child_history h JOIN children c ON c.id = h.child_id \
             WHERE c.council_id = $1 AND c.merged_into IS NULL AND {CASE_KINDS} AND {condition} ORDER BY h.child_id, h.seq"
        ))
        .bind(council_id)
        .fetch_all(self.pool())
        .await?;
        case_histories(rows)
    }

    /// Every child's allocations in a council, child by child, for caseloads on any day.
    pub async fn allocations_in_council(&self, council_id: &str) -> Result<Vec<Vec<Allocation>>, StoreError> {
        let rows = sqlx::query(
            "SELECT h.child_id, h.event_date, h.payload FROM child_history h JOIN children c ON c.id = h.child_id \
             WHERE c.council_id = $1 AND c.merged_into IS NULL AND h.kind = 'allocated' ORDER BY h.child_id, h.seq",
        )
        .bind(council_id)
        .fetch_all(self.pool())
        .await?;
        let mut all: Vec<(String, Vec<Allocation>)> = Vec::new();
        for r in rows {
            let child: String = r.try_get("child_id")?;
            let allocation =
                allocation_from(&child, &r.try_get::<String, _>("event_date")?, &r.try_get::<String, _>("payload")?)?;
            match all.last_mut() {
                Some((last, list)) if *last == child => list.push(allocation),
                _ => all.push((child, vec![allocation])),
            }
        }
        Ok(all.into_iter().map(|(_, list)| list).collect())
    }

    /// Marks a record normal, restricted or sealed, with who may open it and who never may.
    pub async fn set_child_access(
        &self,
        ctx: &AuditContext,
        id: &str,
        access: &ChildAccess,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let ChildAccess { sensitivity, named, excluded, reason } = access;
        let sensitivity = *sensitivity;
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query("UPDATE children SET sensitivity = $1, updated_at = $2 WHERE id = $3")
            .bind(sensitivity_code(sensitivity))
            .bind(ctx.at_ms)
            .bind(id)
            .execute(tx.conn())
            .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        for (table, people) in [("child_named_people", named), ("child_excluded_people", excluded)] {
            sqlx::query(&format!("DELETE FROM {table} WHERE child_id = $1")).bind(id).execute(tx.conn()).await?;
            for user in people.iter().collect::<std::collections::BTreeSet<_>>() {
                sqlx::query(&format!("INSERT INTO {table} (child_id, user_id) VALUES ($1, $2)"))
                    .bind(id)
                    .bind(user)
                    .execute(tx.conn())
                    .await?;
            }
        }
        let payload =
            serde_json::json!({ "sensitivity": sensitivity_code(sensitivity), "named": named, "excluded": excluded })
                .to_string();
        append_history(&mut tx, ctx, id, "access_changed", today, &payload, reason).await?;
        let council = child_council(&mut tx, id).await?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("set_child_access", "child", id)
                .with_council(&council)
                .with_detail(sensitivity_code(sensitivity)),
        )
        .await?;
        tx.commit().await
    }

    /// One child's record, with who is named on it and who is excluded from it.
    pub async fn get_child(&self, id: &str) -> Result<ChildRow, StoreError> {
        let row = sqlx::query(&format!("SELECT {CHILD_COLUMNS} FROM children c WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut child = child_from(&row)?;
        for (table, column, into) in [
            ("child_named_people", "user_id", &mut child.named_people),
            ("child_excluded_people", "user_id", &mut child.excluded_people),
            ("child_excluded_teams", "team_id", &mut child.excluded_teams),
            ("child_shared_teams", "team_id", &mut child.shared_teams),
        ] {
            let rows = sqlx::query(&format!("SELECT {column} FROM {table} WHERE child_id = $1"))
                .bind(id)
                .fetch_all(self.pool())
                .await?;
            *into = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        }
        Ok(child)
    }

    /// Children in `scope` who might be the one searched for: the same NHS number, UPN, local id
    /// or birth date, or a surname that starts the same way. The caller ranks them with the
    /// domain's matching.
    pub async fn child_candidates(&self, scope: &Scope, search: &CandidateSearch) -> Result<Vec<ChildRow>, StoreError> {
        // A parameter left unused is bound to a value no stored field can hold.
        const NEVER: &str = "~";
        let (clause, scope_params) = scope_clause("c.council_id", scope, 6);
        let sql = format!(
            "SELECT {CHILD_COLUMNS} FROM children c WHERE c.merged_into IS NULL AND ({clause}) AND \
             (c.search_name LIKE $1 OR c.date_of_birth = $2 OR c.nhs_number = $3 OR c.upn = $4 OR c.local_id = $5) \
             ORDER BY c.search_name LIMIT 500"
        );
        let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty()).unwrap_or_else(|| NEVER.into());
        let prefix = Some(search.last_name_prefix.clone()).filter(|p| !p.is_empty()).map(|p| format!("{p}%"));
        let mut query = sqlx::query(&sql)
            .bind(given(&prefix))
            .bind(given(&search.date_of_birth.map(|d| d.to_string())))
            .bind(given(&search.nhs_number))
            .bind(given(&search.upn))
            .bind(given(&search.local_id));
        for p in &scope_params {
            query = query.bind(p);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut children: Vec<ChildRow> = rows.iter().map(child_from).collect::<Result<_, _>>()?;
        attach_access(self, &mut children).await?;
        Ok(children)
    }

    /// The journey events of a child, in the order they were recorded.
    pub async fn journey_events(&self, child_id: &str) -> Result<Vec<Event>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        read_journey(&mut conn, child_id).await
    }

    /// Records a journey event for each child, in one transaction. For each child, `check` is
    /// given the child's events so far (read inside the transaction) and returns the clocks that
    /// will run once `event` is added, or the rule the event breaks; nothing is written unless
    /// every child's check passes.
    pub async fn record_journey_event<F>(
        &self,
        ctx: &AuditContext,
        child_ids: &[String],
        event: &Event,
        reason: &str,
        mut check: F,
    ) -> Result<Result<(), RuleBroken>, StoreError>
    where
        F: FnMut(&ChildRow, &[Event]) -> Result<Vec<RunningClock>, RuleBroken>,
    {
        let mut tx = self.begin_write().await?;
        let payload = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for child_id in child_ids {
            let row = sqlx::query(&format!("SELECT {CHILD_COLUMNS} FROM children c WHERE c.id = $1"))
                .bind(child_id)
                .fetch_optional(tx.conn())
                .await?
                .ok_or(StoreError::NotFound)?;
            let child = child_from(&row)?;
            let events = read_journey(tx.conn(), child_id).await?;
            let clocks = match check(&child, &events) {
                Ok(clocks) => clocks,
                Err(broken) => return Ok(Err(broken)),
            };
            append_history(&mut tx, ctx, child_id, "journey", event.date(), &payload, reason).await?;
            replace_clocks(&mut tx, &child.id, &child.council_id, &clocks, ClockSource::Journey).await?;
            tx.audit(
                ctx,
                AuditEvent::succeeded("record_journey_event", "child", child_id)
                    .with_council(&child.council_id)
                    .with_detail(event.describe()),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// The children a contact is about (a contact about siblings is recorded on each of them).
    pub async fn children_with_contact(&self, contact_id: &str) -> Result<Vec<String>, StoreError> {
        let pattern = format!("%\"contact\":\"{}\"%", contact_id.replace(['%', '_', '"'], ""));
        let rows = sqlx::query(
            "SELECT DISTINCT child_id FROM child_history WHERE kind = 'journey' AND payload LIKE '%contact_received%' AND payload LIKE $1",
        )
        .bind(pattern)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| r.try_get(0).map_err(StoreError::from)).collect()
    }

    /// The whole history of a child, oldest first.
    pub async fn child_history(&self, child_id: &str) -> Result<Vec<HistoryRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at_ms, actor_id, kind, event_date, payload, reason FROM child_history WHERE child_id = $1 ORDER BY seq",
        )
        .bind(child_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HistoryRow {
                    seq: r.try_get("seq")?,
                    at_ms: r.try_get("at_ms")?,
                    actor_id: r.try_get("actor_id")?,
                    kind: r.try_get("kind")?,
                    event_date: date(Some(r.try_get("event_date")?))?.unwrap_or_default(),
                    payload: r.try_get("payload")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    /// Running clocks with their children, soonest first.
    pub async fn clocks(&self, filter: &ClockFilter) -> Result<Vec<ClockRow>, StoreError> {
        let mut conditions = vec!["c.merged_into IS NULL".to_string()];
        let mut params: Vec<String> = Vec::new();
        let list = |column: &str, values: &[String], params: &mut Vec<String>| {
            if values.is_empty() {
                return "1 = 0".to_string();
            }
            let start = params.len() + 1;
            params.extend(values.iter().cloned());
            let ph: Vec<String> = (start..start + values.len()).map(|i| format!("${i}")).collect();
            format!("{column} IN ({})", ph.join(", "))
        };
        if let Some(councils) = &filter.councils {
            conditions.push(list("k.council_id", councils, &mut params));
        }
        if let Some(worker) = &filter.allocated_to {
            conditions.push(list("c.allocated_to", std::slice::from_ref(worker), &mut params));
        }
        if let Some(teams) = &filter.teams {
            conditions.push(list("c.team_id", teams, &mut params));
        }
        if let Some(kinds) = &filter.kinds {
            conditions.push(list("k.kind", kinds, &mut params));
        }
        if filter.unallocated {
            conditions.push("c.allocated_to IS NULL".into());
        }
        let sql = format!(
            "SELECT {CHILD_COLUMNS}, k.kind, k.subject, k.started, k.due FROM child_clocks k JOIN children c ON c.id = k.child_id \
             WHERE {} ORDER BY k.due, c.search_name LIMIT 5000",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut out: Vec<ClockRow> = rows
            .iter()
            .map(|r| {
                Ok(ClockRow {
                    child: child_from(r)?,
                    kind: r.try_get("kind")?,
                    subject: r.try_get("subject")?,
                    started: date(Some(r.try_get("started")?))?.unwrap_or_default(),
                    due: date(Some(r.try_get("due")?))?.unwrap_or_default(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let mut children: Vec<ChildRow> = out.iter().map(|c| c.child.clone()).collect();
        attach_access(self, &mut children).await?;
        for (row, child) in out.iter_mut().zip(children) {
            row.child = child;
        }
        Ok(out)
    }

    /// Children held by a worker or by teams, for caseloads and allocation queues.
    pub async fn children_held(
        &self,
        worker: Option<&str>,
        teams: &[String],
        unallocated_only: bool,
    ) -> Result<Vec<ChildRow>, StoreError> {
        let mut conditions = vec!["c.merged_into IS NULL".to_string()];
        let mut params: Vec<String> = Vec::new();
        if let Some(w) = worker {
            params.push(w.to_string());
            conditions.push(format!("c.allocated_to = ${}", params.len()));
        }
        if !teams.is_empty() {
            let start = params.len() + 1;
            params.extend(teams.iter().cloned());
            let ph: Vec<String> = (start..start + teams.len()).map(|i| format!("${i}")).collect();
            conditions.push(format!("c.team_id IN ({})", ph.join(", ")));
        }
        if unallocated_only {
            conditions.push("c.allocated_to IS NULL".into());
        }
        let sql = format!(
            "SELECT {CHILD_COLUMNS} FROM children c WHERE {} ORDER BY c.search_name LIMIT 2000",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(&sql);
        for p in &params {
            query = query.bind(p);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut children: Vec<ChildRow> = rows.iter().map(child_from).collect::<Result<_, _>>()?;
        attach_access(self, &mut children).await?;
        Ok(children)
    }

    /// A council's clock rules: the national defaults with its overrides.
    pub async fn clock_rules(&self, council_id: &str) -> Result<ClockRules, StoreError> {
        let rows = sqlx::query("SELECT rule, value FROM council_clock_rules WHERE council_id = $1")
            .bind(council_id)
            .fetch_all(self.pool())
            .await?;
        let mut rules = ClockRules::default();
        for r in rows {
            let key: String = r.try_get(0)?;
            let value: i64 = r.try_get(1)?;
            let value = u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("clock rule {key}")))?;
            rules = rules.with_override(&key, value).map_err(StoreError::Corrupt)?;
        }
        Ok(rules)
    }

    /// Sets one of a council's clock rules (already checked by the domain).
    pub async fn set_clock_rule(
        &self,
        ctx: &AuditContext,
        council_id: &str,
        rule: &str,
        value: u32,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM council_clock_rules WHERE council_id = $1 AND rule = $2")
            .bind(council_id)
            .bind(rule)
            .execute(tx.conn())
            .await?;
        sqlx::query("INSERT INTO council_clock_rules (council_id, rule, value) VALUES ($1, $2, $3)")
            .bind(council_id)
            .bind(rule)
            .bind(i64::from(value))
            .execute(tx.conn())
            .await?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("set_clock_rule", "council", council_id)
                .with_council(council_id)
                .with_detail(format!("{rule} = {value}")),
        )
        .await?;
        tx.commit().await
    }

    /// Records that someone read a child's record (the audit trail of reads).
    pub async fn audit_child_read(&self, ctx: &AuditContext, child: &ChildRow, what: &str) -> Result<(), StoreError> {
        self.audit(ctx, AuditEvent::succeeded(what, "child", &child.id).with_council(&child.council_id)).await
    }
}

/// A child's details as the `children` table's columns, in one order for inserts and updates.
const DETAIL_COLUMNS: [&str; 14] = [
    "first_name",
    "last_name",
    "search_name",
    "date_of_birth",
    "expected_date_of_birth",
    "sex",
    "ethnicity",
    "disabilities",
    "nhs_number",
    "upn",
    "former_upn",
    "upn_unknown",
    "local_id",
    "date_of_death",
];

fn detail_values(child: &ValidChild) -> [Option<String>; 14] {
    [
        Some(child.first_name.clone()),
        Some(child.last_name.clone()),
        Some(search_name(&child.first_name, &child.last_name)),
        child.date_of_birth.map(|d| d.to_string()),
        child.expected_date_of_birth.map(|d| d.to_string()),
        Some(child.sex.code().to_string()),
        Some(child.ethnicity.code().to_string()),
        Some(child.disabilities.iter().map(|d| d.code()).collect::<Vec<_>>().join(" ")),
        child.nhs_number.as_ref().map(|n| n.as_str().to_string()),
        child.upn.as_ref().map(|u| u.as_str().to_string()),
        child.former_upn.as_ref().map(|u| u.as_str().to_string()),
        child.upn_unknown.map(|u| u.code().to_string()),
        Some(child.local_id.clone()),
        child.date_of_death.map(|d| d.to_string()),
    ]
}

/// Reads one `allocated` history row: the day, and the worker and SW_REASON in its payload.
fn allocation_from(child_id: &str, date: &str, payload: &str) -> Result<Allocation, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt(format!("allocation of {child_id}: {e}"));
    let value: serde_json::Value = serde_json::from_str(payload).map_err(|e| corrupt(e.to_string()))?;
    Ok(Allocation {
        date: date.parse().map_err(|e: chrono::ParseError| corrupt(e.to_string()))?,
        worker: value["allocated_to"].as_str().map(str::to_string),
        reason: value["sw_reason"].as_str().and_then(WorkerChangeReason::from_code),
    })
}

/// The history row for a worker named when the record is made: the first social worker episode.
fn first_allocation(placement: &Placement) -> Option<String> {
    let worker = placement.allocated_to.as_ref()?;
    Some(serde_json::json!({ "team_id": placement.team_id, "allocated_to": worker, "sw_reason": null }).to_string())
}

/// The `children` table and the columns a new child's row gives, in the order of `child_cells`.
fn children_columns() -> String {
    format!(
        "children (id, council_id, {}, postcode, cluster_id, team_id, allocated_to, sensitivity, created_at, updated_at)",
        DETAIL_COLUMNS.join(", ")
    )
}

/// A new child's row: placed as `placement` says, allocated to `allocated_to`.
fn child_cells(
    id: &str,
    ctx: &AuditContext,
    child: &ValidChild,
    placement: &Placement,
    allocated_to: Option<String>,
) -> Vec<Cell> {
    let mut cells = vec![Cell::from(id), placement.council_id.as_str().into()];
    cells.extend(detail_values(child).into_iter().map(Cell::from));
    cells.extend([
        placement.postcode.clone().into(),
        placement.cluster_id.clone().into(),
        placement.team_id.clone().into(),
        allocated_to.into(),
        "normal".into(),
        ctx.at_ms.into(),
        ctx.at_ms.into(),
    ]);
    cells
}

/// Inserts a child's row with a new id (its history is the caller's to write).
async fn insert_child(
    tx: &mut WriteTx,
    ctx: &AuditContext,
    child: &ValidChild,
    placement: &Placement,
) -> Result<String, StoreError> {
    let id = new_id();
    tx.insert_many(&children_columns(), &[child_cells(&id, ctx, child, placement, placement.allocated_to.clone())])
        .await?;
    Ok(id)
}

/// A clock's row in `child_clocks`.
fn clock_cells(child_id: &str, council_id: &str, c: &RunningClock) -> Vec<Cell> {
    vec![
        child_id.into(),
        council_id.into(),
        c.kind.code().into(),
        c.subject.clone().into(),
        c.started.to_string().into(),
        c.due.to_string().into(),
    ]
}

/// The `child_clocks` table and the columns of `clock_cells`.
const CLOCK_COLUMNS: &str = "child_clocks (child_id, council_id, kind, subject, started, due)";

/// Fills in who is named on, and shut out of, each child in a list, so that lists can be
/// filtered by the same policy as single records.
pub(crate) async fn attach_access(store: &Store, children: &mut [ChildRow]) -> Result<(), StoreError> {
    for chunk in children.chunks_mut(300) {
        // One query for all four lists: each row says which list it belongs to.
        let marks = |from: usize| -> String {
            (from..from + chunk.len()).map(|i| store.engine().mark(i)).collect::<Vec<_>>().join(", ")
        };
        let n = chunk.len();
        let sql = format!(
            "SELECT 'named', child_id, user_id FROM child_named_people WHERE child_id IN ({}) \
             UNION ALL SELECT 'excluded', child_id, user_id FROM child_excluded_people WHERE child_id IN ({}) \
             UNION ALL SELECT 'team', child_id, team_id FROM child_excluded_teams WHERE child_id IN ({}) \
             UNION ALL SELECT 'shared', child_id, team_id FROM child_shared_teams WHERE child_id IN ({})",
            marks(1),
            marks(n + 1),
            marks(2 * n + 1),
            marks(3 * n + 1)
        );
        let mut query = sqlx::query(&sql);
        for _ in 0..4 {
            for c in chunk.iter() {
                query = query.bind(&c.id);
            }
        }
        for r in query.fetch_all(store.pool()).await? {
            let list: String = r.try_get(0)?;
            let child_id: String = r.try_get(1)?;
            let value: String = r.try_get(2)?;
            if let Some(c) = chunk.iter_mut().find(|c| c.id == child_id) {
                match list.as_str() {
                    "named" => c.named_people.push(value),
                    "excluded" => c.excluded_people.push(value),
                    "shared" => c.shared_teams.push(value),
                    _ => c.excluded_teams.push(value),
                }
            }
        }
    }
    Ok(())
}

/// The council of a child's record, read inside a write; a missing child is `NotFound`.
pub(crate) async fn child_council(tx: &mut WriteTx, id: &str) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT council_id FROM children WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get(0)?)
}

/// Replaces a child's journey clocks (`care` false) or care clocks (`care` true) with `clocks`;
/// the other kind is left as it is.
pub(crate) async fn replace_clocks(
    tx: &mut WriteTx,
    child_id: &str,
    council_id: &str,
    clocks: &[RunningClock],
    source: ClockSource,
) -> Result<(), StoreError> {
    let kinds = ClockKind::codes(source);
    let marks: Vec<String> = (2..kinds.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!("DELETE FROM child_clocks WHERE child_id = $1 AND kind IN ({})", marks.join(", "));
    let mut delete = sqlx::query(&sql).bind(child_id);
    for k in &kinds {
        delete = delete.bind(*k);
    }
    delete.execute(tx.conn()).await?;
    let rows: Vec<Vec<Cell>> = clocks.iter().map(|c| clock_cells(child_id, council_id, c)).collect();
    tx.insert_many(CLOCK_COLUMNS, &rows).await
}

/// One child's journey, care and allocations, as recorded.
#[derive(Debug, Clone, Default)]
pub struct CaseHistories {
    pub child_id: String,
    pub events: Vec<Event>,
    pub care: Vec<CareEntry>,
    pub allocations: Vec<Allocation>,
}

/// The kinds of history row that make a child's case.
const CASE_KINDS: &str = "h.kind IN ('journey', 'care', 'allocated')";

/// The child `c` has a care entry: they have been looked after.
pub(crate) const EVER_IN_CARE: &str =
    "EXISTS (SELECT 1 FROM child_history k WHERE k.child_id = c.id AND k.kind = 'care')";

/// History rows (child, kind, date, payload), in order child by child, as each child's case.
fn case_histories(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<CaseHistories>, StoreError> {
    let mut all: Vec<CaseHistories> = Vec::new();
    for r in rows {
        let child: String = r.try_get("child_id")?;
        let kind: String = r.try_get("kind")?;
        let payload: String = r.try_get("payload")?;
        if all.last().is_none_or(|c| c.child_id != child) {
            all.push(CaseHistories { child_id: child.clone(), ..CaseHistories::default() });
        }
        let Some(case) = all.last_mut() else { continue };
        let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("{kind} entry of {child}: {e}"));
        match kind.as_str() {
            "journey" => case.events.push(serde_json::from_str(&payload).map_err(corrupt)?),
            "care" => case.care.push(serde_json::from_str(&payload).map_err(corrupt)?),
            _ => case.allocations.push(allocation_from(&child, &r.try_get::<String, _>("event_date")?, &payload)?),
        }
    }
    Ok(all)
}

/// How each part of a child's record works out its clocks, for a council-wide rebuild.
pub trait ClockRebuild {
    fn journey(&mut self, events: &[Event]) -> Result<Vec<RunningClock>, String>;
    fn care(&mut self, entries: &[CareEntry], date_of_birth: Option<NaiveDate>) -> Result<Vec<RunningClock>, String>;
    fn early_help(&mut self, entries: &[EarlyHelpEntry], journey: &[Event]) -> Result<Vec<RunningClock>, String>;
}

/// A child with their whole history, for the demo and for imports: added in bulk.
#[derive(Debug, Clone)]
pub struct ChildWithHistory {
    pub child: ValidChild,
    pub placement: Placement,
    pub created_on: NaiveDate,
    pub events: Vec<Event>,
    pub clocks: Vec<RunningClock>,
    /// The child's care, already checked by the care rules, and its clocks.
    pub care: Vec<canopy_domain::cases::care::CareEntry>,
    pub care_clocks: Vec<RunningClock>,
    /// Changes of the child's worker from an old system, oldest first: (from, worker, why). The
    /// last one's worker is the child's worker now.
    pub workers: Vec<(NaiveDate, Option<String>, Option<WorkerChangeReason>)>,
    /// Adopters an old system's file names for the child, made in the adoption service with the
    /// child's match with them (which is among `care`).
    pub adopters: Option<ImportedAdopters>,
}

/// Adopters from an old system: the household, their record's id, and the days the child was
/// matched and placed with them.
#[derive(Debug, Clone)]
pub struct ImportedAdopters {
    pub id: String,
    pub adopters: ValidAdopters,
    pub matched: NaiveDate,
    pub placed: Option<NaiveDate>,
}

impl Store {
    /// Adds many children with their histories and clocks in one transaction (the caller has
    /// replayed each journey through the domain). Returns the new ids in order.
    pub async fn add_children_with_history(
        &self,
        ctx: &AuditContext,
        children: &[ChildWithHistory],
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(children.len());
        // Every row of every child, written together at the end many rows to a statement.
        let (mut child_rows, mut history_rows, mut clock_rows, mut audits) = (vec![], vec![], vec![], vec![]);
        let (mut adopter_rows, mut adopter_history_rows) = (vec![], vec![]);
        for c in children {
            let (v, p) = (&c.child, &c.placement);
            let id = new_id();
            // The last worker an old system gives is the child's worker now.
            let allocated_to = match c.workers.last() {
                Some((_, worker, _)) => worker.clone(),
                None => p.allocated_to.clone(),
            };
            child_rows.push(child_cells(&id, ctx, v, p, allocated_to));
            let mut history: Vec<(&str, NaiveDate, String)> = vec![("record_created", c.created_on, details_json(v))];
            if let Some(payload) = first_allocation(p) {
                history.push(("allocated", c.created_on, payload));
            }
            for e in &c.events {
                history.push((
                    "journey",
                    e.date(),
                    serde_json::to_string(e).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                ));
            }
            for (date, worker, reason) in &c.workers {
                let payload = serde_json::json!({ "team_id": p.team_id, "allocated_to": worker, "sw_reason": reason });
                history.push(("allocated", *date, payload.to_string()));
            }
            for entry in &c.care {
                history.push((
                    "care",
                    entry.date(),
                    serde_json::to_string(entry).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                ));
            }
            for (seq, (kind, date, payload)) in (1i64..).zip(history) {
                history_rows.push(vec![
                    Cell::from(id.as_str()),
                    seq.into(),
                    ctx.at_ms.into(),
                    ctx.actor_id.as_str().into(),
                    kind.into(),
                    date.to_string().into(),
                    payload.into(),
                    "".into(),
                ]);
            }
            let care_clocks = if c.care.is_empty() { &[][..] } else { &c.care_clocks[..] };
            clock_rows.extend(c.clocks.iter().chain(care_clocks).map(|clock| clock_cells(&id, &p.council_id, clock)));
            audits.push(AuditEvent::succeeded("import_child", "child", &id).with_council(&p.council_id));
            if let Some(a) = &c.adopters {
                let (events, stage) = imported_history(&id, a.matched, a.placed)
                    .map_err(|e| StoreError::Corrupt(format!("the adopters of child {}: {e}", v.local_id)))?;
                let stage_date = events.last().map_or(a.matched, |e| e.date());
                adopter_rows.push(adopters_cells(&a.id, ctx, &a.adopters, stage, stage_date));
                for (seq, event) in (1i64..).zip(&events) {
                    adopter_history_rows.push(adopter_history_cells(ctx, &a.id, seq, event)?);
                }
                audits.push(AuditEvent::succeeded("import_adopters", "adopters", &a.id));
            }
            ids.push(id);
        }
        tx.insert_many(&children_columns(), &child_rows).await?;
        tx.insert_many(ADOPTERS_COLUMNS, &adopter_rows).await?;
        tx.insert_many(ADOPTER_HISTORY_COLUMNS, &adopter_history_rows).await?;
        tx.insert_many(
            "child_history (child_id, seq, at_ms, actor_id, kind, event_date, payload, reason)",
            &history_rows,
        )
        .await?;
        tx.insert_many(CLOCK_COLUMNS, &clock_rows).await?;
        tx.audit_many(ctx, audits).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Every worker's caseload: how many children are allocated to each, largest first.
    pub async fn caseloads(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT allocated_to, COUNT(*) AS n FROM children WHERE allocated_to IS NOT NULL AND merged_into IS NULL \
             GROUP BY allocated_to ORDER BY n DESC, allocated_to",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// Up to `n` children with running clocks, chosen at random (for the bench).
    pub async fn sample_children_with_clocks(&self, n: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT child_id FROM child_clocks ORDER BY child_id LIMIT $1")
            .bind(n * 20)
            .fetch_all(self.pool())
            .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        // Every 20th of the first ids in key order: ids are UUID v7, so this spreads over the data.
        Ok(ids.into_iter().step_by(20).take(usize::try_from(n).unwrap_or(0)).collect())
    }

    /// Adds a family member or other adult to a child's record. A member of staff is linked to
    /// their account, and then they and their teams are excluded from the record at once.
    pub async fn add_family_member(
        &self,
        ctx: &AuditContext,
        child_id: &str,
        member: &FamilyMember,
        today: NaiveDate,
    ) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        let council = child_council(&mut tx, child_id).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO people (id, council_id, first_name, last_name, date_of_birth, staff_user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(&council)
        .bind(&member.first_name)
        .bind(&member.last_name)
        .bind(member.date_of_birth.map(|d| d.to_string()))
        .bind(member.staff_user_id.clone())
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await?;
        sqlx::query("INSERT INTO child_relationships (child_id, person_id, relationship, same_household) VALUES ($1, $2, $3, $4)")
            .bind(child_id)
            .bind(&id)
            .bind(&member.relationship)
            .bind(i64::from(member.same_household))
            .execute(tx.conn())
            .await?;
        if let Some(staff) = &member.staff_user_id {
            sqlx::query("INSERT INTO child_excluded_people (child_id, user_id) SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM child_excluded_people WHERE child_id = $1 AND user_id = $2)")
                .bind(child_id)
                .bind(staff)
                .execute(tx.conn())
                .await?;
            sqlx::query(
                "INSERT INTO child_excluded_teams (child_id, team_id) SELECT $1, tm.team_id FROM team_members tm WHERE tm.user_id = $2 \
                 AND NOT EXISTS (SELECT 1 FROM child_excluded_teams x WHERE x.child_id = $1 AND x.team_id = tm.team_id)",
            )
            .bind(child_id)
            .bind(staff)
            .execute(tx.conn())
            .await?;
        }
        let payload = serde_json::json!({
            "person_id": id,
            "name": format!("{} {}", member.first_name, member.last_name),
            "relationship": member.relationship,
            "staff": member.staff_user_id.is_some(),
        })
        .to_string();
        append_history(&mut tx, ctx, child_id, "family_member_added", today, &payload, "").await?;
        tx.audit(ctx, AuditEvent::succeeded("add_family_member", "child", child_id).with_council(&council)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Links two children's records as siblings (both ways), with a history entry on each.
    pub async fn link_children(
        &self,
        ctx: &AuditContext,
        a: &str,
        b: &str,
        relationship: &str,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let council = child_council(&mut tx, a).await?;
        child_council(&mut tx, b).await?;
        for (x, y) in [(a, b), (b, a)] {
            sqlx::query("DELETE FROM child_links WHERE child_id = $1 AND other_child_id = $2")
                .bind(x)
                .bind(y)
                .execute(tx.conn())
                .await?;
            sqlx::query("INSERT INTO child_links (child_id, other_child_id, relationship) VALUES ($1, $2, $3)")
                .bind(x)
                .bind(y)
                .bind(relationship)
                .execute(tx.conn())
                .await?;
            let payload = serde_json::json!({ "other_child_id": y, "relationship": relationship }).to_string();
            append_history(&mut tx, ctx, x, "child_linked", today, &payload, "").await?;
        }
        tx.audit(
            ctx,
            AuditEvent::succeeded("link_children", "child", a).with_council(&council).with_detail(b.to_string()),
        )
        .await?;
        tx.commit().await
    }

    /// The children linked to a child's record, with how they are related.
    pub async fn linked_children(&self, child_id: &str) -> Result<Vec<(ChildRow, String)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CHILD_COLUMNS}, l.relationship FROM child_links l JOIN children c ON c.id = l.other_child_id \
             WHERE l.child_id = $1 AND c.merged_into IS NULL ORDER BY c.search_name"
        ))
        .bind(child_id)
        .fetch_all(self.pool())
        .await?;
        let mut children: Vec<ChildRow> = rows.iter().map(child_from).collect::<Result<_, _>>()?;
        attach_access(self, &mut children).await?;
        let relationships: Vec<String> = rows.iter().map(|r| r.try_get("relationship")).collect::<Result<_, _>>()?;
        Ok(children.into_iter().zip(relationships).collect())
    }

    /// The people in a child's life.
    pub async fn relationships(&self, child_id: &str) -> Result<Vec<RelationshipRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, p.first_name, p.last_name, p.date_of_birth, p.staff_user_id, r.relationship, r.same_household \
             FROM child_relationships r JOIN people p ON p.id = r.person_id WHERE r.child_id = $1 ORDER BY p.last_name, p.first_name",
        )
        .bind(child_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RelationshipRow {
                    person_id: r.try_get(0)?,
                    first_name: r.try_get(1)?,
                    last_name: r.try_get(2)?,
                    date_of_birth: date(r.try_get(3)?)?,
                    staff_user_id: r.try_get(4)?,
                    relationship: r.try_get(5)?,
                    same_household: r.try_get::<i64, _>(6)? != 0,
                })
            })
            .collect()
    }

    /// Adds a case note to a child's history. Notes are narrative; a significant one shows in the
    /// chronology.
    pub async fn add_child_note(&self, ctx: &AuditContext, child_id: &str, note: &CaseNote) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let council = child_council(&mut tx, child_id).await?;
        let payload =
            serde_json::json!({ "note_type": note.note_type, "text": note.text, "significant": note.significant })
                .to_string();
        append_history(&mut tx, ctx, child_id, "note", note.date, &payload, "").await?;
        tx.audit(ctx, AuditEvent::succeeded("add_note", "child", child_id).with_council(&council)).await?;
        tx.commit().await
    }

    /// Recomputes the clocks of every child in a council (after its calendar or clock rules
    /// change), a few hundred children a transaction, with the domain's rules in `rebuild`.
    pub async fn rebuild_council_clocks(
        &self,
        council_id: &str,
        rebuild: &mut impl ClockRebuild,
    ) -> Result<usize, StoreError> {
        let ids: Vec<(String, Option<NaiveDate>)> = sqlx::query(
            "SELECT id, date_of_birth FROM children WHERE council_id = $1 AND merged_into IS NULL ORDER BY id",
        )
        .bind(council_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, date(r.try_get(1)?)?)))
        .collect::<Result<_, StoreError>>()?;
        for chunk in ids.chunks(300) {
            let mut tx = self.begin_write().await?;
            for (id, date_of_birth) in chunk {
                let corrupt = |what: &str, e: String| {
                    StoreError::Corrupt(format!("the {what} of child {id} no longer reads: {e}"))
                };
                let events = read_journey(tx.conn(), id).await?;
                let clocks = rebuild.journey(&events).map_err(|e| corrupt("journey", e))?;
                replace_clocks(&mut tx, id, council_id, &clocks, ClockSource::Journey).await?;
                let care = crate::care::read_entries(tx.conn(), id).await?;
                if !care.is_empty() {
                    let clocks = rebuild.care(&care, *date_of_birth).map_err(|e| corrupt("care", e))?;
                    replace_clocks(&mut tx, id, council_id, &clocks, ClockSource::Care).await?;
                }
                let early_help = crate::early_help::read_entries(tx.conn(), id).await?;
                if !early_help.is_empty() {
                    let clocks = rebuild.early_help(&early_help, &events).map_err(|e| corrupt("early help", e))?;
                    replace_clocks(&mut tx, id, council_id, &clocks, ClockSource::EarlyHelp).await?;
                }
            }
            tx.commit().await?;
        }
        Ok(ids.len())
    }

    /// The children living at a postcode in one council (a household, for a contact about it).
    pub async fn children_at_postcode(&self, council_id: &str, postcode: &str) -> Result<Vec<ChildRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CHILD_COLUMNS} FROM children c WHERE c.council_id = $1 AND c.postcode = $2 AND c.merged_into IS NULL ORDER BY c.search_name LIMIT 20"
        ))
        .bind(council_id)
        .bind(postcode)
        .fetch_all(self.pool())
        .await?;
        let mut children: Vec<ChildRow> = rows.iter().map(child_from).collect::<Result<_, _>>()?;
        attach_access(self, &mut children).await?;
        Ok(children)
    }

    /// Every child of a council, however many (for the bench and bulk work, not for pages).
    pub async fn children_in_council(&self, council_id: &str) -> Result<Vec<ChildRow>, StoreError> {
        self.children_in_council_where(council_id, "1 = 1").await
    }

    /// Every child of a council who has ever been looked after.
    pub async fn children_ever_in_care(&self, council_id: &str) -> Result<Vec<ChildRow>, StoreError> {
        self.children_in_council_where(council_id, EVER_IN_CARE).await
    }

    async fn children_in_council_where(&self, council_id: &str, condition: &str) -> Result<Vec<ChildRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CHILD_COLUMNS} FROM children c WHERE c.council_id = $1 AND c.merged_into IS NULL AND {condition} \
             ORDER BY c.id"
        ))
        .bind(council_id)
        .fetch_all(self.pool())
        .await?;
        let mut children = rows.iter().map(child_from).collect::<Result<Vec<_>, _>>()?;
        attach_access(self, &mut children).await?;
        Ok(children)
    }

    /// How many children a council has (merged records not counted).
    pub async fn count_children_in_council(&self, council_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM children WHERE council_id = $1 AND merged_into IS NULL")
            .bind(council_id)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get(0)?)
    }

    /// How many children there are (merged records not counted).
    pub async fn count_children(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM children WHERE merged_into IS NULL")
            .fetch_one(self.pool())
            .await?
            .try_get(0)?)
    }
}

impl Store {
    /// Merges `duplicate` into `keep`: two records of the same child in the same council. Every
    /// entry of the duplicate's history is added to the kept record's (marked with where it came
    /// from); its family, documents, addresses and access lists move across, exclusions included;
    /// and the duplicate is marked merged, never deleted. `combine` is the domain's check that the
    /// two journeys make one valid story, and gives the clocks that run afterwards.
    pub async fn merge_children<F>(
        &self,
        ctx: &AuditContext,
        keep: &str,
        duplicate: &str,
        today: NaiveDate,
        combine: F,
    ) -> Result<Result<(), RuleBroken>, StoreError>
    where
        F: FnOnce(&[Event]) -> Result<Vec<RunningClock>, RuleBroken>,
    {
        if keep == duplicate {
            return Ok(Err(RuleBroken("A record cannot be merged into itself".into())));
        }
        let mut tx = self.begin_write().await?;
        let mut councils = Vec::new();
        for id in [keep, duplicate] {
            let row = sqlx::query("SELECT council_id, merged_into FROM children WHERE id = $1")
                .bind(id)
                .fetch_optional(tx.conn())
                .await?
                .ok_or(StoreError::NotFound)?;
            if row.try_get::<Option<String>, _>(1)?.is_some() {
                return Ok(Err(RuleBroken("One of the records has already been merged".into())));
            }
            councils.push(row.try_get::<String, _>(0)?);
        }
        if councils[0] != councils[1] {
            return Ok(Err(RuleBroken(
                "Records in different councils are not merged: transfer the child first".into(),
            )));
        }
        let history = sqlx::query(
            "SELECT child_id, kind, event_date, payload, reason FROM child_history WHERE child_id = $1 OR child_id = $2 ORDER BY child_id, seq",
        )
        .bind(keep)
        .bind(duplicate)
        .fetch_all(tx.conn())
        .await?;
        let mut events = Vec::new();
        for r in &history {
            if r.try_get::<String, _>(1)? == "journey" {
                let text: String = r.try_get(3)?;
                events.push(
                    serde_json::from_str::<Event>(&text)
                        .map_err(|e| StoreError::Corrupt(format!("journey event: {e}")))?,
                );
            }
        }
        let clocks = match combine(&events) {
            Ok(c) => c,
            Err(broken) => return Ok(Err(broken)),
        };
        let with_care = history.iter().filter(|r| r.try_get::<String, _>(1).is_ok_and(|k| k == "care"));
        let mut care_records: Vec<String> = with_care.filter_map(|r| r.try_get::<String, _>(0).ok()).collect();
        care_records.dedup();
        if care_records.len() > 1 {
            return Ok(Err(RuleBroken(
                "Both records have a care history: record the child's care on one record, then merge".into(),
            )));
        }
        for r in history.iter().filter(|r| r.try_get::<String, _>(0).is_ok_and(|c| c == duplicate)) {
            let kind: String = r.try_get(1)?;
            let date_text: String = r.try_get(2)?;
            let event_date = NaiveDate::parse_from_str(&date_text, "%Y-%m-%d")
                .map_err(|_| StoreError::Corrupt(format!("date {date_text}")))?;
            let payload: String = r.try_get(3)?;
            let reason: String = r.try_get(4)?;
            let reason = format!(
                "merged from record {duplicate}{}",
                if reason.is_empty() { String::new() } else { format!(": {reason}") }
            );
            append_history(&mut tx, ctx, keep, &kind, event_date, &payload, &reason).await?;
        }
        for (table, column) in [
            ("child_named_people", "user_id"),
            ("child_excluded_people", "user_id"),
            ("child_excluded_teams", "team_id"),
            ("child_shared_teams", "team_id"),
            ("child_relationships", "person_id"),
            ("child_links", "other_child_id"),
        ] {
            // Move across what the kept record does not already have; drop the rest.
            sqlx::query(&format!(
                "UPDATE {table} SET child_id = $1 WHERE child_id = $2 AND {column} NOT IN (SELECT {column} FROM {table} WHERE child_id = $1)"
            ))
            .bind(keep)
            .bind(duplicate)
            .execute(tx.conn())
            .await?;
        }
        // Sibling links point at the kept record from now on.
        sqlx::query(
            "UPDATE child_links SET other_child_id = $1 WHERE other_child_id = $2 AND child_id <> $1 \
             AND child_id NOT IN (SELECT child_id FROM child_links WHERE other_child_id = $1)",
        )
        .bind(keep)
        .bind(duplicate)
        .execute(tx.conn())
        .await?;
        for table in ["child_documents", "child_addresses"] {
            sqlx::query(&format!("UPDATE {table} SET child_id = $1 WHERE child_id = $2"))
                .bind(keep)
                .bind(duplicate)
                .execute(tx.conn())
                .await?;
        }
        // The duplicate's care and early help clocks come with those histories; the rest go.
        let care_kinds = [ClockSource::Care, ClockSource::EarlyHelp]
            .into_iter()
            .flat_map(ClockKind::codes)
            .map(|k| format!("'{k}'"))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!("UPDATE child_clocks SET child_id = $1 WHERE child_id = $2 AND kind IN ({care_kinds})"))
            .bind(keep)
            .bind(duplicate)
            .execute(tx.conn())
            .await?;
        sqlx::query("DELETE FROM child_clocks WHERE child_id = $1").bind(duplicate).execute(tx.conn()).await?;
        sqlx::query("UPDATE children SET merged_into = $1, updated_at = $2 WHERE id = $3")
            .bind(keep)
            .bind(ctx.at_ms)
            .bind(duplicate)
            .execute(tx.conn())
            .await?;
        replace_clocks(&mut tx, keep, &councils[0], &clocks, ClockSource::Journey).await?;
        let payload = serde_json::json!({ "kept": keep, "merged": duplicate }).to_string();
        append_history(&mut tx, ctx, keep, "merged", today, &payload, "").await?;
        append_history(&mut tx, ctx, duplicate, "merged", today, &payload, "").await?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("merge_children", "child", keep)
                .with_council(&councils[0])
                .with_detail(format!("merged {duplicate}")),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}
