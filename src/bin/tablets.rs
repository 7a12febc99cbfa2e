//! tablets.html's bundle: reception's tablets.
fn main() {
    waitwell::panic::install();
    waitwell::first_screen::start();
    leptos::mount::mount_to_body(waitwell::app::tablets);
}
