//! Training and development: the course catalogue and workers' requests for places, each change
//! of a request checked by the domain and written to the audit log.

use crate::{new_id, AuditContext, AuditEvent, Store, StoreError};
use canopy_domain::workforce::{check_training_step, Programme, TrainingRuleBroken, TrainingStatus};
use chrono::NaiveDate;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCourse {
    pub title: String,
    pub programme: Programme,
    pub provider: String,
    pub starts: NaiveDate,
    pub places: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseRow {
    pub id: String,
    pub title: String,
    pub programme: Programme,
    pub provider: String,
    pub starts: NaiveDate,
    pub places: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingRequestRow {
    pub id: String,
    pub course_id: String,
    pub staff_id: String,
    pub status: TrainingStatus,
    pub status_date: NaiveDate,
}

fn day(text: &str) -> Result<NaiveDate, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("training date {text}")))
}

fn course_from(r: &sqlx::any::AnyRow) -> Result<CourseRow, StoreError> {
    let programme: String = r.try_get("programme")?;
    let places: i64 = r.try_get("places")?;
    Ok(CourseRow {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        programme: Programme::from_code(&programme)
            .ok_or_else(|| StoreError::Corrupt(format!("programme {programme}")))?,
        provider: r.try_get("provider")?,
        starts: day(&r.try_get::<String, _>("starts")?)?,
        places: u32::try_from(places).map_err(|_| StoreError::Corrupt("places".into()))?,
    })
}

fn request_from(r: &sqlx::any::AnyRow) -> Result<TrainingRequestRow, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(TrainingRequestRow {
        id: r.try_get("id")?,
        course_id: r.try_get("course_id")?,
        staff_id: r.try_get("staff_id")?,
        status: TrainingStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("training status {status}")))?,
        status_date: day(&r.try_get::<String, _>("status_date")?)?,
    })
}

const REQUEST_COLUMNS: &str = "id, course_id, staff_id, status, status_date";

impl Store {
    pub async fn add_course(&self, ctx: &AuditContext, course: &NewCourse) -> Result<String, StoreError> {
        let id = new_id();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO courses (id, title, programme, provider, starts, places, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(&course.title)
        .bind(course.programme.code())
        .bind(&course.provider)
        .bind(course.starts.to_string())
        .bind(i64::from(course.places))
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await?;
        tx.audit(ctx, AuditEvent::succeeded("add_course", "course", &id).with_detail(&course.title)).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn courses(&self) -> Result<Vec<CourseRow>, StoreError> {
        let rows =
            sqlx::query("SELECT id, title, programme, provider, starts, places FROM courses ORDER BY starts, title")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(course_from).collect()
    }

    pub async fn course(&self, id: &str) -> Result<CourseRow, StoreError> {
        let row = sqlx::query("SELECT id, title, programme, provider, starts, places FROM courses WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        course_from(&row)
    }

    /// Asks for a place for a worker; a second request for the same course is refused, and so is
    /// one for a full course.
    pub async fn request_training(
        &self,
        ctx: &AuditContext,
        course_id: &str,
        staff_id: &str,
        on: NaiveDate,
    ) -> Result<Result<String, TrainingRuleBroken>, StoreError> {
        let course = self.course(course_id).await?;
        let taken = self.training_for_course(course_id).await?;
        if taken.iter().any(|r| r.staff_id == staff_id) {
            return Ok(Err(TrainingRuleBroken("the worker has already asked for a place on this course".into())));
        }
        let holding = taken.iter().filter(|r| r.status.holds_place()).count();
        if holding >= course.places as usize {
            return Ok(Err(TrainingRuleBroken("the course is full".into())));
        }
        let id = new_id();
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!(
            "INSERT INTO training_requests ({REQUEST_COLUMNS}, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(&id)
        .bind(course_id)
        .bind(staff_id)
        .bind(TrainingStatus::Requested.code())
        .bind(on.to_string())
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await?;
        tx.audit(ctx, AuditEvent::succeeded("request_training", "staff", staff_id).with_detail(&course.title)).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    pub async fn training_request(&self, id: &str) -> Result<TrainingRequestRow, StoreError> {
        let row = sqlx::query(&format!("SELECT {REQUEST_COLUMNS} FROM training_requests WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        request_from(&row)
    }

    pub async fn training_for_course(&self, course_id: &str) -> Result<Vec<TrainingRequestRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM training_requests WHERE course_id = $1 ORDER BY created_at, id"
        ))
        .bind(course_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(request_from).collect()
    }

    pub async fn training_for_staff(&self, staff_id: &str) -> Result<Vec<TrainingRequestRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM training_requests WHERE staff_id = $1 ORDER BY status_date DESC, id"
        ))
        .bind(staff_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(request_from).collect()
    }

    /// Moves a request on, if the domain allows it.
    pub async fn record_training_step(
        &self,
        ctx: &AuditContext,
        id: &str,
        to: TrainingStatus,
        on: NaiveDate,
    ) -> Result<Result<(), TrainingRuleBroken>, StoreError> {
        let request = self.training_request(id).await?;
        let course = self.course(&request.course_id).await?;
        if let Err(broken) = check_training_step(request.status, request.status_date, to, on, course.starts) {
            return Ok(Err(broken));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE training_requests SET status = $1, status_date = $2 WHERE id = $3")
            .bind(to.code())
            .bind(on.to_string())
            .bind(id)
            .execute(tx.conn())
            .await?;
        let detail = format!("{}: {}", course.title, to.label());
        tx.audit(ctx, AuditEvent::succeeded("record_training", "staff", &request.staff_id).with_detail(detail)).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}
