//! Staff roles: the actors of the complaint SOP who log in, plus counter operators and the
//! administrator. A user may hold several.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Counter staff who call numbers.
    Operator,
    CustomerService,
    /// Petugas Pengaduan.
    ComplaintOfficer,
    /// Kasubbag Umum dan Kepegawaian.
    KasubbagUmum,
    /// Kasi terkait pada Bidang Daftar dan Capil.
    Kasi,
    Sekretaris,
    KepalaDinas,
    Admin,
}

pub const ALL_ROLES: [Role; 8] = [
    Role::Operator,
    Role::CustomerService,
    Role::ComplaintOfficer,
    Role::KasubbagUmum,
    Role::Kasi,
    Role::Sekretaris,
    Role::KepalaDinas,
    Role::Admin,
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::CustomerService => "customer_service",
            Role::ComplaintOfficer => "complaint_officer",
            Role::KasubbagUmum => "kasubbag_umum",
            Role::Kasi => "kasi",
            Role::Sekretaris => "sekretaris",
            Role::KepalaDinas => "kepala_dinas",
            Role::Admin => "admin",
        }
    }

    /// As staff read it.
    pub fn label_id(self) -> &'static str {
        match self {
            Role::Operator => "Petugas Loket",
            Role::CustomerService => "Customer Service",
            Role::ComplaintOfficer => "Petugas Pengaduan",
            Role::KasubbagUmum => "Kasubbag Umum dan Kepegawaian",
            Role::Kasi => "Kasi Bidang Daftar dan Capil",
            Role::Sekretaris => "Sekretaris",
            Role::KepalaDinas => "Kepala Dinas",
            Role::Admin => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL_ROLES
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown role `{s}`; roles: {}",
                    ALL_ROLES.map(Role::as_str).join(", ")
                )
            })
    }
}
