//! Staff records: who each worker is, and the append-only history of their employment, from which
//! the domain reads their state on any day. The row keeps their state now (team, councils, job,
//! employment, in post) for the directory and the access policy, in the same transaction.

use crate::{new_id, AuditContext, AuditEvent, Store, StoreError, WriteTx};
use canopy_domain::access::Resource;
use canopy_domain::workforce::{QualificationLevel, StaffEvent, StaffRecord, StaffRuleBroken, SweNumber, ValidStaff};
use sqlx::Row;
use std::collections::HashMap;

/// A worker as the directory lists them: their state now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub user_id: Option<String>,
    pub swe_number: Option<SweNumber>,
    pub qualification: Option<QualificationLevel>,
    /// Where they qualified.
    pub institution: Option<String>,
    pub team_id: Option<String>,
    pub council_ids: Vec<String>,
    pub job_title: String,
    /// How they are employed now, in words.
    pub employment: String,
    pub in_post: bool,
}

impl StaffRow {
    /// The record as the access policy sees it: held by their team in each council they serve
    /// (the policy is asked once per council), and theirs, so that they may read their own.
    pub fn resources(&self) -> Vec<Resource> {
        self.council_ids
            .iter()
            .map(|c| Resource {
                id: self.id.clone(),
                council_id: Some(c.clone()),
                team_id: self.team_id.clone(),
                owner: self.user_id.clone(),
                ..Resource::default()
            })
            .collect()
    }
}

/// One event in a worker's history, with who recorded it and when.
#[derive(Debug, Clone)]
pub struct StaffHistoryRow {
    pub at_ms: i64,
    pub actor_id: String,
    pub event: StaffEvent,
}

const STAFF_COLUMNS: &str =
    "id, name, user_id, swe_number, qualification_level, qualification_institution, team_id, council_ids, job_title, employment, in_post";

fn staff_from(r: &sqlx::any::AnyRow) -> Result<StaffRow, StoreError> {
    let swe: Option<String> = r.try_get("swe_number")?;
    let qualification: Option<String> = r.try_get("qualification_level")?;
    let councils: String = r.try_get("council_ids")?;
    let in_post: i64 = r.try_get("in_post")?;
    Ok(StaffRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        user_id: r.try_get("user_id")?,
        swe_number: swe.map(|s| SweNumber::parse(&s).map_err(StoreError::Corrupt)).transpose()?,
        qualification: qualification.as_deref().and_then(QualificationLevel::from_code),
        institution: r.try_get("qualification_institution")?,
        team_id: r.try_get("team_id")?,
        council_ids: councils.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect(),
        job_title: r.try_get("job_title")?,
        employment: r.try_get("employment")?,
        in_post: in_post == 1,
    })
}

async fn read_events(conn: &mut sqlx::AnyConnection, staff_id: &str) -> Result<Vec<StaffEvent>, StoreError> {
    let rows = sqlx::query("SELECT payload FROM staff_history WHERE staff_id = $1 ORDER BY seq")
        .bind(staff_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let text: String = r.try_get(0)?;
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("staff event of {staff_id}: {e}")))
        })
        .collect()
}

/// Appends `event` and refreshes the row from `record`, the history read with it.
async fn append_event(
    tx: &mut WriteTx,
    ctx: &AuditContext,
    staff_id: &str,
    event: &StaffEvent,
    record: &StaffRecord,
) -> Result<(), StoreError> {
    let seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 FROM staff_history WHERE staff_id = $1")
        .bind(staff_id)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
    let payload = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO staff_history (staff_id, seq, at_ms, actor_id, event_date, payload) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(staff_id)
    .bind(seq)
    .bind(ctx.at_ms)
    .bind(&ctx.actor_id)
    .bind(event.date().to_string())
    .bind(payload)
    .execute(tx.conn())
    .await?;
    // The row shows the worker now, or in their last post once they have left.
    let now = record.now();
    let last =
        now.map(|s| (&s.post, &s.employment)).or_else(|| record.leavings.last().map(|l| (&l.post, &l.employment)));
    if let Some((post, employment)) = last {
        sqlx::query(
            "UPDATE staff SET team_id = $1, council_ids = $2, job_title = $3, employment = $4, in_post = $5, updated_at = $6 \
             WHERE id = $7",
        )
        .bind(&post.team_id)
        .bind(post.councils.join(","))
        .bind(&post.job_title)
        .bind(employment.label())
        .bind(i64::from(now.is_some()))
        .bind(ctx.at_ms)
        .bind(staff_id)
        .execute(tx.conn())
        .await?;
    }
    tx.audit(ctx, AuditEvent::succeeded("record_staff_event", "staff", staff_id).with_detail(event.describe())).await?;
    Ok(())
}

