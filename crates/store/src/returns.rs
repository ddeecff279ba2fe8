//! The statutory returns built from the records: the CIN census and the SSDA903 of a council for
//! a collection year, read in a few queries and put together by the domain.

use crate::addresses::AddressRow;
use crate::children::{CaseHistories, ChildRow};
use crate::{Engine, Store, StoreError};
use canopy_domain::cases::care::{care_history, CareEntry, CareHistory};
use canopy_domain::cases::{worker_episodes, Event, Journey, RuleContext, WorkerEpisode};
use canopy_domain::on_cores::map_on_cores;
use canopy_domain::returns::cin::{self, CinReturn};
use canopy_domain::returns::quality::{ssda903_problems, Problem};
use canopy_domain::returns::ssda903::{return_903, CareChild, Ssda903Return};
use canopy_domain::returns::CollectionYear;
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// The CIN census of a council (whose DfE LA code is `la_code`) for a collection year.
    pub async fn cin_return(
        &self,
        council_id: &str,
        la_code: &str,
        year: CollectionYear,
        written_at: &str,
    ) -> Result<CinReturn, StoreError> {
        let calendar = self.council_calendar(council_id).await?;
        let rules = self.clock_rules(council_id).await?;
        let records = self.census_records(council_id).await?;
        let children: Vec<cin::CensusChild> = records.iter().map(CensusRecord::census_child).collect();
        cin::census(la_code, year, written_at, &children, &RuleContext { calendar: &calendar, rules: &rules })
            .map_err(StoreError::Corrupt)
    }

    /// What the census needs of every child of a council, with their journey. A row costs far
    /// more through the driver than its bytes do, so the database gives each part of the council
    /// as one text: two lines a child, their details as a JSON object and their journey as a JSON
    /// array. The parts are read at once on connections of their own, and the lines on all the
    /// cores.
    async fn census_records(&self, council_id: &str) -> Result<Vec<CensusRecord>, StoreError> {
        let object = match self.engine() {
            Engine::Sqlite => "json_object",
            Engine::Postgres => "json_build_object",
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut reads = tokio::task::JoinSet::new();
        for part in id_parts(cores) {
            let sql = format!(
                "SELECT string_agg(CAST({object}('id', c.id, 'local_id', c.local_id, 'upn', c.upn, \
                 'former_upn', c.former_upn, 'upn_unknown', c.upn_unknown, 'birth_date', c.date_of_birth, \
                 'expected_birth_date', c.expected_date_of_birth, 'sex', c.sex, 'death_date', c.date_of_death, \
                 'ethnicity', c.ethnicity, 'disabilities', c.disabilities) AS TEXT) \
                 || CAST($2 AS TEXT) || coalesce((SELECT '[' || string_agg(h.payload, ',' ORDER BY h.seq) || ']' \
                 FROM child_history h WHERE h.child_id = c.id AND h.kind = 'journey'), '[]'), CAST($2 AS TEXT)) \
                 FROM children c WHERE c.council_id = $1 AND c.merged_into IS NULL AND {part}"
            );
            let (store, council_id) = (self.clone(), council_id.to_string());
            reads.spawn(async move {
                let text: Option<String> =
                    sqlx::query(&sql).bind(&council_id).bind("\n").fetch_one(store.pool()).await?.try_get(0)?;
                Ok::<_, StoreError>(text.unwrap_or_default())
            });
        }
        let mut texts = Vec::new();
        while let Some(read) = reads.join_next().await {
            texts.push(read.map_err(|e| StoreError::Corrupt(format!("reading the census: {e}")))??);
        }
        let lines: Vec<&str> = texts.iter().flat_map(|text| text.lines()).collect();
        let pairs: Vec<&[&str]> = lines.chunks(2).collect();
        let mut records = map_on_cores(&pairs, |pair| match pair {
            [details, journey] => {
                let mut record: CensusRecord = serde_json::from_str(details)
                    .map_err(|e| StoreError::Corrupt(format!("a child's details for the census: {e}")))?;
                record.events = serde_json::from_str(journey)
                    .map_err(|e| StoreError::Corrupt(format!("the journey of child {}: {e}", record.local_id)))?;
                Ok(record)
            }
            _ => Err(StoreError::Corrupt("a child's details for the census came without their journey".into())),
        })
        .into_iter()
        .collect::<Result<Vec<_>, StoreError>>()?;
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(records)
    }

    /// The SSDA903 of a council for a collection year.
    pub async fn ssda903_return(&self, council_id: &str, year: CollectionYear) -> Result<Ssda903Return, StoreError> {
        let calendar = self.council_calendar(council_id).await?;
        let rules = self.clock_rules(council_id).await?;
        let context = RuleContext { calendar: &calendar, rules: &rules };
        // Only children ever looked after are read, each part in one query, all at once.
        let (children, histories, mut homes, lookups) = tokio::try_join!(
            self.children_ever_in_care(council_id),
            self.case_histories_of_children_ever_in_care(council_id),
            self.addresses_of_children_ever_in_care(council_id),
            self.care_lookups()
        )?;
        let children: HashMap<String, ChildRow> = children.into_iter().map(|c| (c.id.clone(), c)).collect();
        let mut looked_after = Vec::new();
        for h in histories {
            let Some(child) = children.get(&h.child_id).cloned() else { continue };
            let homes = homes.remove(&child.id).unwrap_or_default();
            looked_after.extend(LookedAfter::of(child, &h, homes, &context)?);
        }
        looked_after.sort_by(|a, b| a.child.local_id.cmp(&b.child.local_id));
        let worker_id = |user: &str| lookups.sw_ids.get(user).cloned();
        let adopters_of = |id: &str| lookups.adopters.get(id).cloned();
        let homes: Vec<_> = looked_after.iter().map(|l| move |day| l.home_on(day)).collect();
        let rows = looked_after.iter().zip(&homes).map(|(l, home_on)| l.care_child(home_on, &worker_id, &adopters_of));
        Ok(return_903(year, rows))
    }

    /// What the SSDA903 rules find in one child's care today, for each open return: nothing for
    /// a child never looked after. Only the child's addresses, social workers and adopters are
    /// read besides `history`.
    pub async fn ssda903_problems_of(
        &self,
        child: &ChildRow,
        history: &CaseHistories,
        context: &RuleContext<'_>,
        local_authority: Option<&str>,
        today: NaiveDate,
    ) -> Result<Vec<Problem>, StoreError> {
        if history.care.is_empty() {
            return Ok(vec![]);
        }
        // Only this child's homes, social workers and adopters are read, never the whole
        // workforce, and the three reads go at once.
        let episodes = worker_episodes(&history.allocations);
        let mut workers: Vec<&str> = episodes.iter().map(|w| w.worker.as_str()).collect();
        workers.sort();
        workers.dedup();
        let adopters = async {
            let mut found = HashMap::new();
            for entry in &history.care {
                if let CareEntry::MatchedWithAdopters { adopters, .. } = entry {
                    let a = self.adopter(adopters).await?;
                    found.insert(a.id, (a.sexes, a.legal_status));
                }
            }
            Ok::<_, StoreError>(found)
        };
        let (homes, sw_ids, adopters) =
            tokio::try_join!(self.addresses(&child.id), self.swe_numbers_of(&workers), adopters)?;
        let Some(looked) = LookedAfter::of(child.clone(), history, homes, context)? else { return Ok(vec![]) };
        let lookups = CareLookups { sw_ids, adopters };
        let worker_id = |user: &str| lookups.sw_ids.get(user).cloned();
        let adopters_of = |id: &str| lookups.adopters.get(id).cloned();
        let home_on = |day| looked.home_on(day);
        let care_child = looked.care_child(&home_on, &worker_id, &adopters_of);
        Ok(ssda903_problems(&care_child, local_authority, today))
    }

    /// The social workers' SW_IDs and the adopters' details, by their record's id.
    async fn care_lookups(&self) -> Result<CareLookups, StoreError> {
        Ok(CareLookups {
            sw_ids: self
                .staff()
                .await?
                .into_iter()
                .filter_map(|s| Some((s.user_id?, s.swe_number?.as_str().to_string())))
                .collect(),
            adopters: self.adopters().await?.into_iter().map(|a| (a.id, (a.sexes, a.legal_status))).collect(),
        })
    }
}

