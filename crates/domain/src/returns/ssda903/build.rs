//! The SSDA903 built from Canopy's own records: each looked-after child's care as it stood at the
//! reference date.

use super::tables::*;
use super::Ssda903Return;
use crate::calendar::add_months;
use crate::cases::care::{
    in_oc2, in_oc3, oc3_birthday_in_year, CareEpisode, CareHistory, HealthCheck, ReasonEpisodeCeased,
};
use crate::cases::WorkerEpisode;
use crate::returns::CollectionYear;
use chrono::NaiveDate;

/// What the 903 needs of one child's record.
#[derive(Clone, Copy)]
pub struct CareChild<'a> {
    pub local_id: &'a str,
    /// M, F or U.
    pub sex: &'a str,
    pub birth_date: Option<NaiveDate>,
    pub ethnicity: &'a str,
    pub upn: Option<&'a str>,
    /// Why there is no UPN (UN1 to UN5), when there is none.
    pub upn_unknown: Option<&'a str>,
    pub care: &'a CareHistory,
    /// The child's primary need over time, from their referrals: (from, to, code).
    pub needs: &'a [(NaiveDate, Option<NaiveDate>, &'a str)],
    /// The child's home postcode on a day.
    pub home_on: &'a dyn Fn(NaiveDate) -> Option<String>,
    pub workers: &'a [WorkerEpisode],
    /// A worker's 903 SW_ID: their Social Work England number.
    pub worker_id: &'a dyn Fn(&str) -> Option<String>,
    /// The adopters' sexes (SEX_ADOPTR) and legal status (LS_ADOPTR), by their record's id.
    pub adopters: &'a dyn Fn(&str) -> Option<(String, String)>,
}

fn text(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn flag(b: bool) -> Option<String> {
    Some(if b { "1" } else { "0" }.into())
}

fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut years = chrono::Datelike::year(&day) - chrono::Datelike::year(&birth);
    if (chrono::Datelike::month(&day), chrono::Datelike::day(&day))
        < (chrono::Datelike::month(&birth), chrono::Datelike::day(&birth))
    {
        years -= 1;
    }
    years
}

/// The return of a council for `year`, from the children given, in order.
pub fn return_903<'a>(year: CollectionYear, children: impl IntoIterator<Item = CareChild<'a>>) -> Ssda903Return {
    match year.reference_date() {
        Some(end) => return_903_as_at(year, end, children),
        None => Ssda903Return::default(),
    }
}

/// The return for `year` as it stands on `day`, for a year still in progress: the year is taken
/// to end that day.
pub fn return_903_as_at<'a>(
    year: CollectionYear,
    day: NaiveDate,
    children: impl IntoIterator<Item = CareChild<'a>>,
) -> Ssda903Return {
    let mut out = Ssda903Return::default();
    let (Some(start), Some(reference)) = (year.start(), year.reference_date()) else { return out };
    let end = reference.min(day).max(start);
    for child in children {
        add_child(&mut out, &child, start, end);
    }
    out
}

fn add_child(out: &mut Ssda903Return, c: &CareChild, start: NaiveDate, end: NaiveDate) {
    // The care as it stood at the reference date: later changes are next year's.
    let episodes: Vec<CareEpisode> = c
        .care
        .episodes
        .iter()
        .filter(|e| e.start <= end)
        .cloned()
        .map(|mut e| {
            if e.end.is_some_and(|d| d > end) {
                e.end = None;
                e.reason_ceased = None;
            }
            e
        })
        .collect();
    let in_year: Vec<&CareEpisode> = episodes.iter().filter(|e| e.end.is_none_or(|d| d >= start)).collect();
    // A care leaver whose care ended before the record began is one because the return said so.
    let left_before_record = c.care.leaving.left_before_record.is_some_and(|d| d <= end);
    let leaver = c.birth_date.is_some_and(|dob| {
        (in_oc3(dob, &episodes, end) || (left_before_record && oc3_birthday_in_year(dob, end)))
            && left_before_birthday(dob, &episodes, start, end)
    });
    if in_year.is_empty() && !leaver {
        return;
    }
    let child = Some(c.local_id.to_string());
    let dob = c.birth_date;
    let female = c.sex == "F";
    out.header.push(HeaderRow {
        child: child.clone(),
        sex: text(c.sex),
        dob,
        ethnic: text(c.ethnicity),
        upn: c.upn.and_then(text).or_else(|| c.upn_unknown.and_then(text)),
        // Motherhood is asked of girls looked after in the year.
        mother: (female && !in_year.is_empty())
            .then(|| flag(c.care.first_child_born.is_some_and(|d| d <= end)))
            .flatten(),
        mc_dob: c.care.first_child_born.filter(|d| female && *d <= end && !in_year.is_empty()),
    });
    add_episodes(out, c, &episodes, start);
    let year = start..=end;
    out.reviews.extend(c.care.reviews.iter().filter(|r| year.contains(&r.date)).map(|r| ReviewRow {
        child: child.clone(),
        dob,
        review: Some(r.date),
        review_code: Some(r.participation.code().into()),
    }));
    if let Some((_, ceased)) = c.care.unaccompanied.iter().find(|(from, _)| *from <= end) {
        out.uasc.push(UascRow { child: child.clone(), sex: text(c.sex), dob, duc: ceased.filter(|d| *d <= end) });
    }
    out.missing.extend(c.care.missing.iter().filter(|m| m.start <= end && m.end.is_none_or(|e| e >= start)).map(|m| {
        MissingRow {
            child: child.clone(),
            dob,
            missing: Some(if m.away { "A" } else { "M" }.into()),
            mis_start: Some(m.start),
            mis_end: m.end.filter(|e| *e <= end),
        }
    }));
    if let Some(dob) = dob {
        if in_oc2(&episodes, end) {
            out.oc2.push(oc2_row(c, dob, start, end));
        }
        if leaver {
            out.oc3.push(oc3_row(c, dob, start, end));
        }
    }
    add_adoption(out, c, &episodes, start, end);
    if in_year.iter().any(|e| e.reason_new_episode.code() == "S" && e.start >= start) {
        // Canopy does not hold what permanence order a child had before care: Z1, not known.
        out.prev_perm.push(PrevPermRow {
            child: child.clone(),
            dob,
            prev_perm: Some("Z1".into()),
            ..Default::default()
        });
    }
    let looked_after = in_year.iter().any(|e| !e.legal_status.is_short_break());
    if looked_after {
        for w in c.workers.iter().filter(|w| w.start <= end && w.end.is_none_or(|e| e >= start)) {
            out.sw_episodes.push(SwEpisodeRow {
                child: child.clone(),
                dob,
                sw_id: (c.worker_id)(&w.worker),
                sw_decom: Some(w.start),
                sw_dec: w.end.filter(|e| *e <= end),
                sw_reason: w.reason.map(|r| r.code().into()),
            });
        }
    }
}

