//! The report's figures against responses worked out by hand. The regulation's weight is
//! 0.111 per element (PermenPANRB 14/2017 prints 1/9 cut to three decimals, and its worked
//! example multiplies by 0.111: see `index`); so 25 × 0.111 = 2.775 turns Σ NRR into the index.
//! With the exact weight 1/9 the factor is 25/9 = 2.777….

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::report::GroupAggregate;
use crate::survey::response::Channel;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("date")
}

fn questionnaire(w: Weighting) -> Questionnaire {
    let mut q = Questionnaire::embedded().expect("questionnaire");
    q.weighting = w;
    q
}

/// A response with the nine scores in the questionnaire's order.
fn response(
    d: NaiveDate,
    service: &str,
    counter: u32,
    scores: [u8; 9],
    sex: Option<&str>,
    suggestion: &str,
) -> Response {
    let q = Questionnaire::embedded().expect("questionnaire");
    Response {
        month: crate::survey::response::month_of(d),
        service: service.into(),
        counter: Some(counter),
        channel: Channel::Phone,
        profile: sex
            .map(|s| BTreeMap::from([("jenis_kelamin".to_string(), s.to_string())]))
            .unwrap_or_default(),
        scores: q
            .elements
            .iter()
            .zip(scores)
            .map(|(e, s)| (e.id.clone(), s))
            .collect(),
        suggestion: suggestion.into(),
    }
}

fn served(d: NaiveDate, service: &str, n: u32) -> DayAggregate {
    DayAggregate {
        day: d,
        groups: vec![GroupAggregate {
            service: service.into(),
            counter: Some(1),
            served: n,
            ..Default::default()
        }],
    }
}

/// Four respondents (and one outside the period):
///
/// ```text
///            U1 U2 U3 U4 U5 U6 U7 U8 U9   Σ   service counter
/// R1 (2 Nov)  4  4  3  4  4  3  4  4  3   33  A       1
/// R2 (2 Nov)  4  3  3  4  4  3  4  3  3   31  A       1
/// R3 (3 Nov)  3  3  3  4  4  3  3  3  3   29  B       1
/// R4 (3 Nov)  3  3  3  3  4  2  3  3  3   27  B       2
/// total      14 13 12 15 16 11 14 13 12  120
/// NRR      3.50 3.25 3.00 3.75 4.00 2.75 3.50 3.25 3.00   Σ NRR = 30
/// ```
fn four() -> Vec<Response> {
    vec![
        response(
            day(2),
            "A",
            1,
            [4, 4, 3, 4, 4, 3, 4, 4, 3],
            Some("Perempuan"),
            "Ruang tunggu panas.",
        ),
        response(
            day(2),
            "A",
            1,
            [4, 3, 3, 4, 4, 3, 4, 3, 3],
            Some("Laki-laki"),
            "",
        ),
        response(
            day(3),
            "B",
            1,
            [3, 3, 3, 4, 4, 3, 3, 3, 3],
            Some("Perempuan"),
            " <b>Antrean</b> cepat & rapi ",
        ),
        response(day(3), "B", 2, [3, 3, 3, 3, 4, 2, 3, 3, 3], None, "   "),
        // 1 December: outside November, counted nowhere.
        response(
            NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
            "A",
            1,
            [1; 9],
            Some("Laki-laki"),
            "Desember",
        ),
    ]
}

fn november(w: Weighting) -> SurveyReport {
    let days = [
        served(day(2), "A", 30),
        served(day(3), "B", 20),
        served(
            NaiveDate::from_ymd_opt(2026, 10, 31).expect("date"),
            "A",
            100,
        ),
    ];
    SurveyReport::build(day(1), day(30), &four(), &questionnaire(w), &days)
}

