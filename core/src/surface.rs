//! The surfaces (screens) one Waitwell app can show, and their routes.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// One of the screens a Waitwell device can show.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Surface {
    /// Welcome and self check-in, on the entrance tablet.
    #[default]
    CheckIn,
    /// The public queue board: ticket codes only.
    Board,
    /// The staff queue (PIN).
    Reception,
    /// The exit survey tablet.
    Survey,
    /// Staff reports (PIN).
    Insights,
}

impl Surface {
    /// Every surface, in the order setup lists them.
    pub const ALL: [Surface; 5] = [
        Surface::CheckIn,
        Surface::Board,
        Surface::Reception,
        Surface::Survey,
        Surface::Insights,
    ];

    /// Stable identifier, used in storage and configuration.
    pub const fn as_str(self) -> &'static str {
        match self {
            Surface::CheckIn => "check-in",
            Surface::Board => "board",
            Surface::Reception => "reception",
            Surface::Survey => "survey",
            Surface::Insights => "insights",
        }
    }

    /// The route that shows this surface directly.
    pub const fn path(self) -> &'static str {
        match self {
            Surface::CheckIn => "/",
            Surface::Board => "/board",
            Surface::Reception => "/reception",
            Surface::Survey => "/survey",
            Surface::Insights => "/insights",
        }
    }

    /// Whether a tablet can be enrolled for this surface (its role). A
    /// reception desk is enrolled too: there a person's short PIN may undo
    /// an idle lock. Insights is for whoever signs in, wherever.
    pub const fn is_device_role(self) -> bool {
        matches!(
            self,
            Surface::CheckIn | Surface::Board | Surface::Survey | Surface::Reception
        )
    }

    /// Whether a tablet enrolled for this role may show `surface` (and
    /// make its requests): a board shows only the queue, which every
    /// enrolled tablet may read; a check-in kiosk may also run the exit
    /// survey; a reception desk shows reception (where a person still signs
    /// in: the desk's enrollment only lets their PIN unlock an idle lock).
    pub const fn allows(self, surface: Surface) -> bool {
        if !self.is_device_role() {
            return false;
        }
        match surface {
            Surface::Board => true,
            Surface::Survey => matches!(self, Surface::Survey | Surface::CheckIn),
            Surface::CheckIn => matches!(self, Surface::CheckIn),
            Surface::Reception => matches!(self, Surface::Reception),
            Surface::Insights => false,
        }
    }

    /// Whether the surface shows data only staff may see.
    pub const fn is_staff_only(self) -> bool {
        matches!(self, Surface::Reception | Surface::Insights)
    }
}

impl fmt::Display for Surface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A surface name that Waitwell does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown surface {0:?}")]
pub struct UnknownSurface(pub String);

impl FromStr for Surface {
    type Err = UnknownSurface;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Surface::ALL
            .into_iter()
            .find(|surface| surface.as_str() == s)
            .ok_or_else(|| UnknownSurface(s.to_owned()))
    }
}

/// The built pages of the app: each its own bundle, downloading only what
/// its surfaces need (a wall board never fetches the check-in kiosk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    /// `index.html`: check-in and survey at `/` and `/survey`, `/setup`,
    /// and every unknown path.
    Kiosk,
    /// `board.html`: the queue board at `/board`.
    Board,
    /// `staff.html`: `/reception`.
    Staff,
    /// `insights.html`: `/insights` (staff reports: its charts and tables
    /// are not in reception's first load).
    Insights,
    /// `tablets.html`: `/tablets`, reception's tablets (their health,
    /// setting one up, revoking one, the writes the server refused on
    /// them). The desk shows what needs staff and links here.
    Tablets,
    /// `phone.html`: a patient's own phone following a ticket, at
    /// `/t/{token}`.
    Phone,
}

impl Page {
    /// Every page.
    pub const ALL: [Page; 6] = [
        Page::Kiosk,
        Page::Board,
        Page::Staff,
        Page::Insights,
        Page::Tablets,
        Page::Phone,
    ];

    /// Where the tablets page is (it shows no surface of its own).
    pub const TABLETS_PATH: &'static str = "/tablets";

    /// A path as the pages tell paths apart: without a trailing `/`, but
    /// `/` itself (`""` and `"//"` are `/`).
    pub fn route(path: &str) -> &str {
        match path.trim_end_matches('/') {
            "" => "/",
            trimmed => trimmed,
        }
    }

    /// The page that shows `path` (what the server answers a navigation
    /// with, and where a page sends a path that is not its own).
    pub fn for_path(path: &str) -> Page {
        match Page::route(path) {
            "/board" => Page::Board,
            "/reception" => Page::Staff,
            "/insights" => Page::Insights,
            Page::TABLETS_PATH => Page::Tablets,
            p if p.starts_with("/t/") => Page::Phone,
            _ => Page::Kiosk,
        }
    }

    /// Whether a device showing this page keeps the app with a service
    /// worker, to start without a network: every clinic device does; a
    /// patient's own phone keeps nothing of it.
    pub const fn keeps_the_app(self) -> bool {
        !matches!(self, Page::Phone)
    }

