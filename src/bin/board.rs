//! board.html's bundle: the queue board.
fn main() {
    waitwell::panic::install();
    waitwell::first_screen::start();
    leptos::mount::mount_to_body(waitwell::app::board);
}
