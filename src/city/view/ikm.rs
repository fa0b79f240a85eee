//! The survey index (IKM) per office over a month range.
//!
//! [`ikm`] returns an [`IkmView`]: for every office the viewer may see (by name) an
//! [`OfficeIkm`] with its respondents over the range and, when they reach the privacy floor
//! (`min_group`, the offices' `[survey] min_group_respondents`), the figures: a
//! `survey::report::Summary` (per element the sums, NRR, weighted NRR, converted figure and
//! grade; the index with its grade). Below the floor the office shows its respondents and
//! no figure (`summary` None): too few to compare, and few enough to point at who answered.
//! The same per month of the range ([`MonthIkm`]), each with its own floor.
//!
//! The figures are the office's: the server adds up each element's answers (count, sum), and
//! the office's own code (`Summary::from_tallies`, `survey::index::ikm`) makes the NRRs, the
//! index and the grades from those sums, with the questionnaire's weights and bands. So the
//! city's IKM of an office equals the office's survey report over the same responses.
//! The questionnaire is the city's (`survey.toml`, the regulation's nine elements unless
//! changed): an element id it does not list is not counted, as in the office's report.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use tokio_postgres::GenericClient;

use super::{Office, allowed_param, offices};
use crate::city::CityError;
use crate::survey::index::{Band, Tally, Weighting};
use crate::survey::questionnaire::Questionnaire;
use crate::survey::report::Summary;
use crate::survey::response::month_of;

/// One month of an office.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthIkm {
    /// The month's first day.
    pub month: NaiveDate,
    pub respondents: u64,
    /// None below the floor.
    pub summary: Option<Summary>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OfficeIkm {
    pub office: Office,
    pub respondents: u64,
    /// The figures over the whole range; None below the floor (or without respondents).
    pub summary: Option<Summary>,
    /// The months of the range that had respondents, in order.
    pub months: Vec<MonthIkm>,
}

impl OfficeIkm {
    /// The grade band of the office's index, when shown.
    pub fn band<'a>(&self, bands: &'a [Band]) -> Option<&'a Band> {
        let ikm = self.summary.as_ref()?.ikm.as_ref()?;
        bands.get(ikm.band)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IkmView {
    /// The first month's first day and the range's last day (as given).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The privacy floor applied.
    pub min_group: u64,
    pub weighting: Weighting,
    /// Best first, as the questionnaire gives them.
    pub bands: Vec<Band>,
    pub offices: Vec<OfficeIkm>,
}

/// What the server sums per (office, month): respondents, and per element id the answers
/// and their total.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums {
    pub respondents: u64,
    pub elements: BTreeMap<String, Tally>,
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        self.respondents += other.respondents;
        for (id, t) in &other.elements {
            let mine = self.elements.entry(id.clone()).or_default();
            mine.responses += t.responses;
            mine.total += t.total;
        }
    }
}

/// The figures over `sums` by the office's survey code, or None below `min_group` (or
/// without respondents).
pub fn summary_from_sums(sums: &Sums, q: &Questionnaire, min_group: u64) -> Option<Summary> {
    if sums.respondents == 0 || sums.respondents < min_group.max(1) {
        return None;
    }
    let tallies = q
        .elements
        .iter()
        .map(|e| sums.elements.get(&e.id).copied().unwrap_or_default())
        .collect();
    Some(Summary::from_tallies(sums.respondents, tallies, q))
}

const RESPONDENTS: &str = "
SELECT office_code, month::text, count(*)
FROM loket.survey_responses
WHERE month >= $1::text::date AND month <= $2::text::date
  AND ($3::text[] IS NULL OR office_code = ANY($3::text[]))
GROUP BY 1, 2";

const ELEMENTS: &str = "
SELECT r.office_code, r.month::text, s.key, count(*), sum(s.value::integer)
FROM loket.survey_responses r
CROSS JOIN LATERAL jsonb_each_text(r.body->'scores') AS s
WHERE r.month >= $1::text::date AND r.month <= $2::text::date
  AND ($3::text[] IS NULL OR r.office_code = ANY($3::text[]))
GROUP BY 1, 2, 3";

fn date(s: &str) -> Result<NaiveDate, CityError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| CityError::Schema(format!("survey month `{s}`: {e}")))
}

