//! `canopy councils`, `canopy clusters` and `canopy teams`: the organisation from the command line,
//! through the same checks as the admin pages.

use crate::cli_ctx;
use canopy_domain::org::{validate_cluster, validate_council, validate_team, ClusterInput, CouncilInput, TeamInput};
use canopy_domain::validation::FieldErrors;
use canopy_store::org::CouncilRow;
use canopy_store::{Scope, Store, StoreError};
use chrono::NaiveDate;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum CouncilsCommand {
    /// List the councils.
    List,
    /// Add a council.
    Add {
        #[arg(long)]
        name: String,
        /// The DfE three-digit LA code.
        #[arg(long)]
        la_code: String,
        /// The ONS code, like E09000021.
        #[arg(long)]
        ons_code: String,
        /// The postcode districts it covers, separated by commas.
        #[arg(long)]
        districts: String,
    },
    /// Change a council, found by its LA code; what is not given stays as it is.
    Edit {
        /// The council's current LA code.
        #[arg(long = "council")]
        council: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        la_code: Option<String>,
        #[arg(long)]
        ons_code: Option<String>,
        #[arg(long)]
        districts: Option<String>,
    },
    /// Add a closure day to a council's working-day calendar.
    CloseDay {
        /// The council's LA code.
        #[arg(long = "council")]
        council: String,
        /// The day, as YYYY-MM-DD.
        #[arg(long)]
        date: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum ClustersCommand {
    /// List the clusters.
    List,
    /// Add a geographic cluster.
    Add {
        #[arg(long)]
        name: String,
        /// The LA codes of the councils it serves, separated by commas.
        #[arg(long)]
        councils: String,
        /// Its postcode districts or sectors, separated by commas (KT1, KT2 5).
        #[arg(long)]
        areas: String,
    },
}

#[derive(Subcommand)]
pub enum TeamsCommand {
    /// List the teams.
    List,
    /// Add a team.
    Add {
        #[arg(long)]
        name: String,
        /// The service code: front_door, referral_and_assessment, safeguarding, children_in_care, …
        #[arg(long)]
        service: String,
        /// The cluster's name; leave out for a central team.
        #[arg(long)]
        cluster: Option<String>,
        /// The LA codes of the councils it serves, separated by commas.
        #[arg(long)]
        councils: String,
    },
}

/// The command-line flag that carries a form field.
fn flag(field: &str) -> String {
    match field {
        "postcode_districts" => "--districts".into(),
        "council_ids" => "--councils".into(),
        "cluster_id" => "--cluster".into(),
        "day" => "--date".into(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

fn explain(errors: FieldErrors) -> String {
    errors.0.iter().map(|e| format!("{}: {}", flag(&e.field), e.message)).collect::<Vec<_>>().join("\n")
}

fn store_error(e: StoreError) -> String {
    match e {
        StoreError::Conflict { field, message } => format!("{}: {message}", flag(&field)),
        other => other.to_string(),
    }
}

async fn council_by_code(store: &Store, code: &str) -> Result<CouncilRow, String> {
    store
        .list_councils(&Scope::Organisation)
        .await
        .map_err(store_error)?
        .into_iter()
        .find(|c| c.la_code == code.trim())
        .ok_or_else(|| format!("no council has LA code {}", code.trim()))
}

async fn council_ids(store: &Store, codes: &str) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        ids.push(council_by_code(store, code).await?.id);
    }
    Ok(ids)
}

pub async fn councils(store: &Store, command: &CouncilsCommand) -> Result<(), String> {
    let ctx = cli_ctx();
    match command {
        CouncilsCommand::List => {
            for c in store.list_councils(&Scope::Organisation).await.map_err(store_error)? {
                println!("{}\t{}\t{}\t{}", c.la_code, c.ons_code, c.name, c.postcode_districts.join(" "));
            }
        }
        CouncilsCommand::Add { name, la_code, ons_code, districts } => {
            let input = CouncilInput {
                name: name.clone(),
                la_code: la_code.clone(),
                ons_code: ons_code.clone(),
                postcode_districts: districts.clone(),
            };
            let valid =
                validate_council(&input, &store.other_councils(None).await.map_err(store_error)?).map_err(explain)?;
            store.save_council(&ctx, None, &valid).await.map_err(store_error)?;
            println!("Added {} ({}).", valid.name, valid.la_code);
        }
        CouncilsCommand::Edit { council, name, la_code, ons_code, districts } => {
            let current = council_by_code(store, council).await?;
            let input = CouncilInput {
                name: name.clone().unwrap_or(current.name),
                la_code: la_code.clone().unwrap_or(current.la_code),
                ons_code: ons_code.clone().unwrap_or(current.ons_code),
                postcode_districts: districts.clone().unwrap_or_else(|| current.postcode_districts.join(",")),
            };
            let others = store.other_councils(Some(&current.id)).await.map_err(store_error)?;
            let valid = validate_council(&input, &others).map_err(explain)?;
            store.save_council(&ctx, Some(&current.id), &valid).await.map_err(store_error)?;
            println!("Changed {} ({}).", valid.name, valid.la_code);
        }
        CouncilsCommand::CloseDay { council, date, reason } => {
            let current = council_by_code(store, council).await?;
            let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
                .map_err(|_| format!("--date: '{date}' is not a date in the form YYYY-MM-DD"))?;
            if reason.trim().is_empty() {
                return Err("--reason: enter the reason for the closure".into());
            }
            store.add_closure_day(&ctx, &current.id, day, reason.trim()).await.map_err(store_error)?;
            println!("{} is closed on {day}.", current.name);
        }
    }
    Ok(())
}

pub async fn clusters(store: &Store, command: &ClustersCommand) -> Result<(), String> {
    match command {
        ClustersCommand::List => {
            for c in store.list_clusters(&Scope::Organisation).await.map_err(store_error)? {
                println!("{}\t{}", c.name, c.areas.join(" "));
            }
        }
        ClustersCommand::Add { name, councils, areas } => {
            let input = ClusterInput {
                name: name.clone(),
                areas: areas.clone(),
                council_ids: council_ids(store, councils).await?,
            };
            let names: Vec<String> =
                store.cluster_coverage().await.map_err(store_error)?.into_iter().map(|(_, n)| n).collect();
            let valid = validate_cluster(&input, &store.council_coverage().await.map_err(store_error)?, &names)
                .map_err(explain)?;
            store.save_cluster(&cli_ctx(), None, &valid).await.map_err(store_error)?;
            println!("Added the {} cluster.", valid.name);
        }
    }
    Ok(())
}

pub async fn teams(store: &Store, command: &TeamsCommand) -> Result<(), String> {
    match command {
        TeamsCommand::List => {
            for t in store.list_teams(&Scope::Organisation).await.map_err(store_error)? {
                println!("{}\t{}", t.name, t.service);
            }
        }
        TeamsCommand::Add { name, service, cluster, councils } => {
            let clusters = store.cluster_coverage().await.map_err(store_error)?;
            let cluster_id = match cluster {
                Some(n) => Some(
                    clusters
                        .iter()
                        .find(|(_, name)| name.eq_ignore_ascii_case(n.trim()))
                        .map(|(c, _)| c.id.clone())
                        .ok_or_else(|| format!("--cluster: there is no cluster called {n}"))?,
                ),
                None => None,
            };
            let input = TeamInput {
                name: name.clone(),
                service: service.clone(),
                cluster_id,
                council_ids: council_ids(store, councils).await?,
            };
            let plain: Vec<_> = clusters.into_iter().map(|(c, _)| c).collect();
            let valid = validate_team(&input, &store.council_coverage().await.map_err(store_error)?, &plain)
                .map_err(explain)?;
            store.save_team(&cli_ctx(), None, &valid).await.map_err(store_error)?;
            println!("Added the {} team.", valid.name);
        }
    }
    Ok(())
}