#[test]
fn four_respondents_worked_by_hand() {
    let r = november(Weighting::Regulation);
    let o = &r.overall;
    assert_eq!(o.respondents, 4);
    let nrr: Vec<f64> = o.elements.iter().map(|e| e.nrr.expect("nrr")).collect();
    assert_eq!(nrr, [3.5, 3.25, 3.0, 3.75, 4.0, 2.75, 3.5, 3.25, 3.0]);
    // NRR × 0.111, half up to three decimals: 3.50 → 0.3885 → 0.389; 3.25 → 0.36075 → 0.361;
    // 3.75 → 0.41625 → 0.416; 2.75 → 0.30525 → 0.305.
    let weighted: Vec<f64> = o.elements.iter().map(|e| e.weighted.expect("w")).collect();
    assert_eq!(
        weighted,
        [
            0.389, 0.361, 0.333, 0.416, 0.444, 0.305, 0.389, 0.361, 0.333
        ]
    );
    // NRR × 25: 87.50 B, 81.25 B, 75.00 C, 93.75 A, 100.00 A, 68.75 C.
    let converted: Vec<u32> = o.elements.iter().map(|e| e.converted.expect("c")).collect();
    assert_eq!(
        converted,
        [8750, 8125, 7500, 9375, 10_000, 6875, 8750, 8125, 7500]
    );
    let grades: Vec<&str> = o
        .elements
        .iter()
        .map(|e| r.bands[e.band.expect("band")].grade.as_str())
        .collect();
    assert_eq!(grades, ["B", "B", "C", "A", "A", "C", "B", "B", "C"]);
    // Σ NRR = 30; × 0.111 × 25 = 83.25: B (Baik).
    assert_eq!(r.headline(o.ikm.as_ref()), "83,25 — B (Baik)");
    // Weakest first: U6 2.75; U3, U9 3.00 (questionnaire order kept on ties); U2, U8 3.25;
    // U1, U7 3.50; U4 3.75; U5 4.00.
    let order: Vec<&str> = o.weakest_first().iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        order,
        [
            "kompetensi",
            "waktu",
            "sarana",
            "prosedur",
            "pengaduan",
            "persyaratan",
            "perilaku",
            "biaya",
            "produk"
        ]
    );
    // Served in November: 30 + 20 = 50 (the 100 of 31 October are outside); Krejcie &
    // Morgan for 50: 3.841 × 50 × 0.25 / (0.0025 × 49 + 3.841 × 0.25) = 44.03 → 44.
    assert_eq!((r.visits, r.sample), (50, 44));
}

#[test]
fn per_service_and_per_counter_worked_by_hand() {
    let r = november(Weighting::Regulation);
    // A: R1 + R2 = 33 + 31 = 64 over 2 → Σ NRR 32; × 2.775 = 88.80: A.
    // B: R3 + R4 = 29 + 27 = 56 over 2 → Σ NRR 28; × 2.775 = 77.70: B.
    let s: Vec<(&str, u64, u64, Option<u32>)> = r
        .services
        .iter()
        .map(|s| {
            (
                s.service.as_str(),
                s.visits,
                s.summary.respondents,
                s.summary.ikm.as_ref().map(|i| i.hundredths),
            )
        })
        .collect();
    assert_eq!(s, [("A", 30, 2, Some(8880)), ("B", 20, 2, Some(7770))]);
    // Counter 1 finished R1–R3 (services A and B): 93 over 3 → Σ NRR 31; × 2.775 = 86.025,
    // half up 86.03: B. Counter 2, R4 alone: 27 × 2.775 = 74.925 → 74.93: C.
    /// Counter, its services, its index, its grade.
    type Row = (Option<u32>, Vec<String>, Option<u32>, String);
    let c: Vec<Row> = r
        .counters
        .iter()
        .map(|c| {
            (
                c.counter,
                c.services.clone(),
                c.summary.ikm.as_ref().map(|i| i.hundredths),
                r.band(c.summary.ikm.as_ref()).expect("band").grade.clone(),
            )
        })
        .collect();
    assert_eq!(
        c,
        [
            (
                Some(1),
                vec!["A".into(), "B".into()],
                Some(8603),
                "B".into()
            ),
            (Some(2), vec!["B".into()], Some(7493), "C".into()),
        ]
    );
    // The same answers with the exact weight 1/9 (× 25/9): 83.33 office, 88.89 A, 77.78 B,
    // counter 1 86.11, counter 2 75.00.
    let e = november(Weighting::Exact);
    let h = |i: Option<&Ikm>| i.map(|i| i.hundredths);
    assert_eq!(h(e.overall.ikm.as_ref()), Some(8333));
    assert_eq!(h(e.services[0].summary.ikm.as_ref()), Some(8889));
    assert_eq!(h(e.services[1].summary.ikm.as_ref()), Some(7778));
    assert_eq!(h(e.counters[0].summary.ikm.as_ref()), Some(8611));
    assert_eq!(h(e.counters[1].summary.ikm.as_ref()), Some(7500));
}

