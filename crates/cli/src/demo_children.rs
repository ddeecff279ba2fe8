//! The demo's children: thousands of synthetic children across the three councils, at every
//! stage of the journey, with dates relative to today so that work trays have items that are
//! due, due soon and overdue. Every journey is replayed through the domain before it is stored,
//! so the demo can only hold what the rules allow.

use crate::cli_ctx;
use canopy_domain::calendar::{add_months, WorkingCalendar};
use canopy_domain::cases::{
    running_clocks, AbuseCategory, AssessmentFactor, AssessmentOutcome, ClockRules, ClosureReason, ContactDecision,
    Event, Journey, PrimaryNeed, ReferralSource, RuleContext,
};
use canopy_domain::org::{place_postcode, CouncilCoverage, Postcode, PostcodeArea};
use canopy_domain::people::{Ethnicity, NhsNumber, Sex, Upn, UpnUnknown, ValidChild};
use canopy_store::children::{ChildWithHistory, Placement};
use canopy_store::{Scope, Store};
use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

/// The primary need a referral shows, before any assessment; chosen from the episode's id, so
/// the demo's other choices stay as they were.
fn need_of(episode: &str) -> PrimaryNeed {
    const NEEDS: [PrimaryNeed; 6] = [
        PrimaryNeed::AbuseOrNeglect,
        PrimaryNeed::AbuseOrNeglect,
        PrimaryNeed::AbuseOrNeglect,
        PrimaryNeed::AcuteStress,
        PrimaryNeed::Dysfunction,
        PrimaryNeed::Disability,
    ];
    NEEDS[episode.bytes().map(usize::from).sum::<usize>() % NEEDS.len()]
}

const FIRST: [&str; 48] = [
    "Oliver", "Amelia", "Noah", "Isla", "Muhammad", "Ava", "Leo", "Mia", "Arthur", "Ivy", "Oscar", "Freya", "Harry",
    "Lily", "Jack", "Sophia", "Theo", "Grace", "Finley", "Aisha", "Zain", "Maya", "Kai", "Ruby", "Ethan", "Zara",
    "Yusuf", "Evie", "Reuben", "Hana", "Tyler", "Chloe", "Jayden", "Poppy", "Ali", "Sienna", "Kofi", "Amara", "Dylan",
    "Layla", "Mason", "Fatima", "Alfie", "Esme", "Ibrahim", "Willow", "Ronan", "Nia",
];
const LAST: [&str; 48] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan", "Ahmed",
    "Hussain", "Ali", "Okafor", "Mensah", "Nowak", "Kowalski", "Murphy", "O'Connor", "Kelly", "Byrne", "Singh", "Kaur",
    "Begum", "Rahman", "Chen", "Wang", "Nguyen", "Silva", "Santos", "Popescu", "Ionescu", "Marsh", "Hughes", "Lewis",
    "Price",
];

#[derive(Clone, Copy)]
enum Stage {
    FrontDoor,
    ContactClosed,
    Assessing,
    AssessedNoAction,
    ChildInNeed,
    Enquiry,
    Protection,
    ReturningChildInNeed,
}

struct Maker<'a> {
    rng: StdRng,
    today: NaiveDate,
    calendar: &'a WorkingCalendar,
    next: u64,
}

