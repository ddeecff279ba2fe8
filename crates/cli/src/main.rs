//! `canopy`: set-up, serving, the demo and administration from the command line.

mod bench;
mod bench_returns;
mod demo;
mod demo_budgets;
mod demo_care;
mod demo_children;
mod demo_early_help;
mod demo_postcodes;
mod demo_workforce;
mod export;
mod import;
mod org;
#[cfg(test)]
mod sector_validators;
mod validate;

use canopy_domain::access::BUILTIN_ROLES;
use canopy_domain::calendar::Clock;
use canopy_store::users::UserDetails;
use canopy_store::{AuditContext, Store};
use canopy_web::clock::SystemClock;
use canopy_web::{AppState, PasswordHasher, Settings};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "canopy",
    version,
    about = "Canopy: the operating platform for children's services delivered across councils"
)]
struct Cli {
    /// Where the embedded database and uploads live.
    #[arg(long, env = "CANOPY_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// A PostgreSQL URL (postgres://…); without one, the embedded SQLite database in the data
    /// directory is used.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// A config file of `key = value` lines: data_dir, database_url, addr, assets_dir.
    #[arg(long, env = "CANOPY_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server against the configured database.
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Create (or reuse) the demo organisation in the embedded database and serve it.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// Only create the demo data; do not serve it.
        #[arg(long)]
        no_serve: bool,
        /// How many synthetic children the demo holds (made once, when the demo is first built).
        #[arg(long, default_value_t = 3000)]
        children: usize,
    },
    /// Build the demo scaled to many children in a throwaway database and print speed figures.
    Bench {
        /// How many children the scaled demo holds.
        #[arg(long, default_value_t = 100_000)]
        children: usize,
        /// How many child records to time.
        #[arg(long, default_value_t = 500)]
        samples: usize,
        /// Keep the database here (reused next time) instead of a temporary directory.
        #[arg(long)]
        keep_in: Option<PathBuf>,
        /// What to time: child records and work trays, looked-after children, the workforce
        /// measures, devolved budget spends, or all of them.
        #[arg(long, value_enum, default_value_t = bench::Part::All)]
        only: bench::Part,
        /// How many practitioners spend at the same time in the spends benchmark.
        #[arg(long, default_value_t = 50)]
        users: usize,
        /// How many spends each of them makes, one after another.
        #[arg(long, default_value_t = 20)]
        spends_each: usize,
        /// How long each practitioner pauses between spends on average, in milliseconds (a random
        /// pause from none to twice this). 0 sends the next spend the moment the last is approved,
        /// which measures the most the server can take rather than what people do.
        #[arg(long, default_value_t = 1000)]
        think_ms: u64,
        /// How many children of the largest council are looked after in the care benchmark.
        #[arg(long, default_value_t = 5000)]
        looked_after: usize,
        /// How many children the returns benchmark scales the largest council's census to.
        #[arg(long, default_value_t = 50_000)]
        returns_children: usize,
    },
    /// Create the first organisation admin, if there are no users yet, and print a one-time password.
    Bootstrap {
        /// The admin's email address.
        #[arg(long, default_value = "admin@canopy.example")]
        email: String,
        /// The organisation's name.
        #[arg(long, default_value = "Canopy children's services")]
        organisation: String,
    },
    /// Add, change and list councils, and their closure days.
    Councils {
        #[command(subcommand)]
        command: org::CouncilsCommand,
    },
    /// Add and list geographic clusters.
    Clusters {
        #[command(subcommand)]
        command: org::ClustersCommand,
    },
    /// Add and list teams.
    Teams {
        #[command(subcommand)]
        command: org::TeamsCommand,
    },
    /// Manage user accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Work with the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Work with the devolved budgets' ledger.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Write a statutory return from Canopy's records.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Bring a council's records from its old system into Canopy.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Check a statutory return file against the DfE's rules: Canopy's own exports, or a file
    /// from a council's old system. Prints every error and query by rule, child and field, and
    /// exits with status 1 when there are errors.
    Validate {
        #[command(subcommand)]
        command: ValidateCommand,
    },
    /// Live data quality: check every child of a council against the DfE's rules once, as
    /// when a council is brought on board (a save re-checks only its own child).
    DataQuality {
        #[command(subcommand)]
        command: DataQualityCommand,
    },
    /// Work with the gazetteer of postcode district centres, from which placement distances
    /// are worked out.
    Postcodes {
        #[command(subcommand)]
        command: PostcodesCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// A CIN census XML file (UTF-8 or Windows-1252). Children already in Canopy, by their local
    /// id then their UPN, are matched and left as they are, so running it again changes nothing.
    /// The census carries no names: new children are named "Not known" until their names are
    /// added. Each child is checked by the journey's rules; one that fails is reported with its
    /// line and reason, and the rest are imported, in batches of 500 in one transaction each.
    Cin {
        file: PathBuf,
        #[command(flatten)]
        into: ImportTarget,
    },
    /// Children from any CSV (UTF-8 or Windows-1252), read through a mapping of its columns to
    /// Canopy's fields (start from `canopy import csv-template`). Each row is checked as the child
    /// form checks it; a row that fails is reported with its line, field and reason. Children
    /// already in Canopy (by local id, UPN, NHS number, then name and date of birth) are matched
    /// and left as they are. Batches of 500 children, one transaction each.
    Csv {
        file: PathBuf,
        /// The mapping: a CSV of field,column,values.
        #[arg(long)]
        mapping: PathBuf,
        #[command(flatten)]
        into: ImportTarget,
    },
    /// Write a mapping to start from (mapping.csv, every field under its own name) and an empty
    /// file with those columns (children.csv) into the directory `--out`.
    CsvTemplate {
        #[arg(long)]
        out: PathBuf,
    },
    /// A directory of SSDA903 CSV files (UTF-8 or Windows-1252), each table known by its header
    /// row. Children already in Canopy (by local id, then UPN) are matched and left as they are.
    /// Each child's header and care (episodes, reviews, missing periods, decisions to place for
    /// adoption, UASC status) are checked by the rules a save is checked by; a child that fails is
    /// reported with its table, row and reason. Social worker episodes become changes of worker,
    /// found on the staff by their Social Work England number. The year's outcomes (OC2, OC3)
    /// carry no dates: they are recorded on the year's last day in care and on the care leaver's
    /// birthday, so that year's return gives them back; a care leaver with no episode in the files
    /// comes in as one whose care ended before the record began. An AD1 row's adopters become a
    /// household of the adoption service (names not known), matched with the child on DATE_MATCH; without
    /// one, a placement for adoption comes in without its match, to be recorded later. Rows of
    /// PrevPerm and DoLo, outcome and AD1 rows that break a care rule, and social worker episodes
    /// of workers not on the staff, are reported as not imported. A value that cannot be read (a
    /// date not dd/mm/yyyy) refuses the child, with its row. Files larger than --part-mb are
    /// spilled by child into temporary parts, one held at a time. Batches of 500 children, one
    /// transaction each.
    Ssda903 {
        dir: PathBuf,
        /// How many megabytes of the files are held in memory at once (a part takes about 12
        /// times that of memory): larger files are first spilled by child into temporary parts
        /// of about this size.
        #[arg(long, default_value_t = import::PART_MB, value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
        part_mb: u64,
        /// The collection year the files are the return of (2026 is 1 April 2025 to 31 March
        /// 2026); by default, the first whose 31 March is on or after every date in the files.
        #[arg(long)]
        year: Option<i32>,
        #[command(flatten)]
        into: ImportTarget,
    },
}

