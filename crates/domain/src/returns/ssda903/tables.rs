//! The SSDA903 tables, each with its exact header row. A row keeps what a file says: text as
//! written, dates read from `dd/mm/yyyy`, and any value that could not be read.

use chrono::NaiveDate;

/// A value in a table that could not be read as what its column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub column: &'static str,
    pub value: String,
}

/// A 903 date: `dd/mm/yyyy`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%d/%m/%Y").ok()
}

pub fn format_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

macro_rules! tables {
    ($($(#[$meta:meta])* $name:ident $table:literal { $($field:ident : $column:literal $kind:ident,)+ })+) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Default, PartialEq, Eq)]
            pub struct $name {
                $(pub $field: tables!(@type $kind),)+
            }

            impl $name {
                /// The table's name, as the DfE and the sector's validator call it.
                pub const TABLE: &'static str = $table;
                /// The exact header row.
                pub const COLUMNS: &'static [&'static str] = &[$($column),+];

                /// The row's cells in column order, as the file writes them.
                pub fn cells(&self) -> Vec<String> {
                    vec![$(tables!(@write $kind, &self.$field)),+]
                }

                /// A row from its cells in column order (missing cells are blank), and the
                /// values that could not be read.
                pub fn from_cells(cells: &[&str]) -> (Self, Vec<Unreadable>) {
                    let mut unreadable = Vec::new();
                    let mut cells = cells.iter().map(|c| c.trim());
                    let row = Self {
                        $($field: tables!(@read $kind, cells.next().unwrap_or(""), $column, unreadable),)+
                    };
                    (row, unreadable)
                }
            }
        )+
    };
    (@type text) => { Option<String> };
    (@type date) => { Option<NaiveDate> };
    (@write text, $v:expr) => { $v.clone().unwrap_or_default() };
    (@write date, $v:expr) => { $v.map(format_date).unwrap_or_default() };
    // Codes are read in upper case, as the DfE's tool reads them.
    (@read text, $cell:expr, $column:literal, $bad:ident) => {{
        let cell = $cell;
        (!cell.is_empty()).then(|| cell.to_uppercase())
    }};
    (@read date, $cell:expr, $column:literal, $bad:ident) => {{
        let cell = $cell;
        if cell.is_empty() {
            None
        } else {
            let date = parse_date(cell);
            if date.is_none() {
                $bad.push(Unreadable { column: $column, value: cell.to_string() });
            }
            date
        }
    }};
}

tables! {
    /// One row per child looked after at any time in the year.
    HeaderRow "Header" {
        child: "CHILD" text,
        sex: "SEX" text,
        dob: "DOB" date,
        ethnic: "ETHNIC" text,
        upn: "UPN" text,
        mother: "MOTHER" text,
        mc_dob: "MC_DOB" date,
    }
    /// One row per episode: one legal status and one placement.
    EpisodeRow "Episodes" {
        child: "CHILD" text,
        decom: "DECOM" date,
        rne: "RNE" text,
        ls: "LS" text,
        cin: "CIN" text,
        place: "PLACE" text,
        place_provider: "PLACE_PROVIDER" text,
        dec: "DEC" date,
        rec: "REC" text,
        reason_place_change: "REASON_PLACE_CHANGE" text,
        home_post: "HOME_POST" text,
        pl_post: "PL_POST" text,
        urn: "URN" text,
    }
    ReviewRow "Reviews" {
        child: "CHILD" text,
        dob: "DOB" date,
        review: "REVIEW" date,
        review_code: "REVIEW_CODE" text,
    }
    UascRow "UASC" {
        child: "CHILD" text,
        sex: "SEX" text,
        dob: "DOB" date,
        duc: "DUC" date,
    }
    /// Children looked after continuously for 12 months at 31 March.
    Oc2Row "OC2" {
        child: "CHILD" text,
        dob: "DOB" date,
        sdq_score: "SDQ_SCORE" text,
        sdq_reason: "SDQ_REASON" text,
        convicted: "CONVICTED" text,
        health_check: "HEALTH_CHECK" text,
        immunisations: "IMMUNISATIONS" text,
        teeth_check: "TEETH_CHECK" text,
        health_assessment: "HEALTH_ASSESSMENT" text,
        substance_misuse: "SUBSTANCE_MISUSE" text,
        intervention_received: "INTERVENTION_RECEIVED" text,
        intervention_offered: "INTERVENTION_OFFERED" text,
    }
    /// Care leavers in the year of their 17th to 21st birthday.
    Oc3Row "OC3" {
        child: "CHILD" text,
        dob: "DOB" date,
        in_touch: "IN_TOUCH" text,
        activ: "ACTIV" text,
        accom: "ACCOM" text,
    }
    /// Children adopted in the year.
    Ad1Row "AD1" {
        child: "CHILD" text,
        dob: "DOB" date,
        date_int: "DATE_INT" date,
        date_match: "DATE_MATCH" date,
        foster_care: "FOSTER_CARE" text,
        nb_adoptr: "NB_ADOPTR" text,
        sex_adoptr: "SEX_ADOPTR" text,
        ls_adoptr: "LS_ADOPTR" text,
    }
    PlacedAdoptionRow "PlacedAdoption" {
        child: "CHILD" text,
        dob: "DOB" date,
        date_placed: "DATE_PLACED" date,
        date_placed_ceased: "DATE_PLACED_CEASED" date,
        reason_placed_ceased: "REASON_PLACED_CEASED" text,
    }
    PrevPermRow "PrevPerm" {
        child: "CHILD" text,
        dob: "DOB" date,
        prev_perm: "PREV_PERM" text,
        la_perm: "LA_PERM" text,
        date_perm: "DATE_PERM" text,
    }
    MissingRow "Missing" {
        child: "CHILD" text,
        dob: "DOB" date,
        missing: "MISSING" text,
        mis_start: "MIS_START" date,
        mis_end: "MIS_END" date,
    }
    /// Deprivation of liberty orders, from 2026-27.
    DoloRow "DoLo" {
        child: "CHILD" text,
        dob: "DOB" date,
        dolo_start: "DOLO_START" date,
        dolo_end: "DOLO_END" date,
    }
    SwEpisodeRow "SWEpisodes" {
        child: "CHILD" text,
        dob: "DOB" date,
        sw_id: "SW_ID" text,
        sw_decom: "SW_DECOM" date,
        sw_dec: "SW_DEC" date,
        sw_reason: "SW_REASON" text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back_from_their_cells_and_bad_dates_are_kept_as_unreadable() {
        let row = EpisodeRow {
            child: Some("K1".into()),
            decom: NaiveDate::from_ymd_opt(2025, 4, 1),
            rne: Some("S".into()),
            ..Default::default()
        };
        let cells = row.cells();
        assert_eq!(cells[1], "01/04/2025");
        assert_eq!(EpisodeRow::COLUMNS.len(), cells.len());
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        assert_eq!(EpisodeRow::from_cells(&refs), (row, vec![]));
        let (bad, unreadable) = EpisodeRow::from_cells(&["K1", "2025-04-01"]);
        assert_eq!(bad.decom, None);
        assert_eq!(unreadable, vec![Unreadable { column: "DECOM", value: "2025-04-01".into() }]);
    }
}