/// Inserts a worker's row and their joining, if `check` accepts it, inside the caller's transaction.
pub(crate) async fn insert_staff<F>(
    tx: &mut WriteTx,
    ctx: &AuditContext,
    staff: &ValidStaff,
    user_id: Option<&str>,
    joined: &StaffEvent,
    check: F,
) -> Result<Result<String, StaffRuleBroken>, StoreError>
where
    F: FnOnce(&[StaffEvent]) -> Result<StaffRecord, StaffRuleBroken>,
{
    let record = match check(std::slice::from_ref(joined)) {
        Ok(record) => record,
        Err(broken) => return Ok(Err(broken)),
    };
    let id = new_id();
    sqlx::query(&format!(
        "INSERT INTO staff ({STAFF_COLUMNS}, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, '', '', '', 0, $7, $7)"
    ))
    .bind(&id)
    .bind(&staff.name)
    .bind(user_id)
    .bind(staff.swe_number.as_ref().map(|n| n.as_str().to_string()))
    .bind(staff.qualification.map(|q| q.code()))
    .bind(&staff.institution)
    .bind(ctx.at_ms)
    .execute(tx.conn())
    .await
    .map_err(StoreError::unique_as("swe_number", "Another worker has that Social Work England number"))?;
    append_event(tx, ctx, &id, joined, &record).await?;
    Ok(Ok(id))
}

/// Adds an event to a worker's history if `check` accepts it, inside the caller's transaction.
pub(crate) async fn add_staff_event<F>(
    tx: &mut WriteTx,
    ctx: &AuditContext,
    staff_id: &str,
    event: &StaffEvent,
    check: F,
) -> Result<Result<(), StaffRuleBroken>, StoreError>
where
    F: FnOnce(&[StaffEvent]) -> Result<StaffRecord, StaffRuleBroken>,
{
    let mut events = read_events(tx.conn(), staff_id).await?;
    if events.is_empty() {
        return Err(StoreError::NotFound);
    }
    events.push(event.clone());
    let record = match check(&events) {
        Ok(record) => record,
        Err(broken) => return Ok(Err(broken)),
    };
    append_event(tx, ctx, staff_id, event, &record).await?;
    Ok(Ok(()))
}

impl Store {
    /// Adds a worker's record with the event that starts it (their joining), if `check` accepts it.
    pub async fn add_staff<F>(
        &self,
        ctx: &AuditContext,
        staff: &ValidStaff,
        user_id: Option<&str>,
        joined: &StaffEvent,
        check: F,
    ) -> Result<Result<String, StaffRuleBroken>, StoreError>
    where
        F: FnOnce(&[StaffEvent]) -> Result<StaffRecord, StaffRuleBroken>,
    {
        let mut tx = self.begin_write().await?;
        let id = match insert_staff(&mut tx, ctx, staff, user_id, joined, check).await? {
            Ok(id) => id,
            Err(broken) => return Ok(Err(broken)),
        };
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// Adds an event to a worker's history if `check` accepts the history with it.
    pub async fn record_staff_event<F>(
        &self,
        ctx: &AuditContext,
        staff_id: &str,
        event: &StaffEvent,
        check: F,
    ) -> Result<Result<(), StaffRuleBroken>, StoreError>
    where
        F: FnOnce(&[StaffEvent]) -> Result<StaffRecord, StaffRuleBroken>,
    {
        let mut tx = self.begin_write().await?;
        if let Err(broken) = add_staff_event(&mut tx, ctx, staff_id, event, check).await? {
            return Ok(Err(broken));
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    pub async fn staff_member(&self, id: &str) -> Result<StaffRow, StoreError> {
        let row = sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        staff_from(&row)
    }

    /// The staff record of a user, if they have one.
    pub async fn staff_of_user(&self, user_id: &str) -> Result<Option<StaffRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM staff WHERE user_id = $1"))
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(staff_from).transpose()
    }

    /// The Social Work England numbers (the 903's SW_ID) of the staff who are these users, by
    /// user, in one read.
    pub async fn swe_numbers_of(&self, users: &[&str]) -> Result<HashMap<String, String>, StoreError> {
        if users.is_empty() {
            return Ok(HashMap::new());
        }
        let marks: Vec<String> = (1..=users.len()).map(|i| self.engine().mark(i)).collect();
        let sql = format!(
            "SELECT user_id, swe_number FROM staff WHERE swe_number IS NOT NULL AND user_id IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for user in users {
            query = query.bind(*user);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// Every worker, leavers too, by name.
    pub async fn staff(&self) -> Result<Vec<StaffRow>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM staff ORDER BY name, id")).fetch_all(self.pool()).await?;
        rows.iter().map(staff_from).collect()
    }

    pub async fn staff_history(&self, staff_id: &str) -> Result<Vec<StaffHistoryRow>, StoreError> {
        let rows = sqlx::query("SELECT at_ms, actor_id, payload FROM staff_history WHERE staff_id = $1 ORDER BY seq")
            .bind(staff_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get("payload")?;
                Ok(StaffHistoryRow {
                    at_ms: r.try_get("at_ms")?,
                    actor_id: r.try_get("actor_id")?,
                    event: serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("staff event: {e}")))?,
                })
            })
            .collect()
    }

