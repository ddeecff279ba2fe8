//! Councils, clusters, teams, the organisation, and the working-day calendars.

use crate::{new_id, AuditContext, AuditEvent, Scope, Store, StoreError, WriteTx};
use canopy_domain::calendar::{shipped_bank_holidays, WorkingCalendar};
use canopy_domain::org::{
    ClusterCoverage, CouncilCoverage, LaCode, OnsCode, OtherCouncils, PostcodeDistrict, ValidCluster, ValidCouncil,
    ValidTeam,
};
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouncilRow {
    pub id: String,
    pub name: String,
    pub la_code: String,
    pub ons_code: String,
    pub postcode_districts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterRow {
    pub id: String,
    pub name: String,
    pub areas: Vec<String>,
    pub council_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub service: String,
    pub cluster_id: Option<String>,
    pub council_ids: Vec<String>,
}

/// Reads `(key, value)` pairs into lists by key.
pub(crate) async fn grouped(store: &Store, sql: &str) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
    let rows = sqlx::query(sql).fetch_all(store.pool()).await?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        out.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
    }
    Ok(out)
}

/// Changes the row `id` of `table` (with its `updated_at`), or adds a new row (with `created_at`
/// and `updated_at`) when there is no id; returns the row's id. A uniqueness failure becomes a
/// conflict on `conflict`'s field, and changing a row that does not exist is `NotFound`.
async fn save_row(
    tx: &mut WriteTx,
    table: &str,
    id: Option<&str>,
    fields: &[(&str, Option<String>)],
    at_ms: i64,
    conflict: (&str, &str),
) -> Result<String, StoreError> {
    let n = fields.len();
    let (sql, row_id) = match id {
        Some(id) => {
            let sets: Vec<String> = fields.iter().enumerate().map(|(i, (c, _))| format!("{c} = ${}", i + 1)).collect();
            (
                format!("UPDATE {table} SET {}, updated_at = ${} WHERE id = ${}", sets.join(", "), n + 1, n + 2),
                id.to_string(),
            )
        }
        None => {
            let cols: Vec<&str> = fields.iter().map(|(c, _)| *c).collect();
            let params: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {table} ({}, created_at, updated_at, id) VALUES ({}, ${}, ${}, ${})",
                cols.join(", "),
                params.join(", "),
                n + 1,
                n + 1,
                n + 2
            );
            (sql, new_id())
        }
    };
    let mut query = sqlx::query(&sql);
    for (_, value) in fields {
        query = query.bind(value.clone());
    }
    let done = query
        .bind(at_ms)
        .bind(&row_id)
        .execute(tx.conn())
        .await
        .map_err(StoreError::unique_as(conflict.0, conflict.1))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(row_id)
}

