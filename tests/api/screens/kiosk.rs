//! Browser tests of the kiosk screens.
