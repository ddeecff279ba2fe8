//! The Children's Social Work Workforce census (CSWW) for one council at its reference date
//! (30 September): a record for every social worker in post on the day or who left in the year
//! before it, agency workers included, and the council's vacancies and agency figures. Worked
//! out from the staff histories, and written as the census XML.

use super::{Employment, InPost, OrgRole, StaffRecord, SweNumber};
use chrono::{Datelike, Months, NaiveDate};
use std::fmt::Write;

/// Who a worker is, beside their record.
#[derive(Debug, Clone)]
pub struct CensusPerson<'a> {
    pub swe_number: Option<&'a SweNumber>,
    pub qualification: Option<super::QualificationLevel>,
    /// Where they qualified, if known.
    pub institution: Option<&'a str>,
    pub record: &'a StaffRecord,
    /// Children allocated to them on the reference date.
    pub cases: u32,
}

/// One worker's census record.
#[derive(Debug, Clone, PartialEq)]
pub struct CensusWorker {
    pub agency: bool,
    pub swe_number: String,
    pub fte: f64,
    /// Where they qualified ("Not recorded" when Canopy does not know).
    pub institution: String,
    pub qualification: Option<super::QualificationLevel>,
    pub org_role: Option<OrgRole>,
    pub role_start: NaiveDate,
    pub start_origin: Option<super::StartOrigin>,
    pub role_end: Option<NaiveDate>,
    pub leaver_destination: Option<super::LeaverDestination>,
    pub reason_leave: Option<super::ReasonLeave>,
    /// FTE and caseload on the reference date, for those in post then.
    pub fte30: Option<f64>,
    pub cases30: Option<u32>,
    /// Working days lost in the year, in hundredths.
    pub working_days_lost: u32,
    pub contract_weeks: Option<u32>,
    pub cfkss: Option<super::Cfkss>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Census {
    pub la_code: String,
    pub reference_date: NaiveDate,
    pub vacancies_fte: f64,
    pub agency_fte: f64,
    pub agency_headcount: u32,
    pub workers: Vec<CensusWorker>,
}

/// The census reference date of a collection year: 30 September.
pub fn reference_date(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 9, 30)
}

fn serves(state: &InPost, council: &str) -> bool {
    state.post.org_role.is_some() && state.employment.works_here() && state.post.councils.iter().any(|c| c == council)
}

/// Builds the census of `council` at `day` from its people and its vacant FTE on the day.
pub fn census(people: &[CensusPerson], council: &str, la_code: &str, day: NaiveDate, vacancies_fte: f64) -> Census {
    let year_start = day.checked_sub_months(Months::new(12)).and_then(|d| d.succ_opt()).unwrap_or(day);
    let mut workers = Vec::new();
    for person in people {
        let Some(swe) = person.swe_number else { continue };
        let record = person.record;
        let on_day = record.on(day).filter(|s| serves(s, council));
        let left = record.leavings.iter().rev().find(|l| {
            l.date >= year_start
                && l.date <= day
                && l.post.org_role.is_some()
                && l.post.councils.iter().any(|c| c == council)
        });
        let (post, employment, since) = match (on_day, left) {
            (Some(s), _) => (&s.post, &s.employment, s.since),
            (None, Some(l)) => {
                let since = record
                    .timeline
                    .iter()
                    .rev()
                    .filter(|(d, _)| *d <= l.date)
                    .find_map(|(_, s)| s.as_ref().map(|s| s.since));
                (&l.post, &l.employment, since.unwrap_or(l.date))
            }
            (None, None) => continue,
        };
        let lost: u32 = record
            .absences
            .iter()
            .filter(|a| a.start >= year_start && a.start <= day)
            .map(|a| a.working_days_lost)
            .sum();
        let contract_weeks = match employment {
            Employment::Agency { contract_weeks, .. } => Some(*contract_weeks),
            _ => None,
        };
        workers.push(CensusWorker {
            agency: employment.is_agency(),
            swe_number: swe.census_form(),
            fte: post.fte.as_f64(),
            institution: person.institution.unwrap_or("Not recorded").to_string(),
            qualification: person.qualification,
            org_role: post.org_role,
            role_start: since,
            start_origin: record.start_origin,
            role_end: on_day.is_none().then(|| left.map(|l| l.date)).flatten(),
            leaver_destination: on_day.is_none().then(|| left.and_then(|l| l.destination)).flatten(),
            reason_leave: on_day.is_none().then(|| left.and_then(|l| l.reason)).flatten(),
            fte30: on_day.map(|s| s.post.fte.as_f64()),
            cases30: on_day.map(|_| person.cases),
            working_days_lost: lost,
            contract_weeks,
            cfkss: record.cfkss.filter(|(d, _)| *d <= day).map(|(_, c)| c),
        });
    }
    let agency: Vec<&CensusWorker> = workers.iter().filter(|w| w.agency && w.fte30.is_some()).collect();
    Census {
        la_code: la_code.to_string(),
        reference_date: day,
        vacancies_fte,
        agency_fte: agency.iter().filter_map(|w| w.fte30).sum(),
        agency_headcount: agency.len() as u32,
        workers,
    }
}

