//! SSDA903: looked-after children over a collection year, as the DfE's CSV tables describe them.

mod build;
pub mod import;
pub mod rules;
mod tables;

pub use build::{return_903, return_903_as_at, CareChild};
pub use tables::{
    format_date, parse_date, Ad1Row, DoloRow, EpisodeRow, HeaderRow, MissingRow, Oc2Row, Oc3Row, PlacedAdoptionRow,
    PrevPermRow, ReviewRow, SwEpisodeRow, UascRow, Unreadable,
};

/// A whole return: every table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ssda903Return {
    pub header: Vec<HeaderRow>,
    pub episodes: Vec<EpisodeRow>,
    pub reviews: Vec<ReviewRow>,
    pub uasc: Vec<UascRow>,
    pub oc2: Vec<Oc2Row>,
    pub oc3: Vec<Oc3Row>,
    pub ad1: Vec<Ad1Row>,
    pub placed_adoption: Vec<PlacedAdoptionRow>,
    pub prev_perm: Vec<PrevPermRow>,
    pub missing: Vec<MissingRow>,
    pub sw_episodes: Vec<SwEpisodeRow>,
    /// Deprivation of liberty orders: a table from the 2026-27 collection.
    pub dolo: Vec<DoloRow>,
    /// The cells of a file that held a value that could not be read, such as a date that is not
    /// `dd/mm/yyyy`: the row keeps the cell blank.
    pub unreadable: Vec<UnreadableCell>,
}

/// A cell that could not be read: its table's name, its row (counting from 0) and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableCell {
    pub table: &'static str,
    pub row: usize,
    pub column: &'static str,
    pub value: String,
}

/// A table's name and header row, and its rows as cells: for writers that do not care which
/// table is which.
pub struct TableCells {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

macro_rules! each_table {
    ($r:expr, $($field:ident: $row:ty),+) => {
        vec![$(TableCells { name: <$row>::TABLE, columns: <$row>::COLUMNS, rows: $r.$field.iter().map(|r| r.cells()).collect() }),+]
    };
}

impl Ssda903Return {
    /// Every table, in the DfE's order.
    pub fn tables(&self) -> Vec<TableCells> {
        each_table!(self,
            header: HeaderRow, episodes: EpisodeRow, reviews: ReviewRow, uasc: UascRow, oc2: Oc2Row, oc3: Oc3Row,
            ad1: Ad1Row, placed_adoption: PlacedAdoptionRow, prev_perm: PrevPermRow, missing: MissingRow,
            sw_episodes: SwEpisodeRow, dolo: DoloRow)
    }
}