#[derive(Subcommand)]
enum DataQualityCommand {
    /// Check every child of a council and record what is found.
    Check {
        /// The council's three-digit DfE LA code, such as 314.
        #[arg(long)]
        council: String,
    },
}

#[derive(Subcommand)]
enum ValidateCommand {
    /// A CIN census XML file.
    Cin {
        file: PathBuf,
        /// The collection year's rules to use (2026 is the year ending 31 March 2026); by
        /// default, the year of the header's reference date.
        #[arg(long)]
        year: Option<i32>,
        /// Also write the report as CSV: rule, severity, child, where, fields, message.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// A directory of SSDA903 CSV files, each table known by its header row. Rules that need
    /// last year's return, Ofsted's provider lists, the postcode directory or the council's ONS
    /// code run when they are given.
    Ssda903 {
        dir: PathBuf,
        /// The collection year: 2026 is 1 April 2025 to 31 March 2026.
        #[arg(long)]
        year: i32,
        /// The council's ONS code, such as E09000021, for the rules about where children are placed.
        #[arg(long)]
        la: Option<String>,
        /// A directory of the council's 903 files for the year before.
        #[arg(long)]
        last_year: Option<PathBuf>,
        /// One of Ofsted's provider lists (children's homes, or social care providers) saved as
        /// CSV; give it once for each list.
        #[arg(long)]
        providers: Vec<PathBuf>,
        /// The ONS postcode directory (ONSPD or NSPL) as CSV, with pcd, laua, oseast1m and
        /// osnrth1m, for the placement's local authority and distance.
        #[arg(long)]
        postcodes: Option<PathBuf>,
        /// Also write the report as CSV: rule, severity, child, where, fields, message.
        #[arg(long)]
        report: Option<PathBuf>,
    },
}

/// Which council an import is into, whether it only reports, and where the report goes.
#[derive(clap::Args)]
struct ImportTarget {
    /// The council's three-digit DfE LA code, such as 314.
    #[arg(long)]
    council: String,
    /// Report what would happen, and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the rejected children (and any rows not imported) as CSV: line, child, reason.
    #[arg(long)]
    report: Option<PathBuf>,
}

/// Which council's return, for which collection year, and where to write it.
#[derive(clap::Args)]
struct ReturnTarget {
    /// The council's three-digit DfE LA code, such as 314.
    #[arg(long)]
    council: String,
    /// The year the collection ends: 2026 is 1 April 2025 to 31 March 2026.
    #[arg(long)]
    year: i32,
    /// Where to write the return.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The SSDA903 of one council for a collection year (1 April to 31 March): every table, as
    /// CSV files with the DfE's header rows and dd/mm/yyyy dates, in the directory `--out` (made
    /// if need be).
    Ssda903(ReturnTarget),
    /// The CIN census of one council for a collection year (1 April to 31 March): every child
    /// with a child in need episode open at some point in the year, as the DfE's XML, written to
    /// the file `--out`.
    Cin(ReturnTarget),
    /// The Children's Social Work Workforce census of one council at 30 September of a year:
    /// every social worker in post on the day or who left in the year before, and the council's
    /// vacancies and agency figures, as the DfE's XML.
    Csww {
        /// The council's three-digit DfE LA code, such as 314.
        #[arg(long)]
        council: String,
        /// The census year (the reference date is 30 September of it).
        #[arg(long)]
        year: i32,
        /// Where to write the XML.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum PostcodesCommand {
    /// Load district centres from a CSV with the header district,latitude,longitude (such as
    /// the ONS postcode directory averaged by district). Existing districts are replaced; a
    /// file with any bad line loads nothing, and every bad line is named.
    Load { file: PathBuf },
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "CANOPY_ADDR")]
    addr: Option<String>,
    /// The compiled assets (made by `npm run build`).
    #[arg(long, env = "CANOPY_ASSETS_DIR")]
    assets_dir: Option<PathBuf>,
    /// Set when Canopy is served over TLS (directly or behind a TLS proxy): cookies become
    /// `__Host-` prefixed and Secure.
    #[arg(long, env = "CANOPY_TLS")]
    tls: bool,
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Add a user and print their one-time password.
    Add {
        #[arg(long)]
        email: String,
        /// Their full name.
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        job_title: String,
        /// A role key (repeat for more): practitioner, team_manager, org_admin, …
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// List users.
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole audit chain and name the first bad row.
    Verify,
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Check that every posting balances and no budget is below zero.
    Check,
}

/// Reads `key = value` lines (quotes optional, `#` comments).
fn read_config(path: &PathBuf) -> Result<std::collections::HashMap<String, String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
    let mut out = std::collections::HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!("{} line {}: expected key = value", path.display(), n + 1));
        };
        let key = k.trim();
        if !["data_dir", "database_url", "addr", "assets_dir"].contains(&key) {
            return Err(format!("{} line {}: unknown setting '{key}'", path.display(), n + 1));
        }
        out.insert(key.to_string(), v.trim().trim_matches('"').to_string());
    }
    Ok(out)
}