impl Maker<'_> {
    fn id(&mut self) -> String {
        self.next += 1;
        format!("demo-{}", self.next)
    }

    /// The working day `n` working days before today.
    fn back(&self, n: u32) -> NaiveDate {
        let mut d = self.today;
        let mut counted = 0;
        while counted < n {
            d = d.pred_opt().unwrap_or(d);
            if self.calendar.is_working_day(d) {
                counted += 1;
            }
        }
        d
    }

    fn back_within(&mut self, range: std::ops::Range<u32>) -> NaiveDate {
        let n = self.rng.gen_range(range);
        self.back(n)
    }

    fn after_within(&mut self, d: NaiveDate, range: std::ops::Range<u32>) -> NaiveDate {
        let n = self.rng.gen_range(range);
        self.after(d, n)
    }

    fn after(&self, d: NaiveDate, n: u32) -> NaiveDate {
        self.calendar.add_working_days(d, n).min(self.today)
    }

    fn source(&mut self) -> ReferralSource {
        *[
            ReferralSource::Police,
            ReferralSource::School,
            ReferralSource::Gp,
            ReferralSource::HealthVisitor,
            ReferralSource::FamilyMember,
            ReferralSource::Housing,
            ReferralSource::AccidentAndEmergency,
            ReferralSource::Anonymous,
        ]
        .choose(&mut self.rng)
        .unwrap_or(&ReferralSource::Police)
    }

    fn front_door(&mut self, events: &mut Vec<Event>, on: NaiveDate, decision: Option<ContactDecision>) {
        let contact = self.id();
        let source = self.source();
        let worry = [
            "Domestic abuse incident reported",
            "Child arrived at school hungry and unkempt",
            "Bruising noticed by the nursery",
            "Parent's mental health has worsened",
            "Child missing overnight",
            "Anonymous call about shouting and crying",
        ]
        .choose(&mut self.rng)
        .unwrap_or(&"Concern raised")
        .to_string();
        events.push(Event::ContactReceived { contact: contact.clone(), date: on, source, worry });
        if let Some(decision) = decision {
            events.push(Event::ContactDecided { contact, date: self.after(on, 1), decision });
        }
    }

    /// A referral with an authorised assessment; returns the episode and the authorisation date.
    fn assessed(
        &mut self,
        events: &mut Vec<Event>,
        referral: NaiveDate,
        outcome: AssessmentOutcome,
    ) -> (String, NaiveDate) {
        self.front_door(events, referral, Some(ContactDecision::Referral));
        let episode = self.id();
        let assessment = self.id();
        let on = self.after(referral, 1);
        events.push(Event::ReferralAccepted {
            episode: episode.clone(),
            date: on,
            source: self.source(),
            nfa: false,
            primary_need: Some(need_of(&episode)),
        });
        events.push(Event::AssessmentStarted { episode: episode.clone(), assessment: assessment.clone(), date: on });
        events.push(Event::ChildSeen { assessment: assessment.clone(), date: self.after(on, 2) });
        let done = self.after_within(on, 15..40);
        let factors = if outcome == AssessmentOutcome::NoFurtherAction {
            vec![AssessmentFactor::NoFactors]
        } else {
            let all = [
                AssessmentFactor::DomesticAbuseParent,
                AssessmentFactor::MentalHealthParent,
                AssessmentFactor::Neglect,
                AssessmentFactor::AlcoholParent,
                AssessmentFactor::EmotionalAbuse,
            ];
            all.choose_multiple(&mut self.rng, 2).copied().collect()
        };
        let need = if outcome == AssessmentOutcome::NoFurtherAction {
            PrimaryNeed::NotInNeed
        } else {
            PrimaryNeed::AbuseOrNeglect
        };
        events.push(Event::AssessmentCompleted {
            assessment: assessment.clone(),
            date: done,
            factors,
            primary_need: need,
            outcome,
        });
        let authorised = self.after(done, 1);
        events.push(Event::AssessmentAuthorised { assessment, date: authorised, overrun_reason: None });
        (episode, authorised)
    }

    fn visits(&mut self, events: &mut Vec<Event>, from: NaiveDate, every: u32) {
        let mut d = self.after_within(from, 2..every.max(3));
        // Some children's last visit is recent, some slipped: work trays show both.
        let stop = self.back_within(0..every + 6);
        while d < stop {
            events.push(Event::VisitRecorded {
                date: d,
                seen: true,
                seen_alone: self.rng.gen_bool(0.7),
                bedroom_seen: self.rng.gen_bool(0.5),
            });
            d = self.calendar.add_working_days(d, every - self.rng.gen_range(0..3));
        }
    }

    fn child_in_need(&mut self, events: &mut Vec<Event>, referral: NaiveDate) {
        let (episode, authorised) = self.assessed(events, referral, AssessmentOutcome::ChildInNeed);
        let plan = self.id();
        events.push(Event::ChildInNeedPlanStarted { episode, plan: plan.clone(), date: authorised });
        let mut review = add_months(authorised, 3);
        while review < self.today - chrono::Duration::days(self.rng.gen_range(0..30)) {
            events.push(Event::ChildInNeedPlanReviewed { plan: plan.clone(), date: review });
            review = add_months(review, 3);
        }
        self.visits(events, authorised, 20);
    }

    fn journey(&mut self, stage: Stage) -> Vec<Event> {
        let mut events = Vec::new();
        match stage {
            Stage::FrontDoor => {
                let on = self.back_within(0..3);
                self.front_door(&mut events, on, None);
            }
            Stage::ContactClosed => {
                let on = self.back_within(20..400);
                let decision = *[ContactDecision::NoFurtherAction, ContactDecision::Advice, ContactDecision::EarlyHelp]
                    .choose(&mut self.rng)
                    .unwrap_or(&ContactDecision::Advice);
                self.front_door(&mut events, on, Some(decision));
            }
            Stage::Assessing => {
                let referral = self.back_within(3..56);
                self.front_door(&mut events, referral, Some(ContactDecision::Referral));
                let episode = self.id();
                let assessment = self.id();
                let on = self.after(referral, 1);
                events.push(Event::ReferralAccepted {
                    episode: episode.clone(),
                    date: on,
                    source: self.source(),
                    nfa: false,
                    primary_need: Some(need_of(&episode)),
                });
                events.push(Event::AssessmentStarted { episode, assessment: assessment.clone(), date: on });
                if self.rng.gen_bool(0.8) {
                    events.push(Event::ChildSeen { assessment, date: self.after(on, 2) });
                }
            }
            Stage::AssessedNoAction => {
                let referral = self.back_within(60..500);
                let (episode, authorised) = self.assessed(&mut events, referral, AssessmentOutcome::NoFurtherAction);
                events.push(Event::EpisodeClosed { episode, date: authorised, reason: ClosureReason::NoFurtherAction });
            }
            Stage::ChildInNeed => {
                let referral = self.back_within(60..300);
                self.child_in_need(&mut events, referral);
            }
            Stage::Enquiry => {
                let referral = self.back_within(4..20);
                self.front_door(&mut events, referral, Some(ContactDecision::StrategyDiscussion));
                let episode = self.id();
                let on = self.after(referral, 1);
                events.push(Event::ReferralAccepted {
                    episode: episode.clone(),
                    date: on,
                    source: self.source(),
                    nfa: false,
                    primary_need: Some(need_of(&episode)),
                });
                events.push(Event::AssessmentStarted { episode: episode.clone(), assessment: self.id(), date: on });
                let strategy = self.id();
                events.push(Event::StrategyDiscussionHeld {
                    episode: episode.clone(),
                    strategy: strategy.clone(),
                    date: on,
                    section47_needed: true,
                    participants: "Social care, police, health".into(),
                });
                let s47 = self.id();
                events.push(Event::Section47Started { episode, section47: s47.clone(), strategy, date: on });
                if self.rng.gen_bool(0.5) {
                    events.push(Event::Section47Concluded {
                        section47: s47,
                        date: self.after(on, 3).min(self.today),
                        icpc_needed: true,
                    });
                }
            }
            Stage::Protection => {
                let referral = self.back_within(40..400);
                self.front_door(&mut events, referral, Some(ContactDecision::StrategyDiscussion));
                let episode = self.id();
                let on = self.after(referral, 1);
                events.push(Event::ReferralAccepted {
                    episode: episode.clone(),
                    date: on,
                    source: self.source(),
                    nfa: false,
                    primary_need: Some(need_of(&episode)),
                });
                let assessment = self.id();
                events.push(Event::AssessmentStarted {
                    episode: episode.clone(),
                    assessment: assessment.clone(),
                    date: on,
                });
                events.push(Event::ChildSeen { assessment: assessment.clone(), date: self.after(on, 1) });
                let strategy = self.id();
                events.push(Event::StrategyDiscussionHeld {
                    episode: episode.clone(),
                    strategy: strategy.clone(),
                    date: on,
                    section47_needed: true,
                    participants: "Social care, police, health".into(),
                });
                let s47 = self.id();
                events.push(Event::Section47Started {
                    episode: episode.clone(),
                    section47: s47.clone(),
                    strategy,
                    date: on,
                });
                events.push(Event::Section47Concluded {
                    section47: s47.clone(),
                    date: self.after(on, 6),
                    icpc_needed: true,
                });
                let conference = self.id();
                let icpc = self.after_within(on, 10..16);
                let category = *[
                    AbuseCategory::Neglect,
                    AbuseCategory::Emotional,
                    AbuseCategory::Physical,
                    AbuseCategory::Sexual,
                    AbuseCategory::Multiple,
                ]
                .choose(&mut self.rng)
                .unwrap_or(&AbuseCategory::Neglect);
                events.push(Event::InitialConferenceHeld {
                    episode,
                    conference: conference.clone(),
                    section47: s47,
                    date: icpc,
                    plan: Some(category),
                });
                events.push(Event::CoreGroupHeld { plan: conference.clone(), date: self.after(icpc, 8) });
                let done = self.after(on, 30);
                events.push(Event::AssessmentCompleted {
                    assessment: assessment.clone(),
                    date: done,
                    factors: vec![AssessmentFactor::Neglect, AssessmentFactor::DomesticAbuseParent],
                    primary_need: PrimaryNeed::AbuseOrNeglect,
                    outcome: AssessmentOutcome::Strategy,
                });
                events.push(Event::AssessmentAuthorised {
                    assessment,
                    date: self.after(done, 1),
                    overrun_reason: None,
                });
                let mut review = add_months(icpc, 3);
                while review < self.today {
                    events.push(Event::ReviewConferenceHeld {
                        plan: conference.clone(),
                        date: review,
                        category,
                        continue_plan: true,
                    });
                    review = add_months(review, 6);
                }
                self.visits(&mut events, icpc, 10);
            }
            Stage::ReturningChildInNeed => {
                let old = self.back_within(500..900);
                let (episode, authorised) = self.assessed(&mut events, old, AssessmentOutcome::ChildInNeed);
                let plan = self.id();
                events.push(Event::ChildInNeedPlanStarted {
                    episode: episode.clone(),
                    plan: plan.clone(),
                    date: authorised,
                });
                let end = add_months(authorised, 6);
                events.push(Event::ChildInNeedPlanEnded { plan, date: end });
                events.push(Event::EpisodeClosed { episode, date: end, reason: ClosureReason::ServicesCeased });
                let referral = self.back_within(60..200);
                self.child_in_need(&mut events, referral);
            }
        }
        events.sort_by_key(|e| e.date());
        events
    }
}