/// SQL conditions that split a table's rows into `n` parts (at most 16) by the last character of
/// their id, a hex digit of a UUID's random bits; the last part takes any other character too.
fn id_parts(n: usize) -> Vec<String> {
    const HEX: &[u8] = b"0123456789abcdef";
    let n = n.clamp(1, HEX.len());
    let last = "substr(c.id, length(c.id), 1)";
    let chars = |from: usize, to: usize| -> String {
        let quoted: Vec<String> = HEX[from..to].iter().map(|c| format!("'{}'", *c as char)).collect();
        quoted.join(", ")
    };
    let mut parts: Vec<String> =
        (0..n - 1).map(|i| format!("{last} IN ({})", chars(i * HEX.len() / n, (i + 1) * HEX.len() / n))).collect();
    parts.push(match n {
        1 => "1 = 1".to_string(),
        _ => format!("{last} NOT IN ({})", chars(0, (n - 1) * HEX.len() / n)),
    });
    parts
}

/// What the CIN census needs of a child's record.
#[derive(serde::Deserialize)]
struct CensusRecord {
    id: String,
    local_id: String,
    upn: Option<String>,
    former_upn: Option<String>,
    upn_unknown: Option<String>,
    birth_date: Option<NaiveDate>,
    expected_birth_date: Option<NaiveDate>,
    sex: String,
    death_date: Option<NaiveDate>,
    ethnicity: String,
    #[serde(deserialize_with = "codes_in_a_line")]
    disabilities: Vec<String>,
    #[serde(skip)]
    events: Vec<Event>,
}

