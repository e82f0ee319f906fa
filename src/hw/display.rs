//! Which renderer the kiosk draws with on DRM/KMS.
//!
//! Slint's femtovg renderer draws through OpenGL ES. With a GPU driver
//! (the Pi's v3d, or i915, amdgpu...) Mesa runs it on the GPU. Without one
//! (a virtual machine's virtio-gpu, a Pi whose KMS overlay is missing, a
//! broken Mesa) Mesa falls back to llvmpipe, which compiles shaders into
//! executable memory at run time, and the unit's `MemoryDenyWriteExecute=yes`
//! kills it with SIGSEGV at the first frame: a kiosk in a restart loop.
//! So where no GPU driver is present the kiosk draws with Slint's software
//! renderer instead, which needs no JIT and draws the same picture; the
//! choice is made once at start-up and logged.

use std::path::Path;

/// Kernel DRM drivers with a Mesa hardware driver behind them.
pub const GPU_DRIVERS: &[&str] = &[
    "v3d", "vc4", "i915", "xe", "amdgpu", "radeon", "nouveau", "panfrost", "lima", "etnaviv", "msm",
];

/// How to choose the renderer (`ui.renderer` in the config).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RendererChoice {
    /// The GPU (femtovg) when a GPU driver is present, else software.
    #[default]
    Auto,
    /// Always femtovg (OpenGL ES).
    Gpu,
    /// Always Slint's software renderer.
    Software,
}

/// The renderer chosen, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renderer {
    /// Slint's renderer name: `femtovg` or `software`.
    pub name: &'static str,
    /// Why, for the log.
    pub why: String,
}

/// The DRM drivers present under `sys` (normally `/sys`), by the devices
/// in `class/drm`, sorted and without repeats.
pub fn drm_drivers(sys: &Path) -> Vec<String> {
    let mut drivers: Vec<String> = std::fs::read_dir(sys.join("class/drm"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path().join("device/driver")).ok())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    drivers.sort();
    drivers.dedup();
    drivers
}

/// Chooses the renderer from the config's wish and the DRM drivers present.
pub fn choose(wish: RendererChoice, drivers: &[String]) -> Renderer {
    let gpu = drivers.iter().find(|d| GPU_DRIVERS.contains(&d.as_str()));
    let present = if drivers.is_empty() {
        "no DRM driver".to_owned()
    } else {
        format!("DRM drivers: {}", drivers.join(", "))
    };
    match (wish, gpu) {
        (RendererChoice::Gpu, _) => Renderer {
            name: "femtovg",
            why: format!("ui.renderer is gpu ({present})"),
        },
        (RendererChoice::Software, _) => Renderer {
            name: "software",
            why: format!("ui.renderer is software ({present})"),
        },
        (RendererChoice::Auto, Some(d)) => Renderer {
            name: "femtovg",
            why: format!("GPU driver {d} present"),
        },
        (RendererChoice::Auto, None) => Renderer {
            name: "software",
            why: format!(
                "no GPU driver ({present}): OpenGL would run on Mesa's llvmpipe, whose JIT the unit's MemoryDenyWriteExecute forbids"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_sys(devices: &[(&str, &str)]) -> tempfile::TempDir {
        let sys = tempfile::tempdir().unwrap();
        for (dev, driver) in devices {
            let d = sys.path().join("class/drm").join(dev).join("device");
            std::fs::create_dir_all(&d).unwrap();
            let target = sys.path().join("bus/drivers").join(driver);
            std::fs::create_dir_all(&target).unwrap();
            std::os::unix::fs::symlink(&target, d.join("driver")).unwrap();
        }
        sys
    }

    #[test]
    fn a_pi_with_its_kms_overlay_draws_on_the_gpu() {
        let sys = fake_sys(&[("card0", "v3d"), ("card1", "vc4"), ("renderD128", "v3d")]);
        let d = drm_drivers(sys.path());
        assert_eq!(d, vec!["v3d", "vc4"]);
        assert_eq!(choose(RendererChoice::Auto, &d).name, "femtovg");
    }

    #[test]
    fn a_virtual_machine_or_a_bare_framebuffer_draws_in_software() {
        for devices in [
            &[("card0", "virtio_gpu"), ("renderD128", "virtio_gpu")][..],
            &[("card0", "simple-framebuffer")][..],
            &[][..],
        ] {
            let sys = fake_sys(devices);
            let r = choose(RendererChoice::Auto, &drm_drivers(sys.path()));
            assert_eq!(r.name, "software", "{devices:?}");
            assert!(r.why.contains("MemoryDenyWriteExecute"), "{}", r.why);
        }
    }

    #[test]
    fn the_config_can_insist() {
        let none: Vec<String> = vec![];
        assert_eq!(choose(RendererChoice::Gpu, &none).name, "femtovg");
        assert_eq!(
            choose(RendererChoice::Software, &["v3d".into()]).name,
            "software"
        );
    }
}
