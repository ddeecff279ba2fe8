//! A child's way through adoption: the agency decision, the placement order, the match, placing
//! for adoption and the adoption order, or a reversed decision. The 903 PlacedAdoption and AD1
//! tables and Annex A list 10 are read from this.

use super::ReasonPlacedCeased;
use crate::code_list;
use chrono::NaiveDate;

code_list!(
    /// Where a child is in adoption, for the adoption service's board.
    AdoptionStage {
        Decided = "decision": "Should be placed for adoption",
        PlacementOrder = "placement_order": "Placement order granted",
        Matched = "matched": "Matched with adopters",
        Placed = "placed": "Placed for adoption",
        Adopted = "adopted": "Adopted",
        Reversed = "reversed": "Decision reversed",
    }
);

/// The adopters a child was matched with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdopterMatch {
    pub date: NaiveDate,
    /// The adopters' record in the adoption service.
    pub adopters: String,
    pub adopters_name: String,
    /// The adopters are the child's foster carers (903 AD1 FOSTER_CARE).
    pub foster_carers: bool,
}

/// One decision that a child should be placed for adoption, and what followed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptionProgress {
    pub decided: NaiveDate,
    pub placement_order: Option<NaiveDate>,
    pub matched: Option<AdopterMatch>,
    pub placed: Option<NaiveDate>,
    pub adopted: Option<NaiveDate>,
    /// When and why the decision stopped being the plan, short of adoption.
    pub ceased: Option<(NaiveDate, ReasonPlacedCeased)>,
    /// Adoption reviews held while placed.
    pub reviews: Vec<NaiveDate>,
}

impl AdoptionProgress {
    pub fn decided(date: NaiveDate, placement_order: Option<NaiveDate>) -> Self {
        Self {
            decided: date,
            placement_order,
            matched: None,
            placed: None,
            adopted: None,
            ceased: None,
            reviews: Vec::new(),
        }
    }

    /// Still the plan: neither reversed nor completed by an adoption order.
    pub fn in_force(&self) -> bool {
        self.ceased.is_none() && self.adopted.is_none()
    }

    pub fn stage(&self) -> AdoptionStage {
        match self {
            Self { adopted: Some(_), .. } => AdoptionStage::Adopted,
            Self { ceased: Some(_), .. } => AdoptionStage::Reversed,
            Self { placed: Some(_), .. } => AdoptionStage::Placed,
            Self { matched: Some(_), .. } => AdoptionStage::Matched,
            Self { placement_order: Some(_), .. } => AdoptionStage::PlacementOrder,
            _ => AdoptionStage::Decided,
        }
    }
}