struct Resolved {
    data_dir: PathBuf,
    database_url: Option<String>,
    addr: String,
    assets_dir: PathBuf,
}

fn resolve(cli: &Cli, serve: Option<&ServeArgs>, default_dir: &str) -> Result<Resolved, String> {
    let file = match &cli.config {
        Some(p) => read_config(p)?,
        None => Default::default(),
    };
    Ok(Resolved {
        data_dir: cli
            .data_dir
            .clone()
            .or_else(|| file.get("data_dir").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(default_dir)),
        database_url: cli.database_url.clone().filter(|u| !u.is_empty()).or_else(|| file.get("database_url").cloned()),
        addr: serve
            .and_then(|s| s.addr.clone())
            .or_else(|| file.get("addr").cloned())
            .unwrap_or_else(|| "127.0.0.1:8080".into()),
        assets_dir: serve
            .and_then(|s| s.assets_dir.clone())
            .or_else(|| file.get("assets_dir").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("assets/dist")),
    })
}

async fn open(r: &Resolved) -> Result<Store, String> {
    let store = match &r.database_url {
        Some(url) => Store::open(url).await,
        None => Store::open_embedded(&r.data_dir).await,
    }
    .map_err(|e| format!("cannot open the database: {e}"))?;
    store.ensure_reference_data(&cli_ctx()).await.map_err(|e| e.to_string())?;
    Ok(store)
}

