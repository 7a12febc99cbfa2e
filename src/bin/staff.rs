//! staff.html's bundle: reception.
fn main() {
    waitwell::panic::install();
    waitwell::first_screen::start();
    leptos::mount::mount_to_body(waitwell::app::staff);
}
