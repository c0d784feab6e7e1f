//! Who may do what: staff roles and device kinds.

use super::Invalid;
use serde::{Deserialize, Serialize};

/// A staff member's role. Admins are global; supervisors and agents belong
/// to one site; a province account reads the sites of one province.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Supervisor,
    Agent,
    Province,
}

impl Role {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        match value {
            "admin" => Ok(Self::Admin),
            "supervisor" => Ok(Self::Supervisor),
            "agent" => Ok(Self::Agent),
            "province" => Ok(Self::Province),
            _ => Err(Invalid::new("role", "admin, supervisor, agent or province")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Supervisor => "supervisor",
            Self::Agent => "agent",
            Self::Province => "province",
        }
    }

    /// Supervisors and agents work for one site; an admin for all, a
    /// province account for its province's.
    pub fn needs_site(self) -> bool {
        matches!(self, Self::Supervisor | Self::Agent)
    }
}

/// A device that holds its own token: a kiosk issues tickets, a display
/// only reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    Kiosk,
    Display,
}

impl DeviceKind {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        match value {
            "kiosk" => Ok(Self::Kiosk),
            "display" => Ok(Self::Display),
            _ => Err(Invalid::new("kind", "kiosk or display")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kiosk => "kiosk",
            Self::Display => "display",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in [Role::Admin, Role::Supervisor, Role::Agent, Role::Province] {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("root").is_err());
        assert!(!Role::Admin.needs_site());
        assert!(Role::Agent.needs_site());
        assert!(!Role::Province.needs_site());
    }
}