pub(crate) fn cli_ctx() -> AuditContext {
    AuditContext { actor_id: String::new(), source: "cli".into(), at_ms: SystemClock.now().timestamp_millis() }
}

async fn serve(store: Store, r: &Resolved, args: &ServeArgs) -> Result<(), String> {
    if !r.assets_dir.join("canopy.css").exists() {
        eprintln!(
            "warning: {} has no canopy.css; run `npm ci && npm run build` for the styles",
            r.assets_dir.display()
        );
    }
    let hasher = PasswordHasher::new()?;
    let settings = Settings {
        tls: args.tls,
        assets_dir: r.assets_dir.clone(),
        documents_dir: r.data_dir.join("documents"),
        ..Settings::default()
    };
    let state = AppState::new(store, Arc::new(SystemClock), settings, hasher);
    let listener =
        tokio::net::TcpListener::bind(&r.addr).await.map_err(|e| format!("cannot listen on {}: {e}", r.addr))?;
    println!("Canopy is serving on http://{}", r.addr);
    canopy_web::serve(state, listener).await.map_err(|e| e.to_string())
}

async fn add_user(
    store: &Store,
    email: &str,
    name: &str,
    job_title: &str,
    role_keys: &[String],
) -> Result<String, String> {
    let roles = store.list_roles().await.map_err(|e| e.to_string())?;
    let mut role_ids = Vec::new();
    for key in role_keys {
        match roles.iter().find(|r| &r.key == key) {
            Some(r) => role_ids.push(r.id.clone()),
            None => {
                let known: Vec<&str> = BUILTIN_ROLES.iter().map(|r| r.key).collect();
                return Err(format!("unknown role '{key}'; roles include {}", known.join(", ")));
            }
        }
    }
    let password = canopy_web::temporary_password();
    let hash = canopy_web::hash_password(&password)?;
    let details = UserDetails {
        email: email.to_string(),
        display_name: name.to_string(),
        job_title: job_title.to_string(),
        role_ids,
        ..UserDetails::default()
    };
    store.create_user(&cli_ctx(), &details, &hash, true).await.map_err(|e| e.to_string())?;
    Ok(password)
}

