//! The statutory returns built from the records: the CIN census and the SSDA903 of a council for
//! a collection year, read in a few queries and put together by the domain.

use crate::addresses::AddressRow;
use crate::children::{CaseHistories, ChildRow};
use crate::{Store, StoreError};
use canopy_domain::cases::care::{care_history, CareEntry, CareHistory};
use canopy_domain::cases::{worker_episodes, Event, Journey, RuleContext, WorkerEpisode};
use canopy_domain::returns::cin::{self, CinReturn};
use canopy_domain::returns::quality::{ssda903_problems, Problem};
use canopy_domain::returns::ssda903::{return_903, CareChild, Ssda903Return};
use canopy_domain::returns::CollectionYear;
use chrono::NaiveDate;
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
        let children = self.children_in_council(council_id).await?;
        let mut histories: HashMap<String, Vec<Event>> =
            self.case_histories_in_council(council_id).await?.into_iter().map(|h| (h.child_id, h.events)).collect();
        let events: Vec<Vec<Event>> = children.iter().map(|c| histories.remove(&c.id).unwrap_or_default()).collect();
        let census_children = children.iter().zip(&events).map(|(c, events)| c.census_child(events));
        cin::census(la_code, year, written_at, census_children, &RuleContext { calendar: &calendar, rules: &rules })
            .map_err(StoreError::Corrupt)
    }

    /// The SSDA903 of a council for a collection year.
    pub async fn ssda903_return(&self, council_id: &str, year: CollectionYear) -> Result<Ssda903Return, StoreError> {
        let calendar = self.council_calendar(council_id).await?;
        let rules = self.clock_rules(council_id).await?;
        let context = RuleContext { calendar: &calendar, rules: &rules };
        let children: HashMap<String, ChildRow> =
            self.children_in_council(council_id).await?.into_iter().map(|c| (c.id.clone(), c)).collect();
        let lookups = self.care_lookups().await?;
        let mut looked_after = Vec::new();
        for h in self.case_histories_in_council(council_id).await? {
            let Some(child) = children.get(&h.child_id).cloned() else { continue };
            let homes = if h.care.is_empty() { vec![] } else { self.addresses(&child.id).await? };
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
        let homes = self.addresses(&child.id).await?;
        let Some(looked) = LookedAfter::of(child.clone(), history, homes, context)? else { return Ok(vec![]) };
        // Only this child's social workers and adopters are read, never the whole workforce.
        let mut lookups = CareLookups { sw_ids: HashMap::new(), adopters: HashMap::new() };
        for w in &looked.workers {
            if lookups.sw_ids.contains_key(&w.worker) {
                continue;
            }
            if let Some(number) = self.staff_of_user(&w.worker).await?.and_then(|s| s.swe_number) {
                lookups.sw_ids.insert(w.worker.clone(), number.as_str().to_string());
            }
        }
        for entry in &history.care {
            if let CareEntry::MatchedWithAdopters { adopters, .. } = entry {
                let a = self.adopter(adopters).await?;
                lookups.adopters.insert(a.id, (a.sexes, a.legal_status));
            }
        }
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
