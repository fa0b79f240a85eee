//! A complaint flow as the office's SOP (*Prosedur Tetap Pelayanan Pengaduan*) writes it:
//! numbered steps, who does each, what it needs, how long it may take, where it leads.
//! A complaint keeps a copy of its flow (with the flow's content version) from the moment it
//! is opened, so editing a file later never changes a complaint already under way.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::auth::Role;
use crate::calendar::TimeStandard;

/// Parties of the SOP who never log in: staff record their steps on their behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutsideParty {
    /// The complainant (*pengadu*).
    Pengadu,
    /// The mayor and the city secretary (*Walikota dan Sekretaris Daerah Kota*), outside the
    /// department; their meeting is a step of the large-scale flow.
    WalikotaSekda,
}

impl OutsideParty {
    pub const ALL: [OutsideParty; 2] = [OutsideParty::Pengadu, OutsideParty::WalikotaSekda];

    pub fn as_str(self) -> &'static str {
        match self {
            OutsideParty::Pengadu => "pengadu",
            OutsideParty::WalikotaSekda => "walikota_sekda",
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            OutsideParty::Pengadu => "Pengadu",
            OutsideParty::WalikotaSekda => "Walikota/Sekretaris Daerah",
        }
    }
}

/// Who a step belongs to: a staff role, or a party whose step staff record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Performer {
    Staff(Role),
    Outside(OutsideParty),
}

impl Performer {
    pub fn as_str(self) -> &'static str {
        match self {
            Performer::Staff(r) => r.as_str(),
            Performer::Outside(p) => p.as_str(),
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            Performer::Staff(r) => r.label_id(),
            Performer::Outside(p) => p.label_id(),
        }
    }
}

impl fmt::Display for Performer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Performer {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(p) = OutsideParty::ALL.into_iter().find(|p| p.as_str() == s) {
            return Ok(Performer::Outside(p));
        }
        s.parse::<Role>().map(Performer::Staff)
    }
}

impl Serialize for Performer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Performer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How a reviewer marks a reply letter as agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    /// *ditandatangani*: signed (flows 1 and 2, by the Kepala Dinas).
    TandaTangan,
    /// *diparaf*: initialled (flow 4, by the Sekretaris, before the Kepala Dinas signs).
    Paraf,
}

impl Approval {
    pub fn label_id(self) -> &'static str {
        match self {
            Approval::TandaTangan => "Setujui dan tandatangani",
            Approval::Paraf => "Setujui dan paraf",
        }
    }
}

/// The problem level (*tingkatan masalah*) the complaint officer records at intake; the
/// office's `levels.toml` maps it to a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Kecil,
    Menengah,
    Besar,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Kecil, Level::Menengah, Level::Besar];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Kecil => "kecil",
            Level::Menengah => "menengah",
            Level::Besar => "besar",
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            Level::Kecil => "Skala Kecil",
            Level::Menengah => "Skala Menengah",
            Level::Besar => "Skala Besar",
        }
    }

    pub(super) fn index(self) -> usize {
        match self {
            Level::Kecil => 0,
            Level::Menengah => 1,
            Level::Besar => 2,
        }
    }
}

/// One row of the SOP's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// As the source numbers it (the large-scale flow has no step 8).
    pub no: u32,
    pub actor: Performer,
    /// Further roles that may do a staff step (the large flow's step 4: Kasubbag or Kasi).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_by: Vec<Role>,
    /// Roles that record an outside party's step on its behalf.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recorded_by: Vec<Role>,
    /// *Uraian prosedur*, in the source's words.
    pub action: String,
    /// *Persyaratan/kelengkapan*.
    pub requirements: Vec<String>,
    /// *Waktu proses*.
    pub time: TimeStandard,
    pub output: String,
    /// The step after this one (after approval, at a review step); none at the final step.
    pub next: Option<u32>,
    /// Where "returned for revision" goes; only review steps have it.
    pub revise: Option<u32>,
    pub approval: Option<Approval>,
    /// The reply letter is written at this step: completing it needs a draft.
    #[serde(default)]
    pub drafts_reply: bool,
    /// Covered by the queue ticket's history when the complainant came with a number.
    #[serde(default)]
    pub from_ticket: bool,
    /// Whose signature the letter carries at this step, when that is not the actor's.
    pub signed_by: Option<Role>,
    pub note: Option<String>,
}

impl Step {
    pub fn is_review(&self) -> bool {
        self.revise.is_some()
    }

    pub fn is_final(&self) -> bool {
        self.next.is_none()
    }

    pub fn outside_party(&self) -> Option<OutsideParty> {
        match self.actor {
            Performer::Outside(p) => Some(p),
            Performer::Staff(_) => None,
        }
    }

    /// The roles that may act at this step: its own (and `also_by`), or for an outside
    /// party's step those that record it.
    pub fn allowed_roles(&self) -> Vec<Role> {
        match self.actor {
            Performer::Staff(r) => std::iter::once(r)
                .chain(self.also_by.iter().copied())
                .collect(),
            Performer::Outside(_) => self.recorded_by.clone(),
        }
    }
}

/// A validated flow. Built only by the loader (or read back from a complaint's snapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// The file's name without `.toml`: `skala_kecil`.
    pub id: String,
    pub name: String,
    /// SHA-256 (hex) of the flow's canonical form: changes with any step's content, not with
    /// comments or layout.
    pub version: String,
    /// In file order; the first is where a complaint starts.
    pub steps: Vec<Step>,
}

#[derive(Serialize)]
struct Canonical<'a> {
    id: &'a str,
    name: &'a str,
    steps: &'a [Step],
}

impl Flow {
    pub(super) fn new(id: String, name: String, steps: Vec<Step>) -> Self {
        let version = content_version(&id, &name, &steps);
        Self {
            id,
            name,
            version,
            steps,
        }
    }

    pub fn step(&self, no: u32) -> Option<&Step> {
        self.steps.iter().find(|s| s.no == no)
    }

    /// Whether the stored version still matches the content (a snapshot read back from the
    /// store that someone altered would not).
    pub fn version_matches(&self) -> bool {
        content_version(&self.id, &self.name, &self.steps) == self.version
    }

    /// The first twelve hex digits, enough to tell versions apart on a page.
    pub fn short_version(&self) -> &str {
        self.version.get(..12).unwrap_or(&self.version)
    }
}

/// JSON of the parsed values, in struct order: the same content always gives the same bytes.
fn content_version(id: &str, name: &str, steps: &[Step]) -> String {
    let canonical = Canonical { id, name, steps };
    // Serialising plain structs of strings and numbers into memory cannot fail; should it
    // ever, the debug form is still a faithful, deterministic rendering of the content.
    let bytes = serde_json::to_vec(&canonical)
        .unwrap_or_else(|_| format!("{id}\n{name}\n{steps:?}").into_bytes());
    crate::auth::sha256_hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn performers_read_roles_and_outside_parties() {
        assert_eq!(
            "pengadu".parse::<Performer>(),
            Ok(Performer::Outside(OutsideParty::Pengadu))
        );
        assert_eq!(
            "walikota_sekda".parse::<Performer>(),
            Ok(Performer::Outside(OutsideParty::WalikotaSekda))
        );
        assert_eq!(
            "kepala_dinas".parse::<Performer>(),
            Ok(Performer::Staff(Role::KepalaDinas))
        );
        assert!("kepala_kantor".parse::<Performer>().is_err());
    }
}