async fn run(cli: Cli) -> Result<(), String> {
    match &cli.command {
        Command::Serve(args) => {
            let r = resolve(&cli, Some(args), "data")?;
            let store = open(&r).await?;
            serve(store, &r, args).await
        }
        Command::Migrate => {
            let r = resolve(&cli, None, "data")?;
            open(&r).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Demo { serve: args, no_serve, children } => {
            let mut r = resolve(&cli, Some(args), "data/demo")?;
            // The demo always uses the embedded database, never a configured server.
            r.database_url = None;
            let store = open(&r).await?;
            let logins = demo::ensure(&store).await?;
            let count = demo_children::ensure(&store, *children, SystemClock.today()).await?;
            let looked_after = demo_care::ensure(&store, SystemClock.today()).await?;
            let early_help = demo_early_help::ensure(&store, SystemClock.today()).await?;
            let staff = demo_workforce::ensure(&store, SystemClock.today()).await?;
            let spends = demo_budgets::ensure(&store, SystemClock.today()).await?;
            // The records are checked against the DfE's rules as of today, as a save would.
            let now = SystemClock.now();
            for council in store.list_councils(&canopy_store::Scope::Organisation).await.map_err(|e| e.to_string())? {
                store
                    .check_council_quality(&council.id, now.date_naive(), now.timestamp_millis())
                    .await
                    .map_err(|e| e.to_string())?;
            }
            println!(
                "The demo has {count} children ({looked_after} of them looked after now or before, {early_help} with early help), {staff} staff records with five years of history, and {spends} devolved budget spends."
            );
            println!("The demo organisation is in {}.", r.data_dir.display());
            println!("Sign in at http://{} with password '{}' as:", r.addr, demo::DEMO_PASSWORD);
            for (who, email) in logins {
                println!("  {who:<20} {email}");
            }
            if *no_serve {
                return Ok(());
            }
            serve(store, &r, args).await
        }
        Command::Bench {
            children,
            samples,
            keep_in,
            only,
            users,
            spends_each,
            think_ms,
            looked_after,
            returns_children,
        } => {
            let dir = keep_in
                .clone()
                .unwrap_or_else(|| std::env::temp_dir().join(format!("canopy-bench-{}", std::process::id())));
            // With a database URL the bench uses that (empty or already benched) database instead.
            let store = match &cli.database_url {
                Some(url) => Store::open(url).await,
                None => Store::open_embedded(&dir).await,
            }
            .map_err(|e| e.to_string())?;
            println!("bench on {:?}", store.engine());
            store.ensure_reference_data(&cli_ctx()).await.map_err(|e| e.to_string())?;
            let plan = bench::Plan {
                children: *children,
                samples: *samples,
                part: *only,
                users: *users,
                spends_each: *spends_each,
                think_ms: *think_ms,
                looked_after: *looked_after,
                returns_children: *returns_children,
            };
            let result = bench::run(store.clone(), &plan).await;
            store.close().await;
            if keep_in.is_none() && cli.database_url.is_none() {
                let _ = std::fs::remove_dir_all(&dir);
            }
            result
        }
        Command::Bootstrap { email, organisation } => {
            let r = resolve(&cli, None, "data")?;
            let store = open(&r).await?;
            if store.count_users().await.map_err(|e| e.to_string())? > 0 {
                return Err("there are users already; bootstrap only creates the first admin".into());
            }
            if store.organisation_name().await.map_err(|e| e.to_string())?.is_none() {
                store.set_organisation_name(&cli_ctx(), organisation).await.map_err(|e| e.to_string())?;
            }
            let password =
                add_user(&store, email, "Organisation admin", "Organisation admin", &["org_admin".into()]).await?;
            println!("Created {email} with the one-time password: {password}");
            println!("Sign in and choose a new password.");
            Ok(())
        }
        Command::Councils { command } => org::councils(&open(&resolve(&cli, None, "data")?).await?, command).await,
        Command::Clusters { command } => org::clusters(&open(&resolve(&cli, None, "data")?).await?, command).await,
        Command::Teams { command } => org::teams(&open(&resolve(&cli, None, "data")?).await?, command).await,
        Command::Users { command } => {
            let r = resolve(&cli, None, "data")?;
            let store = open(&r).await?;
            match command {
                UsersCommand::Add { email, name, job_title, roles } => {
                    let password = add_user(&store, email, name, job_title, roles).await?;
                    println!("Created {email} with the one-time password: {password}");
                    Ok(())
                }
                UsersCommand::List => {
                    for u in store.list_users().await.map_err(|e| e.to_string())? {
                        println!("{}\t{}\t{}", u.email, u.display_name, if u.disabled { "disabled" } else { "active" });
                    }
                    Ok(())
                }
            }
        }
        Command::Ledger { command: LedgerCommand::Check } => {
            let r = resolve(&cli, None, "data")?;
            let store = open(&r).await?;
            match store.check_ledger().await.map_err(|e| e.to_string())? {
                Ok(n) => {
                    println!("The ledger checks: {n} postings, each balanced, and no budget below zero.");
                    Ok(())
                }
                Err(problem) => Err(format!("the ledger is wrong: {problem}")),
            }
        }
        Command::Export { command: ExportCommand::Cin(ReturnTarget { council, year, out }) } => {
            let r = resolve(&cli, None, "data")?;
            let store = open(&r).await?;
            let written_at = SystemClock.now().format("%Y-%m-%dT%H:%M:%S").to_string();
            let census = export::cin(&store, council, *year, &written_at).await?;
            let file = std::fs::File::create(out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            canopy_interop::cin_xml::write_cin(&census, std::io::BufWriter::new(file))
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            println!(
                "Wrote the {year} CIN census of council {council}, {} children, to {}.",
                census.children.len(),
                out.display()
            );
            Ok(())
        }
        Command::Import { command } => {
            let (source, into) = match command {
                ImportCommand::Cin { file, into } | ImportCommand::Csv { file, into, .. } => (file, into),
                ImportCommand::Ssda903 { dir, into, .. } => (dir, into),
                ImportCommand::CsvTemplate { out } => return write_csv_template(out),
            };
            let r = resolve(&cli, None, "data")?;
            let store = open(&r).await?;
            let today = SystemClock.today();
            let (council, dry_run, report) = (&into.council, &into.dry_run, &into.report);
            let summary = match command {
                ImportCommand::Cin { file, .. } => {
                    import::cin(&store, council, file, *dry_run, today, import::progress).await?
                }
                ImportCommand::Ssda903 { dir, year, part_mb, .. } => {
                    let year = year.map(canopy_domain::returns::CollectionYear::new).transpose()?;
                    let part_bytes = part_mb << 20;
                    import::ssda903(&store, council, dir, year, *dry_run, today, part_bytes, import::progress).await?
                }
                ImportCommand::Csv { file, mapping, .. } => {
                    let text = std::fs::read_to_string(mapping)
                        .map_err(|e| format!("cannot read {}: {e}", mapping.display()))?;
                    let mapping = canopy_interop::mapped_csv::Mapping::parse(&text)
                        .map_err(|e| format!("{}: {e}", mapping.display()))?;
                    import::mapped(&store, council, file, &mapping, *dry_run, today, import::progress).await?
                }
                ImportCommand::CsvTemplate { .. } => return Ok(()),
            };
            eprintln!();
            print!("{}", summary.describe(source, *dry_run));
            if let Some(path) = report {
                std::fs::write(path, summary.report_csv())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                println!("Wrote the rejected children to {}.", path.display());
            }
            Ok(())
        }
        Command::DataQuality { command: DataQualityCommand::Check { council } } => {
            let r = resolve(&cli, None, "data")?;
            let store = open(&r).await?;
            let found = export::council_by_la_code(&store, council).await?;
            let now = SystemClock.now();
            let checked = store
                .check_council_quality(&found.id, now.date_naive(), now.timestamp_millis())
                .await
                .map_err(|e| e.to_string())?;
            let by_rule = store
                .data_quality_by_rule(
                    &found.id,
                    canopy_domain::returns::quality::open_years(now.date_naive()).last().map_or(0, |y| y.0),
                )
                .await
                .map_err(|e| e.to_string())?;
            let (errors, queries) = by_rule.iter().fold((0, 0), |(e, q), r| {
                if r.severity == "Error" {
                    (e + r.findings, q)
                } else {
                    (e, q + r.findings)
                }
            });
            println!(
                "Checked {checked} children of council {council}: {errors} open errors and {queries} open queries."
            );
            Ok(())
        }
        Command::Validate { command: ValidateCommand::Cin { file, year, report } } => {
            let checked = validate::cin_file(file, *year)?;
            let errors = checked.count(canopy_domain::returns::Severity::Error) + checked.unreadable().len();
            validated(file, &checked.summary(), &checked.report_csv(), report.as_deref(), errors)
        }
        Command::Validate {
            command: ValidateCommand::Ssda903 { dir, year, la, last_year, providers, postcodes, report },
        } => {
            let inputs = validate::Ssda903Inputs {
                local_authority: la.clone(),
                last_year: last_year.clone(),
                providers: providers.clone(),
                postcodes: postcodes.clone(),
            };
            let checked = validate::ssda903_dir(dir, *year, &inputs)?;
            let errors = checked.count(canopy_domain::returns::Severity::Error) + checked.unreadable.len();
            validated(dir, &checked.summary(), &checked.report_csv(), report.as_deref(), errors)
        }
        Command::Export { command: ExportCommand::Ssda903(ReturnTarget { council, year, out }) } => {
            let r = resolve(&cli, None, "data")?;
            let store = open(&r).await?;
            let census = export::ssda903(&store, council, *year).await?;
            canopy_interop::ssda903_csv::write_903(&census, out)
                .map_err(|e| format!("cannot write to {}: {e}", out.display()))?;
            println!(
                "Wrote the {year} SSDA903 of council {council}, {} children and {} episodes, to {}.",
                census.header.len(),
                census.episodes.len(),
                out.display()
            );
            Ok(())
        }
        Command::Export { command: ExportCommand::Csww { council, year, out } } => {
            let r = resolve(&cli, None, "data")?;
            let store = open(&r).await?;
            let written_at = SystemClock.now().format("%Y-%m-%dT%H:%M:%S").to_string();
            let xml = export::csww(&store, council, *year, &written_at).await?;
            std::fs::write(out, &xml).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            println!("Wrote the {year} workforce census of council {council} to {}.", out.display());
            Ok(())
        }
        Command::Postcodes { command: PostcodesCommand::Load { file } } => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let centres = canopy_domain::org::parse_gazetteer(&text).map_err(|problems| {
                let lines: Vec<String> =
                    problems.iter().map(|(n, p)| format!("{} line {n}: {p}", file.display())).collect();
                format!("nothing was loaded:\n{}", lines.join("\n"))
            })?;
            let r = resolve(&cli, None, "data")?;
            let store = open(&r).await?;
            let n = store.load_district_centres(&cli_ctx(), &centres).await.map_err(|e| e.to_string())?;
            println!("Loaded {n} postcode district centres.");
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let r = resolve(&cli, None, "data")?;
            let store = open(&r).await?;
            match store.verify_audit_chain().await.map_err(|e| e.to_string())? {
                Ok(n) => {
                    println!("The audit chain verifies: {n} rows.");
                    Ok(())
                }
                Err(b) => Err(format!("the audit chain is broken at row {}: {}", b.seq, b.reason)),
            }
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("canopy: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a validation's summary, writes its report if asked, and fails when it found errors.
fn validated(what: &Path, summary: &str, report_csv: &str, report: Option<&Path>, errors: usize) -> Result<(), String> {
    print!("{summary}");
    if let Some(path) = report {
        std::fs::write(path, report_csv).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("Wrote the report to {}.", path.display());
    }
    match errors {
        0 => Ok(()),
        n => Err(format!("{} has {n} errors", what.display())),
    }
}

/// Writes the mapped CSV import's template: mapping.csv and an empty children.csv.
fn write_csv_template(out: &Path) -> Result<(), String> {
    use canopy_interop::mapped_csv::{Mapping, FIELDS};
    std::fs::create_dir_all(out).map_err(|e| format!("cannot make {}: {e}", out.display()))?;
    let children = canopy_interop::report::csv_row(FIELDS.iter().map(|(f, _)| *f));
    for (name, text) in [("mapping.csv", Mapping::template()), ("children.csv", children)] {
        std::fs::write(out.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    println!("Wrote mapping.csv and children.csv to {}. The fields are:", out.display());
    for (field, what) in FIELDS {
        println!("  {field:<24} {what}");
    }
    Ok(())
}
