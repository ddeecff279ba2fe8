use super::*;
use chrono::NaiveDate;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn limit(per_spend: i64, per_month: i64) -> SpendLimit {
    SpendLimit { per_spend: Pence(per_spend * 100), per_month: Pence(per_month * 100) }
}

fn rules() -> Vec<LimitRule> {
    vec![
        LimitRule { subject: LimitSubject::Role("practitioner".into()), limit: limit(250, 1000) },
        LimitRule { subject: LimitSubject::Role("team_manager".into()), limit: limit(500, 2000) },
        LimitRule { subject: LimitSubject::Team("edge".into()), limit: limit(400, 1500) },
        LimitRule { subject: LimitSubject::Team("south".into()), limit: limit(100, 300) },
        LimitRule { subject: LimitSubject::Person("ana".into()), limit: limit(50, 100) },
    ]
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn money_is_read_as_people_type_it_and_refused_when_wrong() {
    assert_eq!(Pence::parse_positive("24.99"), Ok(Pence(2499)));
    assert_eq!(Pence::parse_positive("£1,234.5"), Ok(Pence(123_450)));
    assert_eq!(Pence::parse_positive(" 12 "), Ok(Pence(1200)));
    assert_eq!(Pence::parse_positive(".50"), Ok(Pence(50)));
    assert_eq!(Pence::parse_positive("0").unwrap_err(), "The amount must be more than £0");
    assert_eq!(Pence::parse_positive("0.00").unwrap_err(), "The amount must be more than £0");
    assert_eq!(Pence::parse_positive("-5").unwrap_err(), "The amount must be more than £0");
    assert_eq!(Pence::parse_positive("12.345").unwrap_err(), "The amount can have at most 2 decimal places");
    assert!(Pence::parse_positive("twelve").is_err());
    assert!(Pence::parse_positive("1e5").is_err());
    assert!(Pence::parse_positive("").is_err());
    assert_eq!(Pence::parse_positive("999999999999").unwrap_err(), "The amount is too large");
    assert_eq!(Pence(123_456_789).display(), "£1,234,567.89");
    assert_eq!(Pence(-300).display(), "-£3.00");
    assert_eq!(Pence(5).decimal(), "0.05");
}

#[test]
fn the_financial_year_runs_april_to_march() {
    assert_eq!(FinancialYear::of(d(2026, 11, 23)), FinancialYear(2026));
    assert_eq!(FinancialYear::of(d(2027, 3, 31)), FinancialYear(2026));
    assert_eq!(FinancialYear::of(d(2027, 4, 1)), FinancialYear(2027));
    assert_eq!(FinancialYear(2026).label(), "2026/27");
    assert_eq!(FinancialYear(2099).label(), "2099/00");
    assert_eq!(FinancialYear::parse("2026/27"), Ok(FinancialYear(2026)));
    assert_eq!(FinancialYear::parse("2026"), Ok(FinancialYear(2026)));
    assert!(FinancialYear::parse("2026/28").is_err());
    assert!(FinancialYear::parse("26/27").is_err());
    assert_eq!(FinancialYear(2026).starts(), d(2026, 4, 1));
    assert_eq!(FinancialYear(2026).ends(), d(2027, 3, 31));
    let months = FinancialYear(2026).months();
    assert_eq!((months[0], months[8], months[9], months[11]), ((2026, 4), (2026, 12), (2027, 1), (2027, 3)));
}

#[test]
fn a_spend_within_both_limits_is_approved_at_once() {
    let roles = strings(&["practitioner"]);
    let spender = Spender { user_id: "bo", roles: &roles, teams: &[] };
    let (l, from) = effective_limit(&rules(), &spender).unwrap();
    assert_eq!(from, LimitSubject::Role("practitioner".into()));
    assert_eq!(check_limit(Some(l), Pence(25_000), Pence(75_000)), LimitCheck::WithinLimit);
}

#[test]
fn a_spend_over_the_per_spend_limit_goes_to_a_manager() {
    let check = check_limit(Some(limit(250, 1000)), Pence(25_001), Pence(0));
    let LimitCheck::OverLimit(reasons) = check else { panic!("expected over limit") };
    assert_eq!(reasons, vec!["£250.01 is over the limit of £250.00 for one spend".to_string()]);
}

#[test]
fn the_monthly_limit_counts_what_was_spent_in_the_rolling_month() {
    let l = limit(250, 1000);
    assert_eq!(check_limit(Some(l), Pence(10_000), Pence(90_000)), LimitCheck::WithinLimit);
    let LimitCheck::OverLimit(reasons) = check_limit(Some(l), Pence(10_001), Pence(90_000)) else { panic!() };
    assert_eq!(reasons.len(), 1);
    assert!(reasons[0].contains("monthly limit of £1,000.00"), "{reasons:?}");
    // Both limits broken: both reasons, so the manager sees the whole picture.
    let LimitCheck::OverLimit(reasons) = check_limit(Some(l), Pence(30_000), Pence(90_000)) else { panic!() };
    assert_eq!(reasons.len(), 2);
    assert_eq!(month_window_start(d(2026, 11, 23)), d(2026, 10, 24));
    assert_eq!(month_window_start(d(2027, 3, 31)), d(2027, 3, 1));
    assert_eq!(month_window_start(d(2028, 3, 30)), d(2028, 3, 1));
    assert_eq!(month_window_start(d(2027, 1, 1)), d(2026, 12, 2));
}

#[test]
fn a_team_limit_overrides_roles_and_a_named_person_overrides_the_team() {
    let roles = strings(&["practitioner", "team_manager"]);
    let spender = Spender { user_id: "bo", roles: &roles, teams: &[] };
    // The most generous of their roles.
    assert_eq!(effective_limit(&rules(), &spender).unwrap().0, limit(500, 2000));
    let teams = strings(&["south"]);
    let spender = Spender { user_id: "bo", roles: &roles, teams: &teams };
    // A team's own limit wins even when it is lower than the roles'.
    assert_eq!(effective_limit(&rules(), &spender), Some((limit(100, 300), LimitSubject::Team("south".into()))));
    let teams = strings(&["south", "edge"]);
    let spender = Spender { user_id: "bo", roles: &roles, teams: &teams };
    assert_eq!(effective_limit(&rules(), &spender).unwrap().0, limit(400, 1500));
    let spender = Spender { user_id: "ana", roles: &roles, teams: &teams };
    assert_eq!(effective_limit(&rules(), &spender), Some((limit(50, 100), LimitSubject::Person("ana".into()))));
}

#[test]
fn with_no_limit_set_every_spend_goes_to_a_manager() {
    let roles = strings(&["finance_officer"]);
    let spender = Spender { user_id: "fi", roles: &roles, teams: &[] };
    assert_eq!(effective_limit(&rules(), &spender), None);
    assert!(matches!(check_limit(None, Pence(1), Pence(0)), LimitCheck::OverLimit(_)));
}

#[test]
fn a_spend_moves_through_its_statuses_and_refuses_the_rest() {
    use SpendChange as C;
    use SpendStatus as S;
    assert_eq!(S::AwaitingApproval.after(C::Approve), Ok(S::Committed));
    assert_eq!(S::AwaitingApproval.after(C::Decline), Ok(S::Declined));
    assert_eq!(S::Committed.after(C::Pay), Ok(S::Paid));
    assert_eq!(S::Committed.after(C::Cancel), Ok(S::Cancelled));
    assert_eq!(S::Paid.after(C::Refund), Ok(S::Refunded));
    assert_eq!(S::Declined.after(C::Approve).unwrap_err(), "A spend that is 'declined' cannot be approved");
    assert!(S::Paid.after(C::Cancel).is_err());
    assert!(S::Refunded.after(C::Refund).is_err());
    assert!(S::Committed.after(C::Approve).is_err());
    assert!(S::Paid.holds_money() && S::Committed.holds_money() && !S::Refunded.holds_money());
}

#[test]
fn measures_give_the_median_and_90th_percentile_wait_and_spend_per_family() {
    assert_eq!(percentile(&[], 50), None);
    assert_eq!(percentile(&[5], 90), Some(5));
    let sorted: Vec<i64> = (1..=10).collect();
    assert_eq!((percentile(&sorted, 50), percentile(&sorted, 90)), (Some(5), Some(9)));
    let fact = |req: i64, dec: Option<i64>, at_once, family, amount| SpendFact {
        requested_at_ms: req,
        decided_at_ms: dec,
        at_once,
        family,
        amount_held: Pence(amount),
    };
    let facts = [
        fact(0, Some(0), true, "a", 1000),
        fact(0, Some(0), true, "a", 3000),
        fact(0, Some(0), true, "b", 2000),
        fact(0, Some(3_600_000), false, "c", 6000),
        fact(0, None, false, "d", 0),
    ];
    let m = measure_spends(&facts);
    assert_eq!(m.decided, 4);
    assert_eq!(m.median_decision_seconds, Some(0));
    assert_eq!(m.p90_decision_seconds, Some(3600));
    assert_eq!(m.decided_at_once_percent, Some(75));
    assert_eq!((m.families, m.spent, m.spend_per_family), (3, Pence(12_000), Some(Pence(4000))));
}

#[test]
fn a_posting_must_balance_and_a_budget_cannot_go_below_zero() {
    let mut ledger = Ledger::new();
    ledger.post(&Posting::allocation("k", "b1", Pence(10_000))).unwrap();
    assert_eq!(ledger.balance(&Account::Available { budget_id: "b1".into() }), Pence(10_000));
    assert_eq!(ledger.balance(&Account::Funding { council_id: "k".into() }), Pence(-10_000));
    let err = ledger.post(&Posting::commitment("b1", Pence(10_001))).unwrap_err();
    assert_eq!(err, LedgerError::Overspend { budget_id: "b1".into(), left: Pence(10_000), needed: Pence(10_001) });
    assert_eq!(err.to_string(), "the budget has £100.00 left, not enough for £100.01");
    ledger.post(&Posting::commitment("b1", Pence(10_000))).unwrap();
    let bad = Posting {
        kind: PostingKind::Transfer,
        lines: vec![Line { account: Account::Available { budget_id: "b1".into() }, amount: Pence(5) }],
    };
    assert_eq!(ledger.check(&bad), Err(LedgerError::TooFewLines));
    let mut unbalanced = Posting::transfer("b1", "b2", Pence(5));
    unbalanced.lines[1].amount = Pence(6);
    assert_eq!(ledger.check(&unbalanced), Err(LedgerError::Unbalanced(1)));
    assert_eq!(ledger.check(&Posting::transfer("b1", "b2", Pence(0))), Err(LedgerError::ZeroLine));
}

/// One thing finance or a practitioner does, for the property test.
#[derive(Debug, Clone)]
enum Op {
    Allocate(usize, i64),
    Transfer(usize, usize, i64),
    Spend(usize, i64),
    Pay(usize),
    Reverse(usize),
    CloseYear(usize, Option<usize>),
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize, 1..50_000i64).prop_map(|(b, a)| Op::Allocate(b, a)),
        (0..3usize, 0..3usize, 1..20_000i64).prop_map(|(a, b, x)| Op::Transfer(a, b, x)),
        (0..3usize, 1..30_000i64).prop_map(|(b, a)| Op::Spend(b, a)),
        (0..40usize).prop_map(Op::Pay),
        (0..40usize).prop_map(Op::Reverse),
        (0..3usize, proptest::option::of(0..3usize)).prop_map(|(b, n)| Op::CloseYear(b, n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever happens, in whatever order: each balance is the sum of its entries, no budget
    /// account is ever below zero, the whole ledger sums to zero, and a reversal nets its
    /// posting to nothing.
    #[test]
    fn ledger_invariants_hold_for_any_sequence(ops in proptest::collection::vec(arb_op(), 1..60)) {
        let budgets = ["b0", "b1", "b2"];
        let mut ledger = Ledger::new();
        let mut posted: Vec<Posting> = Vec::new();
        let mut reversed = std::collections::BTreeSet::new();
        for op in ops {
            let posting = match op {
                Op::Allocate(b, a) => Posting::allocation("k", budgets[b], Pence(a)),
                Op::Transfer(a, b, x) if a != b => Posting::transfer(budgets[a], budgets[b], Pence(x)),
                Op::Transfer(..) => continue,
                Op::Spend(b, a) => Posting::commitment(budgets[b], Pence(a)),
                Op::Pay(i) => match posted.get(i) {
                    Some(p) if p.kind == PostingKind::Commitment => {
                        Posting::payment(p.lines[0].account.owner(), p.lines[1].amount)
                    }
                    _ => continue,
                },
                Op::Reverse(i) => match posted.get(i) {
                    Some(p) if p.kind != PostingKind::Reversal && !reversed.contains(&i) => Posting::reversal_of(p),
                    _ => continue,
                },
                Op::CloseYear(b, next) => {
                    let left = ledger.balance(&Account::Available { budget_id: budgets[b].into() });
                    if left.0 == 0 { continue; }
                    match next {
                        Some(n) if n != b => Posting::carry_forward(budgets[b], budgets[n], left),
                        _ => Posting::year_end_return(budgets[b], "k", left),
                    }
                }
            };
            let before = ledger.clone();
            match ledger.post(&posting) {
                Ok(()) => {
                    if posting.kind == PostingKind::Reversal {
                        if let Op::Reverse(i) = op { reversed.insert(i); }
                    }
                    posted.push(posting);
                }
                Err(LedgerError::Overspend { .. }) => {
                    // A refused posting changes nothing.
                    for b in budgets {
                        let a = Account::Available { budget_id: b.into() };
                        prop_assert_eq!(before.balance(&a), ledger.balance(&a));
                    }
                }
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
        }
        let mut total = Pence(0);
        for b in budgets {
            for account in [
                Account::Available { budget_id: b.into() },
                Account::Committed { budget_id: b.into() },
                Account::Spent { budget_id: b.into() },
            ] {
                let sum: Pence = posted.iter().flat_map(|p| &p.lines).filter(|l| l.account == account).map(|l| l.amount).sum();
                prop_assert_eq!(ledger.balance(&account), sum);
                prop_assert!(sum.0 >= 0, "{:?} went below zero", account);
                total = total + sum;
            }
        }
        total = total + ledger.balance(&Account::Funding { council_id: "k".into() });
        prop_assert_eq!(total, Pence(0));
        for &i in &reversed {
            let original = &posted[i];
            let reversal = Posting::reversal_of(original);
            let net: i64 = original.lines.iter().chain(&reversal.lines).map(|l| l.amount.0).sum();
            prop_assert_eq!(net, 0);
            for (o, r) in original.lines.iter().zip(&reversal.lines) {
                prop_assert_eq!(&o.account, &r.account);
                prop_assert_eq!(o.amount, -r.amount);
            }
        }
    }
}

#[test]
fn a_spend_is_checked_field_by_field() {
    let categories = vec![("clothing".to_string(), "Clothing and uniform".to_string())];
    let good = SpendInput {
        amount: "45.00",
        category: "clothing",
        purpose: "School uniform for September",
        supplier: "Uniform shop",
        method: "card",
        spent_on: Some(d(2026, 11, 20)),
    };
    let spend = validate_spend(&good, &categories, FinancialYear(2026), d(2026, 11, 23)).unwrap();
    assert_eq!((spend.amount, spend.method), (Pence(4500), PaymentMethod::PurchaseCard));
    let bad = SpendInput {
        amount: "-3",
        category: "cinema",
        purpose: " ",
        supplier: "",
        method: "cheque",
        spent_on: Some(d(2026, 11, 24)),
    };
    let errors = validate_spend(&bad, &categories, FinancialYear(2026), d(2026, 11, 23)).unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["amount", "category", "purpose", "supplier", "method", "spent_on"]);
    assert_eq!(errors.for_field("amount"), Some("The amount must be more than £0"));
    let last_year = SpendInput { spent_on: Some(d(2026, 3, 31)), ..good.clone() };
    let errors = validate_spend(&last_year, &categories, FinancialYear(2026), d(2026, 11, 23)).unwrap_err();
    assert_eq!(errors.for_field("spent_on"), Some("The date must be in the budget's financial year, 2026/27"));
    let no_date = SpendInput { spent_on: None, ..good };
    let errors = validate_spend(&no_date, &categories, FinancialYear(2026), d(2026, 11, 23)).unwrap_err();
    assert_eq!(errors.for_field("spent_on"), Some("Enter the date of the spend"));
}