fn add_episodes(out: &mut Ssda903Return, c: &CareChild, episodes: &[CareEpisode], start: NaiveDate) {
    let mut period_start = None;
    for (i, e) in episodes.iter().enumerate() {
        if e.reason_new_episode.code() == "S" || period_start.is_none() {
            period_start = Some(e.start);
        }
        if e.end.is_some_and(|d| d < start) {
            continue;
        }
        // The 903 puts the reason a placement changed on the episode the move ended, and gives
        // none for a move into or out of a temporary placement.
        let moved = episodes
            .get(i + 1)
            .filter(|next| {
                e.end == Some(next.start) && !is_temporary(&e.placement.place) && !is_temporary(&next.placement.place)
            })
            .and_then(|next| next.reason_place_change);
        // The category of need is the one at the start of the period of care.
        let began = period_start.unwrap_or(e.start);
        // The 903's categories are N1 to N8; a referral's N9 or N0 says nothing of why care began.
        let needs = || {
            c.needs.iter().filter(|(_, _, code)| matches!(*code, "N1" | "N2" | "N3" | "N4" | "N5" | "N6" | "N7" | "N8"))
        };
        // Recorded when care began; for care recorded without it, the referral's need then.
        let referral_need = || {
            needs()
                .rev()
                .find(|(from, to, _)| *from <= began && to.is_none_or(|t| t >= began))
                .or_else(|| needs().rev().find(|(from, _, _)| *from <= began))
                .map(|(_, _, code)| code.to_string())
        };
        let need = e.category_of_need.map(|n| n.code().to_string()).or_else(referral_need);
        let code = e.placement.place.code();
        let temporary = is_temporary(&e.placement.place) || code.starts_with('Z');
        out.episodes.push(EpisodeRow {
            child: Some(c.local_id.to_string()),
            decom: Some(e.start),
            rne: Some(e.reason_new_episode.code().into()),
            ls: Some(e.legal_status.code().into()),
            cin: need,
            place: Some(e.placement.place.code().into()),
            place_provider: e.placement.provider.filter(|_| !temporary).map(|p| p.code().into()),
            dec: e.end,
            rec: e.reason_ceased.map(|r| r.code().into()),
            reason_place_change: moved.map(|r| r.code().into()),
            home_post: (c.home_on)(e.start),
            pl_post: e.placement.postcode.clone(),
            urn: e.placement.urn.clone(),
        });
    }
}

/// Care leaver information is asked about the 17th and 18th birthdays only of those who had
/// left care by then.
fn left_before_birthday(dob: NaiveDate, episodes: &[CareEpisode], start: NaiveDate, end: NaiveDate) -> bool {
    let Some(birthday) = [17, 18].into_iter().map(|age| add_months(dob, age * 12)).find(|d| (start..=end).contains(d))
    else {
        return true;
    };
    episodes.iter().all(|e| e.end.is_some_and(|left| left < birthday))
}

/// A temporary placement (T0 to T4).
fn is_temporary(place: &crate::cases::care::PlacementType) -> bool {
    place.code().starts_with('T')
}

