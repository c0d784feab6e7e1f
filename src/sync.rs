//! Locking a mutex whatever became of its last holder. Every mutex of the
//! service guards plain data (caches, counters, channel maps) that each
//! holder leaves whole at every step, so a holder's panic leaves nothing to
//! distrust: the lock is taken as it is rather than passing the panic on.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// The guard of `mutex`, poisoned or not.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
