//! Applying an operator bundle: one list for many tills.
//!
//! A bundle (signed at head office; the signature is checked before this
//! code sees it, see `crate::bundle`) says which operators a till has,
//! their roles, whether they are enabled and their password hashes, the
//! policy and the terminal's name. Applying it is declarative and all or
//! nothing: everything is checked first (version, hashes, names, an
//! enabled admin left), then the state changes, with the same audit events
//! as the admin menu. What is the till's own stays: lockout counters,
//! password history, the powered-on clock, the audit log. What the till
//! did after the bundle was made stands: a password changed at the till
//! after the bundle's was set (unless head office reset it after, once),
//! a disable or enable, a removal, an operator added. A bundle reaches
//! only the tills it is addressed to (`BundleContents::stream`), and its
//! version counts in that stream. The policy never drops below the
//! config's floor.

use super::*;
use crate::core::bundle::*;
use std::collections::BTreeSet;

impl Till<'_> {
    /// The last bundle applied in `stream` (`""`: the chain-wide one).
    fn stamp(&self, stream: &str) -> Option<&BundleStamp> {
        if stream.is_empty() {
            self.state.bundle.as_ref()
        } else {
            self.state.bundles.get(stream)
        }
    }

    /// Applies a verified bundle at the till `me` (see the module doc).
    /// Nothing changes unless all of it can be applied.
    pub fn apply_bundle(
        &mut self,
        b: &BundleContents,
        me: &BundleTarget,
    ) -> Result<BundleReport, TillError> {
        let events_before = self.events.len();
        let checked = self.check_bundle(b, me);
        let before = self.state.clone();
        let applied = checked.and_then(|stream| self.apply_checked(b, stream));
        match applied {
            Ok(report) => Ok(report),
            Err(why) => {
                // All or nothing: a refusal found while applying (no
                // enabled admin left once the till's own facts are kept)
                // undoes what was done, and only the refusal is audited.
                *self.state = before;
                self.events.truncate(events_before);
                self.audit(EventKind::BundleImported, None, Outcome::Refused)
                    .detail = Some(AuditDetail::BundleRefused {
                    version: b.version,
                    refusal: why.clone(),
                    more: 0,
                });
                Err(TillError::Bundle(why))
            }
        }
    }

    fn apply_checked(
        &mut self,
        b: &BundleContents,
        stream: String,
    ) -> Result<BundleReport, BundleRefusal> {
        let mut report = BundleReport {
            version: b.version,
            ..BundleReport::default()
        };
        if self.stamp(&stream).is_some_and(|s| s.digest == b.digest) {
            report.already_applied = true;
            return Ok(report);
        }
        let wanted: BTreeSet<OperatorId> = b.operators.iter().map(|o| o.number).collect();
        // The whole list: others go, except those added at the till after
        // head office made the bundle.
        let gone: Vec<OperatorId> = self
            .state
            .operators
            .values()
            .filter(|o| !wanted.contains(&o.id) && o.created_at <= b.made)
            .map(|o| o.id)
            .collect();
        for id in gone {
            self.drop_operator(id);
            report.removed.push(id);
        }
        // A reset is news only if head office made it after the last
        // bundle this till took in the stream (a first bundle: always).
        let resets_after = match self.stamp(&stream) {
            None => Some(WallTime(i64::MIN)),
            Some(s) => s.made,
        };
        for o in &b.operators {
            match self.apply_operator(o, b.made, resets_after) {
                Change::Added => report.added.push(o.number),
                Change::Changed => report.changed.push(o.number),
                Change::None => {}
            }
        }
        if self.state.enabled_admins() == 0 {
            return Err(BundleRefusal::NoAdmin);
        }
        if let Some(p) = &b.policy {
            let mut effective = p.at_least(&self.settings.policy);
            // Badges are enrolled on each till: a badge rule the till's
            // operators cannot meet yet keeps the till's own.
            if self.badges_cover(effective.require_badge).is_err() {
                effective.require_badge = self.policy().require_badge;
            }
            if self.state.policy.as_ref() != Some(&effective) {
                self.store_policy(effective);
                report.policy_changed = true;
            }
        }
        if let Some(name) = &b.terminal_name
            && name.trim() != self.state.terminal_name
        {
            self.store_terminal_name(clean_name(name).unwrap_or_else(|_| name.clone()));
            report.renamed = true;
        }
        // A removal at the till before this bundle was made has done its
        // work: every bundle the till takes from now on is made after this
        // one (see `OlderThanTaken`), so the number comes back only if a
        // newer list names it, which it may.
        self.state.removed.retain(|_, gone| *gone >= b.made);
        let stamp = BundleStamp {
            version: b.version,
            digest: b.digest.clone(),
            made: Some(b.made),
        };
        if stream.is_empty() {
            self.state.bundle = Some(stamp);
        } else {
            self.state.bundles.insert(stream, stamp);
        }
        self.audit(EventKind::BundleImported, None, Outcome::Ok)
            .detail = Some(AuditDetail::Bundle {
            version: b.version,
            added: report.added.len() as u32,
            changed: report.changed.len() as u32,
            removed: report.removed.len() as u32,
        });
        Ok(report)
    }

    /// Checks everything before anything changes; the stream the bundle's
    /// version counts in.
    fn check_bundle(&self, b: &BundleContents, me: &BundleTarget) -> Result<String, BundleRefusal> {
        let Some(stream) = b.stream(me) else {
            let mut wanted: Vec<String> = b.scope.iter().map(|s| format!("scope {s}")).collect();
            wanted.extend(
                b.serials
                    .iter()
                    .map(|s| format!("serial {}", crate::core::text::shown(s, 40))),
            );
            if wanted.is_empty() {
                wanted.push("every till without a scope".into());
            }
            return Err(BundleRefusal::NotForThisTill {
                wanted: crate::core::text::shown(&wanted.join(", "), 200),
            });
        };
        if let Some(have) = self.stamp(&stream)
            && (b.version < have.version || (b.version == have.version && b.digest != have.digest))
        {
            return Err(BundleRefusal::Stale {
                have: have.version,
                got: b.version,
            });
        }
        let taken = self
            .state
            .bundle
            .iter()
            .chain(self.state.bundles.values())
            .filter_map(|s| s.made)
            .max();
        let again = self.stamp(&stream).is_some_and(|s| s.digest == b.digest);
        if let Some(taken) = taken
            && b.made < taken
            && !again
        {
            return Err(BundleRefusal::OlderThanTaken {
                made: b.made.rfc3339(),
                taken: taken.rfc3339(),
            });
        }
        if b.terminal_name
            .as_deref()
            .is_some_and(|n| clean_name(n).is_err())
        {
            return Err(BundleRefusal::BadTerminalName);
        }
        let mut seen = BTreeSet::new();
        for o in &b.operators {
            if !seen.insert(o.number) {
                return Err(BundleRefusal::Duplicate { number: o.number });
            }
            if clean_name(&o.name).is_err() {
                return Err(BundleRefusal::BadName { number: o.number });
            }
            // Exactly the till's own parameters: a costlier hash would make
            // its number refuse slower than an unknown one (a timing
            // oracle) and could exhaust the till, a cheaper one faster.
            if !self.settings.hashing.is_current(&o.hash) {
                return Err(BundleRefusal::BadHash { number: o.number });
            }
        }
        if !b
            .operators
            .iter()
            .any(|o| o.role == Role::Admin && o.enabled)
        {
            return Err(BundleRefusal::NoAdmin);
        }
        Ok(stream)
    }

    /// Brings one operator in line with the bundle, auditing as the admin
    /// menu would.
    fn apply_operator(
        &mut self,
        o: &BundleOperator,
        made: WallTime,
        resets_after: Option<WallTime>,
    ) -> Change {
        let id = o.number;
        // Removed at the till after head office made the bundle: stays
        // removed until a newer bundle names the number again.
        if let Some(&gone) = self.state.removed.get(&id) {
            if gone >= made {
                return Change::None;
            }
            self.state.removed.remove(&id);
        }
        let subject = Some(id.to_string());
        let name = clean_name(&o.name).unwrap_or_else(|_| o.name.clone());
        let remembered = self.policy().history as usize;
        let Some(op) = self.state.operators.get_mut(&id) else {
            self.state.operators.insert(
                id,
                Operator {
                    id,
                    name,
                    role: o.role,
                    enabled: o.enabled,
                    password: PasswordRecord {
                        hash: o.hash.clone(),
                        set_at: o.password_set,
                        must_change: o.must_change,
                        history: Vec::new(),
                    },
                    // Head office's word as of the bundle: a later bundle
                    // without them removes them even if this one arrived
                    // late (only operators added at the till are kept).
                    created_at: made.min(self.now.wall),
                    badge: None,
                    enabled_at: None,
                    bundle_reset: o.must_change.map(|_| o.password_set),
                },
            );
            // As for an admin's add: failures typed against the number
            // before it existed do not count.
            self.state.lockouts.remove(&id);
            self.audit(EventKind::OperatorAdded, subject, Outcome::Ok)
                .detail = Some(AuditDetail::Role { role: o.role });
            if !o.enabled {
                self.audit(
                    EventKind::OperatorDisabled,
                    Some(id.to_string()),
                    Outcome::Ok,
                );
            }
            return Change::Added;
        };
        let mut events = Vec::new();
        if op.name != name || op.role != o.role {
            op.name = name;
            op.role = o.role;
            events.push((
                EventKind::OperatorUpdated,
                Some(AuditDetail::Role { role: o.role }),
            ));
        }
        // Enabled or disabled at the till after the bundle was made: the
        // till's fact is newer and stands.
        if op.enabled != o.enabled && op.enabled_at.is_none_or(|t| made > t) {
            op.enabled = o.enabled;
            let kind = if o.enabled {
                EventKind::OperatorEnabled
            } else {
                EventKind::OperatorDisabled
            };
            events.push((kind, None));
        }
        // The newer password wins: one changed at the till after head
        // office set the bundle's stays. A reset by head office (the
        // bundle says it must be changed) also wins over a change made at
        // the till before the bundle was made, once per reset.
        let newer = o.password_set > op.password.set_at;
        let reset = o.must_change.is_some()
            && made > op.password.set_at
            && resets_after.is_some_and(|t| o.password_set > t)
            && op.bundle_reset != Some(o.password_set);
        if op.password.hash != o.hash && (newer || reset) {
            if o.must_change.is_some() {
                op.bundle_reset = Some(o.password_set);
            }
            replace_password(
                &mut op.password,
                o.hash.clone(),
                o.password_set,
                o.must_change,
                remembered,
            );
            events.push((EventKind::PasswordReset, None));
        }
        let changed = !events.is_empty();
        for (kind, detail) in events {
            self.audit(kind, Some(id.to_string()), Outcome::Ok).detail = detail;
        }
        if changed {
            Change::Changed
        } else {
            Change::None
        }
    }
}

enum Change {
    None,
    Added,
    Changed,
}
