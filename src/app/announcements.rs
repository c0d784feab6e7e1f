//! The lobby announcements of a site, edited by its admins and supervisors.