    /// Every worker's history, in one read, for the measures.
    pub async fn all_staff_events(&self) -> Result<Vec<(String, Vec<StaffEvent>)>, StoreError> {
        let rows = sqlx::query("SELECT staff_id, payload FROM staff_history ORDER BY staff_id, seq")
            .fetch_all(self.pool())
            .await?;
        let mut all: Vec<(String, Vec<StaffEvent>)> = Vec::new();
        for r in rows {
            let id: String = r.try_get("staff_id")?;
            let text: String = r.try_get("payload")?;
            let event =
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("staff event of {id}: {e}")))?;
            match all.last_mut() {
                Some((last, events)) if *last == id => events.push(event),
                _ => all.push((id, vec![event])),
            }
        }
        Ok(all)
    }

    /// How many staff records there are.
    pub async fn count_staff(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM staff").fetch_one(self.pool()).await?.try_get(0)?)
    }
}

/// A supervision session as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionRow {
    pub held_on: chrono::NaiveDate,
    pub supervisor_id: String,
    /// one_to_one or group.
    pub kind: String,
    pub note: String,
}

impl Store {
    /// Records a supervision session.
    pub async fn record_supervision(
        &self,
        ctx: &AuditContext,
        staff_id: &str,
        session: &SupervisionRow,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO supervision_sessions (id, staff_id, supervisor_id, held_on, kind, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(staff_id)
        .bind(&session.supervisor_id)
        .bind(session.held_on.to_string())
        .bind(&session.kind)
        .bind(&session.note)
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await?;
        tx.audit(ctx, AuditEvent::succeeded("record_supervision", "staff", staff_id)).await?;
        tx.commit().await
    }

    /// A worker's supervision sessions, newest first.
    pub async fn supervision_sessions(&self, staff_id: &str) -> Result<Vec<SupervisionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT held_on, supervisor_id, kind, note FROM supervision_sessions WHERE staff_id = $1 ORDER BY held_on DESC",
        )
        .bind(staff_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let held: String = r.try_get("held_on")?;
                Ok(SupervisionRow {
                    held_on: held.parse().map_err(|_| StoreError::Corrupt(format!("supervision date {held}")))?,
                    supervisor_id: r.try_get("supervisor_id")?,
                    kind: r.try_get("kind")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    /// The staff in post in these teams, each with their history and their last supervision.
    pub async fn team_staff_for_supervision(
        &self,
        teams: &[String],
    ) -> Result<Vec<(StaffRow, Vec<StaffEvent>, Option<chrono::NaiveDate>)>, StoreError> {
        let mut out = Vec::new();
        for row in self
            .staff()
            .await?
            .into_iter()
            .filter(|s| s.in_post && s.team_id.as_ref().is_some_and(|t| teams.contains(t)))
        {
            let mut conn = self.pool().acquire().await?;
            let events = read_events(&mut conn, &row.id).await?;
            let last: Option<String> = sqlx::query("SELECT MAX(held_on) FROM supervision_sessions WHERE staff_id = $1")
                .bind(&row.id)
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
            let last = last
                .map(|d| d.parse().map_err(|_| StoreError::Corrupt(format!("supervision date {d}"))))
                .transpose()?;
            out.push((row, events, last));
        }
        Ok(out)
    }
}
