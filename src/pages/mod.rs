//! One module per page.

mod board;
mod not_found;
mod setup;
mod surface;

pub use board::{clock_time, BoardPage};
pub use not_found::NotFound;
pub use setup::SetupPage;
pub use surface::{surface_name, SurfacePage};
