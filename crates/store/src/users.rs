//! Users, roles, sessions and API tokens.

use crate::org::grouped;
use crate::{new_id, AuditContext, AuditEvent, Store, StoreError};
use canopy_domain::access::{grants_of, Actor, Permission, Reach};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRow {
    pub id: String,
    pub key: String,
    pub name: String,
    pub description: String,
    pub reach: String,
    pub permissions: Vec<String>,
    pub builtin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub job_title: String,
    pub disabled: bool,
    pub must_change_password: bool,
    pub role_ids: Vec<String>,
    pub team_ids: Vec<String>,
    pub council_ids: Vec<String>,
}

/// A role as an admin sets it. The key is fixed once the role exists.
#[derive(Debug, Clone)]
pub struct RoleDetails {
    pub key: String,
    pub name: String,
    pub description: String,
    pub reach: Reach,
    pub permissions: Vec<Permission>,
}

/// A user's details as an admin sets them. Emails are stored lower-case.
#[derive(Debug, Clone, Default)]
pub struct UserDetails {
    pub email: String,
    pub display_name: String,
    pub job_title: String,
    pub role_ids: Vec<String>,
    pub team_ids: Vec<String>,
    pub council_ids: Vec<String>,
}

impl From<UserRow> for UserDetails {
    fn from(u: UserRow) -> Self {
        Self {
            email: u.email,
            display_name: u.display_name,
            job_title: u.job_title,
            role_ids: u.role_ids,
            team_ids: u.team_ids,
            council_ids: u.council_ids,
        }
    }
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: String,
    pub password_hash: String,
    pub disabled: bool,
}

/// A stored session.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

#[derive(Debug, Clone)]
pub struct ApiTokenRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

fn flag(r: &sqlx::any::AnyRow, col: &str) -> Result<bool, sqlx::Error> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

