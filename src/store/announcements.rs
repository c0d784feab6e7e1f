//! The lobby announcements of a site.
