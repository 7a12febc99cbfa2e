fn main() {
    waitwell::panic::install();
    leptos::mount::mount_to_body(waitwell::app::App);
}