impl Store {
    pub async fn list_roles(&self) -> Result<Vec<RoleRow>, StoreError> {
        let rows = sqlx::query("SELECT id, key, name, description, reach, builtin FROM roles ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        let perms = grouped(self, "SELECT role_id, permission FROM role_permissions ORDER BY permission").await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                Ok(RoleRow {
                    permissions: perms.get(&id).cloned().unwrap_or_default(),
                    key: r.try_get("key")?,
                    name: r.try_get("name")?,
                    description: r.try_get("description")?,
                    reach: r.try_get("reach")?,
                    builtin: flag(r, "builtin")?,
                    id,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Adds a role or changes one (`id` given): its name, description, reach and permissions.
    pub async fn save_role(
        &self,
        ctx: &AuditContext,
        id: Option<&str>,
        role: &RoleDetails,
    ) -> Result<String, StoreError> {
        let RoleDetails { key, name, description, reach, permissions } = role;
        let mut tx = self.begin_write().await?;
        let id = match id {
            Some(id) => {
                let changed = sqlx::query("UPDATE roles SET name = $1, description = $2, reach = $3 WHERE id = $4")
                    .bind(name)
                    .bind(description)
                    .bind(reach.code())
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                if changed.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                id.to_string()
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO roles (id, key, name, description, reach, builtin) VALUES ($1, $2, $3, $4, $5, 0)",
                )
                .bind(&id)
                .bind(key)
                .bind(name)
                .bind(description)
                .bind(reach.code())
                .execute(tx.conn())
                .await
                .map_err(StoreError::unique_as("key", "A role with that key already exists"))?;
                id
            }
        };
        sqlx::query("DELETE FROM role_permissions WHERE role_id = $1").bind(&id).execute(tx.conn()).await?;
        for p in permissions {
            sqlx::query("INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2)")
                .bind(&id)
                .bind(p.code())
                .execute(tx.conn())
                .await?;
        }
        let codes: Vec<&str> = permissions.iter().map(|p| p.code()).collect();
        tx.audit(
            ctx,
            AuditEvent::succeeded("save_role", "role", &id).with_detail(format!("{key}: {}", codes.join(" "))),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users").fetch_one(self.pool()).await?.try_get(0)?)
    }

    pub async fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, email, display_name, job_title, disabled, must_change_password FROM users ORDER BY display_name, email",
        )
        .fetch_all(self.pool())
        .await?;
        let roles = grouped(self, "SELECT user_id, role_id FROM user_roles").await?;
        let teams = grouped(self, "SELECT user_id, team_id FROM team_members").await?;
        let councils = grouped(self, "SELECT user_id, council_id FROM user_councils").await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                Ok(UserRow {
                    role_ids: roles.get(&id).cloned().unwrap_or_default(),
                    team_ids: teams.get(&id).cloned().unwrap_or_default(),
                    council_ids: councils.get(&id).cloned().unwrap_or_default(),
                    email: r.try_get("email")?,
                    display_name: r.try_get("display_name")?,
                    job_title: r.try_get("job_title")?,
                    disabled: flag(r, "disabled")?,
                    must_change_password: flag(r, "must_change_password")?,
                    id,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// What each request needs to know of its user, in one query: (display name, email,
    /// disabled, must change password).
    pub async fn user_header(&self, id: &str) -> Result<(String, String, bool, bool), StoreError> {
        let row = sqlx::query("SELECT display_name, email, disabled, must_change_password FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((row.try_get(0)?, row.try_get(1)?, flag(&row, "disabled")?, flag(&row, "must_change_password")?))
    }

    pub async fn get_user(&self, id: &str) -> Result<UserRow, StoreError> {
        let row = sqlx::query(
            "SELECT id, email, display_name, job_title, disabled, must_change_password FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let list = |sql: &'static str| async move {
            let rows = sqlx::query(sql).bind(id).fetch_all(self.pool()).await?;
            rows.iter().map(|r| r.try_get::<String, _>(0)).collect::<Result<Vec<_>, _>>()
        };
        Ok(UserRow {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            job_title: row.try_get("job_title")?,
            disabled: flag(&row, "disabled")?,
            must_change_password: flag(&row, "must_change_password")?,
            role_ids: list("SELECT role_id FROM user_roles WHERE user_id = $1").await?,
            team_ids: list("SELECT team_id FROM team_members WHERE user_id = $1").await?,
            council_ids: list("SELECT council_id FROM user_councils WHERE user_id = $1").await?,
        })
    }

    /// Lends a worker to another team's duty from `starts_on` to `ends_on` (inclusive).
    pub async fn lend_worker(
        &self,
        ctx: &AuditContext,
        user_id: &str,
        team_id: &str,
        starts_on: chrono::NaiveDate,
        ends_on: chrono::NaiveDate,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO duty_loans (id, user_id, team_id, starts_on, ends_on, lent_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(team_id)
        .bind(starts_on.to_string())
        .bind(ends_on.to_string())
        .bind(&ctx.actor_id)
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await?;
        tx.audit(
            ctx,
            AuditEvent::succeeded("lend_worker", "team", team_id).with_detail(format!("{user_id} until {ends_on}")),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Loans running on `today` into any of `team_ids`, as (worker, team, until).
    pub async fn loans_into(
        &self,
        team_ids: &[String],
        today: chrono::NaiveDate,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id, team_id, ends_on FROM duty_loans WHERE starts_on <= $1 AND ends_on >= $1 ORDER BY ends_on",
        )
        .bind(today.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let team: String = r.try_get(1)?;
            if team_ids.contains(&team) {
                out.push((r.try_get(0)?, team, r.try_get(2)?));
            }
        }
        Ok(out)
    }

    /// Adds a user with a password hash (already computed by the caller).
    pub async fn create_user(
        &self,
        ctx: &AuditContext,
        details: &UserDetails,
        password_hash: &str,
        must_change_password: bool,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO users (id, email, display_name, job_title, password_hash, must_change_password, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7)",
        )
        .bind(&id)
        .bind(details.email.to_lowercase())
        .bind(&details.display_name)
        .bind(&details.job_title)
        .bind(password_hash)
        .bind(i64::from(must_change_password))
        .bind(ctx.at_ms)
        .execute(tx.conn())
        .await
        .map_err(StoreError::unique_as("email", "A user with that email address already exists"))?;
        link_user(&mut tx, &id, details).await?;
        tx.audit(ctx, AuditEvent::succeeded("create_user", "user", &id).with_detail(details.email.to_lowercase()))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a user's details, roles, teams and councils.
    pub async fn update_user(&self, ctx: &AuditContext, id: &str, details: &UserDetails) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE users SET email = $1, display_name = $2, job_title = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(details.email.to_lowercase())
        .bind(&details.display_name)
        .bind(&details.job_title)
        .bind(ctx.at_ms)
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(StoreError::unique_as("email", "A user with that email address already exists"))?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        for table in ["user_roles", "team_members", "user_councils"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1")).bind(id).execute(tx.conn()).await?;
        }
        link_user(&mut tx, id, details).await?;
        tx.audit(ctx, AuditEvent::succeeded("update_user", "user", id)).await?;
        tx.commit().await
    }

    /// Disables or re-enables an account. Disabling ends its sessions and revokes nothing else:
    /// its API tokens stop working because the account is disabled.
    pub async fn set_user_disabled(&self, ctx: &AuditContext, id: &str, disabled: bool) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(disabled))
            .bind(ctx.at_ms)
            .bind(id)
            .execute(tx.conn())
            .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(tx.conn()).await?;
        }
        let action = if disabled { "disable_user" } else { "enable_user" };
        tx.audit(ctx, AuditEvent::succeeded(action, "user", id)).await?;
        tx.commit().await
    }

    /// Replaces a user's password hash and ends their other sessions.
    pub async fn set_password(
        &self,
        ctx: &AuditContext,
        id: &str,
        password_hash: &str,
        must_change: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(ctx.at_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(tx.conn()).await?;
        tx.audit(ctx, AuditEvent::succeeded("set_password", "user", id)).await?;
        tx.commit().await
    }

    pub async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>, StoreError> {
        let row = sqlx::query("SELECT id, password_hash, disabled FROM users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(Credentials {
                user_id: r.try_get("id")?,
                password_hash: r.try_get("password_hash")?,
                disabled: flag(&r, "disabled")?,
            })
        })
        .transpose()
        .map_err(|e: sqlx::Error| e.into())
    }

