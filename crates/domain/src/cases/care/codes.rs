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

    /// Placed for adoption, with consent (A3, A4) or under a placement order (A5, A6).
    pub fn is_placed_for_adoption(self) -> bool {
        matches!(self, PlacementType::A3 | PlacementType::A4 | PlacementType::A5 | PlacementType::A6)
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

code_list!(
    /// Why an SDQ score could not be given (SDQ_REASON).
    SdqReason {
        Sdq1 = "SDQ1": "No form returned: the child was aged under 4 or over 17 at the date of the latest assessment",
        Sdq2 = "SDQ2": "Carer refused to complete and return the questionnaire",
        Sdq3 = "SDQ3": "Not possible to complete because of the child's severity of disability",
        Sdq4 = "SDQ4": "The child or young person refused to allow an SDQ to be completed",
        Sdq5 = "SDQ5": "Carer or child did not return the questionnaire for another reason",
    }
);

code_list!(
    /// Why a decision that a child should be placed for adoption ended without an adoption
    /// (REASON_PLACED_CEASED).
    ReasonPlacedCeased {
        Rd1 = "RD1": "The child's needs changed after the decision",
        Rd2 = "RD2": "The court did not make a placement order",
        Rd3 = "RD3": "Prospective adopters could not be found",
        Rd4 = "RD4": "Any other reason",
    }
);

code_list!(
    /// The legal status of the adopters (LS_ADOPTR).
    AdopterLegalStatus {
        L0 = "L0": "Child adopted by the partner of a parent",
        L11 = "L11": "Single adopter",
        L12 = "L12": "Same-sex couple: civil partners or married",
        L2 = "L2": "Different-sex couple: married or civil partners",
        L3 = "L3": "Same-sex couple, neither married nor in a civil partnership",
        L4 = "L4": "Different-sex couple, neither married nor in a civil partnership",
    }
);

code_list!(
    /// The sex of the adopters at the adoption (SEX_ADOPTR).
    AdopterSexes {
        M1 = "M1": "A single male adopter",
        F1 = "F1": "A single female adopter",
        Mm = "MM": "A couple, both male",
        Ff = "FF": "A couple, both female",
        Mf = "MF": "A couple, one male and one female",
    }
);

impl AdopterSexes {
    /// How many adopters the code describes (NB_ADOPTR).
    pub fn number(self) -> u8 {
        match self {
            AdopterSexes::M1 | AdopterSexes::F1 => 1,
            _ => 2,
        }
    }
}

code_list!(
    /// Whether the council is in touch with a care leaver (IN_TOUCH).
    InTouch {
        Yes = "YES": "In touch",
        No = "NO": "Not in touch",
        Died = "DIED": "Died",
        Refused = "REFU": "Refused contact",
        NotRequired = "NREQ": "No longer requires services",
        ReturnedHome = "RHOM": "Returned home for more than six months",
    }
);

impl InTouch {
    /// Whether accommodation and activity are known and so recorded (903 rule 344: not after
    /// DIED or RHOM).
    pub fn has_circumstances(self) -> bool {
        !matches!(self, InTouch::Died | InTouch::ReturnedHome)
    }
}

code_list!(
    /// Where a care leaver lives (the letter of ACCOM; its digit says whether it is suitable).
    LeaverAccommodation {
        Parents = "B": "With parents or relatives",
        CommunityHome = "C": "Community home or other form of residential care",
        SemiIndependent = "D": "Semi-independent, transitional accommodation",
        SupportedLodgings = "E": "Supported lodgings",
        Abroad = "G": "Gone abroad",
        Deported = "H": "Deported",
        OrdinaryLodgings = "K": "Ordinary lodgings, without formal support",
        NotKnown = "R": "Residence not known",
        NoFixedAbode = "S": "No fixed abode or homeless",
        Foyer = "T": "Foyers and similar supported accommodation",
        Independent = "U": "Independent living",
        Emergency = "V": "Emergency accommodation",
        BedAndBreakfast = "W": "Bed and breakfast",
        Custody = "X": "In custody",
        Other = "Y": "Other accommodation",
        FormerFosterCarers = "Z": "With former foster carers",
    }
);

impl LeaverAccommodation {
    /// The 903 ACCOM code: the letter, then 1 if suitable or 2 if not. No fixed abode and custody
    /// are never suitable.
    pub fn code_with_suitability(self, suitable: bool) -> String {
        let suitable = suitable && !matches!(self, LeaverAccommodation::NoFixedAbode | LeaverAccommodation::Custody);
        format!("{}{}", self.code(), if suitable { 1 } else { 2 })
    }
}

code_list!(
    /// What a care leaver is doing (ACTIV).
    LeaverActivity {
        F1 = "F1": "Full-time in higher education",
        P1 = "P1": "Part-time in higher education",
        F2 = "F2": "Full-time in education other than higher education",
        P2 = "P2": "Part-time in education other than higher education",
        F4 = "F4": "Full-time in training or employment",
        P4 = "P4": "Part-time in training or employment",
        F5 = "F5": "Full-time apprenticeship",
        P5 = "P5": "Part-time apprenticeship",
        G4 = "G4": "Not in education, training or employment, because of illness or disability",
        G5 = "G5": "Not in education, training or employment, for other reasons",
        G6 = "G6": "Not in education, training or employment, because of pregnancy or parenting",
    }
);

code_list!(
    /// The permanence plan in a looked-after child's care plan (the options of the Care Planning
    /// Regulations 2010 and the DfE's permanence guidance).
    PermanencePlan {
        ReturnHome = "return_home": "Return to the family",
        Kinship = "kinship": "Living with relatives or friends, such as a special guardianship or child arrangements order",
        Adoption = "adoption": "Adoption",
        LongTermFostering = "long_term_fostering": "Long-term fostering",
        Residential = "residential": "Residential care",
        Independence = "independence": "Supported independent living",
    }
);

code_list!(
    /// A health check of a looked-after child (the OC2 and Annex A list 8 fields).
    HealthCheck {
        HealthAssessment = "health_assessment": "Health assessment",
        DentalCheck = "dental_check": "Dental check",
        Immunisations = "immunisations": "Immunisations up to date",
    }
);
