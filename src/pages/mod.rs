//! One module per page.

mod not_found;
mod setup;
mod surface;

pub use not_found::NotFound;
pub use setup::SetupPage;
pub use surface::{surface_name, SurfacePage};
