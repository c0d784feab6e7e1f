//! Where offices are and what they offer across offices: a service's kind
//! (the procedure it is, shared by the offices offering it), a site's city
//! and position, and how far one position is from another.

use super::Invalid;
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Longest kind code.
pub const KIND_MAX: usize = 60;
/// Longest city name, in characters.
pub const CITY_MAX: usize = 80;

/// The procedure a service is, shared by the services meaning the same
/// one in different offices: lowercase ASCII letters, digits and single
/// dashes inside, 1 to 60 (`certificat-residence`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Kind(String);

impl Kind {
    pub fn parse(field: &'static str, value: &str) -> Result<Self, Invalid> {
        let ok_chars = value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ok_dashes = !value.starts_with('-') && !value.ends_with('-') && !value.contains("--");
        if (1..=KIND_MAX).contains(&value.len()) && ok_chars && ok_dashes {
            Ok(Self(value.to_owned()))
        } else {
            Err(Invalid::new(
                field,
                "1 to 60 characters among a-z, 0-9 and single '-' inside, e.g. certificat-residence",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A position in degrees: latitude −90 to 90, longitude −180 to 180.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub latitude: f64,
    pub longitude: f64,
}

impl Position {
    pub fn parse(latitude: f64, longitude: f64) -> Result<Self, Invalid> {
        Ok(Self {
            latitude: latitude_of(latitude)?,
            longitude: longitude_of(longitude)?,
        })
    }

    /// The great-circle distance in kilometres (haversine, mean radius).
    pub fn km_to(&self, other: &Position) -> f64 {
        const EARTH_KM: f64 = 6371.0;
        let (a, b) = (self.latitude.to_radians(), other.latitude.to_radians());
        let dlat = b - a;
        let dlon = (other.longitude - self.longitude).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + a.cos() * b.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_KM * h.sqrt().min(1.0).asin()
    }
}

pub fn latitude_of(value: f64) -> Result<f64, Invalid> {
    within("latitude", value, 90.0)
}

pub fn longitude_of(value: f64) -> Result<f64, Invalid> {
    within("longitude", value, 180.0)
}

fn within(field: &'static str, value: f64, bound: f64) -> Result<f64, Invalid> {
    if value.is_finite() && (-bound..=bound).contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::new(
            field,
            format!("degrees from -{bound} to {bound}"),
        ))
    }
}

/// A city's name folded for comparison: accents and case set aside,
/// spaces, dashes and apostrophes alike (`Salé`, `sale`, `SALE` and
/// `Sale ` fold the same; `Dar el-Beida` and `dar el beida` too).
pub fn city_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if gap && !key.is_empty() {
                key.push(' ');
            }
            gap = false;
            key.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    key
}

/// Where a search starts from: a city, or a position.
#[derive(Debug, Clone, PartialEq)]
pub enum Near {
    /// The city's folded key (see `city_key`).
    City(String),
    At(Position),
}

impl Near {
    /// `lat,lon` in degrees (`33.57,-7.59`), or else a city's name.
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let value = value.trim();
        let invalid = |message: &str| Invalid::new("near", message.to_owned());
        if value.is_empty() || value.chars().count() > CITY_MAX {
            return Err(invalid("a city (at most 80 characters) or lat,lon"));
        }
        if value.chars().any(char::is_control) {
            return Err(invalid("a city (at most 80 characters) or lat,lon"));
        }
        let numeric = value
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+' | ' '));
        if numeric {
            let (lat, lon) = value
                .split_once(',')
                .ok_or_else(|| invalid("lat,lon in degrees, e.g. 33.57,-7.59"))?;
            let number = |s: &str| s.trim().parse::<f64>().ok();
            let (Some(lat), Some(lon)) = (number(lat), number(lon)) else {
                return Err(invalid("lat,lon in degrees, e.g. 33.57,-7.59"));
            };
            return Position::parse(lat, lon)
                .map(Near::At)
                .map_err(|_| invalid("latitude -90 to 90, longitude -180 to 180"));
        }
        let key = city_key(value);
        if key.is_empty() {
            return Err(invalid("a city (at most 80 characters) or lat,lon"));
        }
        Ok(Near::City(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_codes() {
        assert!(Kind::parse("kind", "certificat-residence").is_ok());
        assert!(Kind::parse("kind", "cin2").is_ok());
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "Certificat",
            "é",
            "a b",
            &"a".repeat(61),
        ] {
            assert_eq!(Kind::parse("kind", bad).unwrap_err().field, "kind", "{bad}");
        }
    }

    #[test]
    fn cities_fold_accents_case_and_separators() {
        assert_eq!(city_key("Salé"), "sale");
        assert_eq!(city_key("  SALE "), "sale");
        assert_eq!(city_key("Dar el-Beïda"), city_key("dar el beida"));
        assert_eq!(city_key("Ksar el Kébir"), "ksar el kebir");
        assert_eq!(city_key("الرباط"), "الرباط");
    }

    #[test]
    fn near_is_a_position_or_a_city() {
        let at = Near::parse("33.5731, -7.5898").unwrap();
        assert_eq!(
            at,
            Near::At(Position {
                latitude: 33.5731,
                longitude: -7.5898
            })
        );
        assert_eq!(Near::parse("Fès").unwrap(), Near::City("fes".into()));
        for bad in [
            "",
            "91,0",
            "0,181",
            "1,2,3",
            "12",
            "1.2.3,4",
            "--",
            &"x".repeat(81),
        ] {
            assert_eq!(Near::parse(bad).unwrap_err().field, "near", "{bad:?}");
        }
    }

    #[test]
    fn distances_in_kilometres() {
        let rabat = Position::parse(34.0209, -6.8416).unwrap();
        let casa = Position::parse(33.5731, -7.5898).unwrap();
        let km = rabat.km_to(&casa);
        assert!((85.0..90.0).contains(&km), "{km}");
        assert_eq!(rabat.km_to(&rabat), 0.0);
        assert!(Position::parse(f64::NAN, 0.0).is_err());
        assert!(Position::parse(0.0, -180.5).is_err());
    }
}
