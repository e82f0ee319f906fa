//! Recovery: the till's key, challenges and redeeming the desk's code.

use super::*;

impl Service {
    // ---- recovery ----------------------------------------------------

    /// The terminal serial: from the hardware, else a random id kept in
    /// the state directory.
    pub fn serial(&self) -> Result<(String, SerialSource), ServiceError> {
        if let Some(s) = (self.serial_probe)() {
            return Ok(s);
        }
        let id = self.backend.lock()?.terminal_id()?;
        Ok((id, SerialSource::StateDir))
    }

    /// Stores this till's recovery key, derived from the master key.
    pub fn provision(&self, actor: &Actor, master: &[u8]) -> Result<String, ServiceError> {
        let (serial, _) = self.serial()?;
        let key = TillKey::derive(master, &serial).map_err(TillError::from)?;
        let mut txn = self.lock()?;
        txn.set_recovery_key(&serial, &key)?;
        let now = self.now();
        let e = AuditEvent::new(
            EventKind::RecoveryProvisioned,
            actor,
            Some(serial.clone()),
            Outcome::Ok,
        );
        self.write_audit(&mut *txn, vec![e], &now);
        Ok(serial)
    }

    pub(super) fn till_key(&self, txn: &mut dyn Txn) -> Result<TillKey, ServiceError> {
        let (serial, _) = self.serial()?;
        match txn.recovery_key()? {
            None => Err(TillError::NotProvisioned.into()),
            Some((key_serial, _)) if key_serial != serial => Err(TillError::SerialChanged {
                now: serial,
                key: key_serial,
            }
            .into()),
            Some((_, key)) => Ok(key),
        }
    }

    /// Whether a recovery key is provisioned for this serial.
    pub fn recovery_ready(&self) -> Result<bool, ServiceError> {
        let mut txn = self.lock()?;
        Ok(self.till_key(&mut *txn).is_ok())
    }

    /// Shows a new recovery challenge (replacing any pending one).
    pub fn recovery_challenge(&self, actor: &Actor) -> Result<Challenge, ServiceError> {
        {
            let mut txn = self.lock()?;
            self.till_key(&mut *txn)?;
        }
        let (serial, _) = self.serial()?;
        self.transact(actor, |t| t.issue_challenge(&serial))
    }

    /// The pending challenge, if still valid.
    pub fn pending_challenge(&self) -> Result<Option<Challenge>, ServiceError> {
        self.transact(&Actor::System, |t| Ok(t.pending_challenge().cloned()))
    }

    /// Redeems a response code: sets admin `id`'s password to `new`. The
    /// attempt is counted and audited, durably, before anything else is
    /// looked at (see [`Till::begin_recovery`]).
    pub fn recovery_redeem(
        &self,
        actor: &Actor,
        id: OperatorId,
        code: &Secret,
        new: &Secret,
        confirm: &Secret,
    ) -> Result<(), ServiceError> {
        self.with_till(actor, |txn, till, _| {
            let begun = till.begin_recovery(id);
            txn.save(till.state())?;
            // Counted and audited before the code is looked at.
            self.flush_audit(txn, till);
            let pending = begun?;
            let key = self.till_key(txn)?;
            let r = till.finish_recovery(pending, &key, code, new, confirm);
            txn.save(till.state())?;
            Ok(r?)
        })
    }
}
