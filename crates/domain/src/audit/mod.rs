//! The audit chain: each audit row carries the hash of the row before it, so a change to any
//! row, or a row removed from the middle, breaks the chain from that point on.

use sha2::{Digest, Sha256};

/// The hash that the first row of the chain points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit row, as hashed. `at_ms` is milliseconds since 1970 (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_ms: i64,
    /// The user who acted, or empty for an anonymous request (a failed sign-in).
    pub actor_id: String,
    pub action: String,
    pub record_kind: String,
    pub record_id: String,
    pub council_id: String,
    /// Where the request came from: an IP address, or "cli".
    pub source: String,
    /// "allowed", "denied", "failed", "succeeded".
    pub outcome: String,
    pub detail: String,
}

/// The hash of `entry` chained to the previous row's hash. Fields are length-prefixed so that no
/// two different rows can hash the same by moving text from one field to the next.
pub fn chain_hash(prev_hash: &str, entry: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let seq = entry.seq.to_string();
    let at = entry.at_ms.to_string();
    for field in [
        prev_hash,
        seq.as_str(),
        at.as_str(),
        &entry.actor_id,
        &entry.action,
        &entry.record_kind,
        &entry.record_id,
        &entry.council_id,
        &entry.source,
        &entry.outcome,
        &entry.detail,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Where and why a chain stopped verifying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit row {seq} does not verify: {reason}")]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

/// Walks rows in sequence order, each with its stored `prev_hash` and `hash`, and returns how
/// many verified, or the first row that does not.
pub fn verify_chain<'a>(rows: impl IntoIterator<Item = (&'a AuditEntry, &'a str, &'a str)>) -> Result<u64, ChainBreak> {
    verify_chain_from(GENESIS_HASH, 1, rows)
}

/// Verifies a run of rows that should start at `first_seq` and point back to `expected_prev`:
/// how a long chain is checked a page at a time.
pub fn verify_chain_from<'a>(
    expected_prev: &str,
    first_seq: i64,
    rows: impl IntoIterator<Item = (&'a AuditEntry, &'a str, &'a str)>,
) -> Result<u64, ChainBreak> {
    let mut expected_prev = expected_prev.to_string();
    let mut count = 0u64;
    for (expected_seq, (entry, prev_hash, hash)) in (first_seq..).zip(rows) {
        if entry.seq != expected_seq {
            return Err(ChainBreak { seq: entry.seq, reason: format!("row {expected_seq} is missing") });
        }
        if prev_hash != expected_prev {
            return Err(ChainBreak { seq: entry.seq, reason: "it does not point to the row before it".into() });
        }
        let actual = chain_hash(prev_hash, entry);
        if actual != hash {
            return Err(ChainBreak { seq: entry.seq, reason: "its content has changed since it was written".into() });
        }
        expected_prev = actual;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<(AuditEntry, String, String)> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let e = AuditEntry {
                    seq,
                    at_ms: 1_700_000_000_000 + seq,
                    actor_id: "u".into(),
                    action: "sign_in".into(),
                    record_kind: "user".into(),
                    record_id: "u".into(),
                    council_id: String::new(),
                    source: "127.0.0.1".into(),
                    outcome: "succeeded".into(),
                    detail: String::new(),
                };
                let hash = chain_hash(&prev, &e);
                let row = (e, prev.clone(), hash.clone());
                prev = hash;
                row
            })
            .collect()
    }

    fn verify(rows: &[(AuditEntry, String, String)]) -> Result<u64, ChainBreak> {
        verify_chain(rows.iter().map(|(e, p, h)| (e, p.as_str(), h.as_str())))
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn a_changed_row_in_the_middle_is_named() {
        let mut rows = chain(5);
        rows[2].0.outcome = "denied".into();
        assert_eq!(verify(&rows).map_err(|b| b.seq), Err(3));
    }

    #[test]
    fn a_removed_row_is_named() {
        let mut rows = chain(5);
        rows.remove(1);
        let err = verify(&rows).expect_err("gap");
        assert_eq!(err.seq, 3);
        assert!(err.reason.contains("row 2 is missing"));
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let rows = chain(1);
        let mut moved = rows[0].0.clone();
        moved.action = "sign_inuser".into();
        moved.record_kind = String::new();
        assert_ne!(chain_hash(GENESIS_HASH, &moved), rows[0].2);
    }
}