/// A young person's details for the demo: a name, an NHS number, a local id from `serial`.
pub(crate) fn young_person(rng: &mut StdRng, la_code: &str, serial: usize, date_of_birth: NaiveDate) -> ValidChild {
    ValidChild {
        first_name: FIRST[rng.gen_range(0..FIRST.len())].into(),
        last_name: LAST[rng.gen_range(0..LAST.len())].into(),
        date_of_birth: Some(date_of_birth),
        expected_date_of_birth: None,
        sex: if rng.gen_bool(0.5) { Sex::Male } else { Sex::Female },
        ethnicity: *Ethnicity::ALL[..17].choose(rng).unwrap_or(&Ethnicity::WhiteBritish),
        disabilities: vec![],
        nhs_number: nhs_number(rng),
        upn_unknown: None,
        upn: upn(rng, la_code),
        former_upn: None,
        local_id: format!("{la_code}L{serial:06}"),
        date_of_death: None,
    }
}

fn nhs_number(rng: &mut StdRng) -> Option<NhsNumber> {
    for _ in 0..20 {
        let body: String =
            (0..9)
                .map(|i| {
                    if i == 0 {
                        char::from(b'4' + rng.gen_range(0..5))
                    } else {
                        char::from(b'0' + rng.gen_range(0..10))
                    }
                })
                .collect();
        let sum: u32 = body.chars().filter_map(|c| c.to_digit(10)).zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            c => c,
        };
        if let Ok(n) = NhsNumber::parse(&format!("{body}{check}")) {
            return Some(n);
        }
    }
    None
}

