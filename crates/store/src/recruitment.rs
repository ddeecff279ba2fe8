//! Recruitment: vacancies, candidates and their applications, each application's stage and panel
//! kept beside its append-only history. A start fills the vacancy and, in the same transaction,
//! adds the new worker's staff record or changes an internal candidate's employment (an agency
//! worker made permanent).

use crate::workforce::{add_staff_event, insert_staff};
use crate::{new_id, AuditContext, AuditEvent, Store, StoreError, WriteTx};
use canopy_domain::access::Resource;
use canopy_domain::workforce::{
    take_step, ApplicationStage, ApplicationStep, Fte, OpenPost, OrgRole, RecruitmentRuleBroken, StaffEvent,
    StaffRecord, StaffRuleBroken, ValidStaff,
};
use chrono::NaiveDate;
use sqlx::Row;

/// A vacancy to be opened.
#[derive(Debug, Clone)]
pub struct NewVacancy {
    pub team_id: String,
    pub council_ids: Vec<String>,
    pub job_title: String,
    pub org_role: Option<OrgRole>,
    pub fte: Fte,
    pub opened: NaiveDate,
    /// Whether an agency worker covers the post meanwhile.
    pub agency_cover: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VacancyRow {
    pub id: String,
    pub team_id: String,
    pub council_ids: Vec<String>,
    pub job_title: String,
    pub org_role: Option<OrgRole>,
    pub fte: Fte,
    pub opened: NaiveDate,
    pub closed: Option<NaiveDate>,
    pub filled_by: Option<String>,
    pub agency_cover: bool,
}

impl VacancyRow {
    /// For the vacancy rate.
    pub fn open_post(&self) -> OpenPost {
        OpenPost { fte: self.fte.as_f64(), opened: self.opened, closed: self.closed, filled: self.filled_by.is_some() }
    }
}

/// A candidate as typed: their personal data, and their staff record if they work here already.
#[derive(Debug, Clone)]
pub struct NewCandidate {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub staff_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationRow {
    pub id: String,
    pub vacancy_id: String,
    pub candidate_name: String,
    pub candidate_email: String,
    pub candidate_phone: String,
    /// The candidate's staff record, when they already work here (such as an agency worker).
    pub staff_id: Option<String>,
    pub stage: ApplicationStage,
    pub stage_date: NaiveDate,
    /// The recruitment champions on the interview panel.
    pub panel: Vec<String>,
}

impl ApplicationRow {
    /// The application as the policy sees it: in the vacancy's councils, its panel named.
    pub fn resources(&self, vacancy: &VacancyRow) -> Vec<Resource> {
        vacancy
            .council_ids
            .iter()
            .map(|c| Resource {
                id: self.id.clone(),
                council_id: Some(c.clone()),
                team_id: Some(vacancy.team_id.clone()),
                named_people: self.panel.clone(),
                ..Resource::default()
            })
            .collect()
    }
}

/// What a start does for the worker: a new staff record, or a change to an existing one.
pub enum Hire<F> {
    NewWorker { staff: ValidStaff, joined: StaffEvent, check: F },
    ExistingWorker { staff_id: String, event: StaffEvent, check: F },
}

fn date(text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| StoreError::Corrupt(format!("date {text}")))
}

const VACANCY_COLUMNS: &str =
    "id, team_id, council_ids, job_title, org_role, fte, opened, closed, filled_by, agency_cover";

fn vacancy_from(r: &sqlx::any::AnyRow) -> Result<VacancyRow, StoreError> {
    let councils: String = r.try_get("council_ids")?;
    let role: Option<String> = r.try_get("org_role")?;
    let fte: i64 = r.try_get("fte")?;
    let closed: Option<String> = r.try_get("closed")?;
    let cover: i64 = r.try_get("agency_cover")?;
    Ok(VacancyRow {
        id: r.try_get("id")?,
        team_id: r.try_get("team_id")?,
        council_ids: councils.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect(),
        job_title: r.try_get("job_title")?,
        org_role: role.as_deref().and_then(OrgRole::from_code),
        fte: Fte(u32::try_from(fte).map_err(|_| StoreError::Corrupt("vacancy fte".into()))?),
        opened: date(&r.try_get::<String, _>("opened")?)?,
        closed: closed.as_deref().map(date).transpose()?,
        filled_by: r.try_get("filled_by")?,
        agency_cover: cover == 1,
    })
}

const APPLICATION_SELECT: &str =
    "SELECT a.id, a.vacancy_id, c.name, c.email, c.phone, c.staff_id, a.stage, a.stage_date \
     FROM applications a JOIN candidates c ON c.id = a.candidate_id";

async fn applications_where(
    conn: &mut sqlx::AnyConnection,
    clause: &str,
    value: &str,
) -> Result<Vec<ApplicationRow>, StoreError> {
    let rows = sqlx::query(&format!("{APPLICATION_SELECT} WHERE {clause} ORDER BY a.created_at, a.id"))
        .bind(value)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: String = r.try_get(0)?;
        let stage: String = r.try_get(6)?;
        let panel = sqlx::query("SELECT user_id FROM application_panel WHERE application_id = $1 ORDER BY user_id")
            .bind(&id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|p| p.try_get(0))
            .collect::<Result<Vec<String>, _>>()?;
        out.push(ApplicationRow {
            id,
            vacancy_id: r.try_get(1)?,
            candidate_name: r.try_get(2)?,
            candidate_email: r.try_get(3)?,
            candidate_phone: r.try_get(4)?,
            staff_id: r.try_get(5)?,
            stage: ApplicationStage::from_code(&stage).ok_or_else(|| StoreError::Corrupt(format!("stage {stage}")))?,
            stage_date: date(&r.try_get::<String, _>(7)?)?,
            panel,
        });
    }
    Ok(out)
}

