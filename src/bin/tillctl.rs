//! `tillctl`: see [`till_kiosk::tillctl`].
fn main() -> std::process::ExitCode {
    till_kiosk::tillctl::main()
}