fn upn(rng: &mut StdRng, la_code: &str) -> Option<Upn> {
    let body =
        format!("{la_code}{:04}{:02}{:03}", rng.gen_range(2000..7000), rng.gen_range(10..26), rng.gen_range(0..1000));
    Upn::check_letter(&body).and_then(|l| Upn::parse(&format!("{l}{body}")).ok())
}

/// Adds `count` demo children unless the database has children already; returns how many there are.
pub async fn ensure(store: &Store, count: usize, today: NaiveDate) -> Result<i64, String> {
    let err = |e: canopy_store::StoreError| e.to_string();
    let existing = store.count_children().await.map_err(err)?;
    if existing > 0 || count == 0 {
        return Ok(existing);
    }
    let councils: Vec<CouncilCoverage> = store.council_coverage().await.map_err(err)?;
    let la_codes: HashMap<String, String> =
        store.list_councils(&Scope::Organisation).await.map_err(err)?.into_iter().map(|c| (c.id, c.la_code)).collect();
    let clusters: Vec<(String, Vec<String>, Vec<PostcodeArea>)> = store
        .list_clusters(&Scope::Organisation)
        .await
        .map_err(err)?
        .into_iter()
        .map(|c| (c.id, c.council_ids, c.areas.iter().filter_map(|a| PostcodeArea::parse(a).ok()).collect()))
        .collect();
    let teams = store.list_teams(&Scope::Organisation).await.map_err(err)?;
    let users = store.list_users().await.map_err(err)?;
    let roles: HashMap<String, String> =
        store.list_roles().await.map_err(err)?.into_iter().map(|r| (r.id, r.key)).collect();
    let practitioners_of = |team_id: &str| -> Vec<String> {
        users
            .iter()
            .filter(|u| {
                u.team_ids.iter().any(|t| t == team_id)
                    && u.role_ids.iter().any(|r| roles.get(r).is_some_and(|k| k == "practitioner"))
            })
            .map(|u| u.id.clone())
            .collect()
    };
    let mut calendars = HashMap::new();
    let mut rules = HashMap::new();
    for c in &councils {
        calendars.insert(c.id.clone(), store.council_calendar(&c.id).await.map_err(err)?);
        rules.insert(c.id.clone(), store.clock_rules(&c.id).await.map_err(err)?);
    }
    let national = WorkingCalendar::england_and_wales();
    let mut maker = Maker { rng: StdRng::seed_from_u64(1989), today, calendar: &national, next: 0 };
    let stages = [
        (Stage::FrontDoor, 10),
        (Stage::ContactClosed, 10),
        (Stage::Assessing, 15),
        (Stage::AssessedNoAction, 8),
        (Stage::ChildInNeed, 20),
        (Stage::Enquiry, 6),
        (Stage::Protection, 21),
        (Stage::ReturningChildInNeed, 10),
    ];
    let total: u32 = stages.iter().map(|s| s.1).sum();
    let mut batch = Vec::new();
    let ctx = cli_ctx();
    for _ in 0..count {
        let council = &councils[maker.rng.gen_range(0..councils.len())];
        let district = &council.districts[maker.rng.gen_range(0..council.districts.len())];
        // Three draws, as the demo has always made for a postcode, so its other choices stay.
        let street = (0..2).map(|_| maker.rng.gen_range(0..20)).sum::<usize>() + maker.rng.gen_range(1..10);
        let real = crate::demo_postcodes::in_district(district.as_str(), street)
            .ok_or_else(|| format!("the demo has no postcodes for {district}"))?;
        let postcode = Postcode::parse(real).map_err(|e| e.to_string())?;
        let (_, cluster_id) = place_postcode(&postcode, &councils, &clusters);
        let mut pick = maker.rng.gen_range(0..total);
        let stage = stages
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map(|s| s.0)
            .unwrap_or(Stage::ChildInNeed);
        let events = maker.journey(stage);
        let calendar = &calendars[&council.id];
        let council_rules: &ClockRules = &rules[&council.id];
        let rule_ctx = RuleContext { calendar, rules: council_rules };
        let Ok(journey) = Journey::replay(&events, &rule_ctx) else {
            continue;
        };
        let clocks = running_clocks(&journey, calendar, council_rules);
        let first_event = events.first().map(|e| e.date()).unwrap_or(today);
        // Front-door work sits with the council's front door; the rest with a cluster team.
        let wanted = match stage {
            Stage::FrontDoor | Stage::ContactClosed => "front_door",
            Stage::ChildInNeed | Stage::ReturningChildInNeed | Stage::AssessedNoAction => "referral_and_assessment",
            _ => "safeguarding",
        };
        let candidates: Vec<_> = teams
            .iter()
            .filter(|t| t.service == wanted && t.council_ids.contains(&council.id))
            .filter(|t| wanted == "front_door" || t.cluster_id == cluster_id)
            .collect();
        let team = candidates.choose(&mut maker.rng).map(|t| t.id.clone());
        let allocated_to = match (&team, stage) {
            (_, Stage::FrontDoor) => None,
            (Some(t), _) => practitioners_of(t).choose(&mut maker.rng).cloned().filter(|_| maker.rng.gen_ratio(9, 10)),
            (None, _) => None,
        };
        let age_days = maker.rng.gen_range(30..(17 * 365));
        let dob = first_event - chrono::Duration::days(age_days);
        let school_age = dob.year() <= today.year() - 5;
        let la = la_codes.get(&council.id).cloned().unwrap_or_default();
        let upn = if school_age && maker.rng.gen_bool(0.7) { upn(&mut maker.rng, &la) } else { None };
        let child = ValidChild {
            first_name: FIRST[maker.rng.gen_range(0..FIRST.len())].into(),
            last_name: LAST[maker.rng.gen_range(0..LAST.len())].into(),
            date_of_birth: Some(dob),
            expected_date_of_birth: None,
            sex: if maker.rng.gen_bool(0.5) { Sex::Male } else { Sex::Female },
            ethnicity: *Ethnicity::ALL[..17].choose(&mut maker.rng).unwrap_or(&Ethnicity::WhiteBritish),
            disabilities: vec![],
            nhs_number: if maker.rng.gen_bool(0.85) { nhs_number(&mut maker.rng) } else { None },
            upn_unknown: if upn.is_none() {
                Some(if school_age { UpnUnknown::NotYetObtained } else { UpnUnknown::Under5 })
            } else {
                None
            },
            upn,
            former_upn: None,
            local_id: format!("{la}{:07}", maker.next),
            date_of_death: None,
        };
        batch.push(ChildWithHistory {
            child,
            placement: Placement {
                council_id: council.id.clone(),
                postcode: Some(postcode.to_string()),
                cluster_id,
                team_id: team,
                allocated_to,
            },
            created_on: first_event,
            events,
            clocks,
            care: vec![],
            care_clocks: vec![],
            workers: vec![],
            adopters: None,
        });
        if batch.len() == 500 {
            store.add_children_with_history(&ctx, &batch).await.map_err(err)?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.add_children_with_history(&ctx, &batch).await.map_err(err)?;
    }
    store.count_children().await.map_err(err)
}

/// For the demo's tests: a fresh embedded database holding the demo organisation and `children`
/// children, as of 23 November 2026.
#[cfg(test)]
pub(crate) async fn demo_for_tests(children: usize) -> (canopy_store::testing::TestDb, NaiveDate) {
    use canopy_store::testing::{TestDb, TestEngine};
    let db = TestDb::new(TestEngine::Sqlite).await.expect("db").expect("sqlite always runs");
    db.store.ensure_reference_data(&crate::cli_ctx()).await.expect("reference data");
    crate::demo::ensure(&db.store).await.expect("demo");
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    ensure(&db.store, children, today).await.expect("children");
    (db, today)
}
