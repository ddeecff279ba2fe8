//! The SSDA903 code lists for looked-after children. Staff never type these: they record what
//! happened, and the episodes carry the codes.

use crate::code_list;

code_list!(
    /// The legal status (LS) under which a child is looked after.
    LegalStatus {
        C1 = "C1": "Interim care order",
        C2 = "C2": "Full care order",
        D1 = "D1": "Freeing order granted",
        E1 = "E1": "Placement order granted",
        V2 = "V2": "Single period of accommodation under section 20",
        V3 = "V3": "Series of short-term breaks, each recorded as a period of care",
        V4 = "V4": "Series of short-term breaks, recorded as agreements",
        L1 = "L1": "Under police protection and in local authority accommodation",
        L2 = "L2": "Emergency protection order",
        L3 = "L3": "Under a child assessment order and in local authority accommodation",
        J1 = "J1": "Remanded to local authority or youth detention accommodation",
        J2 = "J2": "In local authority accommodation under the Police and Criminal Evidence Act 1984",
        J3 = "J3": "Youth rehabilitation order with a residence or intensive fostering requirement",
    }
);

impl LegalStatus {
    /// Short breaks (V3, V4): limited to 17 days a break and 75 days in 12 months.
    pub fn is_short_break(self) -> bool {
        matches!(self, LegalStatus::V3 | LegalStatus::V4)
    }
}

code_list!(
    /// The type of placement (PLACE).
    PlacementType {
        A3 = "A3": "Placed for adoption with consent, with current foster carers",
        A4 = "A4": "Placed for adoption with consent, not with current foster carers",
        A5 = "A5": "Placed for adoption with a placement order, with current foster carers",
        A6 = "A6": "Placed for adoption with a placement order, not with current foster carers",
        K1 = "K1": "Secure children's home",
        K2 = "K2": "Children's home",
        K3 = "K3": "Other registered setting (K3)",
        P1 = "P1": "Placed with own parents or others with parental responsibility",
        P3 = "P3": "Residential employment",
        R1 = "R1": "Residential care home",
        R2 = "R2": "NHS or health establishment providing medical or nursing care",
        R3 = "R3": "Family centre or mother and baby unit",
        R5 = "R5": "Young offender institution or prison",
        S1 = "S1": "Residential school",
        T0 = "T0": "Temporary move of any kind",
        T1 = "T1": "Temporary period in hospital",
        T2 = "T2": "Temporary absence on holiday",
        T3 = "T3": "Temporary accommodation while the usual foster carers are on holiday",
        T4 = "T4": "Temporary accommodation of seven days or less for another reason",
        U1 = "U1": "Fostered with relatives or friends, long term",
        U2 = "U2": "Fostered with relatives or friends who are approved adopters (fostering for adoption)",
        U3 = "U3": "Fostered with relatives or friends, other",
        U4 = "U4": "Fostered with other carers, long term",
        U5 = "U5": "Fostered with other carers who are approved adopters (fostering for adoption)",
        U6 = "U6": "Fostered with other carers, other",
        Z11 = "Z11": "Other placement (Z11)",
        Z12 = "Z12": "Other placement (Z12)",
        Z13 = "Z13": "Other placement (Z13)",
        Z14 = "Z14": "Other placement (Z14)",
    }
);

impl PlacementType {
    /// Temporary placements (T0–T4): a period of care cannot start or end in one, and the child
    /// goes back to their usual placement afterwards.
    pub fn is_temporary(self) -> bool {
        matches!(
            self,
            PlacementType::T0 | PlacementType::T1 | PlacementType::T2 | PlacementType::T3 | PlacementType::T4
        )
    }
}

code_list!(
    /// Who provides the placement (PLACE_PROVIDER).
    PlacementProvider {
        PR0 = "PR0": "Parents or others with parental responsibility",
        PR1 = "PR1": "The council's own provision",
        PR2 = "PR2": "Another council's provision",
        PR3 = "PR3": "Other public provision",
        PR4 = "PR4": "Private provision",
        PR5 = "PR5": "Voluntary or third sector provision",
    }
);

code_list!(
    /// Why a new episode began (RNE). Worked out from what changed, never typed.
    ReasonNewEpisode {
        S = "S": "Started to be looked after",
        L = "L": "Change of legal status only",
        P = "P": "Change of placement and carer",
        T = "T": "Change of placement, with the same carer",
        U = "U": "Change of legal status, placement and carer at the same time",
        B = "B": "Change of legal status and placement, with the same carer",
    }
);

code_list!(
    /// Why an episode ended (REC). X1 is the link to the next episode of the same period of care.
    ReasonEpisodeCeased {
        X1 = "X1": "Episode ended and a new one began in the same period of care",
        E11 = "E11": "Adopted: application for an adoption order unopposed",
        E12 = "E12": "Adopted: consent dispensed with by the court",
        E2 = "E2": "Died",
        E3 = "E3": "Care taken over by another local authority in the UK",
        E4A = "E4A": "Returned home to live with parents or relatives, as part of the care plan",
        E4B = "E4B": "Returned home to live with parents or relatives, not as part of the care plan",
        E13 = "E13": "Left care to live with parents or relatives, and child arrangements order granted",
        E41 = "E41": "Residence order or child arrangements order granted",
        E45 = "E45": "Special guardianship order made to former foster carers",
        E46 = "E46": "Special guardianship order made to carers other than former foster carers",
        E47 = "E47": "Special guardianship order made to relatives or friends, former foster carers",
        E48 = "E48": "Special guardianship order made to relatives or friends, not former foster carers",
        E5 = "E5": "Moved into independent living with supportive accommodation",
        E6 = "E6": "Moved into independent living without formalised support",
        E7 = "E7": "Transferred to residential care funded by adult social care",
        E9 = "E9": "Sentenced to custody",
        E14 = "E14": "Accommodation on remand ended",
        E15 = "E15": "Age assessment found the child to be 18 or over",
        E16 = "E16": "Child moved abroad",
        E17 = "E17": "Aged 18 or over and stayed with current foster carers (staying put)",
        E8 = "E8": "Period of care ended for any other reason",
    }
);

code_list!(
    /// Why a placement changed (REASON_PLACE_CHANGE).
    ReasonPlaceChange {
        Carpl = "CARPL": "Change to or implementation of the care plan",
        Close = "CLOSE": "Resignation or closure of the provision",
        Alleg = "ALLEG": "Allegation against the carers",
        Stand = "STAND": "Standards of care concern",
        Apprr = "APPRR": "Approval removed",
        Creqb = "CREQB": "Carer's request because of the child's behaviour",
        Creqo = "CREQO": "Carer's request for other reasons",
        Child = "CHILD": "The child's wishes",
        Lareq = "LAREQ": "The responsible council's request",
        Place = "PLACE": "The placement's own decision",
        Custod = "CUSTOD": "Custody arrangement",
        Other = "OTHER": "Other",
    }
);

code_list!(
    /// How the child took part in their review (REVIEW_CODE).
    ReviewParticipation {
        Pn0 = "PN0": "Under 4 at the review",
        Pn1 = "PN1": "Attended and spoke for themselves",
        Pn2 = "PN2": "Attended and an advocate spoke for them",
        Pn3 = "PN3": "Attended and conveyed their views without speaking",
        Pn4 = "PN4": "Attended but did not convey their views",
        Pn5 = "PN5": "Did not attend; an advocate conveyed their views",
        Pn6 = "PN6": "Did not attend; conveyed their views another way",
        Pn7 = "PN7": "Did not attend or convey their views",
    }
);