    /// The user as the access policy sees them: the grants of their roles, their teams, and the
    /// councils they serve (those of their teams and any granted directly).
    pub async fn actor(&self, user_id: &str, today: chrono::NaiveDate) -> Result<Actor, StoreError> {
        // One query: the role grants, the teams (a worker lent to another team's duty counts as
        // one of its members while the loan runs) and the councils, each row tagged.
        let rows = sqlx::query(
            "SELECT 'grant', r.reach, p.permission FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
             JOIN role_permissions p ON p.role_id = r.id WHERE ur.user_id = $1 \
             UNION ALL SELECT 'team', team_id, '' FROM team_members WHERE user_id = $1 \
             UNION ALL SELECT 'team', team_id, '' FROM duty_loans WHERE user_id = $1 AND starts_on <= $2 AND ends_on >= $2 \
             UNION ALL SELECT 'council', council_id, '' FROM user_councils WHERE user_id = $1 \
             UNION ALL SELECT 'council', tc.council_id, '' FROM team_members tm \
                JOIN team_councils tc ON tc.team_id = tm.team_id WHERE tm.user_id = $1",
        )
        .bind(user_id)
        .bind(today.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut by_reach: BTreeMap<Reach, Vec<Permission>> = BTreeMap::new();
        let mut teams = BTreeSet::new();
        let mut councils = BTreeSet::new();
        for r in &rows {
            let kind: String = r.try_get(0)?;
            let value: String = r.try_get(1)?;
            match kind.as_str() {
                "grant" => {
                    let perm: String = r.try_get(2)?;
                    // A code the domain no longer knows grants nothing.
                    if let (Some(reach), Some(perm)) = (Reach::from_code(&value), Permission::from_code(&perm)) {
                        by_reach.entry(reach).or_default().push(perm);
                    }
                }
                "team" => {
                    teams.insert(value);
                }
                _ => {
                    councils.insert(value);
                }
            }
        }
        Ok(Actor {
            user_id: user_id.to_string(),
            grants: grants_of(by_reach.iter().map(|(r, p)| (*r, p.as_slice()))),
            councils,
            teams,
            break_glass: BTreeSet::new(),
        })
    }

    pub async fn create_session(&self, ctx: &AuditContext, token_hash: &str, user_id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, source) VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(ctx.at_ms)
        .bind(&ctx.source)
        .execute(tx.conn())
        .await?;
        tx.audit(ctx, AuditEvent::succeeded("sign_in", "user", user_id)).await?;
        tx.commit().await
    }

    /// The session with this token hash, if its account is still enabled.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT s.user_id, s.created_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND u.disabled = 0",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok(SessionRow { user_id: r.try_get(0)?, created_at: r.try_get(1)?, last_seen_at: r.try_get(2)? }))
            .transpose()
            .map_err(|e: sqlx::Error| e.into())
    }

    /// Records use of a session (for the idle timeout).
    pub async fn touch_session(&self, token_hash: &str, at_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(at_ms)
            .bind(token_hash)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// Ends one session; `reason` goes into the audit row ("sign_out", "session_expired").
    pub async fn end_session(&self, ctx: &AuditContext, token_hash: &str, reason: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(tx.conn()).await?;
        tx.audit(ctx, AuditEvent::succeeded(reason, "user", &ctx.actor_id)).await?;
        tx.commit().await
    }

    pub async fn create_api_token(
        &self,
        ctx: &AuditContext,
        user_id: &str,
        name: &str,
        token_hash: &str,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(ctx.at_ms)
            .execute(tx.conn())
            .await?;
        tx.audit(ctx, AuditEvent::succeeded("create_api_token", "api_token", &id).with_detail(name)).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn list_api_tokens(&self, user_id: &str) -> Result<Vec<ApiTokenRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenRow {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Revokes one of the user's own tokens; another user's token is `NotFound`.
    pub async fn revoke_api_token(&self, ctx: &AuditContext, user_id: &str, token_id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed =
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                .bind(ctx.at_ms)
                .bind(token_id)
                .bind(user_id)
                .execute(tx.conn())
                .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(ctx, AuditEvent::succeeded("revoke_api_token", "api_token", token_id)).await?;
        tx.commit().await
    }

    /// The user behind a live API token (not revoked, account enabled), marking its use.
    pub async fn api_token_user(&self, token_hash: &str, at_ms: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT t.id, t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get(0)?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(at_ms)
            .bind(&id)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(Some(row.try_get(1)?))
    }
}

async fn link_user(tx: &mut crate::WriteTx, id: &str, details: &UserDetails) -> Result<(), StoreError> {
    for (table, col, values) in [
        ("user_roles", "role_id", &details.role_ids),
        ("team_members", "team_id", &details.team_ids),
        ("user_councils", "council_id", &details.council_ids),
    ] {
        for v in values.iter().collect::<BTreeSet<_>>() {
            sqlx::query(&format!("INSERT INTO {table} (user_id, {col}) VALUES ($1, $2)"))
                .bind(id)
                .bind(v)
                .execute(tx.conn())
                .await?;
        }
    }
    Ok(())
}
