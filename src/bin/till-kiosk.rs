//! `till-kiosk`: see [`till_kiosk::ui::main`].
fn main() -> std::process::ExitCode {
    till_kiosk::ui::main::main()
}
