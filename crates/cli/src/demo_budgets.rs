//! A year of devolved budget spending for the demo: a budget for each cluster in each council it
//! serves, for last year (closed at year end) and this year; each council's limits; and spends
//! by children's allocated workers, made through the same store calls as the pages. Most are
//! small and approved at once; some go over the limit and wait for the team manager; a few are
//! declined, paid by invoice later, or refunded.

use canopy_domain::budgets::{FinancialYear, LimitRule, LimitSubject, PaymentMethod, Pence, SpendChange, SpendLimit};
use canopy_store::budgets::{BudgetFilter, NewBudget, NewSpend};
use canopy_store::children::ChildRow;
use canopy_store::{AuditContext, Scope, Store, StoreError};
use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc, Weekday};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashMap};

/// What people buy, by kind: (kind, what for, who from, smallest and largest in pounds).
const PURCHASES: &[(&str, &str, &str, u32, u32)] = &[
    ("activities", "Cinema trip to build the relationship", "Odeon", 8, 25),
    ("activities", "Trip to the park cafe during a visit", "Park cafe", 5, 15),
    ("activities", "Swimming session with the child", "Leisure centre", 6, 20),
    ("activities", "Bowling with the young person", "Hollywood Bowl", 12, 35),
    ("food", "Emergency food shop for the family", "Tesco", 20, 80),
    ("food", "Lunch during a long visit", "Greggs", 5, 12),
    ("travel", "Bus fares to contact", "Oyster top-up", 10, 40),
    ("travel", "Train fare to a family group conference", "South Western Railway", 15, 60),
    ("clothing", "School uniform for the new term", "School uniform shop", 40, 160),
    ("clothing", "Winter coat and shoes", "Marks and Spencer", 45, 140),
    ("household", "Bedding and a cot mattress", "Argos", 40, 180),
    ("household", "Cooker repair", "Local repair service", 80, 240),
    ("other", "Passport photos for identity documents", "Post Office", 8, 20),
];

/// Bigger needs, which go over a practitioner's limit.
const LARGE: &[(&str, &str, &str, u32, u32)] = &[
    ("household", "Washing machine for the family", "Currys", 260, 420),
    ("household", "Beds for the children after a move", "Argos", 280, 520),
    ("accommodation", "Two nights' emergency accommodation", "Premier Inn", 250, 420),
    ("clothing", "Clothes for three children arriving with nothing", "Next", 260, 380),
];

enum Later {
    Decide { spend: String, by: String, approve: bool },
    Pay { spend: String, by: String },
    Refund { spend: String, by: String },
}

fn at(date: NaiveDate, minutes: u32) -> i64 {
    let time = date.and_hms_opt(8, 0, 0).unwrap_or_default() + chrono::Duration::minutes(i64::from(minutes));
    Utc.from_utc_datetime(&time).timestamp_millis()
}

fn ctx_at(actor: &str, at_ms: i64) -> AuditContext {
    AuditContext { actor_id: actor.to_string(), source: "demo".into(), at_ms }
}

fn date_of(ms: i64) -> NaiveDate {
    Utc.timestamp_millis_opt(ms).single().map(|t| t.date_naive()).unwrap_or_default()
}