/// Codes kept in one text column, separated by spaces.
fn codes_in_a_line<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let line: String = serde::Deserialize::deserialize(d)?;
    Ok(line.split_whitespace().map(str::to_string).collect())
}

impl CensusRecord {
    fn census_child(&self) -> cin::CensusChild<'_> {
        cin::CensusChild {
            local_id: &self.local_id,
            upn: self.upn.as_deref(),
            former_upn: self.former_upn.as_deref(),
            upn_unknown: self.upn_unknown.as_deref(),
            birth_date: self.birth_date,
            expected_birth_date: self.expected_birth_date,
            sex: &self.sex,
            death_date: self.death_date,
            ethnicity: &self.ethnicity,
            disabilities: &self.disabilities,
            events: &self.events,
        }
    }
}

struct CareLookups {
    sw_ids: HashMap<String, String>,
    adopters: HashMap<String, (String, String)>,
}

/// What the 903 needs of a looked-after child, read from their record.
struct LookedAfter {
    child: ChildRow,
    care: CareHistory,
    needs: Vec<(NaiveDate, Option<NaiveDate>, &'static str)>,
    homes: Vec<AddressRow>,
    workers: Vec<WorkerEpisode>,
}

impl LookedAfter {
    /// The child's care, needs and workers, or `None` for a child never looked after.
    fn of(
        child: ChildRow,
        h: &CaseHistories,
        homes: Vec<AddressRow>,
        context: &RuleContext,
    ) -> Result<Option<Self>, StoreError> {
        if h.care.is_empty() {
            return Ok(None);
        }
        let care = care_history(&h.care)
            .map_err(|e| StoreError::Corrupt(format!("the care of child {} no longer reads: {e}", child.local_id)))?;
        let journey = Journey::replay(&h.events, context).map_err(|e| {
            StoreError::Corrupt(format!("the journey of child {} no longer replays: {e}", child.local_id))
        })?;
        let needs = journey
            .episodes
            .iter()
            .filter_map(|e| Some((e.referral_date, e.closed.map(|c| c.0), e.primary_need?.code())))
            .collect();
        Ok(Some(LookedAfter { child, care, needs, homes, workers: worker_episodes(&h.allocations) }))
    }

    /// The child's home postcode on a day.
    fn home_on(&self, day: NaiveDate) -> Option<String> {
        self.homes
            .iter()
            .find(|a| a.moved_in <= day && a.moved_out.is_none_or(|out| out >= day))
            .map(|a| a.postcode.clone())
            .or_else(|| self.child.postcode.clone())
    }

    fn care_child<'a>(
        &'a self,
        home_on: &'a dyn Fn(NaiveDate) -> Option<String>,
        worker_id: &'a dyn Fn(&str) -> Option<String>,
        adopters: &'a dyn Fn(&str) -> Option<(String, String)>,
    ) -> CareChild<'a> {
        CareChild {
            local_id: &self.child.local_id,
            sex: &self.child.sex,
            birth_date: self.child.date_of_birth,
            ethnicity: &self.child.ethnicity,
            upn: self.child.upn.as_deref(),
            upn_unknown: self.child.upn_unknown.as_deref(),
            care: &self.care,
            needs: &self.needs,
            home_on,
            workers: &self.workers,
            worker_id,
            adopters,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::id_parts;

    #[test]
    fn the_id_parts_take_every_last_character_once() {
        for n in 1..=20 {
            let parts = id_parts(n);
            assert_eq!(parts.len(), n.clamp(1, 16));
            for c in "0123456789abcdefx".chars() {
                let takes = |part: &String| match part.split_once(" IN (") {
                    _ if part == "1 = 1" => true,
                    Some((head, list)) => list.contains(&format!("'{c}'")) != head.ends_with(" NOT"),
                    None => false,
                };
                assert_eq!(parts.iter().filter(|p| takes(p)).count(), 1, "{c} with {n} parts: {parts:?}");
            }
        }
    }
}