#[test]
fn profile_counts_and_suggestions_newest_first() {
    let r = november(Weighting::Regulation);
    let sex = &r.profile[0];
    assert_eq!(sex.id, "jenis_kelamin");
    assert_eq!(
        sex.options,
        [("Laki-laki".to_string(), 1), ("Perempuan".to_string(), 2)]
    );
    assert_eq!(sex.unanswered, 1);
    // Education asked of no one: every option 0, all four unanswered.
    assert!(r.profile[2].options.iter().all(|(_, n)| *n == 0));
    assert_eq!(r.profile[2].unanswered, 4);
    // Blank suggestions are none; the text is kept as written (the page escapes it). Their
    // date is the month only; within it, by service then text.
    let s: Vec<(NaiveDate, &str, &str)> = r
        .suggestions
        .iter()
        .map(|s| (s.month, s.service.as_str(), s.text.as_str()))
        .collect();
    assert_eq!(
        s,
        [
            (day(1), "A", "Ruang tunggu panas."),
            (day(1), "B", "<b>Antrean</b> cepat & rapi"),
        ]
    );
    let names = Names {
        service: &|s| s.to_string(),
        counter: &|c| c.to_string(),
    };
    let table = r.suggestions_table(&names);
    assert_eq!(table.columns[0].title, "Bulan");
    assert_eq!(
        table.rows[0][0],
        crate::report::table::Cell::Text("November 2026".into())
    );
    // A response knows its month, not its day: a range that starts within the month
    // holds the month's responses.
    let q = questionnaire(Weighting::Regulation);
    let mid = SurveyReport::build(day(15), day(30), &four(), &q, &[]);
    assert_eq!(mid.overall.respondents, 4);
}

/// `n` respondents whose element totals are `totals`: in each element the first
/// `total − 3n` respondents answer 4, the rest 3 (so 3n ≤ total ≤ 4n).
fn with_totals(n: u32, totals: [u32; 9]) -> Vec<Response> {
    (0..n)
        .map(|i| {
            let scores = totals.map(|t| if i < t - 3 * n { 4 } else { 3 });
            response(day(10), "A", 1, scores, None, "")
        })
        .collect()
}

fn ikm_of(responses: &[Response], w: Weighting) -> (u32, String) {
    let r = SurveyReport::build(day(1), day(30), responses, &questionnaire(w), &[]);
    let i = r.overall.ikm.clone().expect("index");
    (i.hundredths, r.bands[i.band].grade.clone())
}

#[test]
fn band_edges_under_the_regulation_weight() {
    // 11 respondents, totals 39 × 8 + 38 = 350: Σ NRR = 350/11 = 31.8181…;
    // × 2.775 = 88.2954… → 88.30: B, the top of B.
    let b = with_totals(11, [39, 39, 39, 39, 39, 39, 39, 39, 38]);
    assert_eq!(ikm_of(&b, Weighting::Regulation), (8830, "B".into()));
    // 17 respondents, totals 61 + 60 × 8 = 541: Σ NRR = 31.8235…; × 2.775 = 88.3102… →
    // 88.31: A, the bottom of A.
    let a = with_totals(17, [61, 60, 60, 60, 60, 60, 60, 60, 60]);
    assert_eq!(ikm_of(&a, Weighting::Regulation), (8831, "A".into()));
    // The weighting matters at the edge: the same 350/11 with 1/9 is × 25/9 = 88.38: A.
    assert_eq!(ikm_of(&b, Weighting::Exact), (8838, "A".into()));
}

#[test]
fn band_edges_under_the_exact_weight() {
    // 33 respondents, totals 117 × 5 + 116 × 4 = 1049: Σ NRR = 31.7878…; × 25/9 =
    // 88.2996… → 88.30: B.
    let b = with_totals(33, [117, 117, 117, 117, 117, 116, 116, 116, 116]);
    assert_eq!(ikm_of(&b, Weighting::Exact), (8830, "B".into()));
    // 29 respondents, totals 103 × 4 + 102 × 5 = 922: Σ NRR = 31.7931…; × 25/9 = 88.3141…
    // → 88.31: A.
    let a = with_totals(29, [103, 103, 103, 103, 102, 102, 102, 102, 102]);
    assert_eq!(ikm_of(&a, Weighting::Exact), (8831, "A".into()));
    // Under 0.111 the same answers stay B: 31.7931… × 2.775 = 88.2258… → 88.23.
    assert_eq!(ikm_of(&a, Weighting::Regulation), (8823, "B".into()));
}

#[test]
fn no_responses_no_index() {
    let r = SurveyReport::build(
        day(1),
        day(30),
        &[],
        &questionnaire(Weighting::Regulation),
        &[served(day(2), "A", 10)],
    );
    assert_eq!(r.overall.respondents, 0);
    assert!(r.overall.ikm.is_none());
    assert_eq!(r.headline(None), "—");
    assert_eq!((r.visits, r.sample), (10, 10));
    // A service with visits and no response still has its row.
    assert_eq!(r.services.len(), 1);
    assert!(r.services[0].summary.ikm.is_none());
}

