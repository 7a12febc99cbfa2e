//! phone.html's bundle: a patient's own phone following a ticket.
fn main() {
    waitwell::panic::install();
    leptos::mount::mount_to_body(waitwell::app::phone);
}