/// The index of the offices in `allowed` (all: `None`) over the months from `from`'s to
/// `to` (a response keeps its visit's month only: a month counts when it starts in the
/// range, as in the office's report; `survey::report::Period::bounds` gives such a range).
pub async fn ikm(
    client: &(impl GenericClient + Sync),
    q: &Questionnaire,
    from: NaiveDate,
    to: NaiveDate,
    min_group: u64,
    allowed: Option<&[String]>,
) -> Result<IkmView, CityError> {
    let list = offices(client, allowed).await?;
    let first = month_of(from);
    let params = (
        first.format("%Y-%m-%d").to_string(),
        to.format("%Y-%m-%d").to_string(),
        allowed_param(allowed),
    );
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] = [&params.0, &params.1, &params.2];
    let mut sums: BTreeMap<(String, NaiveDate), Sums> = BTreeMap::new();
    let count = |v: i64| u64::try_from(v).unwrap_or(0);
    for r in client.query(RESPONDENTS, &params).await? {
        let key = (r.get::<_, String>(0), date(r.get(1))?);
        sums.entry(key).or_default().respondents = count(r.get(2));
    }
    for r in client.query(ELEMENTS, &params).await? {
        let key = (r.get::<_, String>(0), date(r.get(1))?);
        sums.entry(key).or_default().elements.insert(
            r.get(2),
            Tally {
                responses: count(r.get(3)),
                total: count(r.get(4)),
            },
        );
    }
    let offices = list
        .into_iter()
        .map(|office| {
            let mut whole = Sums::default();
            let months = sums
                .range(
                    (office.code.clone(), NaiveDate::MIN)..=(office.code.clone(), NaiveDate::MAX),
                )
                .map(|((_, month), s)| {
                    whole.add(s);
                    MonthIkm {
                        month: *month,
                        respondents: s.respondents,
                        summary: summary_from_sums(s, q, min_group),
                    }
                })
                .collect();
            OfficeIkm {
                respondents: whole.respondents,
                summary: summary_from_sums(&whole, q, min_group),
                months,
                office,
            }
        })
        .collect();
    Ok(IkmView {
        from: first,
        to,
        min_group,
        weighting: q.weighting,
        bands: q.bands.clone(),
        offices,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::survey::report::SurveyReport;
    use crate::survey::response::{Channel, Response};

    /// Responses whose scores run through every value unevenly (no two elements alike, a
    /// fraction that rounds at the edge), one element left out of some older responses.
    fn responses(q: &Questionnaire, n: usize) -> Vec<Response> {
        let month = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        (0..n)
            .map(|i| Response {
                month,
                service: if i % 3 == 0 { "A" } else { "B" }.to_string(),
                counter: Some(1 + (i % 2) as u32),
                channel: Channel::Tablet,
                profile: BTreeMap::new(),
                scores: q
                    .elements
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| !(*k == 8 && i % 4 == 0))
                    .map(|(k, e)| (e.id.clone(), 1 + ((i * 7 + k * k + i / 3) % 4) as u8))
                    .collect(),
                suggestion: String::new(),
            })
            .collect()
    }

    /// What the server's two queries add up, done by hand over the same responses.
    fn sums_of(rs: &[Response]) -> Sums {
        let mut s = Sums {
            respondents: rs.len() as u64,
            ..Sums::default()
        };
        for r in rs {
            for (id, v) in &r.scores {
                s.elements.entry(id.clone()).or_default().add(u32::from(*v));
            }
        }
        s
    }

    #[test]
    fn the_city_s_ikm_equals_the_office_report_s_on_the_same_responses() {
        let q = Questionnaire::embedded().expect("questionnaire");
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        for n in [1, 4, 7, 23, 150] {
            let rs = responses(&q, n);
            let office = SurveyReport::build(d(11, 1), d(11, 30), &rs, &q, &[]).overall;
            let city = summary_from_sums(&sums_of(&rs), &q, 1).expect("shown");
            assert_eq!(city, office, "{n} responses");
            // One respondent who left an element out gives no index, on both sides.
            assert_eq!(office.ikm.is_some(), n > 1, "{n}");
        }
        // Below the floor: no figure at all.
        let rs = responses(&q, 4);
        assert_eq!(summary_from_sums(&sums_of(&rs), &q, 5), None);
        assert!(summary_from_sums(&sums_of(&rs), &q, 4).is_some());
        assert_eq!(summary_from_sums(&Sums::default(), &q, 1), None);
    }
}