    /// The page whose service worker this page registers: one worker per
    /// device, which keeps the device's page (and any other it navigates
    /// to online). A staff computer's is reception's, from any staff
    /// page, so that going between them never swaps the worker.
    pub const fn worker_page(self) -> Page {
        match self {
            Page::Insights | Page::Tablets => Page::Staff,
            page => page,
        }
    }

    /// The page that shows `surface`.
    pub fn of(surface: Surface) -> Page {
        Page::for_path(surface.path())
    }

    /// The built file, in trunk's output folder.
    pub const fn file(self) -> &'static str {
        match self {
            Page::Kiosk => "index.html",
            Page::Board => "board.html",
            Page::Staff => "staff.html",
            Page::Insights => "insights.html",
            Page::Tablets => "tablets.html",
            Page::Phone => "phone.html",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_surface_round_trips_through_its_name() {
        for surface in Surface::ALL {
            assert_eq!(surface.as_str().parse::<Surface>(), Ok(surface));
            let json = serde_json::to_string(&surface).unwrap();
            assert_eq!(json, format!("\"{}\"", surface.as_str()));
        }
    }

    #[test]
    fn paths_are_distinct_and_check_in_is_home() {
        let mut paths: Vec<_> = Surface::ALL.iter().map(|s| s.path()).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), Surface::ALL.len());
        assert_eq!(Surface::default().path(), "/");
    }

    #[test]
    fn only_reception_and_insights_are_staff_only() {
        let staff: Vec<_> = Surface::ALL
            .into_iter()
            .filter(|s| s.is_staff_only())
            .collect();
        assert_eq!(staff, [Surface::Reception, Surface::Insights]);
    }

    #[test]
    fn unknown_names_are_errors() {
        assert_eq!(
            "Board".parse::<Surface>(),
            Err(UnknownSurface("Board".into()))
        );
        assert!("".parse::<Surface>().is_err());
    }

    proptest! {
        #[test]
        fn parsing_any_string_never_panics(s in ".*") {
            if let Ok(surface) = s.parse::<Surface>() {
                prop_assert_eq!(surface.as_str(), s.as_str());
            }
        }
    }

    #[test]
    fn what_each_enrolled_role_may_show() {
        use Surface::*;
        let allowed: Vec<(Surface, Surface)> = Surface::ALL
            .into_iter()
            .flat_map(|role| Surface::ALL.into_iter().map(move |s| (role, s)))
            .filter(|(role, s)| role.allows(*s))
            .collect();
        assert_eq!(
            allowed,
            [
                (CheckIn, CheckIn),
                (CheckIn, Board),
                (CheckIn, Survey),
                (Board, Board),
                (Reception, Board),
                (Reception, Reception),
                (Survey, Board),
                (Survey, Survey),
            ]
        );
    }

    #[test]
    fn a_route_is_its_path_without_a_trailing_slash_but_the_root_stays() {
        assert_eq!(Page::route("/survey/"), "/survey");
        assert_eq!(Page::route("/survey"), "/survey");
        assert_eq!(Page::route("/t/abc//"), "/t/abc");
        for root in ["", "/", "//"] {
            assert_eq!(Page::route(root), "/", "{root:?}");
        }
        assert_eq!(Page::for_path("/board/"), Page::Board);
    }

    #[test]
    fn every_surface_is_on_the_page_its_path_leads_to() {
        use super::Page;
        assert_eq!(Page::of(Surface::CheckIn), Page::Kiosk);
        assert_eq!(Page::of(Surface::Survey), Page::Kiosk);
        assert_eq!(Page::of(Surface::Board), Page::Board);
        assert_eq!(Page::of(Surface::Reception), Page::Staff);
        assert_eq!(Page::of(Surface::Insights), Page::Insights);
        assert_eq!(Page::for_path("/insights/"), Page::Insights);
        assert_eq!(Page::for_path("/tablets/"), Page::Tablets);
        for path in ["/setup", "/t", "/no-such-page", "", "/board/x", "/tx/abc"] {
            assert_eq!(Page::for_path(path), Page::Kiosk, "{path}");
        }
        assert_eq!(Page::for_path("/board/"), Page::Board);
        assert_eq!(Page::for_path("/t/0123abcd"), Page::Phone);
        // Only a patient's phone goes without the service worker.
        let kept: Vec<Page> = Page::ALL
            .into_iter()
            .filter(|p| p.keeps_the_app())
            .collect();
        assert_eq!(
            kept,
            [
                Page::Kiosk,
                Page::Board,
                Page::Staff,
                Page::Insights,
                Page::Tablets
            ]
        );
        // Every staff page registers reception's worker; every other page
        // its own.
        for page in Page::ALL {
            let expected = if matches!(page, Page::Insights | Page::Tablets) {
                Page::Staff
            } else {
                page
            };
            assert_eq!(page.worker_page(), expected, "{page:?}");
        }
        let files: std::collections::BTreeSet<_> = Page::ALL.iter().map(|p| p.file()).collect();
        assert_eq!(files.len(), Page::ALL.len(), "one file per page");
    }
}