/// The latest check of a kind in the year before the reference date.
fn checked(c: &CareChild, check: HealthCheck, start: NaiveDate, end: NaiveDate) -> bool {
    c.care.health.iter().any(|(d, k)| *k == check && *d >= start && *d <= end)
}

fn oc2_row(c: &CareChild, dob: NaiveDate, start: NaiveDate, end: NaiveDate) -> Oc2Row {
    let year = start..=end;
    let age = age_on(dob, end);
    // The questionnaire is asked of children 4 or over at the year's end and under 17 at its start.
    let sdq_age = age >= 4 && age_on(dob, start) < 17;
    let sdq = c.care.sdq.iter().filter(|s| sdq_age && year.contains(&s.date)).max_by_key(|s| s.date);
    let misuse = c.care.substance_misuse.iter().filter(|(d, _, _)| year.contains(d)).max_by_key(|(d, _, _)| *d);
    Oc2Row {
        child: Some(c.local_id.to_string()),
        dob: Some(dob),
        sdq_score: sdq.and_then(|s| s.score).map(|s| s.to_string()),
        sdq_reason: sdq.and_then(|s| s.reason).map(|r| r.code().into()),
        // Asked of children aged 10 or over.
        convicted: (age >= 10).then(|| flag(c.care.offences.iter().any(|d| year.contains(d)))).flatten(),
        // Development checks are asked of children under 5.
        health_check: (age < 5).then(|| flag(checked(c, HealthCheck::HealthAssessment, start, end))).flatten(),
        immunisations: flag(checked(c, HealthCheck::Immunisations, start, end)),
        teeth_check: flag(checked(c, HealthCheck::DentalCheck, start, end)),
        health_assessment: flag(checked(c, HealthCheck::HealthAssessment, start, end)),
        substance_misuse: flag(misuse.is_some()),
        intervention_received: misuse.and_then(|(_, received, _)| flag(*received)),
        intervention_offered: misuse.filter(|(_, received, _)| !received).and_then(|(_, _, offered)| flag(*offered)),
    }
}

fn oc3_row(c: &CareChild, dob: NaiveDate, start: NaiveDate, end: NaiveDate) -> Oc3Row {
    // The contact nearest the birthday in the year: three months either side.
    let birthday = (17..=21).map(|age| add_months(dob, age * 12)).find(|d| (start..=end).contains(d)).unwrap_or(end);
    let contact = c
        .care
        .leaving
        .contacts
        .iter()
        .filter(|k| (k.date - birthday).num_days().abs() <= 92 && k.date <= end)
        .min_by_key(|k| (k.date - birthday).num_days().abs());
    // With no contact around the birthday the council was not in touch, and can say nothing of
    // the young person's activity or accommodation (0).
    Oc3Row {
        child: Some(c.local_id.to_string()),
        dob: Some(dob),
        in_touch: Some(contact.map(|k| k.in_touch.code()).unwrap_or("NO").into()),
        activ: Some(contact.and_then(|k| k.activity).map(|a| a.code().to_string()).unwrap_or_else(|| "0".into())),
        accom: Some(
            contact
                .and_then(|k| k.accommodation.map(|a| format!("{}{}", a.code(), if k.suitable { 1 } else { 2 })))
                .unwrap_or_else(|| "0".into()),
        ),
    }
}

fn add_adoption(out: &mut Ssda903Return, c: &CareChild, episodes: &[CareEpisode], start: NaiveDate, end: NaiveDate) {
    let child = Some(c.local_id.to_string());
    let dob = c.birth_date;
    let year = start..=end;
    for a in &c.care.adoption {
        if a.decided > end {
            continue;
        }
        let ceased = a.ceased.filter(|(d, _)| *d <= end);
        if ceased.is_some_and(|(d, _)| d < start) {
            continue;
        }
        out.placed_adoption.push(PlacedAdoptionRow {
            child: child.clone(),
            dob,
            date_placed: Some(a.decided),
            date_placed_ceased: ceased.map(|(d, _)| d),
            reason_placed_ceased: ceased.map(|(_, r)| r.code().into()),
        });
    }
    let adopted_in_year = episodes.iter().any(|e| {
        e.end.is_some_and(|d| year.contains(&d))
            && matches!(e.reason_ceased, Some(ReasonEpisodeCeased::E11) | Some(ReasonEpisodeCeased::E12))
    });
    if adopted_in_year {
        let progress = c.care.adoption.iter().rev().find(|a| a.decided <= end);
        let matched = progress.and_then(|a| a.matched.as_ref());
        let adopters = matched.and_then(|m| (c.adopters)(&m.adopters));
        out.ad1.push(Ad1Row {
            child,
            dob,
            date_int: progress.map(|a| a.decided),
            date_match: matched.map(|m| m.date),
            foster_care: matched.and_then(|m| flag(m.foster_carers)),
            nb_adoptr: adopters.as_ref().map(|(sexes, _)| if sexes.ends_with('1') { "1" } else { "2" }.into()),
            sex_adoptr: adopters.as_ref().map(|(sexes, _)| sexes.clone()),
            ls_adoptr: adopters.map(|(_, status)| status),
        });
    }
}