/// Adds the demo's budgets and a year of spending unless there are budgets already; returns how
/// many spends the demo has.
pub async fn ensure(store: &Store, today: NaiveDate) -> Result<usize, String> {
    let err = |e: StoreError| e.to_string();
    let existing = store.budgets(&BudgetFilter::in_scope(Scope::Organisation)).await.map_err(err)?;
    if !existing.is_empty() {
        let all = store.spends(&canopy_store::budgets::SpendFilter::in_scope(Scope::Organisation)).await;
        return Ok(all.map_err(err)?.len());
    }
    let users = store.list_users().await.map_err(err)?;
    let roles: HashMap<String, String> =
        store.list_roles().await.map_err(err)?.into_iter().map(|r| (r.id, r.key)).collect();
    let has_role =
        |u: &canopy_store::users::UserRow, key: &str| u.role_ids.iter().any(|r| roles.get(r).is_some_and(|k| k == key));
    let finance = users
        .iter()
        .find(|u| has_role(u, "finance_officer"))
        .map(|u| u.id.clone())
        .ok_or("the demo has no finance officer")?;
    let manager_of: HashMap<String, String> = users
        .iter()
        .filter(|u| has_role(u, "team_manager"))
        .filter_map(|u| u.team_ids.first().map(|t| (t.clone(), u.id.clone())))
        .collect();
    let team_of: HashMap<String, String> =
        users.iter().filter_map(|u| u.team_ids.first().map(|t| (u.id.clone(), t.clone()))).collect();
    let councils = store.list_councils(&Scope::Organisation).await.map_err(err)?;
    let clusters = store.list_clusters(&Scope::Organisation).await.map_err(err)?;
    let teams = store.list_teams(&Scope::Organisation).await.map_err(err)?;
    let this_year = FinancialYear::of(today);
    let last_year = FinancialYear(this_year.0 - 1);
    let mut rng = StdRng::seed_from_u64(2014);

    // Limits: practitioners £250 a spend and £1,000 a month; managers and heads of service more;
    // each council's early help teams a little less, and one senior practitioner more.
    for council in &councils {
        let ctx = ctx_at(&finance, at(last_year.starts(), 0));
        let rule = |subject, per_spend: i64, per_month: i64| LimitRule {
            subject,
            limit: SpendLimit { per_spend: Pence(per_spend * 100), per_month: Pence(per_month * 100) },
        };
        let mut rules = vec![
            rule(LimitSubject::Role("practitioner".into()), 250, 1000),
            rule(LimitSubject::Role("team_manager".into()), 500, 2000),
            rule(LimitSubject::Role("head_of_service".into()), 1000, 5000),
        ];
        if let Some(team) = teams.iter().find(|t| t.council_ids.contains(&council.id) && t.name.ends_with("early help"))
        {
            rules.push(rule(LimitSubject::Team(team.id.clone()), 150, 600));
        }
        for r in rules {
            store.set_limit(&ctx, &council.id, &r).await.map_err(err)?;
        }
    }
    if let Some(senior) = users.iter().find(|u| u.email == "practitioner@canopy.example") {
        for council in &councils {
            let rule = LimitRule {
                subject: LimitSubject::Person(senior.id.clone()),
                limit: SpendLimit { per_spend: Pence(30_000), per_month: Pence(120_000) },
            };
            store.set_limit(&ctx_at(&finance, at(last_year.starts(), 1)), &council.id, &rule).await.map_err(err)?;
        }
    }

    // Children with a worker, and the cluster of their team.
    let mut children: Vec<(ChildRow, String)> = Vec::new();
    for cluster in &clusters {
        let ids: Vec<String> =
            teams.iter().filter(|t| t.cluster_id.as_ref() == Some(&cluster.id)).map(|t| t.id.clone()).collect();
        for child in store.children_held(None, &ids, false).await.map_err(err)? {
            if child.allocated_to.is_some() {
                children.push((child, cluster.id.clone()));
            }
        }
    }
    if children.is_empty() {
        return Ok(0);
    }

    // A budget for each cluster in each council it serves, for each year.
    let mut budgets: HashMap<(String, String, FinancialYear), String> = HashMap::new();
    for year in [last_year, this_year] {
        for cluster in &clusters {
            for council_id in &cluster.council_ids {
                let council = councils.iter().find(|c| &c.id == council_id).ok_or("unknown council")?;
                let short = council.name.split(" upon").next().unwrap_or(&council.name).replace(" and Maidenhead", "");
                let budget = NewBudget {
                    council_id: council_id.clone(),
                    cluster_id: Some(cluster.id.clone()),
                    team_id: None,
                    name: format!("{} cluster, {short}, direct help to families", cluster.name),
                    year,
                    // About £32 a child a year, so budgets are well used but rarely run dry.
                    allocation: Some(Pence((served(&children, &cluster.id, council_id) * 3_200).max(500_000))),
                };
                let id = store
                    .create_budget(&ctx_at(&finance, at(year.starts(), 2)), &budget, year.starts())
                    .await
                    .map_err(err)?;
                budgets.insert((cluster.id.clone(), council_id.clone(), year), id);
            }
        }
    }

    let start = today.checked_sub_days(Days::new(365)).unwrap_or(today).max(last_year.starts());
    let mut later: BTreeMap<(i64, u64), Later> = BTreeMap::new();
    let mut seq = 0u64;
    let mut closed_last_year = start >= this_year.starts();
    let mut made = 0usize;
    let mut day = start;
    while day <= today {
        // Finish what was due before this day: decisions, payments and refunds.
        let cutoff = at(day, 0);
        while let Some(entry) = later.first_entry() {
            if entry.key().0 >= cutoff {
                break;
            }
            let ((when, n), task) = entry.remove_entry();
            if let Some((next, task)) = run_later(store, task, when).await? {
                later.insert((next, n), task);
            }
        }
        if !closed_last_year && day >= this_year.starts() {
            close_year(store, &finance, &budgets, last_year, &mut later).await?;
            closed_last_year = true;
        }
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            let Some(next) = day.succ_opt() else { break };
            day = next;
            continue;
        }
        for _ in 0..rng.gen_range(2..7) {
            let (child, cluster) = &children[rng.gen_range(0..children.len())];
            let Some(worker) = &child.allocated_to else { continue };
            let year = FinancialYear::of(day);
            let Some(budget) = budgets.get(&(cluster.clone(), child.council_id.clone(), year)) else { continue };
            let large = rng.gen_ratio(1, 12);
            let (category, purpose, supplier, low, high) =
                if large { LARGE[rng.gen_range(0..LARGE.len())] } else { PURCHASES[rng.gen_range(0..PURCHASES.len())] };
            let method = if large && rng.gen_ratio(1, 3) {
                PaymentMethod::Invoice
            } else if category == "food" && rng.gen_ratio(1, 3) {
                PaymentMethod::Voucher
            } else if rng.gen_ratio(1, 10) {
                PaymentMethod::Cash
            } else {
                PaymentMethod::PurchaseCard
            };
            let spend = NewSpend {
                budget_id: budget.clone(),
                child_id: child.id.clone(),
                for_family: category == "food" || category == "household" || category == "accommodation",
                amount: Pence(i64::from(rng.gen_range(low * 100..=high * 100) / 50 * 50)),
                category_code: category.into(),
                purpose: purpose.into(),
                supplier: supplier.into(),
                method,
                spent_on: day,
                receipt_document_id: None,
            };
            let asked = at(day, rng.gen_range(30..540));
            let outcome = match store.record_spend(&ctx_at(worker, asked), &spend, day).await {
                Ok(o) => o,
                // The budget has run low: the worker could not spend, which is the point.
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.to_string()),
            };
            made += 1;
            seq += 1;
            let manager =
                team_of.get(worker).and_then(|t| manager_of.get(t)).cloned().unwrap_or_else(|| finance.clone());
            match outcome.status {
                canopy_domain::budgets::SpendStatus::AwaitingApproval => {
                    let wait = rng.gen_range(20..(60 * 26)) * 60_000;
                    let approve = !rng.gen_ratio(1, 8);
                    later.insert((asked + wait, seq), Later::Decide { spend: outcome.id, by: manager, approve });
                }
                canopy_domain::budgets::SpendStatus::Committed => {
                    let wait = i64::from(rng.gen_range(3..20)) * 86_400_000;
                    later.insert((asked + wait, seq), Later::Pay { spend: outcome.id, by: finance.clone() });
                }
                _ if rng.gen_ratio(1, 50) => {
                    let wait = i64::from(rng.gen_range(1..10)) * 86_400_000;
                    later.insert((asked + wait, seq), Later::Refund { spend: outcome.id, by: manager });
                }
                _ => {}
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    made += waiting_for_the_demo_manager(store, &users, &budgets, &children, today).await?;
    Ok(made)
}

/// How many of the children with a worker a cluster serves in a council.
fn served(children: &[(ChildRow, String)], cluster_id: &str, council_id: &str) -> i64 {
    children.iter().filter(|(c, k)| k == cluster_id && c.council_id == council_id).count() as i64
}

/// Does a task that fell due; returns the task that follows from it, if any (an approved
/// invoice is paid a week later).
async fn run_later(store: &Store, task: Later, when: i64) -> Result<Option<(i64, Later)>, String> {
    let on = date_of(when);
    let mut follow = None;
    let done = match task {
        Later::Decide { spend, by, approve } => {
            let note =
                if approve { "Agreed: the family needs this now" } else { "Declined: ask the family's school first" };
            let decided = store.decide_spend(&ctx_at(&by, when), &spend, approve, note, on).await;
            if let Ok(canopy_domain::budgets::SpendStatus::Committed) = decided {
                follow = Some((when + 7 * 86_400_000, Later::Pay { spend, by }));
            }
            decided.map(|_| ())
        }
        Later::Pay { spend, by } => {
            store.settle_spend(&ctx_at(&by, when), &spend, SpendChange::Pay, "Invoice paid", on).await.map(|_| ())
        }
        Later::Refund { spend, by } => store
            .settle_spend(&ctx_at(&by, when), &spend, SpendChange::Refund, "Item returned to the shop", on)
            .await
            .map(|_| ()),
    };
    match done {
        // The budget ran low before the manager decided: the demo moves on.
        Ok(()) | Err(StoreError::Conflict { .. }) => Ok(follow),
        Err(e) => Err(e.to_string()),
    }
}

/// At year end: whatever is still waiting or committed is settled, then each of last year's
/// budgets closes. One carries what is left forward, as finance agreed; the rest return theirs.
async fn close_year(
    store: &Store,
    finance: &str,
    budgets: &HashMap<(String, String, FinancialYear), String>,
    year: FinancialYear,
    later: &mut BTreeMap<(i64, u64), Later>,
) -> Result<(), String> {
    let closing = at(year.ends(), 600);
    let waiting: Vec<(i64, Later)> = std::mem::take(later).into_iter().map(|((when, _), task)| (when, task)).collect();
    for (when, task) in waiting {
        if let Some((_, task)) = run_later(store, task, when.min(closing)).await? {
            run_later(store, task, closing).await?;
        }
    }
    let mut keys: Vec<&(String, String, FinancialYear)> = budgets.keys().filter(|k| k.2 == year).collect();
    keys.sort();
    for (i, key) in keys.into_iter().enumerate() {
        let id = &budgets[key];
        let next = budgets.get(&(key.0.clone(), key.1.clone(), year.next()));
        let carry = if i == 0 { next.map(String::as_str) } else { None };
        store.close_budget(&ctx_at(finance, closing), id, carry, year.ends()).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Two spends by the demo practitioner, over their limit today, so the demo team manager has
/// something to decide when they sign in.
async fn waiting_for_the_demo_manager(
    store: &Store,
    users: &[canopy_store::users::UserRow],
    budgets: &HashMap<(String, String, FinancialYear), String>,
    children: &[(ChildRow, String)],
    today: NaiveDate,
) -> Result<usize, String> {
    let Some(worker) = users.iter().find(|u| u.email == "practitioner@canopy.example") else { return Ok(0) };
    let theirs = children.iter().filter(|(c, _)| c.allocated_to.as_ref() == Some(&worker.id)).take(2);
    let mut made = 0;
    for (i, (child, cluster)) in theirs.enumerate() {
        let Some(budget) = budgets.get(&(cluster.clone(), child.council_id.clone(), FinancialYear::of(today))) else {
            continue;
        };
        let (category, purpose, supplier, _, _) = LARGE[i % LARGE.len()];
        let spend = NewSpend {
            budget_id: budget.clone(),
            child_id: child.id.clone(),
            for_family: true,
            amount: Pence(38_000 + 1_250 * i as i64),
            category_code: category.into(),
            purpose: purpose.into(),
            supplier: supplier.into(),
            method: PaymentMethod::PurchaseCard,
            spent_on: today,
            receipt_document_id: None,
        };
        match store.record_spend(&ctx_at(&worker.id, at(today, 60)), &spend, today).await {
            Ok(_) => made += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_domain::budgets::SpendStatus;
    use canopy_store::budgets::SpendFilter;

    #[tokio::test]
    async fn the_demo_has_a_year_of_spending_with_a_closed_year_and_a_balanced_ledger() {
        let (db, today) = crate::demo_children::demo_for_tests(600).await;
        let store = &db.store;
        let made = ensure(store, today).await.expect("budgets");
        assert!(made > 100, "a year of spends, not {made}");
        let budgets = store.budgets(&BudgetFilter::in_scope(Scope::Organisation)).await.expect("budgets");
        assert_eq!(budgets.len(), 10, "five cluster budgets in each of two years");
        assert!(budgets.iter().filter(|b| b.year == FinancialYear(2025)).all(|b| !b.open && b.available.0 == 0));
        assert!(budgets.iter().filter(|b| b.year == FinancialYear(2026)).all(|b| b.open && b.available.0 >= 0));
        let spends = store.spends(&SpendFilter::in_scope(Scope::Organisation)).await.expect("spends");
        let count = |status: SpendStatus| spends.iter().filter(|s| s.status == status).count();
        assert!(spends.iter().filter(|s| s.at_once).count() * 10 > spends.len() * 7, "most are approved at once");
        assert!(count(SpendStatus::Declined) > 0 && count(SpendStatus::Refunded) > 0);
        assert!(spends.iter().any(|s| !s.at_once && s.status == SpendStatus::Paid), "some were over the limit");
        let waiting: Vec<_> = spends.iter().filter(|s| s.status == SpendStatus::AwaitingApproval).collect();
        assert!(!waiting.is_empty(), "the demo manager has something to decide");
        assert!(store.check_ledger().await.expect("check").is_ok());
        assert_eq!(ensure(store, today).await.expect("again"), spends.len(), "the demo is reused, not duplicated");
        db.cleanup().await;
    }
}
