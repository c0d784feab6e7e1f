//! Places for live sockets: how many one client address, and this whole
//! instance, may hold open at once (`GUICHET_LIVE_SOCKETS_PER_ADDRESS`,
//! `GUICHET_LIVE_SOCKETS_MAX`). A place is taken in one step under a lock,
//! before the upgrade, and given back when its `Place` is dropped (the
//! socket ended, or the upgrade never happened), so a burst of upgrades
//! released together never holds more than the caps.
//!
//! The count per address is kept only while the address holds a place:
//! the map never grows past the sockets that are open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The defaults: an office's lobby screens, counter displays, agents and
/// the citizens following their tickets on its Wi-Fi all come from one
/// NAT address; an instance holds a few thousand sockets easily.
pub const PER_ADDRESS: usize = 200;
pub const PER_INSTANCE: usize = 10_000;

/// Which cap refused a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The client's address holds its share already (429).
    Address,
    /// This instance holds all it may (503: try another one).
    Instance,
}

impl Refused {
    /// The `reason` label of `guichet_live_refused_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Address => "address",
            Self::Instance => "instance",
        }
    }
}

#[derive(Debug)]
pub struct Places {
    per_address: usize,
    per_instance: usize,
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    total: usize,
    by_address: HashMap<String, usize>,
}

/// One socket's place, given back on drop.
#[derive(Debug)]
pub struct Place {
    places: Arc<Places>,
    address: String,
}

impl Places {
    pub fn new(per_address: usize, per_instance: usize) -> Arc<Self> {
        Arc::new(Self {
            per_address,
            per_instance,
            held: Mutex::default(),
        })
    }

    /// Takes a place for a socket of `address`, or says which cap is full.
    pub fn take(self: &Arc<Self>, address: &str) -> Result<Place, Refused> {
        let mut held = crate::sync::lock(&self.held);
        let of_address = held.by_address.get(address).copied().unwrap_or(0);
        if of_address >= self.per_address {
            return Err(Refused::Address);
        }
        if held.total >= self.per_instance {
            return Err(Refused::Instance);
        }
        held.total += 1;
        held.by_address.insert(address.to_owned(), of_address + 1);
        Ok(Place {
            places: self.clone(),
            address: address.to_owned(),
        })
    }

    /// Places held now: the sockets open (and upgrades under way).
    pub fn held(&self) -> usize {
        crate::sync::lock(&self.held).total
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut held = crate::sync::lock(&self.places.held);
        held.total = held.total.saturating_sub(1);
        if let Some(count) = held.by_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                held.by_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_hold_per_address_and_per_instance_and_places_come_back() {
        let places = Places::new(2, 3);
        let a1 = places.take("a").unwrap();
        let _a2 = places.take("a").unwrap();
        assert_eq!(places.take("a").unwrap_err(), Refused::Address);
        let _b1 = places.take("b").unwrap();
        assert_eq!(places.take("c").unwrap_err(), Refused::Instance);
        assert_eq!(places.take("a").unwrap_err(), Refused::Address);
        drop(a1);
        assert_eq!(places.held(), 2);
        let _a3 = places.take("a").unwrap();
        assert_eq!(places.held(), 3);
    }

    #[test]
    fn an_address_without_sockets_is_forgotten() {
        let places = Places::new(5, 5);
        drop(places.take("a").unwrap());
        let held = places.held.lock().unwrap();
        assert_eq!((held.total, held.by_address.len()), (0, 0));
    }
}
