//! Browser tests of the weight screens.
