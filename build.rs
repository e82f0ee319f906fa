//! Compiles the Slint UI (feature `ui`) with the Chinese translation
//! bundled into the binary. Strings have no default context, so the `.po`
//! file is keyed by the English text alone.
//!
//! Debug builds (and so `cargo test`) also carry Slint's element debug
//! info, which the UI tests need to find controls by accessible label;
//! release builds for the till leave it out.

fn main() {
    #[cfg(feature = "ui")]
    {
        let debug_build = std::env::var("PROFILE").is_ok_and(|p| p == "debug");
        let config = slint_build::CompilerConfiguration::new()
            .with_bundled_translations("ui/translations")
            .with_default_translation_context(slint_build::DefaultTranslationContext::None)
            .with_debug_info(debug_build);
        slint_build::compile_with_config("ui/app.slint", config).expect("the Slint UI compiles");
    }
}
