//! The statutory returns built from the records: the CIN census and the SSDA903 of a council for
//! a collection year, read in a few queries and put together by the domain.

use crate::addresses::AddressRow;
use crate::children::ChildRow;
use crate::{Store, StoreError};
use canopy_domain::cases::care::{care_history, CareHistory};
use canopy_domain::cases::{worker_episodes, Event, Journey, RuleContext, WorkerEpisode};
use canopy_domain::returns::cin::{self, CinReturn};
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
        let sw_ids: HashMap<String, String> = self
            .staff()
            .await?
            .into_iter()
            .filter_map(|s| Some((s.user_id?, s.swe_number?.as_str().to_string())))
            .collect();
        let adopters: HashMap<String, (String, String)> =
            self.adopters().await?.into_iter().map(|a| (a.id, (a.sexes, a.legal_status))).collect();
        struct Looked {
            child: ChildRow,
            care: CareHistory,
            needs: Vec<(NaiveDate, Option<NaiveDate>, &'static str)>,
            homes: Vec<AddressRow>,
            workers: Vec<WorkerEpisode>,
        }
        let mut looked_after = Vec::new();
        for h in self.case_histories_in_council(council_id).await? {
            if h.care.is_empty() {
                continue;
            }
            let Some(child) = children.get(&h.child_id).cloned() else { continue };
            let care = care_history(&h.care).map_err(|e| {
                StoreError::Corrupt(format!("the care of child {} no longer reads: {e}", child.local_id))
            })?;
            let journey = Journey::replay(&h.events, &context).map_err(|e| {
                StoreError::Corrupt(format!("the journey of child {} no longer replays: {e}", child.local_id))
            })?;
            let needs = journey
                .episodes
                .iter()
                .filter_map(|e| Some((e.referral_date, e.closed.map(|c| c.0), e.primary_need?.code())))
                .collect();
            let homes = self.addresses(&child.id).await?;
            looked_after.push(Looked { child, care, needs, homes, workers: worker_episodes(&h.allocations) });
        }
        looked_after.sort_by(|a, b| a.child.local_id.cmp(&b.child.local_id));
        let home_lookups: Vec<Box<dyn Fn(NaiveDate) -> Option<String> + '_>> = looked_after
            .iter()
            .map(|l| {
                Box::new(move |day: NaiveDate| {
                    l.homes
                        .iter()
                        .find(|a| a.moved_in <= day && a.moved_out.is_none_or(|out| out >= day))
                        .map(|a| a.postcode.clone())
                        .or_else(|| l.child.postcode.clone())
                }) as Box<dyn Fn(NaiveDate) -> Option<String>>
            })
            .collect();
        let worker_id = |user: &str| sw_ids.get(user).cloned();
        let adopters_of = |id: &str| adopters.get(id).cloned();
        let rows = looked_after.iter().zip(&home_lookups).map(|(l, home_on)| CareChild {
            local_id: &l.child.local_id,
            sex: &l.child.sex,
            birth_date: l.child.date_of_birth,
            ethnicity: &l.child.ethnicity,
            upn: l.child.upn.as_deref(),
            upn_unknown: l.child.upn_unknown.as_deref(),
            care: &l.care,
            needs: &l.needs,
            home_on: home_on.as_ref(),
            workers: &l.workers,
            worker_id: &worker_id,
            adopters: &adopters_of,
        });
        Ok(return_903(year, rows))
    }
}