/// Text escaped for an XML element.
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn element(xml: &mut String, tag: &str, value: impl std::fmt::Display) {
    let _ = write!(xml, "<{tag}>{value}</{tag}>");
}

/// The census as the DfE's XML: the header, the council's vacancies, then each worker, their
/// elements in the schema's order, booleans as 0 and 1.
pub fn census_xml(census: &Census, written_at: &str) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message><Header><CollectionDetails>");
    element(&mut xml, "Collection", "CSWW");
    element(&mut xml, "Year", census.reference_date.year());
    element(&mut xml, "ReferenceDate", census.reference_date);
    xml.push_str("</CollectionDetails><Source>");
    element(&mut xml, "SourceLevel", "L");
    element(&mut xml, "LEA", &census.la_code);
    element(&mut xml, "SoftwareCode", "Canopy");
    element(&mut xml, "DateTime", written_at);
    xml.push_str("</Source></Header><LALevelVacancies>");
    element(&mut xml, "NumberOfVacancies", format!("{:.2}", census.vacancies_fte));
    element(&mut xml, "NoAgencyFTE", format!("{:.2}", census.agency_fte));
    element(&mut xml, "NoAgencyHeadcount", census.agency_headcount);
    xml.push_str("</LALevelVacancies>");
    for w in &census.workers {
        xml.push_str("<CSWWWorker>");
        element(&mut xml, "AgencyWorker", u8::from(w.agency));
        element(&mut xml, "SWENo", &w.swe_number);
        element(&mut xml, "FTE", format!("{:.6}", w.fte));
        element(&mut xml, "QualInst", xml_text(&w.institution));
        if let Some(q) = w.qualification {
            element(&mut xml, "QualLevel", q.code());
        }
        if let Some(role) = w.org_role {
            element(&mut xml, "OrgRole", role.code());
        }
        element(&mut xml, "RoleStartDate", w.role_start);
        if let Some(origin) = w.start_origin {
            element(&mut xml, "StartOrigin", origin.code());
        }
        if let Some(end) = w.role_end {
            element(&mut xml, "RoleEndDate", end);
        }
        if let Some(d) = w.leaver_destination {
            element(&mut xml, "LeaverDestination", d.code());
        }
        if let Some(r) = w.reason_leave {
            element(&mut xml, "ReasonLeave", r.code());
        }
        if let Some(fte) = w.fte30 {
            element(&mut xml, "FTE30", format!("{fte:.6}"));
        }
        if let Some(cases) = w.cases30 {
            element(&mut xml, "Cases30", cases);
        }
        element(&mut xml, "WorkingDaysLost", format!("{}.{:02}", w.working_days_lost / 100, w.working_days_lost % 100));
        if let Some(weeks) = w.contract_weeks {
            element(&mut xml, "ContractWeeks", format!("{weeks}.0"));
        }
        if let Some(c) = w.cfkss {
            element(&mut xml, "CFKSSstatus", c.code());
        }
        xml.push_str("</CSWWWorker>");
    }
    xml.push_str("</Message>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budgets::Pence;
    use crate::workforce::{staff_record, Fte, LeaverDestination, Post, ReasonLeave, StaffEvent, StartOrigin};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn post(council: &str) -> Post {
        Post {
            team_id: "t".into(),
            councils: vec![council.into()],
            job_title: "Social worker".into(),
            org_role: Some(OrgRole::CaseHolder),
            grade: String::new(),
            fte: Fte(800),
        }
    }

    #[test]
    fn the_census_covers_those_in_post_on_the_day_and_those_who_left_in_the_year() {
        let joined = |on, employment| StaffEvent::Joined {
            date: on,
            post: post("k"),
            employment,
            start_origin: Some(StartOrigin::NewlyQualified),
        };
        let agency = Employment::Agency { agency: "Hays".into(), weekly_cost: Pence(150_000), contract_weeks: 20 };
        let in_post = staff_record(&[joined(d(2024, 4, 1), Employment::Permanent)]).expect("valid");
        let leaver = staff_record(&[
            joined(d(2023, 1, 1), Employment::Permanent),
            StaffEvent::Left {
                date: d(2026, 3, 31),
                destination: Some(LeaverDestination::OtherCouncil),
                reason: Some(ReasonLeave::Resigned),
            },
        ])
        .expect("valid");
        let long_gone = staff_record(&[
            joined(d(2020, 1, 1), Employment::Permanent),
            StaffEvent::Left { date: d(2025, 6, 30), destination: None, reason: None },
        ])
        .expect("valid");
        let temp = staff_record(&[joined(d(2026, 6, 1), agency)]).expect("valid");
        let numbers: Vec<SweNumber> =
            ["SW1", "SW2", "SW3", "SW4"].iter().map(|n| SweNumber::parse(n).expect("n")).collect();
        let people: Vec<CensusPerson> = [&in_post, &leaver, &long_gone, &temp]
            .iter()
            .zip(&numbers)
            .map(|(record, n)| CensusPerson {
                swe_number: Some(n),
                qualification: None,
                institution: Some("Kingston & St George's"),
                record,
                cases: 17,
            })
            .collect();
        let day = reference_date(2026).expect("date");
        let census = census(&people, "k", "314", day, 2.5);
        assert_eq!(census.workers.len(), 3, "in post, the year's leaver and the agency worker; not the older leaver");
        assert_eq!((census.agency_fte, census.agency_headcount), (0.8, 1));
        let leaving = census.workers.iter().find(|w| w.role_end.is_some()).expect("leaver");
        assert_eq!((leaving.role_end, leaving.fte30, leaving.cases30), (Some(d(2026, 3, 31)), None, None));
        assert_eq!(leaving.reason_leave, Some(ReasonLeave::Resigned));
        let xml = census_xml(&census, "2026-10-01T09:00:00");
        for part in [
            "<Collection>CSWW</Collection>",
            "<LEA>314</LEA>",
            "<NumberOfVacancies>2.50</NumberOfVacancies>",
            "<NoAgencyFTE>0.80</NoAgencyFTE>",
            "<SWENo>SW0000000001</SWENo>",
            "<FTE>0.800000</FTE>",
            "<AgencyWorker>1</AgencyWorker>",
            "<ContractWeeks>20.0</ContractWeeks>",
            "<Cases30>17</Cases30>",
            "<QualInst>Kingston &amp; St George's</QualInst>",
            "<RoleEndDate>2026-03-31</RoleEndDate>",
        ] {
            assert!(xml.contains(part), "{part} in the census");
        }
        let order = [
            "<AgencyWorker>",
            "<SWENo>",
            "<FTE>",
            "<QualInst>",
            "<OrgRole>",
            "<RoleStartDate>",
            "<StartOrigin>",
            "<FTE30>",
            "<Cases30>",
            "<WorkingDaysLost>",
        ];
        let first = xml.split("<CSWWWorker>").nth(1).expect("a worker");
        let positions: Vec<usize> = order.iter().map(|t| first.find(t).expect(t)).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "elements in the schema's order");
    }
}