#[test]
fn periods_parse_and_bound() {
    let p = |s: &str| Period::parse(s).expect(s);
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    assert_eq!(p("2026-11").bounds(), (d(2026, 11, 1), d(2026, 11, 30)));
    assert_eq!(p("2026-T4").bounds(), (d(2026, 10, 1), d(2026, 12, 31)));
    assert_eq!(p("2024-t1").bounds(), (d(2024, 1, 1), d(2024, 3, 31)));
    assert_eq!(p("2026-S1").bounds(), (d(2026, 1, 1), d(2026, 6, 30)));
    assert_eq!(p("2026").bounds(), (d(2026, 1, 1), d(2026, 12, 31)));
    assert_eq!(p("2026-T4").label(), "Triwulan IV 2026");
    assert_eq!(p("2026-S2").label(), "Semester II 2026");
    assert_eq!(p("2026-02").label(), "Februari 2026");
    assert_eq!(p("2026-T4").key(), "2026-T4");
    for bad in [
        "", "2026-13", "2026-T5", "2026-S0", "26", "2026-1", "abcd", "2026-+1",
    ] {
        assert!(Period::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Period::quarter_of(d(2026, 12, 1)), p("2026-T4"));
    let choices = Period::choices(d(2026, 1, 15));
    assert_eq!(choices[0].1[1], p("2025-T4"));
    assert_eq!(choices[3].1[1], p("2025-12"));
}

#[test]
fn the_tables_carry_the_same_figures() {
    // Every group's figure shown (two respondents each here).
    let r = november(Weighting::Regulation).hide_groups_below(1);
    let names = Names {
        service: &|s| format!("Layanan {s}"),
        counter: &|c| format!("Loket {c}"),
    };
    let t = r.tables("November 2026", &names);
    assert_eq!(t[1].rows[5][4].display(), "2,750");
    assert_eq!(t[1].rows[0][5].display(), "0,389");
    assert_eq!(t[1].rows[5][6].display(), "68,75");
    assert_eq!(t[2].rows[0][4].display(), "88,80");
    assert_eq!(t[3].rows[0][1].display(), "Layanan A, Layanan B");
    assert_eq!(r.weight_text(), "0,111");
}

#[test]
fn services_and_counters_with_few_respondents_show_no_index() {
    let names = Names {
        service: &|s| s.to_string(),
        counter: &|c| format!("Loket {c}"),
    };
    // Two respondents per service, three and one per counter: under five, "—" (the figures
    // themselves are still computed).
    let r = november(Weighting::Regulation);
    assert_eq!(r.min_group, 5);
    assert!(r.groups_hidden() && r.services_hidden());
    assert!(r.services[0].summary.ikm.is_some());
    let services = r.services_table(&names);
    for row in &services.rows {
        assert_eq!(row[4].display(), "—", "{row:?}");
        assert_eq!(row[5].display(), "—", "{row:?}");
    }
    assert_eq!(
        services.rows[0][2].display(),
        "2",
        "the respondents are still counted"
    );
    let counters = r.counters_table(&names);
    assert!(counters.rows.iter().all(|row| row[3].display() == "—"));
    assert!(r.groups_hidden_note().contains("paling sedikit 5"));
    // The office's own rule: two is enough for the services; counter 2 (one) stays hidden.
    let r = november(Weighting::Regulation).hide_groups_below(2);
    let services = r.services_table(&names);
    assert_eq!(services.rows[0][4].display(), "88,80");
    assert_eq!(services.rows[0][5].display(), "A (Sangat Baik)");
    assert!(!r.services_hidden() && r.groups_hidden());
    let counters = r.counters_table(&names);
    assert_eq!(counters.rows[0][3].display(), "86,03");
    assert_eq!(counters.rows[1][3].display(), "—");
}

#[test]
fn the_weight_is_printed_for_any_number_of_elements() {
    let weight = |k: usize, w: Weighting| {
        let mut q = questionnaire(w);
        q.elements.truncate(k);
        SurveyReport::build(day(1), day(30), &four(), &q, &[]).weight_text()
    };
    assert_eq!(weight(9, Weighting::Regulation), "0,111");
    assert_eq!(weight(7, Weighting::Regulation), "0,142");
    assert_eq!(weight(1, Weighting::Regulation), "1,000");
    assert_eq!(weight(9, Weighting::Exact), "1/9");
    assert_eq!(weight(1, Weighting::Exact), "1");
}