async fn replace_links(
    tx: &mut WriteTx,
    table: &str,
    owner_col: &str,
    value_col: &str,
    owner: &str,
    values: &[String],
) -> Result<(), StoreError> {
    sqlx::query(&format!("DELETE FROM {table} WHERE {owner_col} = $1")).bind(owner).execute(tx.conn()).await?;
    for v in values {
        sqlx::query(&format!("INSERT INTO {table} ({owner_col}, {value_col}) VALUES ($1, $2)"))
            .bind(owner)
            .bind(v)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

impl Store {
    /// Loads what every database needs before first use: the shipped bank holidays and the
    /// built-in roles. Existing data is left alone, so admins' changes survive.
    pub async fn ensure_reference_data(&self, ctx: &AuditContext) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let holidays: i64 = sqlx::query("SELECT COUNT(*) FROM bank_holidays").fetch_one(tx.conn()).await?.try_get(0)?;
        if holidays == 0 {
            for h in shipped_bank_holidays() {
                sqlx::query("INSERT INTO bank_holidays (day, name) VALUES ($1, $2)")
                    .bind(h.date.to_string())
                    .bind(h.name)
                    .execute(tx.conn())
                    .await?;
            }
        }
        for role in canopy_domain::access::BUILTIN_ROLES {
            let exists =
                sqlx::query("SELECT id FROM roles WHERE key = $1").bind(role.key).fetch_optional(tx.conn()).await?;
            if exists.is_none() {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO roles (id, key, name, description, reach, builtin) VALUES ($1, $2, $3, $4, $5, 1)",
                )
                .bind(&id)
                .bind(role.key)
                .bind(role.name)
                .bind(role.description)
                .bind(role.reach.code())
                .execute(tx.conn())
                .await?;
                for p in role.permissions {
                    sqlx::query("INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2)")
                        .bind(&id)
                        .bind(p.code())
                        .execute(tx.conn())
                        .await?;
                }
                tx.audit(ctx, AuditEvent::succeeded("create_role", "role", &id).with_detail(role.key)).await?;
            }
        }
        tx.commit().await
    }

    /// The organisation's name, if it has been set up.
    pub async fn organisation_name(&self) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT name FROM organisation LIMIT 1").fetch_optional(self.pool()).await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Names the organisation (creating its row the first time).
    pub async fn set_organisation_name(&self, ctx: &AuditContext, name: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query("SELECT id FROM organisation LIMIT 1").fetch_optional(tx.conn()).await?;
        let id = match existing {
            Some(r) => {
                let id: String = r.try_get(0)?;
                sqlx::query("UPDATE organisation SET name = $1 WHERE id = $2")
                    .bind(name)
                    .bind(&id)
                    .execute(tx.conn())
                    .await?;
                id
            }
            None => {
                let id = new_id();
                sqlx::query("INSERT INTO organisation (id, name, created_at) VALUES ($1, $2, $3)")
                    .bind(&id)
                    .bind(name)
                    .bind(ctx.at_ms)
                    .execute(tx.conn())
                    .await?;
                id
            }
        };
        tx.audit(ctx, AuditEvent::succeeded("set_organisation_name", "organisation", &id).with_detail(name)).await?;
        tx.commit().await
    }

    /// The councils in `scope`, by name.
    pub async fn list_councils(&self, scope: &Scope) -> Result<Vec<CouncilRow>, StoreError> {
        let rows = sqlx::query("SELECT id, name, la_code, ons_code FROM councils ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        let districts =
            grouped(self, "SELECT council_id, district FROM council_postcode_districts ORDER BY district").await?;
        let mut out = Vec::new();
        for r in rows {
            let id: String = r.try_get("id")?;
            if !scope.covers(&id) {
                continue;
            }
            out.push(CouncilRow {
                postcode_districts: districts.get(&id).cloned().unwrap_or_default(),
                id,
                name: r.try_get("name")?,
                la_code: r.try_get("la_code")?,
                ons_code: r.try_get("ons_code")?,
            });
        }
        Ok(out)
    }

    /// One council, if it exists and is in `scope`; otherwise `NotFound` either way.
    pub async fn get_council(&self, scope: &Scope, id: &str) -> Result<CouncilRow, StoreError> {
        if !scope.covers(id) {
            return Err(StoreError::NotFound);
        }
        self.list_councils(&Scope::Councils(vec![id.to_string()])).await?.into_iter().next().ok_or(StoreError::NotFound)
    }

    /// Adds a council, or changes one when `id` is given.
    pub async fn save_council(
        &self,
        ctx: &AuditContext,
        id: Option<&str>,
        council: &ValidCouncil,
    ) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        let fields = [
            ("name", Some(council.name.clone())),
            ("la_code", Some(council.la_code.to_string())),
            ("ons_code", Some(council.ons_code.to_string())),
        ];
        let conflict = ("la_code", "Another council already has that LA code, ONS code or name");
        let is_new = id.is_none();
        let id = save_row(&mut tx, "councils", id, &fields, ctx.at_ms, conflict).await?;
        if is_new {
            for (code, name) in canopy_domain::budgets::DEFAULT_CATEGORIES {
                sqlx::query("INSERT INTO budget_categories (council_id, code, name) VALUES ($1, $2, $3)")
                    .bind(&id)
                    .bind(*code)
                    .bind(*name)
                    .execute(tx.conn())
                    .await?;
            }
        }
        let districts: Vec<String> = council.postcode_districts.iter().map(|d| d.to_string()).collect();
        replace_links(&mut tx, "council_postcode_districts", "council_id", "district", &id, &districts).await.map_err(
            |e| match e {
                StoreError::Database(db) => {
                    StoreError::unique_as("postcode_districts", "A district is already covered by another council")(db)
                }
                other => other,
            },
        )?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("save_council", "council", &id)
                .with_council(&id)
                .with_detail(format!("{} ({})", council.name, council.la_code)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The clusters serving any council in `scope`.
    pub async fn list_clusters(&self, scope: &Scope) -> Result<Vec<ClusterRow>, StoreError> {
        let rows = sqlx::query("SELECT id, name FROM clusters ORDER BY name").fetch_all(self.pool()).await?;
        let areas = grouped(self, "SELECT cluster_id, area FROM cluster_areas ORDER BY area").await?;
        let councils = grouped(self, "SELECT cluster_id, council_id FROM cluster_councils").await?;
        let mut out = Vec::new();
        for r in rows {
            let id: String = r.try_get("id")?;
            let council_ids = councils.get(&id).cloned().unwrap_or_default();
            if !council_ids.iter().any(|c| scope.covers(c)) {
                continue;
            }
            out.push(ClusterRow {
                areas: areas.get(&id).cloned().unwrap_or_default(),
                council_ids,
                name: r.try_get("name")?,
                id,
            });
        }
        Ok(out)
    }

    /// Adds a cluster, or changes one when `id` is given.
    pub async fn save_cluster(
        &self,
        ctx: &AuditContext,
        id: Option<&str>,
        cluster: &ValidCluster,
    ) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        let fields = [("name", Some(cluster.name.clone()))];
        let conflict = ("name", "A cluster with that name already exists");
        let id = save_row(&mut tx, "clusters", id, &fields, ctx.at_ms, conflict).await?;
        let areas: Vec<String> = cluster.areas.iter().map(|a| a.to_string()).collect();
        replace_links(&mut tx, "cluster_areas", "cluster_id", "area", &id, &areas).await?;
        replace_links(&mut tx, "cluster_councils", "cluster_id", "council_id", &id, &cluster.council_ids).await?;
        tx.audit(ctx, AuditEvent::succeeded("save_cluster", "cluster", &id).with_detail(cluster.name.clone())).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The teams serving any council in `scope`, by name.
    pub async fn list_teams(&self, scope: &Scope) -> Result<Vec<TeamRow>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, service, cluster_id FROM teams ORDER BY name").fetch_all(self.pool()).await?;
        let councils = grouped(self, "SELECT team_id, council_id FROM team_councils").await?;
        let mut out = Vec::new();
        for r in rows {
            let id: String = r.try_get("id")?;
            let council_ids = councils.get(&id).cloned().unwrap_or_default();
            if !council_ids.iter().any(|c| scope.covers(c)) {
                continue;
            }
            out.push(TeamRow {
                council_ids,
                name: r.try_get("name")?,
                service: r.try_get("service")?,
                cluster_id: r.try_get("cluster_id")?,
                id,
            });
        }
        Ok(out)
    }

    /// One team, if it exists and serves a council in `scope`; otherwise `NotFound` either way.
    pub async fn get_team(&self, scope: &Scope, id: &str) -> Result<TeamRow, StoreError> {
        self.list_teams(scope).await?.into_iter().find(|t| t.id == id).ok_or(StoreError::NotFound)
    }

    /// Adds a team, or changes one when `id` is given.
    pub async fn save_team(
        &self,
        ctx: &AuditContext,
        id: Option<&str>,
        team: &ValidTeam,
    ) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        let fields = [
            ("name", Some(team.name.clone())),
            ("service", Some(team.service.code().to_string())),
            ("cluster_id", team.cluster_id.clone()),
        ];
        let id = save_row(&mut tx, "teams", id, &fields, ctx.at_ms, ("name", "A team with that name already exists"))
            .await?;
        replace_links(&mut tx, "team_councils", "team_id", "council_id", &id, &team.council_ids).await?;
        tx.audit(ctx, AuditEvent::succeeded("save_team", "team", &id).with_detail(team.name.clone())).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// What every council other than `except` holds, for the domain's uniqueness checks.
    pub async fn other_councils(&self, except: Option<&str>) -> Result<OtherCouncils, StoreError> {
        let mut others = OtherCouncils::default();
        for c in self.list_councils(&Scope::Organisation).await? {
            if Some(c.id.as_str()) == except {
                continue;
            }
            others.names.push(c.name.clone());
            others.la_codes.extend(LaCode::parse(&c.la_code).ok());
            others.ons_codes.extend(OnsCode::parse(&c.ons_code).ok());
            for d in c.postcode_districts.iter().filter_map(|d| PostcodeDistrict::parse(d).ok()) {
                others.districts.push((d, c.name.clone()));
            }
        }
        Ok(others)
    }

    /// Every council with its districts, as the cluster and team checks need them.
    pub async fn council_coverage(&self) -> Result<Vec<CouncilCoverage>, StoreError> {
        Ok(self
            .list_councils(&Scope::Organisation)
            .await?
            .into_iter()
            .map(|c| CouncilCoverage {
                districts: c.postcode_districts.iter().filter_map(|d| PostcodeDistrict::parse(d).ok()).collect(),
                id: c.id,
                name: c.name,
            })
            .collect())
    }

    /// Every cluster with the councils it serves, and its name.
    pub async fn cluster_coverage(&self) -> Result<Vec<(ClusterCoverage, String)>, StoreError> {
        Ok(self
            .list_clusters(&Scope::Organisation)
            .await?
            .into_iter()
            .map(|c| (ClusterCoverage { id: c.id, council_ids: c.council_ids }, c.name))
            .collect())
    }

    /// A council's working-day calendar: weekends, the bank holidays and its own closure days.
    pub async fn council_calendar(&self, council_id: &str) -> Result<WorkingCalendar, StoreError> {
        let mut days = Vec::new();
        let rows = sqlx::query(
            "SELECT day FROM bank_holidays UNION SELECT day FROM council_closure_days WHERE council_id = $1",
        )
        .bind(council_id)
        .fetch_all(self.pool())
        .await?;
        for r in rows {
            let text: String = r.try_get(0)?;
            let day = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .map_err(|_| StoreError::Corrupt(format!("calendar day {text}")))?;
            days.push(day);
        }
        Ok(WorkingCalendar::new(days))
    }

    /// One council's own closure days, in date order, with their reasons.
    pub async fn closure_days(&self, council_id: &str) -> Result<Vec<(NaiveDate, String)>, StoreError> {
        let rows = sqlx::query("SELECT day, reason FROM council_closure_days WHERE council_id = $1 ORDER BY day")
            .bind(council_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get(0)?;
                let day = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .map_err(|_| StoreError::Corrupt(format!("closure day {text}")))?;
                Ok((day, r.try_get(1)?))
            })
            .collect()
    }

    /// Adds a closure day to one council's calendar.
    pub async fn add_closure_day(
        &self,
        ctx: &AuditContext,
        council_id: &str,
        day: NaiveDate,
        reason: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO council_closure_days (council_id, day, reason) VALUES ($1, $2, $3)")
            .bind(council_id)
            .bind(day.to_string())
            .bind(reason)
            .execute(tx.conn())
            .await
            .map_err(StoreError::unique_as("day", "That day is already a closure day"))?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("add_closure_day", "council", council_id)
                .with_council(council_id)
                .with_detail(day.to_string()),
        )
        .await?;
        tx.commit().await
    }
}
