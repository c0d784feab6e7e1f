//! Browser tests of the portal screens.