async fn append_step(tx: &mut WriteTx, ctx: &AuditContext, id: &str, step: &ApplicationStep) -> Result<(), StoreError> {
    let seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 FROM application_history WHERE application_id = $1")
        .bind(id)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
    let payload = serde_json::to_string(step).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO application_history (application_id, seq, at_ms, actor_id, event_date, payload) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(seq)
    .bind(ctx.at_ms)
    .bind(&ctx.actor_id)
    .bind(step.date().to_string())
    .bind(payload)
    .execute(tx.conn())
    .await?;
    sqlx::query("UPDATE applications SET stage = $1, stage_date = $2 WHERE id = $3")
        .bind(step.stage().code())
        .bind(step.date().to_string())
        .bind(id)
        .execute(tx.conn())
        .await?;
    tx.audit(ctx, AuditEvent::succeeded("record_application_step", "application", id).with_detail(step.describe()))
        .await?;
    Ok(())
}

/// Why a step was refused: the application's rules, or the new worker's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepRefused {
    #[error("{0}")]
    Recruitment(#[from] RecruitmentRuleBroken),
    #[error("{0}")]
    Staff(#[from] StaffRuleBroken),
}

impl Store {
    pub async fn add_vacancy(&self, ctx: &AuditContext, vacancy: &NewVacancy) -> Result<String, StoreError> {
        let id = new_id();
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!(
            "INSERT INTO vacancies ({VACANCY_COLUMNS}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, $9)"
        ))
        .bind(&id)
        .bind(&vacancy.team_id)
        .bind(vacancy.council_ids.join(","))
        .bind(&vacancy.job_title)
        .bind(vacancy.org_role.map(|r| r.code()))
        .bind(i64::from(vacancy.fte.0))
        .bind(vacancy.opened.to_string())
        .bind(i64::from(vacancy.agency_cover))
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await?;
        tx.audit(ctx, AuditEvent::succeeded("open_vacancy", "vacancy", &id).with_detail(&vacancy.job_title)).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn vacancies(&self) -> Result<Vec<VacancyRow>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {VACANCY_COLUMNS} FROM vacancies ORDER BY opened, id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(vacancy_from).collect()
    }

    pub async fn vacancy(&self, id: &str) -> Result<VacancyRow, StoreError> {
        let row = sqlx::query(&format!("SELECT {VACANCY_COLUMNS} FROM vacancies WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        vacancy_from(&row)
    }

    /// Adds a candidate's application to an open vacancy, from the day they applied.
    pub async fn add_application(
        &self,
        ctx: &AuditContext,
        vacancy_id: &str,
        candidate: &NewCandidate,
        applied: NaiveDate,
    ) -> Result<Result<String, RecruitmentRuleBroken>, StoreError> {
        let vacancy = self.vacancy(vacancy_id).await?;
        if vacancy.closed.is_some() {
            return Ok(Err(RecruitmentRuleBroken("the vacancy has been filled or closed".into())));
        }
        if applied < vacancy.opened {
            return Ok(Err(RecruitmentRuleBroken("an application cannot come before the vacancy opened".into())));
        }
        let (candidate_id, id) = (new_id(), new_id());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO candidates (id, name, email, phone, staff_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&candidate_id)
        .bind(&candidate.name)
        .bind(&candidate.email)
        .bind(&candidate.phone)
        .bind(&candidate.staff_id)
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await?;
        sqlx::query(
            "INSERT INTO applications (id, vacancy_id, candidate_id, stage, stage_date, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(vacancy_id)
        .bind(&candidate_id)
        .bind(ApplicationStage::Applied.code())
        .bind(applied.to_string())
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await?;
        append_step(&mut tx, ctx, &id, &ApplicationStep::Applied { date: applied }).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    pub async fn applications_for(&self, vacancy_id: &str) -> Result<Vec<ApplicationRow>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        applications_where(&mut conn, "a.vacancy_id = $1", vacancy_id).await
    }

    pub async fn application(&self, id: &str) -> Result<ApplicationRow, StoreError> {
        let mut conn = self.pool().acquire().await?;
        applications_where(&mut conn, "a.id = $1", id).await?.into_iter().next().ok_or(StoreError::NotFound)
    }

    /// The applications whose interview panel includes `user_id`: a champion's interview list.
    pub async fn interviews_of(&self, user_id: &str) -> Result<Vec<ApplicationRow>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        applications_where(
            &mut conn,
            "a.id IN (SELECT application_id FROM application_panel WHERE user_id = $1)",
            user_id,
        )
        .await
    }

    /// The steps of an application, oldest first.
    pub async fn application_steps(&self, id: &str) -> Result<Vec<(i64, String, ApplicationStep)>, StoreError> {
        let rows = sqlx::query(
            "SELECT at_ms, actor_id, payload FROM application_history WHERE application_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get(2)?;
                let step =
                    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("application step: {e}")))?;
                Ok((r.try_get(0)?, r.try_get(1)?, step))
            })
            .collect()
    }

    /// Takes an application's next step if its rules allow; an interview keeps its panel, and a
    /// start fills the vacancy and makes the `hire`, all in one transaction.
    pub async fn record_application_step<F>(
        &self,
        ctx: &AuditContext,
        id: &str,
        step: &ApplicationStep,
        hire: Option<Hire<F>>,
    ) -> Result<Result<(), StepRefused>, StoreError>
    where
        F: FnOnce(&[StaffEvent]) -> Result<StaffRecord, StaffRuleBroken>,
    {
        let application = self.application(id).await?;
        let vacancy = self.vacancy(&application.vacancy_id).await?;
        let to = match take_step(
            application.stage,
            application.stage_date,
            vacancy.opened,
            vacancy.closed.is_none(),
            step,
        ) {
            Ok(to) => to,
            Err(broken) => return Ok(Err(broken.into())),
        };
        let mut tx = self.begin_write().await?;
        if let ApplicationStep::Interviewed { panel, .. } = step {
            for user in panel {
                sqlx::query("INSERT INTO application_panel (application_id, user_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(user)
                    .execute(tx.conn())
                    .await?;
            }
        }
        if to == ApplicationStage::Started {
            let staff_id = match hire {
                Some(Hire::NewWorker { staff, joined, check }) => {
                    match insert_staff(&mut tx, ctx, &staff, None, &joined, check).await? {
                        Ok(staff_id) => staff_id,
                        Err(broken) => return Ok(Err(broken.into())),
                    }
                }
                Some(Hire::ExistingWorker { staff_id, event, check }) => {
                    if let Err(broken) = add_staff_event(&mut tx, ctx, &staff_id, &event, check).await? {
                        return Ok(Err(broken.into()));
                    }
                    staff_id
                }
                None => return Ok(Err(RecruitmentRuleBroken("a start needs the new worker's post".into()).into())),
            };
            sqlx::query(
                "UPDATE candidates SET staff_id = $1 WHERE id = (SELECT candidate_id FROM applications WHERE id = $2)",
            )
            .bind(&staff_id)
            .bind(id)
            .execute(tx.conn())
            .await?;
            sqlx::query("UPDATE vacancies SET closed = $1, filled_by = $2 WHERE id = $3")
                .bind(step.date().to_string())
                .bind(id)
                .bind(&vacancy.id)
                .execute(tx.conn())
                .await?;
        }
        append_step(&mut tx, ctx, id, step).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}
