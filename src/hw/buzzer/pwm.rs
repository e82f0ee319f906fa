//! The piezo on the Pi, through rppal (the only file that uses rppal's PWM).
//!
//! * Hardware PWM (`buzzer.backend: pwm`): a PWM channel of the SoC,
//!   enabled with `dtoverlay=pwm,pin=18,func=2` in `/boot/firmware/config.txt`
//!   (channel 0 on BCM 18, physical pin 12). Jitter-free; rppal drives it
//!   through sysfs, which is why it must be switched off explicitly.
//! * Software PWM (`buzzer.backend: software-pwm`): any GPIO pin; rppal
//!   toggles it from a thread (busy-waiting for short phases), so it costs
//!   CPU while a tone sounds, and nothing otherwise.

use super::Tone;
use rppal::gpio::{Gpio, OutputPin};
use rppal::pwm::{Channel, Polarity, Pwm};

fn fix(e: &dyn std::fmt::Display) -> String {
    let s = e.to_string();
    if s.to_lowercase().contains("permission") {
        format!("{s}: add the service user to group gpio")
    } else {
        s
    }
}

/// A hardware PWM channel.
#[derive(Debug)]
pub struct HardwarePwm(Pwm);

impl HardwarePwm {
    /// Opens PWM `channel` (0 or 1), silent.
    pub fn open(channel: u8) -> Result<HardwarePwm, String> {
        let ch = match channel {
            0 => Channel::Pwm0,
            1 => Channel::Pwm1,
            n => return Err(format!("buzzer pwm_channel {n} does not exist: use 0 or 1")),
        };
        Pwm::with_frequency(ch, 2000.0, 0.0, Polarity::Normal, false)
            .map(HardwarePwm)
            .map_err(|e| {
                format!(
                    "unable to open PWM channel {channel}: {} (is dtoverlay=pwm,pin=18,func=2 in config.txt?)",
                    fix(&e)
                )
            })
    }
}

impl Tone for HardwarePwm {
    fn on(&mut self, hz: u32, duty: f64) -> Result<(), String> {
        self.0
            .set_frequency(f64::from(hz), duty)
            .map_err(|e| fix(&e))?;
        self.0.enable().map_err(|e| fix(&e))
    }
    fn off(&mut self) -> Result<(), String> {
        self.0.disable().map_err(|e| fix(&e))
    }
}

/// Software PWM on any GPIO pin.
#[derive(Debug)]
pub struct SoftwarePwm(OutputPin);

impl SoftwarePwm {
    /// Claims BCM `pin`, low.
    pub fn open(pin: u8) -> Result<SoftwarePwm, String> {
        let gpio =
            Gpio::new().map_err(|e| format!("unable to open GPIO for the buzzer: {}", fix(&e)))?;
        let p = gpio
            .get(pin)
            .map_err(|e| format!("unable to open buzzer pin BCM {pin}: {}", fix(&e)))?;
        Ok(SoftwarePwm(p.into_output_low()))
    }
}

impl Tone for SoftwarePwm {
    fn on(&mut self, hz: u32, duty: f64) -> Result<(), String> {
        self.0
            .set_pwm_frequency(f64::from(hz), duty)
            .map_err(|e| fix(&e))
    }
    fn off(&mut self) -> Result<(), String> {
        self.0.clear_pwm().map_err(|e| fix(&e))?;
        self.0.set_low();
        Ok(())
    }
}
