//! Browser tests of the agent screens.
