//! The DfE's code lists for the child's journey (CIN census), and the front door's decisions.

use crate::code_list;

code_list!(
    /// Where a referral came from (CIN census ReferralSource).
    ReferralSource {
        Individual = "1A": "Individual",
        FamilyMember = "1B": "Individual: family member, relative or carer",
        Acquaintance = "1C": "Individual: acquaintance, including neighbours and child minders",
        SelfReferral = "1D": "Individual: self",
        School = "2A": "Schools",
        EducationServices = "2B": "Education services",
        Gp = "3A": "Health services: GP",
        HealthVisitor = "3B": "Health services: health visitor",
        SchoolNurse = "3C": "Health services: school nurse",
        OtherPrimaryHealth = "3D": "Health services: other primary health services",
        AccidentAndEmergency = "3E": "Health services: A&E",
        OtherHealth = "3F": "Health services: other",
        Housing = "4": "Housing",
        SocialCare = "5A": "LA services: social care",
        OtherInternal = "5B": "LA services: other internal",
        External = "5C": "LA services: external",
        EarlyHelp = "5D": "LA services: early help",
        Police = "6": "Police",
        OtherLegalAgency = "7": "Other legal agency",
        Other = "8": "Other",
        Anonymous = "9": "Anonymous",
        Unknown = "10": "Unknown",
    }
);

code_list!(
    /// The child's primary need at assessment (CIN census PrimaryNeedCode).
    PrimaryNeed {
        AbuseOrNeglect = "N1": "Abuse or neglect",
        Disability = "N2": "Child's disability or illness",
        ParentalDisability = "N3": "Parental disability or illness",
        AcuteStress = "N4": "Family in acute stress",
        Dysfunction = "N5": "Family dysfunction",
        Behaviour = "N6": "Socially unacceptable behaviour",
        LowIncome = "N7": "Low income",
        AbsentParenting = "N8": "Absent parenting",
        NotInNeed = "N9": "Cases other than children in need",
        NotStated = "N0": "Not stated",
    }
);

impl PrimaryNeed {
    /// Whether the need can be why a child is looked after (903 CIN: N1 to N8).
    pub fn is_category_of_need(self) -> bool {
        !matches!(self, PrimaryNeed::NotInNeed | PrimaryNeed::NotStated)
    }
}

code_list!(
    /// Why a child in need episode closed (CIN census ReasonForClosure).
    ClosureReason {
        Adopted = "RC1": "Adopted",
        Died = "RC2": "Died",
        ChildArrangementsOrder = "RC3": "Child arrangements order",
        SpecialGuardianshipOrder = "RC4": "Special guardianship order",
        TransferredToLa = "RC5": "Transferred to services of another local authority",
        TransferredToAdults = "RC6": "Transferred to adult social care services",
        ServicesCeased = "RC7": "Services ceased for any other reason, including the child no longer being in need",
        NoFurtherAction = "RC8": "Case closed after assessment, no further action",
        ReferredToEarlyHelp = "RC9": "Case closed after assessment, referred to early help",
    }
);

code_list!(
    /// The category of abuse of a child protection plan.
    AbuseCategory {
        Neglect = "NEG": "Neglect",
        Physical = "PHY": "Physical abuse",
        Sexual = "SAB": "Sexual abuse",
        Emotional = "EMO": "Emotional abuse",
        Multiple = "MUL": "Multiple",
    }
);

code_list!(
    /// Factors identified at the end of an assessment (CIN census). 21 means no factors, alone.
    AssessmentFactor {
        AlcoholChild = "1A": "Alcohol misuse: child",
        AlcoholParent = "1B": "Alcohol misuse: parent or carer",
        AlcoholOther = "1C": "Alcohol misuse: another person in the household",
        DrugsChild = "2A": "Drug misuse: child",
        DrugsParent = "2B": "Drug misuse: parent or carer",
        DrugsOther = "2C": "Drug misuse: another person in the household",
        DomesticAbuseChild = "3A": "Domestic abuse: child subject",
        DomesticAbuseParent = "3B": "Domestic abuse: parent or carer subject",
        DomesticAbuseOther = "3C": "Domestic abuse: another person subject",
        MentalHealthChild = "4A": "Mental health: child",
        MentalHealthParent = "4B": "Mental health: parent or carer",
        MentalHealthOther = "4C": "Mental health: another person in the household",
        LearningDisabilityChild = "5A": "Learning disability: child",
        LearningDisabilityParent = "5B": "Learning disability: parent or carer",
        LearningDisabilityOther = "5C": "Learning disability: another person in the household",
        PhysicalDisabilityChild = "6A": "Physical disability or illness: child",
        PhysicalDisabilityParent = "6B": "Physical disability or illness: parent or carer",
        PhysicalDisabilityOther = "6C": "Physical disability or illness: another person in the household",
        YoungCarer = "7A": "Young carer",
        PrivateFostering = "8B": "Privately fostered",
        Uasc = "8C": "Unaccompanied asylum-seeking child",
        GoingMissing = "9A": "Going or being missing",
        SexualExploitation = "10A": "Child sexual exploitation",
        Trafficking = "11A": "Trafficking",
        Gangs = "12A": "Gangs",
        Behaviour = "13A": "Socially unacceptable behaviour",
        SelfHarm = "14A": "Self-harm",
        Neglect = "15A": "Neglect",
        EmotionalAbuse = "16A": "Emotional abuse",
        PhysicalAbuse = "17A": "Physical abuse",
        SexualAbuseChildOnChild = "18B": "Sexual abuse: child on child",
        SexualAbuseAdultOnChild = "18C": "Sexual abuse: adult on child",
        Fgm = "19A": "Female genital mutilation",
        AbuseLinkedToFaith = "20": "Abuse linked to faith or belief",
        NoFactors = "21": "No factors identified",
        CriminalExploitation = "22A": "Child criminal exploitation",
        Homelessness = "23A": "Homelessness",
        Radicalisation = "24A": "Radicalisation",
    }
);

code_list!(
    /// What the front door decides about a contact.
    ContactDecision {
        NoFurtherAction = "nfa": "No further action",
        Advice = "advice": "Advice and information given",
        EarlyHelp = "early_help": "Early help",
        StrategyDiscussion = "strategy": "Strategy discussion",
        Referral = "referral": "Referral to children's social care",
    }
);

code_list!(
    /// What an assessment concluded.
    AssessmentOutcome {
        NoFurtherAction = "nfa": "No further action",
        EarlyHelp = "early_help": "Step down to early help",
        ChildInNeed = "cin": "Child in need plan",
        Strategy = "strategy": "Strategy discussion",
        LookedAfter = "looked_after": "Child to become looked after",
    }
);

/// Checks the factors of an assessment: from the list, with 21 (no factors) standing alone.
pub fn check_factors(factors: &[AssessmentFactor]) -> Result<(), String> {
    if factors.contains(&AssessmentFactor::NoFactors) && factors.len() > 1 {
        return Err("'No factors identified' (21) cannot be recorded with other factors".into());
    }
    Ok(())
}

code_list!(
    /// The kinds of case note.
    NoteType {
        CaseNote = "case_note": "Case note",
        HomeVisit = "home_visit": "Home visit",
        Telephone = "telephone": "Telephone call",
        Meeting = "meeting": "Meeting",
        ManagementOversight = "management_oversight": "Management oversight",
        Supervision = "supervision": "Supervision",
        Other = "other": "Other",
    }
);
